"""The benchmark's corpus generator (bench/corpus.py) stays in step with the extension.

Not a timed test: a tiny corpus of each variant is built with zero warnings, so a
change of the agreed markup breaks here and not first in ``make bench``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import warnings_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import corpus  # noqa: E402

REPORTS = 5


def _write(tmp_path: Path, variant: str) -> tuple[Path, list[str]]:
    src = tmp_path / variant
    names = corpus.write_corpus(src, reports=REPORTS, variant=variant, decisions=8, faqs=4)
    return src, names


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first, _ = _write(tmp_path / "a", "full")
    second, _ = _write(tmp_path / "b", "full")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_corpus_declares_itself_fictitious(tmp_path: Path) -> None:
    src, names = _write(tmp_path, "full")
    assert corpus.NOTICE in (src / "index.md").read_text(encoding="utf-8")
    assert corpus.NOTICE in (src / "_standard" / "om-rapporten.md").read_text(encoding="utf-8")
    assert len(names) == REPORTS


def test_full_corpus_builds_without_warnings(make_app, tmp_path: Path) -> None:
    src, names = _write(tmp_path, "full")
    app = make_app("html", srcdir=src)
    app.build()
    assert warnings_of(app) == []
    page = BeautifulSoup((app.outdir / f"{names[-1]}.html").read_text(encoding="utf-8"), "html.parser")
    # the extension turned every avsnitt into a section (the standing ones included)
    ids = {section.get("id") for section in page.select("section")}
    assert set(corpus.SECTION_KEYS) <= ids
    assert corpus.NOTICE in page.get_text(" ")
    reports = "\n".join((src / f"{name}.md").read_text(encoding="utf-8") for name in names)
    known = corpus.known_directives()
    if "beslut" in known:
        # declared on the register pages, referred to from the reports, listed on the register
        pages = "".join(p.read_text(encoding="utf-8") for p in (src / "beslut").glob("*.md"))
        declared = re.findall(r"^:::\{beslut\} (\S+)$", pages, re.M)
        assert len(declared) == 8
        assert "{beslut}`" in reports
        assert "Omnämnt i" in (app.outdir / "beslut" / "2016.html").read_text(encoding="utf-8")
        register = BeautifulSoup((app.outdir / "beslutsregister.html").read_text(encoding="utf-8"), "html.parser")
        assert len(register.select("tr.rapport-register-rad")) == len(declared)  # every one is listed
    if "faq" in known:
        assert ":::{faq}" in "".join(p.read_text(encoding="utf-8") for p in (src / "faq").glob("*.md"))
        assert "{faq}`" in reports


def test_no_registry_corpus_builds_without_registry_markup(make_app, tmp_path: Path) -> None:
    src, names = _write(tmp_path, "no-registry")
    text = "\n".join(p.read_text(encoding="utf-8") for p in src.rglob("*.md"))
    assert "{beslut}" not in text and "{faq}" not in text
    assert re.search(r"\((RS|RF|HSN|SG|RD)-\d{4}-\d{2}-\d{2}\)", text)  # references became plain text
    assert re.search(r"^## (RS|RF|HSN|SG|RD)-\d{4}", text, re.M)  # and declarations headings
    app = make_app("html", srcdir=src)
    app.build()
    assert warnings_of(app) == []


def test_floor_corpus_builds_with_myst_only(make_app, tmp_path: Path) -> None:
    src, names = _write(tmp_path, "floor")
    text = "\n".join(p.read_text(encoding="utf-8") for p in src.rglob("*.md"))
    assert ":::{" not in text  # no custom directive is left for the floor
    app = make_app("dummy", srcdir=src)
    assert list(app.config.extensions) == ["myst_parser"]
    app.build()
    assert warnings_of(app) == []
    assert set(names) <= set(app.env.found_docs)


def test_new_report_follows_the_last_one(tmp_path: Path) -> None:
    src, names = _write(tmp_path, "full")
    docname, text = corpus.new_report_text(src)
    assert docname == "rapporter/2016/2016-02-11"  # five weekly reports from 7 January 2016
    assert "sammanstallt: 2016-02-11 08:30" in text
    assert docname not in names


@pytest.mark.parametrize("variant", corpus.VARIANTS)
def test_command_line_writes_a_source_dir(tmp_path: Path, variant: str) -> None:
    assert corpus.main([str(tmp_path / "out"), "--reports", "3", "--variant", variant]) == 0
    assert (tmp_path / "out" / "conf.py").is_file()
    assert len(list((tmp_path / "out" / "rapporter").glob("*/*-*-*.md"))) == 3
