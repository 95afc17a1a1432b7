"""rapport skrivbord in Chromium, end to end, against a real SMTP server (aiosmtpd).

A copy of the real project; the desk runs with its real preview builder. The writer's
path of issue 22: "Ny rapport" for 2 October, typing with the preview following, a
finding and its line, a decision from the insert menu, the settings page, a proof,
the approval, a send to a list, the build and publishing, a correction. And a hostile
report, whose script runs in the preview, cannot make the desk send anything.
Screenshots at 390 and 1400 px go to /tmp/d/shots (or $DESK_SHOTS).
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsertools import WCAG_TAGS, axe_run, violations_of
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from smtptools import PASSWORD, USER, SmtpServer, make_ca
from test_desk_helpers import RunningDesk, copy_project

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = Path(os.environ.get("DESK_SHOTS", "/tmp/d/shots"))
NEW = "rapporter/2025/2025-10-02"
LISTS = "# påhittade mottagare för testet\n[ledning] internt\nanna.alm@fjallmark.example\nbo.berg@fjallmark.example\n"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def smtp(ca) -> Iterator[SmtpServer]:  # noqa: ANN001
    authority, cafile = ca
    server = SmtpServer(cafile, authority)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    tab = context.new_page()
    tab.set_default_timeout(120_000)
    errors: list[str] = []
    # the message with its stack, so a test can tell the desk's own scripts from the
    # site's theme scripts running in the sandboxed preview (another origin)
    tab.on("pageerror", lambda error: errors.append(f"{error.message}\n{error.stack or ''}"))
    tab.errors = errors
    yield tab
    context.close()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": 390, "height": 844})
    settled(page)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    # nothing wider than the phone's screen (the preview frame scrolls inside itself)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": width, "height": 1000})


def settled(page: Any) -> None:
    """The page has laid itself out at its new size: two animation frames have passed
    (the resize's own frame, and one for what its handlers changed)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")


def clean_of_axe(page: Any) -> None:
    response = axe_run(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert violations_of(response) == []


def preview_text(page: Any) -> Any:
    return page.frame_locator("#forhand").locator("main")


def editor_text(page: Any) -> str:
    return page.evaluate("window.deskEditor.text()")


def until(page: Any, expression: str, timeout: float = 120) -> None:
    """Wait until ``expression`` is true in the page. Not page.wait_for_function: that
    evaluates a string in the page, which the desk's CSP (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"not true after {timeout} s: {expression}"
        page.wait_for_timeout(50)


def wait_saved(page: Any) -> None:
    until(page, "document.getElementById('sparstatus').textContent.startsWith('Sparad')")


def received(smtp: SmtpServer) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(m.data, policy=email.policy.default) for m in smtp.recorder.messages]


def test_a_writer_goes_from_ny_rapport_to_sent_published_and_corrected(
    page: Any, smtp: SmtpServer, tmp_path: Path
) -> None:
    project = copy_project(tmp_path)
    (project / "utskick").mkdir()
    (project / "utskick/listor.txt").write_text(LISTS, encoding="utf-8")
    target = tmp_path / "intranat"
    with RunningDesk(project) as desk:
        # -- the start page, and Ny rapport for 2 October ----------------------------------
        page.goto(desk.start_url)
        assert page.url == f"{desk.keys.origin}/"  # the token left the address bar
        page.wait_for_selector("#rapporter:not([hidden])")
        assert page.locator("#rapporter tbody tr").count() == 1
        clean_of_axe(page)
        shoot(page, "1-start")
        page.fill("#ny-datum", "2025-10-02")
        page.fill("#ny-tid", "08:30")
        page.click("text=Skapa rapporten")
        page.wait_for_url(f"**/rapport/{NEW}")
        assert (project / f"docs/{NEW}.md").is_file()

        # -- the editor: the preview is the real build, and follows the typing ------------
        page.wait_for_selector(".cm-content")
        title = "Regional rapport Samordning vårdinformationsmiljö 2 oktober 2025"
        preview_text(page).get_by_role("heading", name=title).wait_for()
        assert "Utkast" in preview_text(page).inner_text()
        page.evaluate("window.deskEditor.goToLine(11)")  # the first line in "Sammanfattande lägesbild"
        page.keyboard.press("End")
        page.keyboard.type(" Skrivbordets egen testmening.")
        preview_text(page).get_by_text("Skrivbordets egen testmening.").wait_for()
        wait_saved(page)
        assert "Skrivbordets egen testmening." in (project / f"docs/{NEW}.md").read_text(encoding="utf-8")

        # -- a finding, and a click that goes to its line -----------------------------------
        page.wait_for_selector(".fynd-rad")
        finding = page.locator(".fynd-rad", has_text="BEKRÄFTA").nth(2)
        line = int(finding.get_attribute("data-rad"))
        finding.click()
        assert page.evaluate("window.deskEditor.cursorLine()") == line
        assert "[BEKRÄFTA]" in editor_text(page).split("\n")[line - 1]
        clean_of_axe(page)
        shoot(page, "2-redigera")

        # -- a decision from the insert menu, inside a section: the fences nest right ------
        page.evaluate("window.deskEditor.goToLine(11)")
        page.click("summary:has-text('Infoga')")
        page.click("[data-infoga=beslut]")
        text = editor_text(page)
        assert re.search(r"^::::\{avsnitt\} sammanfattning$", text, re.M)
        assert re.search(r"^:::\{beslut\} BESLUT-\d{4}-\d\d-\d\d\n:datum: ", text, re.M)
        lines = text.split("\n")
        opening = lines.index("::::{avsnitt} sammanfattning")
        closing = next(i for i in range(opening + 1, len(lines)) if lines[i] == "::::")
        decision = next(i for i, value in enumerate(lines) if value.startswith(":::{beslut}"))
        assert opening < decision < closing
        preview_text(page).get_by_text("Beslutets rubrik").first.wait_for()
        wait_saved(page)
        shoot(page, "3-beslut")

        # -- the writer finishes: markers gone, the draft line gone, the inserted example out
        finished = (
            text.replace("utkast: true\n", "")
            .replace(" [BEKRÄFTA]", "")
            .replace("[BEKRÄFTA] ", "")
            .replace("\n" + "\n".join(lines[decision : decision + 7]) + "\n", "\n")
        )
        page.evaluate("text => window.deskEditor.setText(text)", finished)
        wait_saved(page)
        until(page, "!document.querySelector('#fynd-lista').textContent.includes('BEKRÄFTA')")

        # -- the settings page: sender, SMTP server, contact, approver ---------------------
        page.click("text=Inställningar")
        page.wait_for_selector("[data-nyckel='smtp.server'] input")
        page.fill("[data-nyckel='webbadress'] input", "https://intranat.fjallmark.example/rapport/")
        page.fill("[data-nyckel='epost.avsandare'] input", "Kommunikation <rapport@fjallmark.example>")
        page.fill("[data-nyckel='smtp.server'] input", "127.0.0.1")
        page.fill("[data-nyckel='smtp.port'] input", str(smtp.port))
        page.fill("[data-nyckel='smtp.anvandare'] input", USER)
        page.fill("[data-nyckel='smtp.cafil'] input", str(smtp.cafile))
        page.fill("[data-nyckel='kontakt'] input[data-del=namn]", "Kommunikationsstaben")
        page.fill("[data-nyckel='kontakt'] input[data-del=epost]", "kommunikation@fjallmark.example")
        page.fill("[data-nyckel='godkannande.godkannare'] textarea", "Cecilia Ceder <cecilia.ceder@fjallmark.example>")
        page.fill("[data-nyckel='smtp.tidsgrans'] input", "en halvtimme")
        page.click("text=Spara inställningarna")
        page.get_by_text("smtp.tidsgrans = 'en halvtimme' ska vara ett antal sekunder större än 0").wait_for()
        page.fill("[data-nyckel='smtp.tidsgrans'] input", "30")
        page.click("text=Spara inställningarna")
        page.get_by_text("Inställningarna är sparade i rapport.toml.").wait_for()
        clean_of_axe(page)
        shoot(page, "4-installningar")
        toml = (project / "rapport.toml").read_text(encoding="utf-8")
        assert f"port = {smtp.port}\n" in toml and "# e-postservern, till exempel" in toml
        assert PASSWORD not in toml

        # -- proof, approval, send ----------------------------------------------------------
        page.goto(f"{desk.keys.origin}/rapport/{NEW}")
        page.wait_for_selector(".cm-content")
        # -- the site is built first: the PDF the e-mail links to is part of the version ------
        page.click("#bygg")
        until(
            page,
            "document.getElementById('bygg-svar').textContent.startsWith('Klart') || "
            "document.getElementById('bygg-svar').classList.contains('fel')",
            timeout=900,
        )
        assert page.inner_text("#bygg-svar").startswith("Klart: webbplatsen är byggd"), page.inner_text("#bygg-svar")
        page.click("text=Visa läget")
        page.wait_for_selector("#laget .version")
        version = page.locator("#laget .version").inner_text().removeprefix("Version ").strip()
        assert re.fullmatch(r"[0-9a-f]{8}", version)
        page.fill("#losenord", PASSWORD)
        page.click("#korrektur")
        until(page, "!/^(|Skickar korrekturen …)$/.test(document.getElementById('korrektur-svar').textContent)")
        assert "Klart: korrekturen" in page.inner_text("#korrektur-svar"), page.inner_text("#korrektur-svar")
        proof = received(smtp)
        assert [m["To"] for m in proof] == ["Cecilia Ceder <cecilia.ceder@fjallmark.example>"]
        assert proof[0]["Subject"].startswith("Korrektur – ej godkänd")
        page.select_option("#godkann-av", "cecilia.ceder@fjallmark.example")
        page.select_option("#godkann-hur", "telefon")
        page.click("#godkann button[type=submit]")
        until(page, "document.getElementById('godkann-svar').textContent.length > 0")
        assert page.inner_text("#godkann-svar") == (
            f"Godkännandet är registrerat: Cecilia Ceder (telefon), version {version}."
        )
        until(page, "!document.getElementById('uppdatera-laget').disabled && document.querySelector('#laget .version')")
        page.wait_for_selector("#listor input[value=ledning]")
        page.check("#listor input[value=ledning]")
        page.click("#rakna")
        page.get_by_text("Rapporten skickas till 2 mottagare på listorna ledning.").wait_for()
        page.click("#skicka")
        page.get_by_text("Bekräfta utskicket först").wait_for()
        assert len(received(smtp)) == 1
        page.check("#skicka-ok")
        page.check("#skicka-platshallare")
        shoot(page, "5-skicka")
        page.click("#skicka")
        until(page, "document.getElementById('skicka-forlopp').value === 2", timeout=180)
        until(page, "!document.getElementById('skicka-svar').textContent.startsWith('Skickar')")
        sent = received(smtp)[1:]
        assert sorted(m["To"] for m in sent) == ["anna.alm@fjallmark.example", "bo.berg@fjallmark.example"]
        assert all(m["Subject"] == title for m in sent)

        # -- published (the site was built before the proof) --------------------------------
        page.fill("#publicera-mal", str(target))
        page.check("#publicera-platshallare")
        page.click("#publicera")
        until(
            page,
            "document.getElementById('publicera-svar').textContent.length > 0 && "
            "!document.getElementById('publicera-svar').textContent.startsWith('Publicerar')",
        )
        assert (target / f"{NEW}.html").is_file(), page.inner_text("#publicera-svar")

        # -- a correction, recorded and sent to exactly those who got the report -----------
        page.fill("#rattelse-fel", "Mötet med fackliga representanter var det andra.")
        page.fill("#rattelse-ratt", "Mötet med fackliga representanter var det tredje.")
        page.click("#rattelse button[type=submit]")
        page.get_by_text("Rättelsen är registrerad").wait_for()
        source = (project / f"docs/{NEW}.md").read_text(encoding="utf-8")
        assert "det tredje" in source
        page.check("#rattelse-platshallare")
        page.click("#rattelse-skicka")
        until(page, "!document.getElementById('rattelse-skicka').disabled", timeout=180)
        corrections = received(smtp)[3:]
        assert sorted(m["To"] for m in corrections) == ["anna.alm@fjallmark.example", "bo.berg@fjallmark.example"], (
            page.inner_text("#rattelse-svar")
        )
        assert all(m["Subject"].startswith("Rättelse: ") for m in corrections)
        page.click("#historik")
        until(page, "document.getElementById('historik-svar').textContent.length > 0")
        shoot(page, "6-rattelse")
        # no script error of the desk's own: the theme's scripts in the sandboxed preview may
        # fail (no storage there; a reload while a slow machine is still loading the page)
        assert [e for e in page.errors if desk.keys.origin in e] == []
        assert [e for e in page.errors if "sandboxed" not in e and desk.desk.site.origin not in e] == []
        assert desk.desk.refused == []


HOSTILE = """---
serie: samordning-vim
sammanstallt: 2025-09-30 08:30
---

# Fientlig rapport

:::{avsnitt} sammanfattning
- En rad.

<script>
document.title = "skriptet körde";
for (const path of ["/api/skicka", "/api/korrektur", "/api/spara", "/api/publicera"]) {
  fetch("http://127.0.0.1:DESKPORT" + path, {method: "POST", credentials: "include", mode: "no-cors",
    headers: {"Content-Type": "text/plain"},
    body: JSON.stringify({doc: "rapporter/2025/2025-09-30", listor: ["ledning"], bekraftat: true})});
}
const form = document.createElement("form");
form.method = "POST"; form.action = "http://127.0.0.1:DESKPORT/api/skicka"; form.target = "_blank";
document.body.append(form); form.submit();
</script>

[Skicka nu](http://127.0.0.1:DESKPORT/api/skicka)
:::
"""


def test_a_hostile_report_in_the_preview_cannot_make_the_desk_send(page: Any, smtp: SmtpServer, tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "utskick").mkdir()
    (project / "utskick/listor.txt").write_text(LISTS, encoding="utf-8")
    # let raw HTML through, so the script really runs in the preview (the worst case)
    with (project / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("\nrapport_allow_raw_html = True\n")
    toml = project / "rapport.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        .replace('avsandare = ""', 'avsandare = "Kommunikation <rapport@fjallmark.example>"')
        .replace('server = ""', 'server = "127.0.0.1"')
        .replace("port = 587", f"port = {smtp.port}")
        .replace('cafil = ""', f'cafil = "{smtp.cafile}"'),
        encoding="utf-8",
    )
    hostile = project / "docs/rapporter/2025/2025-09-30.md"
    hostile.write_text(HOSTILE, encoding="utf-8")
    with RunningDesk(project) as desk:
        # the desk's port is known now; the editor's opening builds the file as it is
        hostile.write_text(HOSTILE.replace("DESKPORT", str(desk.port)), encoding="utf-8")
        page.goto(desk.start_url)
        page.goto(f"{desk.keys.origin}/rapport/rapporter/2025/2025-09-30")
        frame = page.frame_locator("#forhand")
        frame.get_by_role("heading", name="Fientlig rapport").wait_for()
        preview = next(f for f in page.frames if f.url.startswith(desk.desk.site.origin))
        preview.wait_for_function("document.title === 'skriptet körde'")  # the script did run
        # every request the script makes (four fetches, then the form) reached the desk and
        # was refused; one it let through would never be listed here, so this waits for it
        # in vain and fails
        expected = Counter(["POST /api/skicka", "POST /api/korrektur", "POST /api/spara", "POST /api/publicera"])
        expected["POST /api/skicka"] += 1  # the form posts there too
        deadline = time.monotonic() + 60
        while expected - Counter(r.split(" ", 1)[-1] for r in desk.desk.refused):
            assert time.monotonic() < deadline, desk.desk.refused
            page.wait_for_timeout(50)
        # the link to the send endpoint: a GET, which sends nothing (only POST sends)
        status, _, _ = desk.request("GET", "/api/skicka")
        assert status == 405
        assert smtp.recorder.messages == []
        assert smtp.recorder.attempts == 0
        refused = desk.desk.refused
        assert refused and all(r.split()[0] in ("origin", "token") for r in refused), refused
        assert not (project / "utskick/skicklogg.jsonl").exists() or "2025-09-30" not in (
            project / "utskick/skicklogg.jsonl"
        ).read_text(encoding="utf-8")
        assert json.loads(desk.request("GET", "/api/fil?doc=rapporter/2025/2025-09-30")[2])[
            "text"
        ] == hostile.read_text(encoding="utf-8")


def test_an_edit_on_disk_meanwhile_is_shown_and_the_writer_chooses(page: Any, tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    report = project / "docs/rapporter/2025/2025-09-25.md"
    with RunningDesk(project) as desk:
        page.goto(desk.start_url)
        page.goto(f"{desk.keys.origin}/rapport/rapporter/2025/2025-09-25")
        page.wait_for_selector(".cm-content")
        preview_text(page).get_by_role("heading", name=re.compile("25 september 2025")).wait_for()
        # keyboard: Escape then Tab leaves the text (Tab alone indents)
        page.click(".cm-content")
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        assert page.evaluate("() => !document.activeElement.closest('.cm-editor')")
        # someone else changes the file; then the writer types
        theirs = report.read_text(encoding="utf-8").replace(
            "Arbetet med slutrapporten", "ÄNDRAT AV NÅGON ANNAN: Arbetet med slutrapporten", 1
        )
        report.write_text(theirs, encoding="utf-8")
        page.evaluate("window.deskEditor.goToLine(9)")
        page.keyboard.press("End")
        page.keyboard.type(" Min egen ändring.")
        try:
            page.get_by_role("heading", name="Filen har ändrats på disken").wait_for(timeout=60_000)
        except PlaywrightTimeout:
            # say what the page got to (a rare failure in a full run left nothing to go on)
            seen = page.evaluate(
                """() => ({saveState: document.getElementById('sparstatus').textContent,
                           line9: window.deskEditor.text().split('\\n')[8],
                           focus: document.activeElement.outerHTML.slice(0, 120)})"""
            )
            pytest.fail(f"no conflict dialog after typing; the page: {seen}; refused: {desk.desk.refused}")
        assert "ÄNDRAT AV NÅGON ANNAN" in page.input_value("#konflikt-disk")
        assert "Min egen ändring." in page.input_value("#konflikt-egen")
        assert report.read_text(encoding="utf-8") == theirs  # never overwritten silently
        assert "Inte sparad: filen har ändrats på disken" in page.inner_text("#sparstatus")
        clean_of_axe(page)
        shoot(page, "7-konflikt")
        page.click("#konflikt-deras")
        assert "ÄNDRAT AV NÅGON ANNAN" in editor_text(page) and "Min egen ändring." not in editor_text(page)
        assert "Min egen ändring." in page.input_value("#konflikt-egen")  # still there to copy from
        page.click("#konflikt-stang")
        page.keyboard.type("")
        assert report.read_text(encoding="utf-8") == theirs
        # the versions page, where the folder is a git repository
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        page.goto(f"{desk.keys.origin}/git")
        page.get_by_text("docs/rapporter/2025/2025-09-25.md (ny)").wait_for()
        clean_of_axe(page)
        shoot(page, "8-versioner")
