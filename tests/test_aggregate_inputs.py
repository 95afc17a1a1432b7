"""Aggregates are rendered only when their inputs changed (rapport.registry, issue 15).

At 520 reports, rendering every "Omnämnt i" paragraph, the register, the timeline and
the topic pages just to compare them with the last build cost 2 to 3 s in each of the
three build steps. Each kind now tells cheaply what it reads; these tests show that an
edit which changes no input renders nothing, and that an edit which does change one
still reaches every page that shows it (a missed input would leave a stale page).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from rapport import registry


@pytest.fixture
def site(make_app, tmp_path, rootdir, monkeypatch):
    """Build test-registry with HTML; ``build()`` rebuilds and returns the kinds rendered."""
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    rendered: Counter[str] = Counter()

    def build() -> Counter[str]:
        rendered.clear()
        app = make_app("html", srcdir=src, confoverrides={"rapport_pdf_dir": str(src / "_build" / "rapportpdf")})
        # the extension's setup has just registered the renderers: count their calls
        for kind, renderer in list(registry.domain_class(app).renderers.items()):

            def counting(app, docname, node, _renderer=renderer, _kind=kind):
                rendered[_kind] += 1
                return _renderer(app, docname, node)

            monkeypatch.setitem(registry.domain_class(app).renderers, kind, counting)
        app.build()
        app.cleanup()
        return Counter(rendered)

    build.src = src  # type: ignore[attr-defined]
    build.out = src / "_build" / "html"  # type: ignore[attr-defined]
    return build


def _text(out: Path, page: str, selector: str) -> list[str]:
    soup = BeautifulSoup((out / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    return [" ".join(el.get_text(" ").split()) for el in soup.select(selector)]


def test_an_edit_that_changes_no_input_renders_no_aggregate_with_inputs(site):
    first = site()
    assert first["omnamnt"] > 0 and first["beslutsregister"] == 1
    report = site.src / "rapporter" / "2025" / "2025-01-04.md"
    # a new paragraph at the end: no record, title, summary or mention changes
    report.write_text(report.read_text(encoding="utf-8") + "\nEn ny mening i slutet.\n", encoding="utf-8")
    again = site()
    for kind in ("omnamnt", "beslutsregister", "faq-lista", "timeline", "topic", "topic-index"):
        assert again[kind] == 0, (kind, again)
    # the year page is written again (Sphinx rewrites the page whose toctree lists the
    # edited page), which renders its list once; its inputs did not send it to rendering
    assert again["year-archive"] <= 1, again


def test_a_year_page_is_read_again_only_when_a_report_enters_or_leaves_it(make_app, tmp_path, rootdir):
    """Its toctree lists the published reports: a draft flag or a date decides, any
    other edit of a report leaves the page as it was read."""
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    year, report = "rapporter/2025/index", src / "rapporter" / "2025" / "2025-01-04.md"

    def build() -> tuple[int, list[str]]:
        app = make_app("html", srcdir=src, confoverrides={"rapport_pdf_dir": str(src / "_build" / "rapportpdf")})
        app.build()
        app.cleanup()
        return app.env.all_docs[year], app.env.toctree_includes[year]

    read, listed = build()
    assert "rapporter/2025/2025-01-04" in listed
    report.write_text(report.read_text(encoding="utf-8") + "\nEn ny mening i slutet.\n", encoding="utf-8")
    assert build() == (read, listed)  # not read again
    text = report.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    report.write_text(text.replace("---\n", "---\nutkast: true\n", 1), encoding="utf-8")
    again, listed = build()
    assert again != read and "rapporter/2025/2025-01-04" not in listed


def test_a_year_page_follows_its_reports_pdf_without_a_source_change(site):
    """The year list shows each report's PDF size: a new PDF (a rapportpdf build) changes
    the year page although no source did."""
    site()
    year = "rapporter/2025/index"
    assert not any("PDF" in line for line in _text(site.out, year, "li.rapport-arkivpost"))
    pdf = site.src / "_build" / "rapportpdf" / "rapporter" / "2025" / "2025-01-04.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 30_000)
    rendered = site()
    assert rendered["year-archive"] == 1, rendered
    line = [t for t in _text(site.out, year, "li.rapport-arkivpost") if "4 januari 2025" in t]
    assert line and "PDF, 30 kB" in line[0], line
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 60_000)
    site()
    line = [t for t in _text(site.out, year, "li.rapport-arkivpost") if "4 januari 2025" in t]
    assert line and "PDF, 60 kB" in line[0], line


def test_a_new_mention_reaches_the_register_and_the_entry(site):
    # an entry on a page of its own, so only its "Omnämnt i" inputs can rewrite the page
    (site.src / "beslut-c.md").write_text(
        "---\norphan: true\n---\n\n# Beslut C\n\n:::{beslut} C-1\n:datum: 2025-01-03\n:organ: Nämnd C\n"
        ":titel: Ett beslut för sig\n:status: fattat\nBeslutet.\n:::\n",
        encoding="utf-8",
    )
    site()
    assert _text(site.out, "beslut-c", "p.rapport-omnamnt") == ["Omnämnt i: ingen rapport ännu."]
    register_before = _text(site.out, "beslutsregister", "tr.rapport-register-rad")
    assert not any("4 januari 2025" in row for row in register_before if "Planerar test" in row)
    report = site.src / "rapporter" / "2025" / "2025-01-04.md"
    text = report.read_text(encoding="utf-8")
    report.write_text(
        text + "\n:::{avsnitt} ovrigt\n- Nu nämns {beslut}`B-1` och {beslut}`C-1`.\n:::\n", encoding="utf-8"
    )
    rendered = site()
    assert rendered["beslutsregister"] == 1
    row = [r for r in _text(site.out, "beslutsregister", "tr.rapport-register-rad") if "Planerar test" in r]
    assert row and "4 januari 2025" in row[0], row
    # the entry's own "Omnämnt i" paragraph, on the register page below the table
    mentions = _text(site.out, "beslutsregister", "p.rapport-omnamnt")
    assert any("4 januari 2025" in m for m in mentions), mentions
    assert _text(site.out, "beslut-c", "p.rapport-omnamnt") == ["Omnämnt i: 4 januari 2025 ."]


def test_moving_a_record_down_is_no_change_but_editing_it_is():
    @dataclasses.dataclass(frozen=True)
    class Record:
        id: str
        title: str
        line: int
        topics_line: int = 1

    a = Record("A-1", "Titel", 10)
    assert registry.stable(a) == registry.stable(dataclasses.replace(a, line=40, topics_line=7))
    assert registry.stable(a) != registry.stable(dataclasses.replace(a, title="Annan titel"))
    # containers keep their order, sets do not depend on hash order
    assert registry.stable({"x": [a]}) == registry.stable({"x": [dataclasses.replace(a, line=2)]})
    assert registry.stable(frozenset({"b", "a"})) == registry.stable(frozenset({"a", "b"}))


def test_a_topic_page_is_rendered_when_its_own_entries_change(make_app, tmp_path, rootdir, monkeypatch):
    """Topic pages and the topic index render from the records of their entries
    (``rapport-topic-records``): an edit of one topic's report renders that topic's
    page only, and the index when a count changes."""
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-series", src)
    (src / "amnen" / "beta.md").write_text(
        "# Beta\n\n:::{amne} Beta\n:nyckelord: betasystemet\n:::\n", encoding="utf-8"
    )
    rendered: Counter[tuple[str, str]] = Counter()

    def build() -> Counter[tuple[str, str]]:
        rendered.clear()
        app = make_app("html", srcdir=src, confoverrides={"rapport_pdf_dir": str(src / "_build" / "rapportpdf")})
        for kind in ("topic", "topic-index"):
            renderer = registry.domain_class(app).renderers[kind]

            def counting(app, docname, node, _renderer=renderer, _kind=kind):
                rendered[(_kind, docname)] += 1
                return _renderer(app, docname, node)

            monkeypatch.setitem(registry.domain_class(app).renderers, kind, counting)
        app.build()
        app.cleanup()
        return Counter(rendered)

    first = build()
    assert first[("topic", "amnen/alfa")] and first[("topic", "amnen/beta")]
    out = src / "_build" / "html"
    report = src / "rapporter" / "2025" / "2025-05-02.md"
    report.write_text(
        report.read_text(encoding="utf-8").replace("- Majläget, senaste publicerade.", "- Majläget, omskrivet."),
        encoding="utf-8",
    )
    again = build()
    assert again[("topic", "amnen/alfa")] >= 1 and again[("topic", "amnen/beta")] == 0, again
    # no count changed: the index is rendered only because Sphinx writes the page whose
    # toctree lists a written page (amnen/alfa) again
    assert again[("topic-index", "amnen/index")] <= 1, again
    assert any("Majläget, omskrivet." in t for t in _text(out, "amnen/alfa", "ul.rapport-amne-lista li"))
    # a report about Beta: Beta's page and the index's count follow
    beta_before = [t for t in _text(out, "amnen/index", "ul.rapport-amnen li") if t.startswith("Beta (")]
    report.write_text(
        report.read_text(encoding="utf-8").replace("amnen: [Alfa]", "amnen: [Alfa, Beta]"), encoding="utf-8"
    )
    third = build()
    assert third[("topic", "amnen/beta")] >= 1 and third[("topic-index", "amnen/index")] >= 1, third
    assert any("Majläget, omskrivet." in t for t in _text(out, "amnen/beta", "ul.rapport-amne-lista li"))
    beta_after = [t for t in _text(out, "amnen/index", "ul.rapport-amnen li") if t.startswith("Beta (")]
    count = len(_text(out, "amnen/beta", "ul.rapport-amne-lista li"))
    assert beta_after == [f"Beta ({count} {'post' if count == 1 else 'poster'})"] != beta_before, (
        beta_before,
        beta_after,
    )
