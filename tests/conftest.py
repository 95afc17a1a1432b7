"""Shared test fixtures: Sphinx's own testing fixtures and the test projects in roots/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))

pytest_plugins = ("sphinx.testing.fixtures",)

collect_ignore = ["roots"]


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``@pytest.mark.sphinx(testroot="x")`` finds ``roots/test-x``."""
    return Path(__file__).parent / "roots"


def warnings_of(app) -> list[str]:
    """Warning lines with the source dir stripped, so tests compare 'file.md:12: ...'."""
    from sphinx.util.console import strip_colors

    text = strip_colors(app.warning.getvalue())
    src = str(app.srcdir) + "/"
    return [line.replace(src, "") for line in text.splitlines() if line.strip()]
