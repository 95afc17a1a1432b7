"""The live preview rebuilds in the server's own (forked) process (rapport.writer.preview).

sphinx-autobuild starts a new ``python -m sphinx`` for every save; the preview's
builder calls Sphinx in the process sphinx-autobuild forks from the server, which has
Sphinx, MyST, the theme and the extension imported already. These tests pin the part of
sphinx-autobuild it relies on and show that a rebuild runs without a new process,
except after a change to the extension's own code.
"""

from __future__ import annotations

import inspect
import shutil
import subprocess
from pathlib import Path

from sphinx_autobuild import __main__ as autobuild
from sphinx_autobuild.build import Builder

from rapport.writer import preview


def test_sphinx_autobuild_makes_its_builder_from_the_module_name():
    """compat.autobuild_main replaces ``sphinx_autobuild.__main__.Builder``."""
    assert "Builder(" in inspect.getsource(autobuild.main)
    builder = Builder(["-b", "html"], url_host="127.0.0.1:1", pre_build_commands=[], post_build_commands=[])
    assert builder.sphinx_args == ["-b", "html"] and builder.uri == "http://127.0.0.1:1"
    assert "changed_paths" in inspect.signature(Builder.__call__).parameters


def test_only_the_extensions_own_code_needs_new_imports(tmp_path):
    code = Path(preview.__file__).resolve().parent.parent
    assert preview._needs_new_imports([code / "registry.py"])
    assert not preview._needs_new_imports([tmp_path / "docs" / "rapport.md", code / "static" / "rapport.css"])


def test_a_rebuild_runs_in_this_process(tmp_path, rootdir, monkeypatch, capsys):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    out = tmp_path / "html"

    def no_process(*args, **kwargs):  # the cold path would start python -m sphinx
        raise AssertionError(f"a new process was started: {args}")

    monkeypatch.setattr(subprocess, "run", no_process)
    builder = preview.WarmBuilder(
        ["-b", "html", "-q", "-d", str(tmp_path / "doctrees"), str(src), str(out)],
        url_host="127.0.0.1:8123",
        pre_build_commands=[],
        post_build_commands=[],
    )
    builder(changed_paths=[src / "index.md"])
    assert (out / "beslutsregister.html").is_file()
    shown = capsys.readouterr().out
    assert "Rebuilding" in shown and "Serving on http://127.0.0.1:8123" in shown


def test_a_change_to_the_extension_rebuilds_in_a_new_process(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: started.append(argv))
    builder = preview.WarmBuilder(
        ["-b", "html", str(tmp_path), str(tmp_path / "out")],
        url_host="127.0.0.1:8123",
        pre_build_commands=[],
        post_build_commands=[],
    )
    code = Path(preview.__file__).resolve().parent.parent
    builder(changed_paths=[code / "registry.py"])
    assert started and started[0][1:4] == ["-m", "sphinx", "build"]
