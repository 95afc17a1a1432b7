"""The PDF build lays out and prepares only what changed (rapport.pdf.builder, issue 15).

The builder used to make print HTML of every report in every build, only to find in its
cache that nothing had changed (7.5 s at 520 reports). Now it asks Sphinx which
documents are outdated, like the HTML builder: a report whose source is newer than its
PDF, plus what the ``env-updated`` handlers say another page's change made stale, per
builder. These tests show that a change elsewhere still reaches a report's PDF, and
that an untouched report is taken from the cache.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from trusttools import build, pdftotext

from rapport.pdf.builder import DEFAULT_TEMPLATES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas"),
]

OLD, NEW = "Beslutade om test ett", "Beslutade om en ny titel"


def _timings(out: Path) -> dict:
    return json.loads((out / ".timings.json").read_text(encoding="utf-8"))


def test_a_decision_renamed_elsewhere_reaches_the_report_pdf(tmp_path, rootdir):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    out = build(src, tmp_path / "b", "rapportpdf").outdir
    report_pdf = out / "rapporter" / "2025" / "2025-01-01.pdf"
    untouched = out / "rapporter" / "2025" / "2025-01-06.pdf"
    assert OLD in " ".join(pdftotext(report_pdf).split())
    untouched_mtime = untouched.stat().st_mtime_ns

    register = src / "beslutsregister.md"
    register.write_text(register.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    out = build(src, tmp_path / "b", "rapportpdf").outdir
    text = " ".join(pdftotext(report_pdf).split())
    assert NEW in text and OLD not in text
    laid_out = set(_timings(out)["reports"])
    assert "rapporter/2025/2025-01-01" in laid_out
    assert "rapporter/2025/2025-01-06" not in laid_out
    assert untouched.stat().st_mtime_ns == untouched_mtime


def test_nothing_changed_lays_out_nothing_and_keeps_the_bundle(tmp_path, rootdir):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    out = build(src, tmp_path / "b", "rapportpdf").outdir
    assert _timings(out)["reports"]
    pdfs = sorted(out.rglob("*.pdf"))
    before = {p: p.stat().st_mtime_ns for p in pdfs}
    (out / ".timings.json").unlink()
    out = build(src, tmp_path / "b", "rapportpdf").outdir
    # nothing outdated: no print HTML, no layout, no bundle (the timings of a build that
    # wrote something are not even written)
    assert not (out / ".timings.json").exists()
    assert {p: p.stat().st_mtime_ns for p in sorted(out.rglob("*.pdf"))} == before


def test_a_changed_print_stylesheet_lays_out_every_report_again(tmp_path, rootdir):
    """No source changed, so Sphinx calls nothing outdated: the cache entries' pipeline
    (stylesheets, fonts, templates, PDF variant) must still send every report to layout."""
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    shutil.copytree(DEFAULT_TEMPLATES, src / "_mallar" / "print")  # the project's own print templates
    out = build(src, tmp_path / "b", "rapportpdf", templates_path=["_mallar"]).outdir
    count = len(_timings(out)["reports"])
    css = src / "_mallar" / "print" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { letter-spacing: 0.01em; }\n", encoding="utf-8")
    out = build(src, tmp_path / "b", "rapportpdf", templates_path=["_mallar"]).outdir
    assert count and len(_timings(out)["reports"]) == count


def test_a_bundle_that_cannot_be_assembled_is_one_warning_and_the_reports_stay(tmp_path, rootdir, monkeypatch):
    from rapport.pdf import builder as pdf_builder

    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-registry", src)
    dump = pdf_builder.BundleSpec.dump

    def broken(spec, path):  # a part's PDF gone before the bundle's process opens it
        object.__setattr__(spec.parts[0], "path", str(tmp_path / "borta.pdf"))
        dump(spec, path)

    monkeypatch.setattr(pdf_builder.BundleSpec, "dump", broken)
    result = build(src, tmp_path / "b", "rapportpdf")
    assert [w for w in result.warnings if "pdf-failed" in w] == [
        "WARNING: Samlingsvolymen kunde inte skapas: FileNotFoundError: [Errno 2] No such file or directory: "
        f"'{tmp_path / 'borta.pdf'}' [rapport.pdf-failed]"
    ]
    assert not (result.outdir / "samlingsvolym.pdf").exists()
    assert (result.outdir / "rapporter" / "2025" / "2025-01-01.pdf").is_file()
    assert "Traceback" not in "\n".join(result.warnings)
