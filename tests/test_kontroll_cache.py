"""``rapport kontroll`` keeps what it found (rapport.writer.checkcache) and still finds everything.

The check runs Sphinx on the build's doctree folder and replays the kept warnings of
pages it does not read again. These tests run the real command on a copy of the test
project tests/roots/test-cli and compare with a full check from scratch: a finding in
a page that did not change is still reported, a fixed finding disappears, and the
second run reads only the page that changed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sphinxrun import run_sphinx
from test_cli import ROOTS, findings, rapport

from rapport.writer import checkcache, kontroll

EXTENSIONS = ["colon_fence", "deflist", "fieldlist", "smartquotes"]
REPORT = Path("docs/rapporter/2025/2025-09-25.md")
OTHER = Path("docs/annan.md")

OTHER_PAGE = """\
---
orphan: true
---

# En annan sida

En platshållare: [Läs mer](#).
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "projekt"
    shutil.copytree(ROOTS / "test-cli", dest)
    (dest / OTHER).write_text(OTHER_PAGE, encoding="utf-8")
    return dest


def full_check(project: Path) -> list[str]:
    """What a check from scratch lists (throwaway doctrees, every page read)."""
    src = project / "docs"
    built = kontroll.sphinx_findings(project, src)
    own = kontroll.scan_sources(project, src, EXTENSIONS)
    covered = {(f.file, f.line, "html") for f in built if f.subtype == "raw-html"}
    every = {f for f in [*built, *own] if (f.file, f.line, f.subtype) not in covered}
    return [f.as_line() for f in sorted(every, key=lambda f: (f.file, f.line or 0, f.subtype, f.message))]


def kept(project: Path) -> dict:
    return json.loads((project / "_build/doctrees" / checkcache.CACHE_FILE).read_text(encoding="utf-8"))


def test_findings_of_unchanged_pages_are_still_reported_and_fixed_ones_disappear(project: Path) -> None:
    report = project / REPORT
    text = report.read_text(encoding="utf-8")
    # a build warning (an unknown section) in the report, an own finding in the other page
    report.write_text(text.replace(":::{avsnitt} atgarder", ":::{avsnitt} okant"), encoding="utf-8")
    first = rapport(project, "kontroll")
    assert first.returncode == 1
    assert findings(first) == full_check(project)
    assert any("[section-unknown]" in line for line in findings(first))
    assert "docs/annan.md:7: Platshållarlänk: ”Läs mer” pekar inte någonstans (#); fyll i adressen [platshallare]" in findings(first)
    read_before = kept(project)["docs"]["rapporter/2025/2025-09-25"]["read_digest"]

    # an edit elsewhere: the report is not read again, its warning is still listed
    other = project / OTHER
    other.write_text(other.read_text(encoding="utf-8") + "\nSkrivet 2025-10-01.\n", encoding="utf-8")
    second = rapport(project, "kontroll")
    assert findings(second) == full_check(project)
    assert [line for line in findings(second) if line not in findings(first)] == [
        "docs/annan.md:9: Datumet ”2025-10-01” följer inte skrivreglerna; skriv till exempel ”25 september 2025” [datum]"
    ]
    assert any("[section-unknown]" in line for line in findings(second))
    assert kept(project)["docs"]["rapporter/2025/2025-09-25"]["read_digest"] == read_before

    # the report fixed: its warning disappears, the other page's findings stay
    report.write_text(text, encoding="utf-8")
    third = rapport(project, "kontroll")
    assert findings(third) == full_check(project)
    assert not any("[section-unknown]" in line for line in findings(third))
    assert any("docs/annan.md:7:" in line for line in findings(third))


def test_a_build_leaves_what_the_check_needs(project: Path) -> None:
    """After rapport bygg's HTML step the check reads nothing again and lists the same."""
    report = project / REPORT
    report.write_text(
        report.read_text(encoding="utf-8").replace(":::{avsnitt} atgarder", ":::{avsnitt} okant"), encoding="utf-8"
    )
    import sys

    build = run_sphinx(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", ".", "-d", "_build/doctrees", "docs", "_build/html"],
        cwd=project,
    )
    assert build.returncode == 0, build.stderr
    cache = kept(project)
    assert set(cache["docs"]) >= {"index", "rapporter/2025/2025-09-25", "annan"}
    assert any("okant" in line for line in cache["docs"]["rapporter/2025/2025-09-25"]["read"])
    result = rapport(project, "kontroll")
    assert findings(result) == full_check(project)
    assert any("[section-unknown]" in line for line in findings(result))
