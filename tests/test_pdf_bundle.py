"""The bundle's assembly on its own: rapport.pdf.bundle with pikepdf, no Sphinx build.

Small tagged PDFs are made with WeasyPrint from a few lines of HTML (a cover with a
contents link, two parts, the first linking to the second), then merged as the PDF
builder merges reports, and the result is checked with pikepdf: pages, one tagged
/Part per source under the document, renumbered parent tree, links that stay inside
the file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from rapport.pdf.bundle import TaggedMerger, link_contents, link_parts
from rapport.pdf.tagging import LINK_PREFIX, RELATIVE_PREFIX, PdfLink, drop_duplicate_links, postprocess

weasyprint = pytest.importorskip("weasyprint")


def tagged_pdf(path: Path, body: str, title: str) -> Path:
    html = f'<html lang="sv"><head><title>{title}</title></head><body>{body}</body></html>'
    weasyprint.HTML(string=html).write_pdf(path, pdf_variant="pdf/ua-1", pdf_tags=True)
    return path


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp_path = tmp_path_factory.mktemp("bundle")
    cover = tagged_pdf(tmp_path / "framsida.pdf", '<h1>Samlingsvolym</h1><p><a href="https://toc.invalid/1">Del B</a></p>', "Framsida")
    # a link from part A to part B's PDF, as the print translator writes it
    a = tagged_pdf(tmp_path / "a.pdf", f'<h1>Del A</h1><p><a href="{LINK_PREFIX}0">Till B</a></p>', "Del A")
    # the placeholder becomes a relative GoToR link
    postprocess(a, claim_ua=False, links=[PdfLink(f"{RELATIVE_PREFIX}b.pdf", "Till B")])
    b = tagged_pdf(tmp_path / "b.pdf", "<h1>Del B</h1><p>Text.</p>" + "<p style='break-before: page'>Sida två.</p>", "Del B")
    return cover, a, b


def test_the_parts_are_appended_with_their_structure_under_the_document(parts):
    cover, a, b = parts
    with pikepdf.open(cover) as bundle, pikepdf.open(a) as src_a, pikepdf.open(b) as src_b:
        keys_before = len(bundle.Root.StructTreeRoot.ParentTree.Nums)
        merger = TaggedMerger(bundle)
        merger.append(src_a, "Del A")
        merger.append(src_b, "Del B")
        assert len(bundle.pages) == 1 + 1 + 2
        document = bundle.Root.StructTreeRoot.K[0] if isinstance(bundle.Root.StructTreeRoot.K, pikepdf.Array) else bundle.Root.StructTreeRoot.K
        appended = [kid for kid in document.K if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == "/Part"]
        assert [str(kid.T) for kid in appended] == ["Del A", "Del B"]
        assert all(kid.P.objgen == document.objgen for kid in appended)
        nums = bundle.Root.StructTreeRoot.ParentTree.Nums
        numbers = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert len(nums) > keys_before and len(numbers) == len(set(numbers))  # renumbered, no clash
        # every page's marked content points into the bundle's own parent tree
        assert all(int(page.obj.StructParents) in numbers for page in bundle.pages if "/StructParents" in page.obj)


def test_links_between_parts_and_from_the_contents_stay_inside_the_bundle(parts):
    cover, a, b = parts
    with pikepdf.open(cover) as bundle, pikepdf.open(a) as src_a, pikepdf.open(b) as src_b:
        merger = TaggedMerger(bundle)
        merger.append(src_a, "Del A")
        merger.append(src_b, "Del B")
        link_contents(bundle, front_pages=1, targets=[1, 2])
        link_parts(bundle, [("a", 1, 2), ("b", 2, 4)])

        def actions(index: int) -> list[pikepdf.Dictionary]:
            return [annot.A for annot in bundle.pages[index].obj.get("/Annots", []) if "/A" in annot]

        (contents,) = actions(0)  # "https://toc.invalid/1": the second entry, part B
        assert contents.S == "/GoTo" and contents.D[0].objgen == bundle.pages[2].obj.objgen
        (to_b,) = actions(1)  # part A's GoToR to b.pdf
        assert to_b.S == "/GoTo" and to_b.D[0].objgen == bundle.pages[2].obj.objgen


def test_the_bundles_own_process_imports_neither_sphinx_nor_weasyprint():
    """The bundle is assembled in a process of its own (assemble_command); importing
    Sphinx, MyST and the builder through the package took 0.37 s of every bundle."""
    ext = str(Path(__file__).resolve().parent.parent / "_ext")
    script = (
        f"import sys; sys.path.insert(0, {ext!r}); import rapport.pdf.bundle; "
        "print(sorted(m for m in ('sphinx', 'docutils', 'myst_parser', 'weasyprint') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_an_annotation_inside_another_of_the_same_link_goes_from_page_and_structure(tmp_path):
    # WeasyPrint 70 gives the <span> inside the link an annotation of its own, tagged too
    path = tagged_pdf(tmp_path / "dubbel.pdf", '<h1>Dubbel</h1><p><a href="https://x.se/"><span>Text</span></a> och '
                      '<a href="https://y.se/">annan</a></p>', "Dubbel")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        before = len(pdf.pages[0].obj.Annots)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys_before = len(nums) // 2
        assert drop_duplicate_links(pdf) == 1
        annots = pdf.pages[0].obj.Annots
        assert (before, len(annots)) == (3, 2)
        kept = {int(a.StructParent) for a in annots}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        assert len(nums) // 2 == keys_before - 1
        assert kept <= {int(nums[i]) for i in range(0, len(nums), 2)}
        pdf.save(path)
    assert drop_duplicate_links(pikepdf.open(path)) == 0
