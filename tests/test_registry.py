"""Decisions and FAQ: directives, roles, MyST links, register pages, backlinks, export, checks.

Roots: ``test-registry`` (good input, MyST and reST, 11 documents) and
``test-registry-bad`` (one bad input per check, 9 documents).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import warnings_of
from trusttools import Snapshot, build, copy_root, root_fixture, snapshot

from rapport.entries import decisions

GOOD = "registry"
BAD = "registry-bad"

EXPECTED_BAD_WARNINGS = [
    "beslutsregister.md:18: WARNING: Okänd status ”beslutat”; tillåtna är: planerat, fattat, upphävt, ersatt "
    "[rapport.status-unknown]",
    "beslutsregister.md:23: WARNING: :datum: ”2025-13-01” är inget giltigt datum [rapport.date-invalid]",
    "beslutsregister.md:31: WARNING: :datum: ”23/9” är inte ett datum på formen ÅÅÅÅ-MM-DD [rapport.date-invalid]",
    "beslutsregister.md:37: WARNING: Beslutet ”M-1” saknar obligatoriska alternativ: :organ:, :titel: "
    "[rapport.option-invalid]",
    "beslutsregister.md:64: WARNING: Källan ”finns-inte” finns inte i källförteckningen (bibtex_bibfiles i conf.py) "
    "[rapport.source-unknown]",
    "faq.md:6: WARNING: FAQ-posten ”faq-utan-fraga” saknar obligatoriska alternativ: :fraga: [rapport.option-invalid]",
    "faq.md:8: WARNING: :uppdaterad: ”igår” är inte ett datum på formen ÅÅÅÅ-MM-DD [rapport.date-invalid]",
    # reST sources: the same messages and lines
    "rapporter/2025/2025-01-03.rst:11: WARNING: :datum: ”2025-01-77” är inget giltigt datum [rapport.date-invalid]",
    "rapporter/2025/2025-01-03.rst:14: WARNING: Okänd status ”okänd”; tillåtna är: planerat, fattat, upphävt, ersatt "
    "[rapport.status-unknown]",
    # the global checks (env-updated), in the same order on every build
    "rapporter/2025/2025-01-05.md:12: WARNING: Id ”X-1” används redan för beslutet i beslutsregister.md:6; "
    "den här posten hoppas över [rapport.entry-duplicate]",
    "beslutsregister.md:65: WARNING: Hänvisning till okänt beslut: det finns inget id ”OKAND-9” [rapport.ref-unknown]",
    "rapporter/2025/2025-01-03.rst:8: WARNING: Hänvisning till okänt beslut: det finns inget id ”SAKNAS-2” "
    "[rapport.ref-unknown]",
    "rapporter/2025/2025-01-05.md:8: WARNING: Hänvisning till okänt beslut: det finns inget id ”NOPE-1” "
    "[rapport.ref-unknown]",
    "rapporter/2025/2025-01-05.md:9: WARNING: Hänvisning till okänd FAQ-post: det finns inget id ”X-1” "
    "(”X-1” är ett beslut) [rapport.ref-unknown]",
    "rapporter/2025/2025-01-05.md:10: WARNING: Hänvisning till okänt beslut: det finns inget id ”U-1” "
    "(”U-1” finns bara i en rapport som inte är publicerad: rapporter/2025/2025-01-04.md:11) [rapport.ref-unknown]",
    "beslutsregister.md:43: WARNING: Besluten ersätter varandra i en cirkel: C-1 → C-2 → C-1 "
    "(se även beslutsregister.md:51) [rapport.supersedes-cycle]",
]


def main(outdir: Path, docname: str) -> BeautifulSoup:
    """The page's main content without permalinks ("¶"), for exact comparisons."""
    page = BeautifulSoup((Path(outdir) / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    for link in page.select("a.headerlink"):
        link.decompose()
    return page.select_one("[role=main]")


def text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def register_rows(outdir: Path) -> list[tuple[str, list[str]]]:
    rows = []
    for group in main(outdir, "beslutsregister").select("section.rapport-organgrupp"):
        for row in group.select("tbody tr"):
            rows.append((group.find(["h2", "h3"]).get_text(strip=True), [text(td) for td in row.select("td")]))
    return rows


def _build(make_app, srcdir: Path, buildername: str = "html", **kwargs):
    app = make_app(buildername, srcdir=srcdir, **kwargs)
    app.build()
    app.cleanup()  # restore docutils' global registries before the next app in this test
    return app


#: the good test project built once (HTML), for the tests that only read the build
built = root_fixture(GOOD)

#: the good test project as plain text (another builder than HTML)
text_built = root_fixture(GOOD, "text")

#: the test project of bad input, built once (HTML)
bad_built = root_fixture(BAD)


@pytest.fixture(scope="module")
def _first_build(tmp_path_factory) -> Snapshot:
    """The good test project built once (HTML) in a folder of its own, for the tests that
    start from a fresh build and then edit it and build again."""
    src = copy_root(GOOD, tmp_path_factory.mktemp("inkrementell"))
    build(src, src / "_build", "html")
    return snapshot(src)


@pytest.fixture
def fresh(_first_build: Snapshot) -> Path:
    """That project's source folder, put back as the first build left it (sources, output
    and environment: :class:`trusttools.Snapshot`), as if this test had just built it."""
    return _first_build.restore()


# -- good input ---------------------------------------------------------------------------


def test_good_registry_builds_without_warnings(built):
    assert warnings_of(built) == []


def test_register_groups_by_body_newest_first_with_status_and_mentions(built):
    assert register_rows(built.outdir) == [
        ("Nämnd A", ["1 mars 2025", "Beslutade om test tre", "Fattat , ersätter 1 februari 2025", "2 januari 2025"]),
        ("Nämnd A", ["1 februari 2025", "Beslutade om test två", "Ersatt , ersatt av 1 mars 2025", "–"]),
        # newest report first; the draft of 5 January mentions A-1 too but is not published
        (
            "Nämnd A",
            ["10 januari 2025", "Beslutade om test ett", "Fattat", "7 januari 2025 , 2 januari 2025 , 1 januari 2025"],
        ),
        ("Styrelse B", ["20 januari 2025", "Planerar test", "Planerat", "2 januari 2025"]),
        ("Styrelse B", ["7 januari 2025", "Beslutade i reST", "Upphävt", "–"]),
        ("Styrelse B", ["4 januari 2025", "Beslutade i en rapport", "Fattat", "7 januari 2025"]),
    ]
    page = main(built.outdir, "beslutsregister")
    links = [a["href"] for a in page.select("tr.rapport-register-rad td:nth-of-type(2) a")]
    assert links == [
        "#beslut-a-3",
        "#beslut-a-2",
        "#beslut-a-1",
        "#beslut-b-1",
        "rapporter/2025/2025-01-07.html#beslut-r-2",
        "rapporter/2025/2025-01-04.html#beslut-r-1",
    ]
    a1 = page.select("tr.rapport-register-rad")[2]
    assert a1["class"][:3] == ["rapport-register-rad", "rapport-organ-namnd-a", "rapport-status-fattat"]
    assert [a["href"] for a in a1.select("td.rapport-omnamnt a, p.rapport-omnamnt a")] == [
        "rapporter/2025/2025-01-07.html",
        "rapporter/2025/2025-01-02.html",
        "rapporter/2025/2025-01-01.html",
    ]


def test_register_filter_has_labelled_selects_hidden_until_the_script_runs(built):
    html = (Path(built.outdir) / "beslutsregister.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    form = page.select_one("form.rapport-filter")
    assert form.has_attr("hidden")  # without JavaScript the full tables show
    for select in form.select("select"):
        assert form.select_one(f'label[for="{select["id"]}"]') is not None
    assert [o.get_text() for o in form.select("select[name=organ] option")] == ["Alla organ", "Nämnd A", "Styrelse B"]
    assert [o["value"] for o in form.select("select[name=status] option")] == [
        "",
        "planerat",
        "fattat",
        "upphavt",
        "ersatt",
    ]
    assert "_static/rapport-register.js" in html
    # the script is loaded only where a register is
    assert "rapport-register.js" not in (Path(built.outdir) / "faq.html").read_text(encoding="utf-8")
    assert (Path(built.outdir) / "_static/rapport-register.js").is_file()


def test_decision_is_shown_where_it_is_declared_with_sources_from_the_bib_file(built):
    page = main(built.outdir, "beslutsregister")
    block = page.select_one("section#beslut-a-1")
    assert block.h3.get_text() == "Beslutade om test ett"  # a real heading on a register page
    assert text(block.select_one(".rapport-post-meta")) == "10 januari 2025 · Nämnd A · Fattat"
    assert block.select_one("em").get_text() == "beslutet"  # the body is MyST
    assert [text(li) for li in block.select("ul.rapport-kallor li")] == [
        "Nämnd A: Protokoll från Nämnd A. Protokoll, 10 januari 2025."
    ]
    assert text(block.select_one("p.rapport-omnamnt")) == (
        "Omnämnt i: 7 januari 2025 , 2 januari 2025 , 1 januari 2025 ."
    )
    b1 = page.select_one("section#beslut-b-1")  # ":källor:" is accepted as well
    source = b1.select_one("ul.rapport-kallor li")
    assert text(source) == "Styrelse B planerar. Exempelbladet, 21 januari 2025. https://exempel.invalid/b"
    assert source.a["href"] == "https://exempel.invalid/b"
    relation = page.select_one("section#beslut-a-3 p.rapport-beslut-relation")
    assert text(relation) == "Ersätter: 1 februari 2025, Nämnd A: Beslutade om test två"
    assert relation.a["href"] == "#beslut-a-2"
    # editing the .bib file must re-read the pages that cite it
    bib = str(Path(built.srcdir) / "kallor.bib")
    assert bib in {str(p) for p in built.env.dependencies["beslutsregister"]}

    # in a report a decision is a block (not a section heading) and has no backlinks of its own
    report = main(built.outdir, "rapporter/2025/2025-01-04")
    block = report.select_one("div#beslut-r-1")
    assert block is not None and "rapport-beslut" in block["class"]
    assert text(block.select_one(".rapport-post-rubrik")) == "Beslutade i en rapport"
    assert block.select_one(".rapport-omnamnt") is None
    rst = main(built.outdir, "rapporter/2025/2025-01-07").select_one("div#beslut-r-2")
    assert text(rst.select_one(".rapport-post-meta")) == "7 januari 2025 · Styrelse B · Upphävt"


def test_roles_and_myst_links_resolve_with_default_or_own_text(built):

    def links(docname):
        return [
            (a["href"], a.get_text(), a["title"])
            for a in main(built.outdir, docname).select("section.rapport-avsnitt a.reference")
        ]

    a1_text = "10 januari 2025, Nämnd A: Beslutade om test ett"
    assert links("rapporter/2025/2025-01-01") == [
        ("../../beslutsregister.html#beslut-a-1", a1_text, a1_text),  # {beslut}`A-1`
        ("../../faq.html#faq-ett", "Vad är test ett?", "Vad är test ett?"),  # [](faq-ett)
    ]
    assert links("rapporter/2025/2025-01-02") == [
        ("../../beslutsregister.html#beslut-a-1", "det första beslutet", a1_text),  # {beslut}`text <A-1>`
        (
            "../../beslutsregister.html#beslut-a-3",
            "1 mars 2025, Nämnd A: Beslutade om test tre",
            "1 mars 2025, Nämnd A: Beslutade om test tre",
        ),  # [](A-3)
        ("../../beslutsregister.html#beslut-b-1", "egen text", "20 januari 2025, Styrelse B: Planerar test"),
    ]
    # reST roles
    assert links("rapporter/2025/2025-01-07") == [
        ("../../beslutsregister.html#beslut-a-1", a1_text, a1_text),
        ("../../faq.html#faq-ett", "Vad är test ett?", "Vad är test ett?"),
        ("2025-01-04.html#beslut-r-1", "egen text", "4 januari 2025, Styrelse B: Beslutade i en rapport"),
    ]
    # {faq} in a report, to an answer declared in that same report's neighbour
    assert links("rapporter/2025/2025-01-03") == [("../../faq.html#faq-tva", "Vad är test två?", "Vad är test två?")]


def test_faq_page_groups_questions_by_topic_and_shows_backlinks(built):
    page = main(built.outdir, "faq")
    groups = [
        (g.h2.get_text(strip=True), [text(li) for li in g.select("ul.rapport-faq-lista > li")])
        for g in page.select("section.rapport-faq-amne")
    ]
    assert groups == [
        (
            "Alfa",
            [
                "Vad är test ett? (uppdaterad 15 januari 2025)",
                # declared in a report: its backlinks are shown in the list
                "Vad är test tre? (uppdaterad 3 januari 2025) Omnämnt i: ingen rapport ännu.",
            ],
        ),
        ("Beta", ["Vad är test två?"]),
    ]
    assert [a["href"] for a in page.select("ul.rapport-faq-lista a")] == [
        "#faq-ett",
        "rapporter/2025/2025-01-03.html#faq-tre",
        "#faq-tva",
    ]
    entry = page.select_one("section#faq-ett")
    assert entry.h3.get_text() == "Vad är test ett?"
    assert text(entry.select_one(".rapport-post-meta")) == "Ämne: Alfa · Uppdaterad 15 januari 2025"
    assert text(entry.select_one(".rapport-omnamnt")) == "Omnämnt i: 7 januari 2025 , 1 januari 2025 ."
    assert text(page.select_one("section#faq-tva .rapport-omnamnt")) == "Omnämnt i: 3 januari 2025 ."


def test_export_lists_every_entry_with_backlinks_in_a_fixed_order(built):
    decisions = json.loads((Path(built.outdir) / "beslut.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in decisions["beslut"]] == ["A-3", "A-2", "B-1", "A-1", "R-2", "R-1"]
    a1 = next(d for d in decisions["beslut"] if d["id"] == "A-1")
    assert a1 == {
        "id": "A-1",
        "datum": "2025-01-10",
        "datum_senast": False,
        "organ": "Nämnd A",
        "titel": "Beslutade om test ett",
        "status": "fattat",
        "ersatter": [],
        "ersatt_av": [],
        "kallor": [
            {"nyckel": "protokoll-a", "text": "Nämnd A: Protokoll från Nämnd A. Protokoll, 10 januari 2025.", "url": ""}
        ],
        "amnen": ["Alfa"],
        "text": "Det första beslutet.",
        "url": "beslutsregister.html#beslut-a-1",
        "omnamnt_i": [
            {
                "rapport": "rapporter/2025/2025-01-07",
                "titel": "Rapport 7 januari",
                "sammanstallt": "2025-01-07T09:00",
                "url": "rapporter/2025/2025-01-07.html",
            },
            {
                "rapport": "rapporter/2025/2025-01-02",
                "titel": "Rapport 2 januari",
                "sammanstallt": "2025-01-02T09:00",
                "url": "rapporter/2025/2025-01-02.html",
            },
            {
                "rapport": "rapporter/2025/2025-01-01",
                "titel": "Rapport 1 januari",
                "sammanstallt": "2025-01-01T09:00",
                "url": "rapporter/2025/2025-01-01.html",
            },
        ],
    }
    # UTKAST-1 is declared in a draft: not on the site, so not in the export either
    a2 = next(d for d in decisions["beslut"] if d["id"] == "A-2")
    assert a2["ersatt_av"] == ["A-3"]  # derived from A-3's :ersatter:
    faq = json.loads((Path(built.outdir) / "faq.json").read_text(encoding="utf-8"))
    assert [(e["id"], e["amne"]) for e in faq["faq"]] == [("faq-ett", "Alfa"), ("faq-tre", "Alfa"), ("faq-tva", "Beta")]
    assert faq["faq"][2] == {
        "id": "faq-tva",
        "fraga": "Vad är test två?",
        "amne": "Beta",
        "uppdaterad": None,
        "svar": "Ett svar utan datum.",
        "kallor": [],
        "url": "faq.html#faq-tva",
        "omnamnt_i": [
            {
                "rapport": "rapporter/2025/2025-01-03",
                "titel": "Rapport 3 januari",
                "sammanstallt": "2025-01-03T09:00",
                "url": "rapporter/2025/2025-01-03.html",
            }
        ],
    }


def test_other_builders_get_the_register_without_form_or_export(text_built):
    assert warnings_of(text_built) == []
    register = (Path(text_built.outdir) / "beslutsregister.txt").read_text(encoding="utf-8")
    assert "Nämnd A" in register and "Beslutade om test tre" in register
    assert "Filtrera" not in register
    assert not (Path(text_built.outdir) / "beslut.json").exists()


# -- bad input ----------------------------------------------------------------------------


def test_each_bad_input_gives_one_swedish_warning_with_file_and_line(bad_built):
    assert warnings_of(bad_built) == EXPECTED_BAD_WARNINGS


def test_bad_input_still_builds_a_usable_register(bad_built):
    page = main(bad_built.outdir, "beslutsregister")
    rows = {cells[1]: cells for _, cells in register_rows(bad_built.outdir)}
    assert rows["Okänd status"][2] == "Okänd status"
    assert rows["Felaktigt datum"][0] == "–"
    assert "Dubblett av X-1" not in rows  # the second declaration is skipped
    # an unknown reference is plain text for the reader, not a dead link
    report = main(bad_built.outdir, "rapporter/2025/2025-01-05")
    unknown = report.select("span.rapport-okand-hanvisning")
    assert [u.get_text() for u in unknown] == ["NOPE-1", "X-1", "U-1"]
    assert page is not None


# -- parallel and incremental builds -----------------------------------------------------


@pytest.mark.parametrize(("root", "serial"), [(GOOD, "built"), (BAD, "bad_built")])
def test_parallel_build_gives_the_same_pages_warnings_and_export(make_app, tmp_path, rootdir, root, serial, request):
    src = tmp_path / "parallel"
    shutil.copytree(rootdir / f"test-{root}", src)
    results = []
    # the serial build is the module's fresh one of the same project
    for app in (request.getfixturevalue(serial), _build(make_app, src, parallel=4)):
        pages = [str(main(app.outdir, d)) for d in ("beslutsregister", "faq", "rapporter/2025/2025-01-01")]
        export = [(Path(app.outdir) / f).read_text(encoding="utf-8") for f in ("beslut.json", "faq.json")]
        results.append((pages, export, warnings_of(app)))
    assert results[0][0] == results[1][0]
    assert results[0][1] == results[1][1]
    # the global checks run once, after the reads are merged: same warnings, same order
    global_serial = [w for w in results[0][2] if "entry-duplicate" in w or "ref-unknown" in w or "cycle" in w]
    global_parallel = [w for w in results[1][2] if "entry-duplicate" in w or "ref-unknown" in w or "cycle" in w]
    assert global_serial == global_parallel
    assert sorted(results[0][2]) == sorted(results[1][2])
    assert sorted(results[0][2]) == (sorted(EXPECTED_BAD_WARNINGS) if root == BAD else [])


def test_incremental_builds_update_register_backlinks_faq_and_export(make_app, fresh):
    src = fresh
    out = src / "_build" / "html"
    untouched = out / "rapporter/2025/2025-01-06.html"
    untouched_mtime = untouched.stat().st_mtime_ns

    # 1. a report drops its reference to A-1 and mentions B-1 instead
    report = src / "rapporter/2025/2025-01-01.md"
    report.write_text(report.read_text(encoding="utf-8").replace("{beslut}`A-1`", "{beslut}`B-1`"), encoding="utf-8")
    app = _build(make_app, src)
    assert warnings_of(app) == []
    rows = {cells[1]: cells[3] for _, cells in register_rows(out)}
    assert rows["Beslutade om test ett"] == "7 januari 2025 , 2 januari 2025"
    assert rows["Planerar test"] == "2 januari 2025 , 1 januari 2025"
    block = main(out, "beslutsregister").select_one("section#beslut-a-1 .rapport-omnamnt")
    assert text(block) == "Omnämnt i: 7 januari 2025 , 2 januari 2025 ."
    exported = json.loads((out / "beslut.json").read_text(encoding="utf-8"))
    b1 = next(d for d in exported["beslut"] if d["id"] == "B-1")
    assert [m["rapport"] for m in b1["omnamnt_i"]] == ["rapporter/2025/2025-01-02", "rapporter/2025/2025-01-01"]
    assert untouched.stat().st_mtime_ns == untouched_mtime

    # 2. a report declares a new decision and a new FAQ entry
    (src / "rapporter/2025/2025-01-08.md").write_text(
        "---\nsammanstallt: 2025-01-08 09:00\n---\n\n# Rapport 8 januari\n\n"
        "::::{avsnitt} sammanfattning\n- Nytt.\n\n"
        ":::{beslut} N-1\n:datum: 2025-04-01\n:organ: Nämnd C\n:titel: Ett nytt organ\n:status: planerat\nNytt.\n:::\n\n"
        ":::{faq} faq-ny\n:fraga: Vad är nytt?\n:amne: Gamma\nDet här.\n:::\n::::\n",
        encoding="utf-8",
    )
    app = _build(make_app, src)
    assert warnings_of(app) == []
    # a new body gets its own group, in alphabetical order
    assert [r for r in register_rows(out) if r[0] == "Nämnd C"] == [
        ("Nämnd C", ["1 april 2025", "Ett nytt organ", "Planerat", "–"])
    ]
    assert [r[0] for r in register_rows(out)].index("Nämnd C") == 3
    assert [g.h2.get_text(strip=True) for g in main(out, "faq").select("section.rapport-faq-amne")] == [
        "Alfa",
        "Beta",
        "Gamma",
    ]
    assert "N-1" in (out / "beslut.json").read_text(encoding="utf-8")
    assert "faq-ny" in (out / "faq.json").read_text(encoding="utf-8")

    # 3. a decision's title changes: reports that link to it with the default text follow
    # (a new report changes every same-year report's sidebar, so measure from here)
    untouched_mtime = untouched.stat().st_mtime_ns
    register = src / "beslutsregister.md"
    register.write_text(
        register.read_text(encoding="utf-8").replace("Beslutade om test tre", "Beslutade om test 3"), encoding="utf-8"
    )
    app = _build(make_app, src)
    links = [a.get_text() for a in main(out, "rapporter/2025/2025-01-02").select("section.rapport-avsnitt a")]
    assert "1 mars 2025, Nämnd A: Beslutade om test 3" in links
    assert untouched.stat().st_mtime_ns == untouched_mtime

    # 4. deleting a report removes its backlinks; deleting a declaration makes links text
    (src / "rapporter/2025/2025-01-07.rst").unlink()
    app = _build(make_app, src)
    rows = {cells[1]: cells[3] for _, cells in register_rows(out)}
    assert rows["Beslutade om test ett"] == "2 januari 2025"
    assert "Beslutade i reST" not in rows
    faq_entry = main(out, "faq").select_one("section#faq-ett .rapport-omnamnt")
    assert text(faq_entry) == "Omnämnt i: 1 januari 2025 ."
    (src / "rapporter/2025/2025-01-08.md").unlink()
    register.write_text(
        register.read_text(encoding="utf-8").replace(":::{beslut} B-1", ":::{beslut} B-9"), encoding="utf-8"
    )
    app = _build(make_app, src)
    assert warnings_of(app) == [
        "rapporter/2025/2025-01-01.md:8: WARNING: Hänvisning till okänt beslut: det finns inget id ”B-1” "
        "[rapport.ref-unknown]",
        "rapporter/2025/2025-01-02.md:9: WARNING: 'myst' cross-reference target not found: 'B-1' [myst.xref_missing]",
    ]
    report_page = main(out, "rapporter/2025/2025-01-01")
    assert [u.get_text() for u in report_page.select("span.rapport-okand-hanvisning")] == ["B-1"]
    assert "Nämnd C" not in (out / "beslut.json").read_text(encoding="utf-8")


# -- the real site -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(real_site) -> Path:
    """The real site, built once per test run (conftest.real_site)."""
    assert "beslut" not in real_site.warnings and "faq" not in real_site.warnings.lower()
    return real_site.html


SEED_REPORT = "rapporter/2025/2025-09-25"


def test_real_register_lists_the_seed_decisions_with_backlinks_to_the_seed_report(site):
    assert register_rows(site) == [
        (
            "Läkemedelsverket",
            [
                "senast 25 september 2025",
                "Avslutar ärendet om anmälda händelser och tillbud med Millennium",
                "Fattat",
                "25 september 2025",
            ],
        ),
        (
            "Regionstyrelsen",
            [
                "23 september 2025",
                "Godkände den externa expertgruppens återrapportering inför kommande beslut om vårdinformationssystem",
                "Fattat",
                "25 september 2025",
            ],
        ),
    ]
    page = main(site, "beslutsregister")
    sources = [text(li) for li in page.select("section#beslut-rs-2025-09-23 ul.rapport-kallor li")]
    assert sources == [
        "Regionstyrelsen 23 september 2025.",
        "Expertgruppen lämnar utlåtande till regionstyrelsen inför kommande beslut om vårdinformationssystem. "
        "16 september 2025.",
    ]
    report = main(site, SEED_REPORT)
    link = report.select_one('a[href="../../beslutsregister.html#beslut-rs-2025-09-23"]')
    assert link.get_text() == "Regionstyrelsen 23 september 2025"  # the seed's own link text


def test_real_faq_restates_the_seed_and_is_grouped_by_topic(site):
    page = main(site, "faq")
    topics = [g.find(["h2", "h3"]).get_text(strip=True) for g in page.select("section.rapport-faq-amne")]
    assert topics == ["Ambulink", "Millennium", "Samordningsgruppen", "Vårdinformationssystem"]
    answer = text(page.select_one("section#faq-neddragning-antal"))
    assert "Sammanlagt berörs närmare 150 personer jämfört med bemanningen i våras." in answer
    assert text(page.select_one("section#faq-besparing .rapport-omnamnt")) == "Omnämnt i: 25 september 2025 ."
    exported = json.loads((site / "faq.json").read_text(encoding="utf-8"))
    assert {e["id"] for e in exported["faq"]} >= {"faq-neddragning-antal", "faq-besparing", "faq-lakemedelsverket"}


def test_the_export_is_made_again_only_when_what_it_is_made_from_changes(make_app, fresh, monkeypatch):
    src = fresh
    out = src / "_build" / "html"
    report = src / "rapporter/2025/2025-01-01.md"

    # a text that no entry and no mention shows: the files are not made again
    made = []
    with monkeypatch.context() as patch:
        patch.setattr(decisions, "export_records", lambda app: made.append(app) or [])
        report.write_text(report.read_text(encoding="utf-8") + "\nEn mening till.\n", encoding="utf-8")
        app = _build(make_app, src)
        assert made == []
        # the title of a report that mentions A-1 is part of A-1's mentions
        report.write_text(report.read_text(encoding="utf-8").replace("# Rapport 1 januari", "# Rapport nyårsdagen"))
        app = _build(make_app, src)
        assert made == [app]

    (Path(app.doctreedir) / "rapport-export.json").unlink()  # the patched build's state
    app = _build(make_app, src)
    a1 = next(d for d in json.loads((out / "beslut.json").read_text(encoding="utf-8"))["beslut"] if d["id"] == "A-1")
    assert "Rapport nyårsdagen" in [m["titel"] for m in a1["omnamnt_i"]]

    # a file removed from the output is made again, though nothing changed
    (out / "faq.json").unlink()
    app = _build(make_app, src)
    assert json.loads((out / "faq.json").read_text(encoding="utf-8"))["faq"]
