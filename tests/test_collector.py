"""rapport.collector: the garbage collector's thresholds during a build, and the freeze at exit.

The speed figures are in bench/run.py; these tests pin the behaviour the figures rest on.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

from conftest import minimal_project
from rapport.collector import BUILD_THRESHOLDS


def test_a_build_collects_rarely_and_gives_the_thresholds_back(make_app, tmp_path):
    # CPython's defaults (an app that another test set up but never built keeps the
    # build's thresholds: there is no event for an application that is dropped)
    before = (700, 10, 10)
    outside = gc.get_threshold()
    gc.set_threshold(*before)
    try:
        app = make_app("html", srcdir=minimal_project(tmp_path))
        during = []
        app.connect("env-updated", lambda app, env: during.append(gc.get_threshold()))
        app.build()
        assert during == [BUILD_THRESHOLDS]
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*outside)


def test_what_is_alive_at_exit_is_frozen_so_the_interpreter_does_not_walk_it(tmp_path):
    src = minimal_project(tmp_path)
    # registered before the build, so it runs after the extension's own exit handler
    script = textwrap.dedent(
        f"""
        import atexit, gc, sys
        atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
        from sphinx.cmd.build import build_main
        print("frozen before the build:", gc.get_freeze_count() > 0)
        sys.exit(build_main(["-q", "-b", "html", {str(src)!r}, {str(tmp_path / "out")!r}]))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["frozen before the build: False", "frozen at exit: True"]
