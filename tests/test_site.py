"""The real site in docs/: the seed report reads like the original, in Swedish, warning-free."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
# a copy of the one real issue (shared/seed/000_a374db3ebb3a57a7.txt), so the tests run
# from any checkout
SEED = Path(__file__).parent / "data" / "seed-2025-09-25.txt"
SEED_PAGE = "rapporter/2025/2025-09-25.html"

SECTIONS = [
    ("sammanfattning", "Sammanfattande lägesbild"),
    ("kommunikation", "Kommunikativ lägesbild"),
    ("verksamhetens-kommentar", "Verksamhetens kommentar"),
    ("atgarder", "Kommunikativa åtgärder, urval"),
    ("samlad-information", "Samlad information"),
    ("samordningsgrupp", "Samordningsgrupp för vårdinformationsmiljö"),
    ("talesperson", "Talesperson"),
    ("om-rapporten", "Om Regional rapport Samordning vårdinformationsmiljö"),
]


@pytest.fixture(scope="module")
def site(real_site) -> tuple[Path, str]:
    """The real site, built once per test run (conftest.real_site)."""
    return real_site.html, real_site.warnings


def normalise(text: str) -> str:
    text = re.sub(r"[”“„\"]", '"', text)
    return " ".join(text.split())


def seed_sentences() -> list[str]:
    """Every sentence of the seed's body (title and compile line are rendered differently)."""
    headings = {label for _, label in SECTIONS}
    sentences = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line in headings or line.startswith(("Regional rapport", "Sammanställt:")):
            continue
        line = re.sub(r"^- ", "", line)
        line = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", line)
        sentences.extend(s for s in re.split(r"(?<=[.!?])\s+", line) if s)
    return sentences


#: what the real site still lacks, because the source material names neither a contact
#: route nor the address the site is published at: the build names each gap once
#: (conf.py's line numbers left out), and warns about nothing else
KNOWN_GAPS = [
    "rapport.toml: WARNING: html_baseurl är den lokala förhandsadressen http://127.0.0.1:8000/; flödet och "
    "webbplatskartan leder då bara till den här datorn. Ange den publicerade adressen, fyll i webbadress i "
    "rapport.toml (eller för ett bygge: make site RAPPORT_BASE_URL=https://…/) [rapport.base-url]",
    "rapport.toml: WARNING: [kontakt] i rapport.toml saknar kontaktuppgift (epost, telefon eller webbadress); "
    "rapportsidorna visar därför ingen kontakt för serien [rapport.contact-missing]",
    "docs/tillganglighet.md:13: WARNING: Tillgänglighetsredogörelsen saknar kontaktväg: fyll i "
    "[tillganglighetskontakt] (eller [kontakt]) i rapport.toml, till exempel epost = \"…\", eller i skrivbordets "
    "Inställningar "
    "[rapport.contact-missing]",
]


def test_real_site_builds_without_warnings_but_its_known_gaps(site):
    _, stderr = site
    lines = [
        re.sub(r"^(conf\.py|rapport\.toml):\d+:", r"\1:", line.replace(f"{REPO}/", "")) for line in stderr.splitlines()
    ]
    assert sorted(lines) == sorted(KNOWN_GAPS)


def test_every_sentence_of_the_seed_is_on_its_page(site):
    html, _ = site
    page = BeautifulSoup((html / SEED_PAGE).read_text(encoding="utf-8"), "html.parser")
    text = normalise(page.select_one("article").get_text())  # no separator: links sit inside sentences
    sentences = seed_sentences()
    assert len(sentences) > 40
    missing = [s for s in sentences if normalise(s) not in text]
    assert missing == []


def test_seed_page_has_all_eight_sections_in_order_in_its_toc(site):
    html, _ = site
    page = BeautifulSoup((html / SEED_PAGE).read_text(encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "sv"
    sections = page.select("article section.rapport-avsnitt")
    assert [(s["id"], s.h2.contents[0].strip()) for s in sections] == SECTIONS
    toc = [a["href"] for a in page.select("#pst-secondary-sidebar li.toc-entry > a")]
    assert toc == [f"#{key}" for key, _ in SECTIONS]
    assert page.select_one("p.rapport-meta").get_text() == "Sammanställt 25 september 2025 kl. 8.30"
    assert len(page.select("h1")) == 1


def test_placeholder_links_are_text_not_dead_links(site):
    html, _ = site
    page = BeautifulSoup((html / SEED_PAGE).read_text(encoding="utf-8"), "html.parser")
    assert not page.select('article a[href="#"]')
    assert not page.select('article a[href=""]')


def test_landing_page_shows_the_seed_report_as_latest(site):
    html, _ = site
    page = BeautifulSoup((html / "index.html").read_text(encoding="utf-8"), "html.parser")
    latest = page.select_one(".rapport-senaste")
    assert latest.select_one("a")["href"] == SEED_PAGE
    assert "Sammanställt 25 september 2025 kl. 8.30" in latest.get_text()
