"""``python -m sphinx ...`` run in the test process, as a process of its own would run it.

A build in a new process spends most of its time importing Sphinx, MyST and the
extension; where the process is not what a test tests (the e-mail edition every
``rapport skicka`` builds, a test project built before the command under test runs),
:func:`run_sphinx` runs the same command line here, with the same result: exit code,
standard output and error as text. :func:`in_process` puts it in place of
``subprocess.run`` for one module that starts Sphinx.
"""

from __future__ import annotations

import contextlib
import io
import locale
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _is_sphinx(argv: Sequence[str]) -> bool:
    return list(argv[:3]) == [sys.executable, "-m", "sphinx"]


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    """``os.environ`` is ``env`` inside the block (a process started with ``env=``)."""
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_sphinx(
    argv: Sequence[str], cwd: Path | str | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``argv`` (``[sys.executable, "-m", "sphinx", ...]``) run in this process.

    As a new process runs it: in ``cwd``, with ``env`` as its environment, from the
    state a new process starts in (colour on until the command line, NO_COLOR or the
    terminal turns it off; Sphinx's console messages in the system locale's language,
    whatever an earlier build in this process installed). What the process would have
    kept to itself (``sys.path``, which a conf.py extends, the locale, colour, Sphinx's
    translations, the environment) is put back afterwards.
    """
    from sphinx import locale as sphinx_locale
    from sphinx._cli.util import colour
    from sphinx.cmd.build import main as sphinx_main

    assert _is_sphinx(argv), argv
    out, err = io.StringIO(), io.StringIO()
    saved_path, saved_colour = list(sys.path), colour._COLOURING_DISABLED
    saved_locale, saved_translators = locale.setlocale(locale.LC_ALL), dict(sphinx_locale.translators)
    colour.enable_colour()
    sphinx_locale.translators.clear()
    try:
        with (
            _environment(env),
            contextlib.chdir(cwd or "."),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = sphinx_main(list(argv[3:]))
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.path[:] = saved_path
        colour._COLOURING_DISABLED = saved_colour
        locale.setlocale(locale.LC_ALL, saved_locale)
        sphinx_locale.translators.clear()
        sphinx_locale.translators.update(saved_translators)
    return subprocess.CompletedProcess(list(argv), code, out.getvalue(), err.getvalue())


class _SubprocessInProcess:
    """A module's ``subprocess``: ``run`` of a Sphinx command line with its output captured
    as text goes to :func:`run_sphinx`; everything else to the real module."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def run(argv: Sequence[str], *, cwd: Path | str | None = None, env: Mapping[str, str] | None = None,
            **kwargs: Any) -> subprocess.CompletedProcess[Any]:  # fmt: skip
        captured = kwargs.get("capture_output") and (kwargs.get("text") or kwargs.get("encoding"))
        if not (_is_sphinx(argv) and captured and set(kwargs) <= {"capture_output", "text", "encoding", "errors"}):
            return subprocess.run(argv, cwd=cwd, env=env, **kwargs)
        return run_sphinx(argv, cwd, env)


def in_process(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """``module`` runs the Sphinx command lines it starts with ``subprocess.run`` in this process."""
    monkeypatch.setattr(module, "subprocess", _SubprocessInProcess())
