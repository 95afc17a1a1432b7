"""The collected-information site: archive, landing page, timeline, topics, news box, feed.

Uses tests/roots/test-series, a fictitious series ("Exempelby") with a draft, a report
dated after ``rapport_today``, actions repeated across reports and bad input.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import warnings_of
from trusttools import root_fixture

ROOT = "series"

EXPECTED_WARNINGS = [
    "rapporter/2025/2025-03-07.md:13: WARNING: Åtgärden ”Utan datum: Ingen dag” saknar datum; "
    "skriv till exempel ”23/9: [Titel](länk)” [rapport.action-date]",
    "rapporter/2025/2025-03-07.md:14: WARNING: Åtgärdens länk ”javascript:alert(1)” är felaktig; "
    "endast http-, https- och mailto-länkar godtas [rapport.action-link]",
    "rapporter/2025/2025-03-07.md:15: WARNING: Åtgärden ”4/3 Nyhetsbrevet: inget länkat alls” "
    "saknar länk [rapport.action-link]",
    "rapporter/2025/2025-03-07.md:16: WARNING: Åtgärden har ett ogiltigt datum ”32/3” [rapport.action-date]",
    "rapporter/2025/2025-04-04-1400.md:2: WARNING: Rapporten har samma tidpunkt för sammanställning "
    "(4 april 2025 kl. 9.00) som rapporter/2025/2025-04-04.md:2 [rapport.report-duplicate]",
    "rapporter/2025/2025-03-07.md:3: WARNING: Okänt ämne ”Okänt”; kända ämnen: Alfa [rapport.topic-unknown]",
    "beslut.md:19: WARNING: Okänt ämne ”Beta”; kända ämnen: Alfa [rapport.topic-unknown]",
]


def page(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def article(app, docname: str) -> str:
    return str(page(app, docname).select_one("article"))


#: the test project built once (HTML), for the tests that only read the build
built = root_fixture(ROOT)


def test_bad_input_warnings(built):
    assert warnings_of(built) == EXPECTED_WARNINGS


def test_landing_page_shows_latest_published_report(built):
    latest = page(built, "index").select_one(".rapport-senaste")
    # 2025-05-30 is a draft and 2025-07-04 is after rapport_today: neither is "latest"
    assert latest.select_one("a")["href"] == "rapporter/2025/2025-05-02.html"
    assert "Majläget, senaste publicerade." in latest.get_text()


def test_year_page_archive_newest_first_without_drafts_or_future(built):
    year = page(built, "rapporter/2025/index")
    entries = [a["href"] for a in year.select("ul.rapport-arkiv > li > p > strong > a")]
    newest_first = ["2025-05-02", "2025-04-04-1400", "2025-04-04", "2025-03-07", "2025-02-07", "2025-01-10"]
    assert entries == [f"{name}.html" for name in newest_first]
    assert "Alfasystemet pausas." in year.get_text()
    # nor are they in the navigation
    nav = [a["href"] for a in year.select("nav a")]
    assert not any("2025-05-30" in href or "2025-07-04" in href for href in nav)
    # the draft still builds (a preview shows it), it is just not published
    assert (Path(built.outdir) / "rapporter/2025/2025-05-30.html").exists()


def test_timeline_lists_each_action_once_with_every_report(built):
    timeline = page(built, "tidslinje")
    items = timeline.select("ul.rapport-tidslinje > li")
    titles = [li.select_one(".rapport-atgard a").get_text() for li in items]
    assert titles == [
        "Beslut om alfasystemet",
        "Mer aprilnytt",
        "Aprilnytt",
        "Ny utredare utsedd",
        "Paus i alfasystemet",
        "Mellandagsinfo",
        "Julhälsning från ledningen",
    ]
    repeated = items[titles.index("Paus i alfasystemet")]
    assert repeated.select_one(".rapport-atgard").get_text() == (
        "8 januari 2025: Paus i alfasystemet (Nyhetsbrevet) – om pausen"
    )
    assert [a.get_text() for a in repeated.select(".rapport-omnamnt a")] == ["7 februari 2025", "10 januari 2025"]
    # "28/12" in a January report belongs to the year before
    assert "28 december 2024" in items[titles.index("Mellandagsinfo")].get_text()
    months = [r.get_text() for r in timeline.select("p.rubric")]
    assert months == ["April 2025", "Februari 2025", "Januari 2025", "December 2024"]
    assert "Utkastnyhet" not in timeline.get_text() and "Sommarinfo" not in timeline.get_text()


def test_previous_and_next_links_and_news_since_previous_report(built):
    report = page(built, "rapporter/2025/2025-02-07")
    assert report.select_one(".rapport-foregaende a")["href"] == "2025-01-10.html"
    assert report.select_one(".rapport-nasta a")["href"] == "2025-03-07.html"
    news = report.select_one(".rapport-nytt")
    assert news.select_one(".rapport-nytt-rubrik").get_text() == "Nytt sedan förra rapporten (10 januari 2025)"
    assert [li.get_text() for li in news.select("li")] == [
        "Beslut (ny): 20 januari 2025, Nämnd A: Alfasystemet pausas",
        "Fråga (ny eller uppdaterad): Varför pausas alfasystemet?",
        "Åtgärd (ny): 5 februari 2025: Ny utredare utsedd",
    ]
    assert news.select_one("li a")["href"] == "../../beslut.html#beslut-n-1"
    # the decision of 1 November 2024 is older than the previous report: not new here
    assert "Ett äldre beslut" not in page(built, "rapporter/2025/2025-01-10").select_one(".rapport-nytt").get_text()
    first = page(built, "rapporter/2024/2024-12-20")
    assert first.select_one(".rapport-foregaende") is None
    assert first.select_one(".rapport-nytt") is None
    latest = page(built, "rapporter/2025/2025-05-02")
    assert latest.select_one(".rapport-nasta") is None  # the draft and the future report are not "next"


def test_topic_page_lists_reports_and_actions_over_time(built):
    topic = page(built, "amnen/alfa")
    assert [r.get_text() for r in topic.select("p.rubric")] == [
        "Rapporter",
        "Beslut",
        "Frågor och svar",
        "Kommunikativa åtgärder",
    ]
    lists = topic.select("ul.rapport-amne-lista")
    reports = [a["href"] for a in lists[0].select("a")]
    assert reports == ["../rapporter/2025/2025-05-02.html", "../rapporter/2025/2025-02-07.html",
                       "../rapporter/2025/2025-01-10.html"]
    assert lists[1].get_text(strip=True) == "20 januari 2025:Nämnd A: Alfasystemet pausas"
    assert lists[1].select_one("a")["href"] == "../beslut.html#beslut-n-1"
    assert lists[2].get_text(strip=True) == "1 februari 2025:Varför pausas alfasystemet?"
    actions = [a.get_text() for a in lists[3].select("a")]
    assert actions == ["Beslut om alfasystemet", "Paus i alfasystemet"]
    index = page(built, "amnen/index")
    assert index.select_one("ul.rapport-amnen").get_text(" ", strip=True) == "Alfa (7 poster)"


def test_feed_and_sitemap_have_absolute_links_and_no_unpublished_reports(built):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(Path(built.outdir) / "rapporter.atom").getroot()
    links = [e.find("a:link", ns).get("href") for e in feed.findall("a:entry", ns)]
    assert links[0] == "https://rapporter.exempelby.invalid/rapporter/2025/2025-05-02.html"
    assert len(links) == 7
    assert not any("2025-05-30" in link or "2025-07-04" in link for link in links)
    assert feed.find("a:updated", ns).text == "2025-05-02T08:30:00+02:00"
    sitemap = (Path(built.outdir) / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://rapporter.exempelby.invalid/tidslinje.html</loc>" in sitemap
    assert "2025-05-30" not in sitemap and "2025-07-04" not in sitemap
    head = page(built, "index").head
    assert head.select_one('link[type="application/atom+xml"]')["href"] == "rapporter.atom"


def _build(make_app, srcdir: Path, **kwargs):
    app = make_app("html", srcdir=srcdir, **kwargs)
    app.build()
    app.cleanup()  # restore docutils' global registries before the next app in this test
    return app


AGGREGATES = ["index", "tidslinje", "beslut", "amnen/alfa", "amnen/index", "rapporter/2025/index", "rapporter/2025/2025-05-02"]


def test_adding_a_report_updates_every_page_that_lists_it(make_app, tmp_path, rootdir):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-series", src)
    app = _build(make_app, src)
    # a report of another year: its neighbours and its sidebar branch do not change
    untouched = Path(app.outdir) / "rapporter/2024/2024-12-20.html"
    same_year = Path(app.outdir) / "rapporter/2025/2025-02-07.html"
    same_year_mtime = same_year.stat().st_mtime_ns
    untouched_mtime = untouched.stat().st_mtime_ns

    (src / "rapporter/2025/2025-06-06.md").write_text(
        "---\nsammanstallt: 2025-06-06 09:00\namnen: [Alfa]\n---\n\n# Lägesrapport juni\n\n"
        ":::{avsnitt} sammanfattning\n- Juniläget.\n:::\n\n"
        ":::{avsnitt} atgarder\n- 5/6 Nyhetsbrevet: [Alfasystemet startar igen](https://exempelby.invalid/start)\n:::\n",
        encoding="utf-8",
    )
    app2 = _build(make_app, src)
    assert page(app2, "index").select_one(".rapport-senaste a")["href"] == "rapporter/2025/2025-06-06.html"
    year = page(app2, "rapporter/2025/index")
    assert year.select_one("ul.rapport-arkiv a")["href"] == "2025-06-06.html"
    assert page(app2, "rapporter/2025/2025-05-02").select_one(".rapport-nasta a")["href"] == "2025-06-06.html"
    assert "Alfasystemet startar igen" in page(app2, "tidslinje").get_text()
    assert "Alfasystemet startar igen" in page(app2, "amnen/alfa").get_text()
    assert "2025-06-06" in (Path(app2.outdir) / "rapporter.atom").read_text(encoding="utf-8")
    assert "2025-06-06" in (Path(app2.outdir) / "sitemap.xml").read_text(encoding="utf-8")
    # a report whose neighbours did not change is not rewritten, in its year or another
    assert untouched.stat().st_mtime_ns == untouched_mtime
    assert same_year.stat().st_mtime_ns == same_year_mtime

    # deleting it again restores the previous state
    (src / "rapporter/2025/2025-06-06.md").unlink()
    app3 = _build(make_app, src)
    assert page(app3, "index").select_one(".rapport-senaste a")["href"] == "rapporter/2025/2025-05-02.html"
    assert page(app3, "rapporter/2025/2025-05-02").select_one(".rapport-nasta") is None
    assert "Alfasystemet startar igen" not in page(app3, "tidslinje").get_text()


def test_parallel_build_gives_the_same_pages_and_warnings(make_app, tmp_path, rootdir):
    results = []
    for name, parallel in (("serial", 1), ("parallel", 4)):
        src = tmp_path / name
        shutil.copytree(rootdir / "test-series", src)
        app = _build(make_app, src, parallel=parallel)
        results.append(([article(app, d) for d in AGGREGATES], sorted(warnings_of(app))))
    assert results[0][0] == results[1][0]
    assert results[0][1] == results[1][1] == sorted(EXPECTED_WARNINGS)
