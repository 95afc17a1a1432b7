"""``rapport ny``'s traps: a report for the same date, and decisions and FAQ entries
declared in last week's report (:mod:`rapport.writer.newreport`)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest
from sphinxrun import run_sphinx
from test_cli import REPORT_DIR, ROOTS, rapport

from rapport.writer import newreport

DAY = dt.date(2025, 10, 2)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "projekt"
    shutil.copytree(ROOTS / "test-cli", dest)
    return dest


def test_existing_for_date_names_the_report_and_whether_it_was_sent(project: Path) -> None:
    docs = project / "docs"
    assert newreport.existing_for_date(project, docs, DAY) == []
    assert rapport(project, "ny", "--datum", "2025-10-02 08:30").returncode == 0
    # a file named after the date but without a readable compile date counts too
    (docs / REPORT_DIR.relative_to("docs") / "2025-10-02-extra.md").write_text("# Extra\n", encoding="utf-8")
    log = project / "utskick/skicklogg.jsonl"
    log.parent.mkdir()
    lines = [
        {"rapport": "rapporter/2025/2025-10-02", "test": True, "typ": "test", "status": "skickat"},
        {"rapport": "rapporter/2025/2025-10-02", "typ": "korrektur", "status": "skickat"},
        {"rapport": "rapporter/2025/2025-10-02", "typ": "rapport", "status": "skickar"},
        ["inte", "ett", "objekt"],
    ]
    log.write_text(
        "\n".join(json.dumps(x) for x in lines) + '\n{"rapport": "rapporter/2025/2025-10-02-ex', encoding="utf-8"
    )
    found = newreport.existing_for_date(project, docs, DAY)
    assert [(f.path.name, f.title, f.sent) for f in found] == [
        ("2025-10-02-extra.md", "Extra", False),
        ("2025-10-02.md", "Testrapporten 2 oktober 2025", False),  # tests, proofs, an unfinished send: not sent
    ]
    # an old line without a status was sent
    with log.open("a", encoding="utf-8") as handle:
        handle.write('\n{"rapport": "rapporter/2025/2025-10-02", "adress": "a@b.invalid"}\n')
    assert [f.sent for f in newreport.existing_for_date(project, docs, DAY)] == [False, True]
    assert newreport.existing_for_date(project, docs, dt.date(2025, 10, 3)) == []


def test_a_second_report_for_the_same_date_needs_an_explicit_choice(project: Path) -> None:
    assert rapport(project, "ny", "--datum", "2025-10-02 08:30").returncode == 0
    before = sorted(p.name for p in (project / REPORT_DIR).iterdir())
    again = rapport(project, "ny", "--datum", "2025-10-02 09:15")
    assert (again.returncode, again.stdout) == (2, "")
    assert again.stderr == (
        "rapport: fel: Det finns redan en rapport för 2 oktober 2025: "
        f"{project / REPORT_DIR / '2025-10-02.md'} (”Testrapporten 2 oktober 2025”, inte skickad). "
        "Ingen ny rapport skapades (öppna den befintliga och skriv vidare, eller skapa ytterligare en samma dag "
        "med rapport ny --ytterligare)\n"
    )
    assert sorted(p.name for p in (project / REPORT_DIR).iterdir()) == before
    extra = rapport(project, "ny", "--datum", "2025-10-02 09:15", "--ytterligare")
    assert extra.returncode == 0, extra.stderr
    assert (project / REPORT_DIR / "2025-10-02-0915.md").is_file()


PREVIOUS = """\
---
serie: test
sammanstallt: 2025-09-25 08:30
---

# Testrapporten 25 september 2025

::::{avsnitt} sammanfattning
- En punkt om läget.
Regionstyrelsen fattade ett beslut.
:::{beslut} RS-TEST-1
:datum: 2025-09-23
:organ: Regionstyrelsen
:titel: Godkände planen
:status: fattat
Beslutets text.
:::

```{faq} faq-test-1
:fraga: Vad händer nu?
:amne: Testämne
Svaret.
```
- En sista punkt.
::::

:::{avsnitt} atgarder
- 23/9: [Testsidan](https://example.org/test)
:::
"""


def test_entries_declared_last_week_are_carried_as_references(project: Path) -> None:
    (project / REPORT_DIR / "2025-09-25.md").write_text(PREVIOUS, encoding="utf-8")
    assert rapport(project, "kontroll").returncode == 0  # the previous report is clean
    assert rapport(project, "ny", "--datum", "2025-10-02 08:30").returncode == 0
    text = (project / REPORT_DIR / "2025-10-02.md").read_text(encoding="utf-8")
    body = text.split(":::{avsnitt} sammanfattning\n", 1)[1].split("\n:::\n", 1)[0]
    assert body.splitlines() == [
        "- [BEKRÄFTA] En punkt om läget.",
        "Regionstyrelsen fattade ett beslut.",
        "",
        "- [BEKRÄFTA] {beslut}`RS-TEST-1`",
        "",
        "- [BEKRÄFTA] {faq}`faq-test-1`",
        "- [BEKRÄFTA] En sista punkt.",
    ]
    # confirmed, the new report builds without a duplicate declaration
    (project / REPORT_DIR / "2025-10-02.md").write_text(
        text.replace("[BEKRÄFTA] ", "").replace(" [BEKRÄFTA]", ""), encoding="utf-8"
    )
    result = rapport(project, "kontroll")
    assert (result.returncode, result.stdout) == (0, ""), result.stdout


def test_a_draft_says_so_at_the_top_of_its_page(project: Path, tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    assert rapport(project, "ny", "--datum", "2025-10-02 08:30").returncode == 0
    build = run_sphinx(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(project), "-d", str(tmp_path / "doctrees"),
         "-D", "rapport_preview=1", str(project / "docs"), str(tmp_path / "html")]
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    page = BeautifulSoup((tmp_path / "html/rapporter/2025/2025-10-02.html").read_text(encoding="utf-8"), "html.parser")
    top = page.select_one("section")
    children = [c for c in top.children if getattr(c, "name", None)]
    # the heading, then the label (kept out of the search index), then the compiled date
    assert [c.name for c in children[:3]] == ["h1", "div", "p"]
    label = children[1].select_one(".admonition.rapport-utkast")
    assert children[1]["data-pagefind-ignore"] == "all"
    assert label.select_one(".admonition-title").get_text() == "Utkast"
    assert label.select_one("p:not(.admonition-title)").get_text() == (
        "Rapporten är ett utkast och inte publicerad. Den syns bara i förhandsgranskningen och kan inte skickas. "
        "Ta bort raden utkast: true när den är klar."
    )
    assert "rapport-meta" in children[2]["class"]
    # the published report is no draft: no label
    other = (tmp_path / "html/rapporter/2025/2025-09-25.html").read_text(encoding="utf-8")
    assert "rapport-utkast" not in other
