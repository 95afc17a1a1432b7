"""The PDF build lays out and prepares only what changed (rapport.pdf.builder, issue 15).

The builder used to make print HTML of every report in every build, only to find in its
cache that nothing had changed (7.5 s at 520 reports). Now it asks Sphinx which
documents are outdated, like the HTML builder: a report whose source is newer than its
PDF, plus what the ``env-updated`` handlers say another page's change made stale, per
builder. These tests show that a change elsewhere still reaches a report's PDF, and
that an untouched report is taken from the cache.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from trusttools import Snapshot, build, pdftotext, snapshot

from rapport.pdf import bundle
from rapport.pdf.builder import DEFAULT_TEMPLATES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas"),
]

OLD, NEW = "Beslutade om test ett", "Beslutade om en ny titel"


def _timings(out: Path) -> dict:
    return json.loads((out / ".timings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def _first_build(tmp_path_factory, rootdir) -> Snapshot:
    """roots/test-registry with its PDFs built from nothing, once for the module."""
    base = tmp_path_factory.mktemp("registry-pdf")
    shutil.copytree(rootdir / "test-registry", base / "src")
    build(base / "src", base / "b", "rapportpdf")
    return snapshot(base)


@pytest.fixture
def built_once(_first_build: Snapshot) -> tuple[Path, Path]:
    """(source folder, build folder) of that first build, put back as it left them
    (:class:`trusttools.Snapshot`): as if this test had just built it from nothing."""
    base = _first_build.restore()
    return base / "src", base / "b"


def test_a_decision_renamed_elsewhere_reaches_the_report_pdf(built_once):
    src, builddir = built_once
    out = builddir / "rapportpdf"
    report_pdf = out / "rapporter" / "2025" / "2025-01-01.pdf"
    untouched = out / "rapporter" / "2025" / "2025-01-06.pdf"
    assert OLD in " ".join(pdftotext(report_pdf).split())
    untouched_mtime = untouched.stat().st_mtime_ns

    register = src / "beslutsregister.md"
    register.write_text(register.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    out = build(src, builddir, "rapportpdf").outdir
    text = " ".join(pdftotext(report_pdf).split())
    assert NEW in text and OLD not in text
    laid_out = set(_timings(out)["reports"])
    assert "rapporter/2025/2025-01-01" in laid_out
    assert "rapporter/2025/2025-01-06" not in laid_out
    assert untouched.stat().st_mtime_ns == untouched_mtime


def test_nothing_changed_lays_out_nothing_and_keeps_the_bundle(built_once):
    src, builddir = built_once
    out = builddir / "rapportpdf"
    assert _timings(out)["reports"]
    pdfs = sorted(out.rglob("*.pdf"))
    before = {p: p.stat().st_mtime_ns for p in pdfs}
    (out / ".timings.json").unlink()
    out = build(src, builddir, "rapportpdf").outdir
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


def _bundle_summary(path: Path) -> dict:
    """What a reader and a screen reader get from a bundle: pages, the structure's parts,
    every link's target page, the outline, and a parent tree that holds every key."""
    with pikepdf.open(path) as pdf:
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        root = pdf.Root.StructTreeRoot
        document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
        nums = root.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        used, links = set(), []
        for number, page in enumerate(pdf.pages):
            if "/StructParents" in page.obj:
                used.add(int(page.obj.StructParents))
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    used.add(int(annot.StructParent))
                action = annot.get("/A")
                if action is not None and action.get("/S") == "/GoTo":
                    links.append((number, index.get(action.D[0].objgen, "saknas")))
        with pdf.open_outline() as outline:
            entries = [(item.title, index.get(item.destination[0].objgen)) for item in outline.root]
        return {
            "pages": len(pdf.pages),
            "parts": [str(kid.get("/T", kid.get("/S"))) for kid in document.K],
            "links": links,
            "outline": entries,
            "keys sorted and unique": keys == sorted(set(keys)),
            "keys used but missing": sorted(used - set(keys)),
            "keys no page uses": len(set(keys) - used),
            "title": str(pdf.open_metadata().get("dc:title")),
        }


def test_an_edit_splices_the_bundle_and_it_equals_one_made_from_scratch(built_once, tmp_path):
    """After an edit the bundle is made from the last one (bundle.splice): only the
    changed report and the contents are copied in. It must be the bundle a build from
    scratch makes: the same pages, parts, links, outline and parent tree."""
    src, builddir = built_once
    out = builddir / "rapportpdf"
    entry = json.loads((out / ".cache" / "samlingsvolym.bundle.json").read_text(encoding="utf-8"))
    assert len(entry["parts"]) >= 5 and entry["front_keys"][0] == 0
    report = src / "rapporter" / "2025" / "2025-01-06.md"
    report.write_text(report.read_text(encoding="utf-8") + "\nEn ny mening i rapporten.\n", encoding="utf-8")
    out = build(src, builddir, "rapportpdf").outdir
    spliced = json.loads((out / ".cache" / "samlingsvolym.bundle.json").read_text(encoding="utf-8"))
    # the front matter got keys after every old one: this bundle was spliced, not assembled
    assert spliced["front_keys"][0] > max(part[4] for part in entry["parts"]) - 1
    kept = [p for p, q in zip(entry["parts"], spliced["parts"], strict=True) if p == q]
    assert len(kept) == len(entry["parts"]) - 1  # all but the edited report

    spec = bundle.BundleSpec.load(out / ".cache" / "samlingsvolym.json")
    fresh = tmp_path / "fresh.pdf"
    bundle.assemble(dataclasses.replace(spec, target=str(fresh), final="", entry=""))
    assert _bundle_summary(out / "samlingsvolym.pdf") == _bundle_summary(fresh)
    summary = _bundle_summary(fresh)
    assert summary["keys sorted and unique"] and summary["keys used but missing"] == []
    assert summary["keys no page uses"] == 0
    assert any(target != "saknas" for _, target in summary["links"])
    assert "En ny mening i rapporten." in " ".join(pdftotext(out / "samlingsvolym.pdf").split())
