"""Shared test fixtures: Sphinx's own testing fixtures and the test projects in roots/."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browsertools import Server, Tab

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))

# Sphinx colours its output whenever CI=true, even into a pipe; the tests compare the
# warning lines that the commands they start print, so those must be plain text.
os.environ["NO_COLOR"] = "1"

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


#: conf.py of a minimal project with this extension (Sphinx's own search, no Pagefind)
MINIMAL_CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / "_ext")!r})
extensions = ["myst_parser", "rapport"]
language = "sv"
rapport_search = "sphinx"
"""


def minimal_project(tmp_path: Path, extra: str = "") -> Path:
    """A one-page project in ``tmp_path/src``: ``MINIMAL_CONF`` plus ``extra``."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(MINIMAL_CONF + extra, encoding="utf-8")
    (src / "index.md").write_text("# Start\n\nEn sida.\n", encoding="utf-8")
    return src


def sphinx_build(
    project: Path, builder: str, out: Path, doctrees: Path, *options: str, env: dict[str, str] | None = None
) -> str:
    """Build a test project (``conf.py`` and ``docs/``) with ``python -m sphinx``, as a writer's
    build would; it must succeed. Its warnings, with the ``docs/`` folder taken off."""
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-c", str(project), "-d", str(doctrees), *options,
         str(project / "docs"), str(out)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr.replace(str(project / "docs") + "/", "")


@dataclass(frozen=True)
class RealSite:
    """The real site (docs/) built as ``make site`` builds it: PDFs, then HTML linking them."""

    html: Path
    pdf: Path
    doctrees: Path
    warnings: str  # the HTML build's stderr (its warnings)
    pdf_warnings: str  # the PDF build's


def _sphinx(builder: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    # doctrees of its own per builder: each build reads every page and gives every warning
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-c", str(ROOT), "-d", str(out / f"doctrees-{builder}"),
         *extra, str(ROOT / "docs"), str(out / builder)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> RealSite:
    """Built once per test run: the tests that read the real site's pages, PDFs or
    search index share it. With pytest-xdist the first worker builds it and the others
    wait for it (a lock file beside the workers' temporary folders)."""
    base = tmp_path_factory.getbasetemp()
    # xdist workers have folders of their own inside this run's folder
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    out = shared / "real-site"
    with open(shared / "real-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "done").is_file():
            out.mkdir(exist_ok=True)
            pdf = _sphinx("rapportpdf", out)
            assert pdf.returncode == 0, pdf.stderr
            html = _sphinx("html", out, "-D", f"rapport_pdf_dir={out / 'rapportpdf'}")
            assert html.returncode == 0, html.stderr
            (out / "warnings.txt").write_text(html.stderr, encoding="utf-8")
            (out / "pdf-warnings.txt").write_text(pdf.stderr, encoding="utf-8")
            (out / "done").touch()
    return RealSite(
        out / "html",
        out / "rapportpdf",
        out / "doctrees-html",
        (out / "warnings.txt").read_text("utf-8"),
        (out / "pdf-warnings.txt").read_text("utf-8"),
    )


@pytest.fixture(scope="session")
def built_root(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``built_root(name, builder="html")``: the application of one fresh build of
    tests/roots/test-``name``, made once per test process and shared by every module
    that only reads what it wrote (``trusttools.root_fixture``): test_sections and
    test_doctree_size read the same build of test-sections."""
    from trusttools import build_root

    built: dict[tuple[str, str], Any] = {}

    def get(name: str, builder: str = "html") -> Any:
        if (name, builder) not in built:
            built[name, builder] = build_root(tmp_path_factory.mktemp(f"{name}-{builder}"), name, builder)
        return built[name, builder]

    return get


CHROMIUM = Path("/usr/bin/chromium")
#: no sandbox (the tests run as root in a container), no background traffic, no GPU
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per test process.

    One for every browser test: Playwright's synchronous API cannot start while another
    of its instances is running in the same thread, so each module keeping its own
    (session-scoped ones outlive their module) broke the next module's tests.
    """
    if not CHROMIUM.exists():
        pytest.skip("Debians Chromium saknas (/usr/bin/chromium); make test installerar den med tools/install-test-deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def real_server(real_site: RealSite) -> Iterator[Server]:
    """The real site's HTML served on 127.0.0.1, once per test process."""
    with Server(real_site.html) as server:
        yield server


@pytest.fixture(scope="session")
def _shared_tab(browser: Any) -> Iterator[Tab]:
    page = Tab(browser)
    yield page
    page.close()


@pytest.fixture
def tab(_shared_tab: Tab) -> Tab:
    """A browser tab that records its requests, console errors and search answers; one per
    test process, reset before each test (Tab.reset)."""
    _shared_tab.reset()
    return _shared_tab
