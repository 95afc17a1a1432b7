"""Helpers of the trust tests (audiences, injection, determinism, robustness, browser).

Builds run in-process with :class:`sphinx.application.Sphinx` into folders of the test's
own, so one test can build the same sources several times (audiences, -j, incremental).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Build:
    app: Any
    outdir: Path
    warnings: list[str]
    status: str


def copy_root(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(ROOTS / f"test-{name}", target)
    return target


def build(
    srcdir: Path,
    builddir: Path,
    builder: str = "html",
    parallel: int = 0,
    freshenv: bool = False,
    **overrides: Any,
) -> Build:
    """Build ``srcdir`` into ``builddir/<builder>`` (doctrees in ``builddir/doctrees``).

    :class:`SphinxTestApp` undoes what an app registers in docutils, so many builds can
    run in one process.
    """
    from sphinx.testing.util import SphinxTestApp
    from sphinx.util.console import strip_colors

    status, warning = io.StringIO(), io.StringIO()
    app = SphinxTestApp(
        builder,
        srcdir=Path(srcdir),
        builddir=Path(builddir),
        confoverrides=overrides,
        status=status,
        warning=warning,
        parallel=parallel,
        freshenv=freshenv,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    prefix = str(srcdir) + "/"
    lines = [line.replace(prefix, "") for line in strip_colors(warning.getvalue()).splitlines() if line.strip()]
    return Build(app, Path(app.outdir), lines, status.getvalue())


def build_root(base: Path, name: str, builder: str = "html") -> Any:
    """A copy of tests/roots/test-``name`` built once by ``builder``: the Sphinx application,
    for the tests of a module that only read what one fresh build wrote (``app.outdir``,
    ``app.env``, ``warnings_of(app)``)."""
    src = copy_root(name, base)
    return build(src, src / "_build", builder).app


def root_fixture(name: str, builder: str = "html") -> Any:
    """A module-scoped fixture: :func:`build_root` of tests/roots/test-``name`` by
    ``builder``, built once per test process for every module that asks for it
    (conftest.built_root); the tests must only read it."""

    @pytest.fixture(scope="module")
    def built(built_root: Any) -> Any:
        return built_root(name, builder)

    return built


@dataclass(frozen=True)
class Snapshot:
    """A folder as one build left it, put back exactly before each test that changes it.

    For tests that each start from the same fresh build and then edit and build again
    (incremental builds): the first build is made once per module. :meth:`restore` puts
    back every file with its contents and modification time at the same path, so
    Sphinx's environment (which refuses a moved source folder) and the builders' caches
    see the state the first build left, as if it had just run.
    """

    folder: Path
    copy: Path

    def restore(self) -> Path:
        if self.folder.exists():
            shutil.rmtree(self.folder)
        # copy2 keeps each file's modification time to the nanosecond
        shutil.copytree(self.copy, self.folder, symlinks=True)
        return self.folder


def snapshot(folder: Path) -> Snapshot:
    """Keep ``folder`` as it is now (beside it, ``<name>.orig``) for :meth:`Snapshot.restore`."""
    copy = folder.with_name(f"{folder.name}.orig")
    shutil.copytree(folder, copy, symlinks=True)
    return Snapshot(folder, copy)


def sphinx_main(
    project: Path,
    builder: str,
    out: Path,
    doctrees: Path,
    *options: str,
    environ: dict[str, str | None] | None = None,
    cwd: Path | None = None,
) -> str:
    """conftest.sphinx_build's command (``python -m sphinx -b builder -q -c project -d
    doctrees *options project/docs out``) run in this process as a process of its own
    would run it (sphinxrun.run_sphinx), for tests that read what the build writes but do
    not test the process. ``environ``: variables the project's conf.py reads, set (or,
    given None, unset) for the build. It must succeed; its warnings, with
    ``project/docs/`` taken off."""
    from sphinxrun import run_sphinx

    env = dict(os.environ)
    for name, value in (environ or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    argv = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-c", str(project), "-d", str(doctrees), *options,
            str(project / "docs"), str(out)]  # fmt: skip
    result = run_sphinx(argv, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    return result.stderr.replace(str(project / "docs") + "/", "")


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_metadata(path: Path) -> str:
    """Document info, XMP and bookmarks of a PDF as one text (what pdftotext leaves out)."""
    import pikepdf

    parts = []
    with pikepdf.open(path) as pdf:
        parts.extend(f"{k}={v}" for k, v in pdf.docinfo.items())
        try:
            parts.append(str(pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")))
        except (AttributeError, KeyError):
            pass
        with pdf.open_outline() as outline:
            stack = list(outline.root)
            while stack:
                item = stack.pop()
                parts.append(item.title)
                stack.extend(item.children)
    return "\n".join(parts)


def readable(path: Path) -> str:
    """Everything in an output file a reader or a machine could get at, as text.

    Pagefind's index files are gzip-compressed; PDFs are read with pdftotext plus their
    metadata; everything else is taken byte for byte.
    """
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8", "replace")
    if path.suffix == ".pdf":
        text += "\n" + pdftotext(path) + "\n" + pdf_metadata(path)
    return text


def output_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path


def files_containing(root: Path, marker: str) -> list[str]:
    needle = marker.lower()
    return [str(p.relative_to(root)) for p in output_files(root) if needle in readable(p).lower()]


RAPPORT_WARNING_RE = re.compile(r"^.+\.(md|rst):\d+: WARNING: .+ \[rapport\.[a-z-]+\]$")
LOCATED_WARNING_RE = re.compile(
    r"^.+\.(md|rst|bib|py):\d+: (WARNING|ERROR|CRITICAL): .+$|^.+\.(md|rst): (WARNING|ERROR): .+$"
)


# -- the real build commands (``make site`` and ``make site-publik``) ----------------------

_SCRIPT = Path(sys.executable).with_name("rapport")


def copy_project(name: str, dest: Path) -> Path:
    """Copy a project root (conf.py + docs/) so ``rapport bygg`` can build it."""
    target = dest / name
    shutil.copytree(ROOTS / f"test-{name}", target, symlinks=True)
    return target


def rapport_bygg(project: Path, public: bool = False, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """``rapport bygg`` (``make site``) or ``rapport bygg --publik`` (``make site-publik``)."""
    argv = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rapport.writer.cli"]
    argv += ["--katalog", str(project), "bygg", *(["--publik"] if public else [])]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SPHINXOPTS", None)
    env.pop("PDFOPTS", None)
    return subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=env, cwd=project)


@dataclass(frozen=True)
class BothBuilds:
    """A project built as ``make site`` (internal) and as ``make site-publik`` (public) build it."""

    project: Path
    internal: subprocess.CompletedProcess[str]
    public: subprocess.CompletedProcess[str]

    def warnings(self, audience: str) -> set[str]:
        """The rapport warnings of the ``"internal"`` or the ``"public"`` build."""
        return build_warnings(getattr(self, audience), self.project / "docs")


def build_both(name: str, base: Path, plant: Callable[[Path], None]) -> BothBuilds:
    """Copy project root ``name``, let ``plant`` write its cases into ``docs/``, and build it
    as ``make site`` and as ``make site-publik`` do; both builds must succeed."""
    project = copy_project(name, base)
    plant(project / "docs")
    internal = rapport_bygg(project)
    public = rapport_bygg(project, public=True)
    assert internal.returncode == 0, internal.stderr
    assert public.returncode == 0, public.stderr
    return BothBuilds(project, internal, public)


def build_warnings(result: subprocess.CompletedProcess[str], srcdir: Path) -> set[str]:
    """The rapport warnings a build printed, with ``srcdir/`` taken off the file names."""
    prefix = str(srcdir) + "/"
    lines = (result.stdout + "\n" + result.stderr).splitlines()
    return {line.strip().replace(prefix, "") for line in lines if "[rapport." in line}


def leaks(root: Path, markers: list[str]) -> dict[str, list[str]]:
    """marker -> output files (HTML, decompressed search index, JSON, feed, sitemap, PDF text,
    bookmarks and metadata) in which it appears."""
    texts = {str(p.relative_to(root)): readable(p).lower() for p in output_files(root)}
    found = {}
    for marker in markers:
        files = [name for name, text in texts.items() if marker.lower() in text]
        if files:
            found[marker] = files
    return found
