"""rapport skrivbord without a browser: who may talk to it, what it may write, what it never overwrites.

A real desk on loopback (both servers, as ``rapport skrivbord`` runs them) over a copy of
the real project; the requests are sent as a browser or an attacker would send them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_desk_helpers import REPO, RunningDesk, copy_project

from rapport.writer.desk.files import FileRefused, writable

REPORT = "rapporter/2025/2025-09-25"


@pytest.fixture
def desk(tmp_path: Path):  # noqa: ANN201
    with RunningDesk(copy_project(tmp_path), preview=False) as running:
        yield running


@pytest.fixture(scope="module")
def reading_desk(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """One desk for the tests that only send requests it refuses (nothing written)."""
    with RunningDesk(copy_project(tmp_path_factory.mktemp("las")), preview=False) as running:
        yield running


def test_the_start_url_gives_a_strict_cookie_once_and_every_request_needs_it(desk: RunningDesk) -> None:
    status, headers, _ = desk.request("GET", f"/?token={desk.keys.token}", cookie=False)
    assert status == 303
    assert headers["location"] == "/"  # the token leaves the address bar
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{desk.keys.cookie}={desk.keys.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # without the cookie, or with a wrong token, nothing is answered but a Swedish refusal
    for path in ("/", f"/rapport/{REPORT}", f"/api/fil?doc={REPORT}", "/api/rapporter", "/static/desk.js"):
        status, _, body = desk.request("GET", path, cookie=False)
        assert status == 403, path
        assert "Skrivbordet känner inte igen den här webbläsaren" in body
    status, _, _ = desk.request("GET", "/?token=fel", cookie=False)
    assert status == 403
    status, headers, body = desk.request("GET", "/")
    assert status == 200 and "<h1>Rapporter</h1>" in body
    assert "script-src 'self'" in headers["content-security-policy"]
    assert f"frame-src http://127.0.0.1:{desk.preview_port}" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "127.0.0.1", "127.0.0.1:1", "rebind.example:{port}"]
)
def test_a_wrong_host_header_is_refused_dns_rebinding(reading_desk: RunningDesk, host: str) -> None:
    desk = reading_desk
    status, _, body = desk.request("GET", f"/api/fil?doc={REPORT}", host=host.format(port=desk.port))
    assert status == 403
    assert "fel Host" in body
    assert "avsnitt" not in body  # nothing of the report


def test_a_write_needs_the_desks_origin_and_the_csrf_token(desk: RunningDesk) -> None:
    path = desk.project.srcdir / f"{REPORT}.md"
    before = path.read_text(encoding="utf-8")
    status, _, body = desk.request("GET", f"/api/fil?doc={REPORT}")
    base = json.loads(body)["bas"]
    write = {"doc": REPORT, "text": "# Kapad\n", "bas": base}
    for origin, csrf in (
        (None, True),  # no Origin at all
        (f"http://127.0.0.1:{desk.preview_port}", True),  # the preview's origin (report content)
        ("null", True),  # a sandboxed frame
        ("http://evil.example", True),
        ("desk", False),  # the right origin without the page's CSRF token
    ):
        status, _, body = desk.request("POST", "/api/spara", write, origin=origin, csrf=csrf)
        assert status == 403, (origin, csrf)
        assert "Ändringar tas bara emot" in body or "kontrollkod" in body
    for endpoint in ("/api/skicka", "/api/korrektur", "/api/publicera", "/api/installningar", "/api/git/spara"):
        status, _, _ = desk.request("POST", endpoint, {"doc": REPORT}, origin="http://evil.example")
        assert status == 403, endpoint
    assert path.read_text(encoding="utf-8") == before
    assert len(desk.desk.refused) >= 10
    # and the desk's own page does it
    status, _, body = desk.request("POST", "/api/spara", {**write, "text": before + "\nTillagt.\n"})
    assert status == 200, body
    assert path.read_text(encoding="utf-8").endswith("\nTillagt.\n")


def test_an_edit_on_disk_meanwhile_is_detected_and_never_overwritten(desk: RunningDesk) -> None:
    path = desk.project.srcdir / f"{REPORT}.md"
    _, _, body = desk.request("GET", f"/api/fil?doc={REPORT}")
    opened = json.loads(body)
    # someone else (a git pull, another editor) changes the file
    theirs = opened["text"].replace("# Regional rapport", "# Ändrad av någon annan: Regional rapport", 1)
    path.write_text(theirs, encoding="utf-8")
    status, _, body = desk.request(
        "POST", "/api/spara", {"doc": REPORT, "text": opened["text"] + "Mitt.\n", "bas": opened["bas"]}
    )
    answer = json.loads(body)
    assert status == 409 and answer["konflikt"] is True
    assert "har ändrats på disken sedan du öppnade den" in answer["fel"]
    assert answer["disk"] == theirs
    assert path.read_text(encoding="utf-8") == theirs  # nothing overwritten
    # the writer chooses to keep their own text, knowingly: saved against the disk's digest
    status, _, body = desk.request(
        "POST", "/api/spara", {"doc": REPORT, "text": opened["text"] + "Mitt.\n", "bas": answer["diskbas"]}
    )
    assert status == 200, body
    assert path.read_text(encoding="utf-8").endswith("Mitt.\n")


def test_writes_are_confined_to_docs_and_the_data_files(desk: RunningDesk, tmp_path: Path) -> None:
    project = desk.project
    outside = tmp_path / "utanfor.md"
    outside.write_text("# Utanför\n", encoding="utf-8")
    (project.srcdir / "lank.md").symlink_to(outside)
    for relative, message in (
        ("conf.py", "skrivbordet ändrar bara Markdown-filer"),
        ("../utanfor.md", "är ingen fil i projektet"),
        ("_ext/rapport/config.py", "skrivbordet ändrar bara Markdown-filer"),
        ("docs/lank.md", "ligger utanför docs/ (eller är en länk dit ut)"),
        ("/etc/passwd", "är ingen fil i projektet"),
    ):
        with pytest.raises(FileRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
            writable(project, relative)
    assert writable(project, "rapport.toml") == project.root / "rapport.toml"
    assert writable(project, "utskick/listor.txt") == project.root / "utskick/listor.txt"
    assert writable(project, f"docs/{REPORT}.md") == project.srcdir / f"{REPORT}.md"
    # through the API: a report name that climbs out of docs/ is refused, nothing written
    status, _, body = desk.request("POST", "/api/spara", {"doc": "../conf", "text": "x = 1\n", "bas": ""})
    assert status == 400 and "är ingen fil i projektet" in json.loads(body)["fel"]
    status, _, body = desk.request("POST", "/api/spara", {"doc": "lank", "text": "# Kapad\n", "bas": ""})
    assert status == 400 and "utanför docs/" in json.loads(body)["fel"]
    assert outside.read_text(encoding="utf-8") == "# Utanför\n"


def test_the_preview_is_another_origin_sandboxed_and_checks_its_host(desk: RunningDesk) -> None:
    site = desk.desk.site
    (desk.desk.preview.html / "rapporter").mkdir(parents=True)
    (desk.desk.preview.html / "rapporter" / "sida.html").write_text("<p>förhandsgranskning</p>", encoding="utf-8")
    status, headers, body = desk.request(
        "GET", f"/{site.key}/rapporter/sida.html", port=desk.preview_port, cookie=False
    )
    assert status == 200 and "förhandsgranskning" in body
    assert headers["content-security-policy"].startswith("sandbox allow-scripts allow-popups")
    assert "allow-same-origin" not in headers["content-security-policy"]
    status, _, _ = desk.request("GET", "/rapporter/sida.html", port=desk.preview_port, cookie=False)
    assert status == 404  # without the preview's key
    status, _, _ = desk.request("GET", f"/{site.key}/rapporter/sida.html", port=desk.preview_port, host="evil.example")
    assert status == 403
    status, _, _ = desk.request("POST", f"/{site.key}/rapporter/sida.html", {}, port=desk.preview_port)
    assert status == 403


def test_the_settings_page_validates_and_writes_rapport_toml_with_its_comments(desk: RunningDesk) -> None:
    toml = desk.project.root / "rapport.toml"
    before = toml.read_text(encoding="utf-8")
    _, _, body = desk.request("GET", "/api/installningar")
    shown = json.loads(body)
    assert [f["nyckel"] for f in shown["falt"]][:3] == ["webbadress", "kontakt", "tillganglighetskontakt"]
    bad = {"smtp.port": "sjuhundra", "epost.avsandare": "Kommunikation", "godkannande.godkannare": "Anna utan adress"}
    status, _, body = desk.request("POST", "/api/installningar", {"varden": bad, "bas": shown["bas"]})
    answer = json.loads(body)
    assert status == 400
    assert {p["nyckel"]: p["fel"] for p in answer["problem"]} == {
        "epost.avsandare": "epost.avsandare = 'Kommunikation' ska vara en avsändare på en rad, till exempel "
        "”Kommunikation <rapport@example.se>” (eller tom)",
        "smtp.port": "smtp.port = 'sjuhundra' ska vara ett portnummer (1–65535)",
        "godkannande.godkannare": "godkannande.godkannare = ['Anna utan adress'] ska vara en lista av adresser på "
        "formen ”Namn <adress@example.se>”",
    }
    assert toml.read_text(encoding="utf-8") == before
    good = {
        "smtp.port": "465",
        "smtp.sakerhet": "tls",
        "kontakt": {"namn": "Kommunikation", "epost": "kommunikation@example.se"},
        "godkannande.godkannare": "Anna Alm <anna.alm@example.se>\n",
    }
    status, _, body = desk.request("POST", "/api/installningar", {"varden": good, "bas": shown["bas"]})
    assert status == 200, body
    text = toml.read_text(encoding="utf-8")
    assert "port = 465\n" in text and 'sakerhet = "tls"\n' in text
    assert 'godkannare = [\n    "Anna Alm <anna.alm@example.se>",\n]' in text
    assert "# 587 med starttls, 465 med tls\n" in text  # the comments stay
    assert "namnger ingen person" in text
    assert desk.desk.project.config["rapport_smtp_port"] == 465  # the desk reads it again
    # a second, different save from the old page (rapport.toml changed meanwhile) is refused
    status, _, body = desk.request("POST", "/api/installningar", {"varden": {"smtp.port": "587"}, "bas": shown["bas"]})
    assert status == 400 and json.loads(body)["konflikt"] is True


def test_rapport_skrivbord_refuses_to_listen_beyond_this_computer(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "rapport.writer.cli", "skrivbord", "--adress", "0.0.0.0", "--ingen-webblasare"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO / "_ext")},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rapport skrivbord: Skrivbordet lyssnar bara på den här datorn (127.0.0.1), inte på ”0.0.0.0”: "
        "det kan skicka e-post i ditt namn och ändra projektets filer"
    )
    assert result.stdout == ""


def test_ny_rapport_asks_when_the_date_has_a_report_as_rapport_ny_does(desk: RunningDesk) -> None:
    status, _, body = desk.request("POST", "/api/ny", {"datum": "2025-10-02", "tid": "08:30"})
    assert status == 200 and json.loads(body)["skapad"] == "rapporter/2025/2025-10-02"
    status, _, body = desk.request("POST", "/api/ny", {"datum": "2025-10-02", "tid": "09:15"})
    answer = json.loads(body)
    assert status == 409
    assert answer["fraga"] == (
        "Det finns redan en rapport för 2 oktober 2025: docs/rapporter/2025/2025-10-02.md "
        "(”Regional rapport Samordning vårdinformationsmiljö 2 oktober 2025”, inte skickad)."
    )
    assert [item["doc"] for item in answer["finns"]] == ["rapporter/2025/2025-10-02"]
    assert sorted(p.name for p in (desk.project.srcdir / "rapporter/2025").glob("2025-10-02*.md")) == ["2025-10-02.md"]
    # the explicit choice: another report the same day
    status, _, body = desk.request("POST", "/api/ny", {"datum": "2025-10-02", "tid": "09:15", "val": "ny"})
    assert status == 200, body
    assert json.loads(body)["skapad"] == "rapporter/2025/2025-10-02-0915"


def _git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.se",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.se",
    }
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env, check=True).stdout


def test_the_versions_panel_saves_a_version_and_refuses_during_a_conflict(desk: RunningDesk) -> None:
    root = desk.project.root
    status, _, body = desk.request("GET", "/api/git")
    assert json.loads(body) == {"git": False, "text": "Projektmappen är inte ett git-arkiv; versioner sparas inte här."}
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Skribent")
    _git(root, "config", "user.email", "skribent@example.se")
    _git(root, "add", "docs", "rapport.toml")
    _git(root, "commit", "-q", "-m", "Början")
    report = root / "docs" / f"{REPORT}.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nNy rad.\n", encoding="utf-8")
    _, _, body = desk.request("GET", "/api/git")
    panel = json.loads(body)
    assert (
        panel["git"] is True and {"fil": f"docs/{REPORT}.md", "tillstand": "ändrad", "kod": " M"} in panel["andringar"]
    )
    status, _, body = desk.request("POST", "/api/git/spara", {"meddelande": "  "})
    assert status == 400 and "Skriv en kort beskrivning" in json.loads(body)["fel"]
    status, _, body = desk.request("POST", "/api/git/spara", {"meddelande": "Rapporten 25 september rättad"})
    assert status == 200, body
    assert _git(root, "log", "-1", "--format=%s").strip() == "Rapporten 25 september rättad"
    assert f"docs/{REPORT}.md" in _git(root, "show", "--name-only", "--format=", "HEAD")
    # a conflict made outside the desk: it names the file and saves nothing
    _git(root, "checkout", "-q", "-b", "annan")
    report.write_text(report.read_text(encoding="utf-8").replace("Ny rad.", "Annan rad."), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "Annan")
    _git(root, "checkout", "-q", "main")
    report.write_text(report.read_text(encoding="utf-8").replace("Ny rad.", "Tredje rad."), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "Tredje")
    subprocess.run(["git", "merge", "-q", "annan"], cwd=root, capture_output=True)
    head = _git(root, "rev-parse", "HEAD")
    status, _, body = desk.request("POST", "/api/git/spara", {"meddelande": "Försök"})
    assert status == 400
    assert json.loads(body)["fel"] == (
        f"Arkivet har en ohanterad sammanslagning (konflikt) i docs/{REPORT}.md. Skrivbordet sparar ingen version "
        "då; be den som förvaltar arkivet att lösa konflikten."
    )
    assert _git(root, "rev-parse", "HEAD") == head
