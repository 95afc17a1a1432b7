"""The e-mail edition (``-b rapportepost``) of the test project's reports, parsed back.

Built once per module, as ``rapport bygg`` does it: the PDFs first (so the internal
edition can attach them), then the internal edition, and a public edition from a
public build with its own doctrees (Sphinx's command run in the test process). Each ``.eml`` is parsed with the standard ``email``
package; the HTML part is also opened in Chromium at 600 and 320 px and checked by
axe-core.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from browsertools import WCAG_TAGS, axe_run, violations_of
from bs4 import BeautifulSoup
from trusttools import sphinx_main

from rapport.email.message import Edition, build_message, header_text, personalise

ROOT = Path(__file__).resolve().parent / "roots" / "test-email"
MARKER = "INTERNMARKÖR-7Q"
BASE = "https://intranat.fjallmark.example/rapport/"
PUBLIC_BASE = "https://www.fjallmark.example/rapport/"
REPORT = "rapporter/2025/2025-03-06"


def _sphinx(builder: str, out: Path, doctrees: Path, *options: str, attach: bool = False, project: Path = ROOT) -> str:
    # the command's build in this process (what it writes is under test, not the process)
    environ = {"RAPPORT_BASE_URL": None, "TEST_ATTACH_PDF": "1" if attach else None}
    return sphinx_main(project, builder, out, doctrees, *options, environ=environ)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("epost")
    pdf = f"rapport_pdf_dir={tmp / 'pdf'}"
    _sphinx("rapportpdf", tmp / "pdf", tmp / "doctrees", "-D", pdf)
    warnings = _sphinx("rapportepost", tmp / "internt", tmp / "doctrees", "-D", pdf, attach=True)
    public = ("-D", "rapport_audience=publik", "-D", f"rapport_pdf_dir={tmp / 'publik-pdf'}")
    _sphinx("rapportepost", tmp / "publik", tmp / "publik-doctrees", *public)
    return {"tmp": tmp, "warnings": warnings}


def load(built: dict[str, Any], edition: str, docname: str = REPORT) -> EmailMessage:
    data = (built["tmp"] / edition / f"{docname}.eml").read_bytes()
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def parts(message: EmailMessage) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            found[part.get_content_type()] = part.get_content()
        elif part.get_content_type() == "application/pdf":
            found["pdf"] = part
    return found


# -- structure and headers ---------------------------------------------------------------


def test_public_edition_is_multipart_alternative_text_then_html(built: dict[str, Any]) -> None:
    message = load(built, "publik")
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert [p["Content-Language"] for p in message.iter_parts()] == ["sv", "sv"]
    assert str(message["Subject"]) == "Testrapport Fjällmark 6 mars 2025"
    assert str(message["From"]) == "Kommunikationsenheten Fjällmark <rapport@fjallmark.example>"
    # recipient headers are added per recipient when sending
    assert message["To"] is None and message["Message-ID"] is None and message["Bcc"] is None


def test_internal_edition_attaches_the_pdf(built: dict[str, Any]) -> None:
    message = load(built, "internt")
    assert message.get_content_type() == "multipart/mixed"
    inner, attachment = list(message.iter_parts())
    assert inner.get_content_type() == "multipart/alternative"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "2025-03-06.pdf"
    assert attachment.get_content() == (built["tmp"] / "pdf" / f"{REPORT}.pdf").read_bytes()
    html = parts(message)["text/html"]
    soup = BeautifulSoup(html, "html.parser")
    top = soup.select("p.lankar a")
    size = re.search(r"\(PDF, \d+ kB\)", top[1].get_text())
    assert [a["href"] for a in top] == [f"{BASE}{REPORT}.html", f"{BASE}pdf/{REPORT}.pdf"]
    assert top[0].get_text() == "Läs rapporten på intranätet" and size is not None


def test_public_edition_has_no_internal_content(built: dict[str, Any]) -> None:
    internal, public = parts(load(built, "internt")), parts(load(built, "publik"))
    assert MARKER in internal["text/plain"] and MARKER in internal["text/html"]
    raw = (built["tmp"] / "publik" / f"{REPORT}.eml").read_bytes()
    assert MARKER not in public["text/plain"] and MARKER not in public["text/html"]
    assert b"INTERNMARK" not in raw and "Internt" not in public["text/html"]
    assert "Utgåvan för externa mottagare: den innehåller inget internt material." in public["text/plain"]
    # and its links go to the public site, which its readers can reach
    hrefs = [a["href"] for a in BeautifulSoup(public["text/html"], "html.parser").find_all("a")]
    assert f"{PUBLIC_BASE}{REPORT}.html" in hrefs and not any(h.startswith(BASE) for h in hrefs)


def test_the_build_warns_only_about_the_report_with_a_missing_section(built: dict[str, Any]) -> None:
    # the e-mail builder itself adds no warning for a report it can send (a read-phase
    # warning is not repeated: the doctrees were read by the PDF build)
    assert built["warnings"] == ""


def test_drafts_and_future_reports_have_no_edition(built: dict[str, Any]) -> None:
    folder = built["tmp"] / "internt" / "rapporter" / "2025"
    assert sorted(p.name for p in folder.glob("*.eml")) == ["2025-02-27.eml", "2025-03-06.eml", "2025-03-20.eml"]
    assert '"utkast": true' in (folder / "2025-03-13.json").read_text(encoding="utf-8")
    assert '"framtida": true' in (folder / "2025-12-04.json").read_text(encoding="utf-8")


# -- the HTML part -----------------------------------------------------------------------


def test_html_part_styles_inlined_and_structure(built: dict[str, Any]) -> None:
    html = parts(load(built, "internt"))["text/html"]
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "sv"
    assert soup.find("style") is None and soup.find("script") is None
    assert soup.find("img") is None and soup.find("link") is None and "@import" not in html
    assert [h.get_text() for h in soup.find_all("h1")] == ["Testrapport Fjällmark 6 mars 2025"]
    assert [h.get_text() for h in soup.find_all("h2")] == [
        "Sammanfattande lägesbild",
        "Kommunikativa åtgärder, urval",
        "Om Testrapport Fjällmark",  # the standing section, as on the page
    ]
    assert soup.find("ul").find("li") is not None
    # every rule became a style attribute: the column, headings, lists and links
    column = soup.select_one("div.kolumn")
    assert "max-width: 600px" in column["style"] and "width: 100%" in column["style"]
    for tag in ("h1", "h2", "ul", "li", "a", "p"):
        assert all(el.get("style") for el in soup.find_all(tag)), tag
    # Outlook on Windows gets a fixed 600 px table through a conditional comment
    assert '<!--[if mso]><table role="presentation" width="600"' in html


def test_every_link_is_absolute(built: dict[str, Any]) -> None:
    html = parts(load(built, "internt"))["text/html"]
    hrefs = [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a")]
    assert hrefs and all(h.startswith("https://") for h in hrefs), hrefs
    assert f"{BASE}rapporter/2025/2025-02-27.html" in hrefs  # a link to another report
    assert "https://www.fjallmark.example/journal" in hrefs  # an external link, unchanged


# -- the plain-text part -----------------------------------------------------------------


def test_text_part_reads_on_its_own(built: dict[str, Any]) -> None:
    text = parts(load(built, "publik"))["text/plain"].replace("\r\n", "\n")
    assert text.startswith(
        "Testrapport Fjällmark\n\n"
        "Läs rapporten på webbplatsen:\n"
        f"{PUBLIC_BASE}{REPORT}.html\n\n"
        "Testrapport Fjällmark 6 mars 2025\n"
        "=================================\n\n"
        "Sammanställt 6 mars 2025 kl. 8.30\n"
    )
    assert (
        "Sammanfattande lägesbild\n"
        "------------------------\n\n"
        "- Arbetet med den påhittade regionens nya journalsystem fortsätter\n"
        "  enligt plan.\n"
        "- Styrgruppen i Fjällmark möts igen nästa vecka, se föregående rapport\n"
        "  [1].\n"
        "  - En underpunkt om personalförsörjning i fjällkommunerna.\n"
        "- Mer bakgrund finns på Fjällmarks webbplats [3].\n"
    ) in text
    assert text.endswith(
        "Länkar\n------\n"
        f"[1] {PUBLIC_BASE}rapporter/2025/2025-02-27.html\n"
        "[2] https://intranat.fjallmark.example/nyheter/journal\n"
        "[3] https://www.fjallmark.example/journal\n"
    )
    long_lines = [line for line in text.splitlines() if len(line) > 72 and "https://" not in line]
    assert long_lines == []


# -- headers can never be injected -------------------------------------------------------


def test_header_text_flattens_line_breaks() -> None:
    assert header_text("Rapport\r\nBcc: smygare@annan.example") == "Rapport Bcc: smygare@annan.example"
    assert header_text("Rubrik\u2028med\x0bstyrtecken\x85") == "Rubrik med styrtecken"


def test_a_title_with_line_breaks_stays_one_subject() -> None:
    edition = Edition(
        subject="Testrapport\r\nBcc: smygare@annan.example\nX-Extra: ja",
        series_title="Testrapport Fjällmark",
        title="Testrapport",
        page_url=f"{BASE}x.html",
        pdf_url="",
        pdf_label="",
        body_html="<p>Text</p>",
        text="Text\n",
        audience="publik",
    )
    stored = build_message(edition, "Avsändare <rapport@fjallmark.example>").as_bytes()
    import datetime as dt

    data, _ = personalise(stored, "anna.alm@fjallmark.example", "Avsändare <rapport@fjallmark.example>",
                          "fjallmark.example", dt.datetime(2025, 3, 6, 8, 30, tzinfo=dt.UTC))  # fmt: skip
    message = message_from_bytes(data, policy=policy.default)
    assert message["Bcc"] is None and message["X-Extra"] is None
    assert str(message["Subject"]) == "Testrapport Bcc: smygare@annan.example X-Extra: ja"
    assert message.get_all("To") == ["anna.alm@fjallmark.example"]


# -- in a browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [600, 320])
def test_html_part_fits_and_has_no_axe_violations(built: dict[str, Any], browser: Any, width: int) -> None:
    html = parts(load(built, "internt"))["text/html"]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page = context.new_page()
    try:
        page.set_content(html)
        assert page.evaluate("document.documentElement.lang") == "sv"
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, (width, scroll, inner)
        column = page.evaluate("document.querySelector('.kolumn').getBoundingClientRect().width")
        assert column <= 600
        response = axe_run(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert violations_of(response) == []
        assert len(response["passes"]) > 5
        # nothing is fetched: no images, fonts, styles or tracking
        assert requests == []
    finally:
        context.close()


# -- images and incremental builds -------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    import shutil

    project = tmp_path / "projekt"
    shutil.copytree(ROOT, project)
    return project


def _build_copy(project: Path) -> str:
    return _sphinx("rapportepost", project / "_build/epost", project / "_build/doctrees", project=project)


def test_an_image_is_not_sent_and_the_writer_is_told(tmp_path: Path) -> None:
    from PIL import Image

    project = _copy(tmp_path)
    Image.new("RGB", (40, 20), "white").save(project / "docs/rapporter/2025/karta.png")
    report = project / "docs/rapporter/2025/2025-02-27.md"
    report.write_text(
        report.read_text(encoding="utf-8").replace(
            "- En tidigare rapport från den påhittade regionen.\n",
            "- En tidigare rapport från den påhittade regionen.\n- ![Karta över Fjällmark](karta.png)\n",
        ),
        encoding="utf-8",
    )
    warnings = _build_copy(project)
    assert (
        "rapporter/2025/2025-02-27.md:9: WARNING: Bilden ”rapporter/2025/karta.png” skickas inte med e-posten "
        "(inga bilder i utskicket); e-postutgåvan visar bildtexten och länkar till rapporten [rapport.email-image]"
    ) in warnings.splitlines()
    message = message_from_bytes(
        (project / "_build/epost/rapporter/2025/2025-02-27.eml").read_bytes(), policy=policy.default
    )
    html, text = parts(message)["text/html"], parts(message)["text/plain"]
    assert "<img" not in html and "[Bild: Karta över Fjällmark]" in html
    assert "- [Bild: Karta över Fjällmark]" in text


def test_an_unchanged_report_is_not_written_again_and_an_edited_one_is(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    _build_copy(project)
    folder = project / "_build/epost/rapporter/2025"
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    _build_copy(project)
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")} == before
    report = project / "docs/rapporter/2025/2025-02-27.md"
    report.write_text(report.read_text(encoding="utf-8").replace("tidigare rapport", "äldre rapport"), encoding="utf-8")
    _build_copy(project)
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    changed = sorted(name for name in after if after[name] != before[name])
    # the edited report, and the reports that are never final (draft, future) are looked at again;
    # 2025-03-06 is rewritten because its "Nytt sedan förra rapporten" box links the edited one
    assert "2025-02-27.json" in changed and "2025-03-20.json" not in changed
    text = parts(message_from_bytes((folder / "2025-02-27.eml").read_bytes(), policy=policy.default))["text/plain"]
    assert "En äldre rapport från den påhittade regionen." in text


# -- real clients: the inbox line, Outlook's lists and fonts, the footer (issue 24) ----------

FIRST_POINT = "Arbetet med den påhittade regionens nya journalsystem fortsätter enligt plan."


def test_the_inbox_line_is_the_summarys_first_point_hidden_first_in_the_body(built: dict[str, Any]) -> None:
    html = parts(load(built, "internt"))["text/html"]
    soup = BeautifulSoup(html, "html.parser")
    first = soup.body.find(True)  # the body's first element
    assert "forhandstext" in first["class"]
    assert first.get_text().startswith(FIRST_POINT)
    style = first["style"].replace(" ", "")
    for hidden in ("display:none", "mso-hide:all", "max-height:0", "overflow:hidden", "opacity:0"):
        assert hidden in style, hidden
    # the filler keeps the series name and the two links out of the inbox line
    assert first.get_text().count("\u034f") >= 40
    assert soup.find_all(class_="forhandstext") == [first]


def test_lists_are_indented_with_margin_left_which_outlook_keeps(built: dict[str, Any]) -> None:
    soup = BeautifulSoup(parts(load(built, "internt"))["text/html"], "html.parser")
    lists = soup.find_all(["ul", "ol"])
    assert lists
    for element in lists + soup.find_all("li"):
        style = element["style"].replace(" ", "")
        assert "margin-left:" in style and "padding-left" not in style, (element.name, style)
    top = soup.select_one("section ul")
    assert "margin-left:24px" in top["style"].replace(" ", "") and "padding:0" in top["style"].replace(" ", "")


def test_every_text_element_carries_the_font(built: dict[str, Any]) -> None:
    soup = BeautifulSoup(parts(load(built, "internt"))["text/html"], "html.parser")
    for tag in ("p", "li", "h1", "h2", "a", "strong"):
        elements = soup.body.find_all(tag)
        assert elements, tag
        assert all("font-family: Arial, Helvetica, sans-serif" in el.get("style", "") for el in elements), tag


def test_the_footer_has_the_other_pdfs_how_to_subscribe_and_the_feed(built: dict[str, Any]) -> None:
    message = parts(load(built, "internt"))
    foot = BeautifulSoup(message["text/html"], "html.parser").select_one("div.epost-fot")
    links = {a.get_text(): a["href"] for a in foot.find_all("a")}
    assert links["Samlingsvolym med alla rapporter"] == f"{BASE}pdf/samlingsvolym.pdf"
    assert links["flöde för nyhetsläsare"] == f"{BASE}rapporter.atom"
    assert "Svara på det här meddelandet." in foot.get_text()  # the edition has a sender
    text = message["text/plain"].replace("\r\n", "\n")
    assert "- Samlingsvolym med alla rapporter (PDF, " in text and f"  {BASE}pdf/samlingsvolym.pdf\n" in text
    assert f"Nya rapporter som flöde för nyhetsläsare (Atom):\n{BASE}rapporter.atom\n" in text


def test_the_footer_names_the_series_contact() -> None:
    from rapport.email.builder import Footer

    footer = Footer(
        pdfs=[("Beslutsregister", f"{BASE}pdf/beslutsregister.pdf", "19 kB")],
        feed=f"{BASE}rapporter.atom",
        contact={"namn": "Kommunikationsenheten", "epost": "rapport@fjallmark.example", "telefon": "010-123 45 67"},
        reply=True,
    )
    soup = BeautifulSoup(footer.html(), "html.parser")
    assert "Kontakta oss (nedan)." in soup.get_text()
    contact = soup.find_all("p")[-1]
    assert contact.get_text() == "Kontakt: Kommunikationsenheten, rapport@fjallmark.example, telefon 010-123 45 67"
    assert contact.find("a")["href"] == "mailto:rapport@fjallmark.example"
    assert footer.text().endswith(
        "\n\nKontakt: Kommunikationsenheten, rapport@fjallmark.example, telefon\n010-123 45 67"
    )


@pytest.mark.browser
def test_at_320_px_the_preview_is_invisible_and_the_bullets_inside_the_column(
    built: dict[str, Any], browser: Any
) -> None:
    html = parts(load(built, "internt"))["text/html"]
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="sv-SE")
    context.route("**/*", lambda route: route.abort())
    page = context.new_page()
    try:
        page.set_content(html)
        shown = page.evaluate("document.body.innerText")
        assert FIRST_POINT not in shown.split("Sammanfattande lägesbild")[0]
        box = page.evaluate(
            "(() => { const b = document.querySelector('.forhandstext').getBoundingClientRect(); return [b.width, b.height]; })()"
        )
        assert box == [0, 0]
        column, item = page.evaluate(
            "[document.querySelector('.kolumn').getBoundingClientRect().left,"
            " document.querySelector('section ul > li').getBoundingClientRect().left]"
        )
        assert item - column >= 24  # room for the bullet inside the column
    finally:
        context.close()
