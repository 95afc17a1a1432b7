"""What WeasyPrint's tagging leaves to do in a written PDF: links and table headers.

Writing phase of the ``rapportpdf`` builder, on a PDF WeasyPrint has just written
(:func:`postprocess`, called by :mod:`rapport.pdf.layout`); pikepdf only, no Sphinx, so
the bundle's own process (:mod:`rapport.pdf.bundle`) uses it too.

* **One annotation per link area.** WeasyPrint 70 gives every inline box inside an
  ``<a>`` (a ``<span>`` around the text, an ``<em>``) a link annotation of its own on top
  of the link's, each tagged: the seed report had 12 annotations for 6 links. The print
  translator gives every ``<a>`` a placeholder address of its own
  (:data:`LINK_PREFIX` + number), so an annotation inside another one of the same link
  is exactly the duplicate; it leaves the page and the structure tree.
* **A description a person can read.** WeasyPrint writes the address into ``/Contents``
  (PDF/UA-1 7.18.5 wants an alternate description). The translator keeps each link's
  text and its target's title (:class:`PdfLink`); the real address replaces the
  placeholder here.
* **Header cells with a scope.** WeasyPrint associates data cells with ``/Headers``;
  checkers of PDF/UA-1 (Matterhorn 15-003) look for ``/Scope`` on the header cells, so
  every ``TH`` gets ``Column`` (in the table head, or not first in its row) or ``Row``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pikepdf

#: the address every ``<a>`` of the print HTML has; ``N`` indexes the links table
LINK_PREFIX = "https://lank.invalid/"
#: a link to a sibling PDF, relative to this one (made a ``GoToR`` action here)
RELATIVE_PREFIX = "https://pdf.invalid/rel/"
#: the print HTML carries its links table in this script element (WeasyPrint shows no script)
TABLE_ID = "rapport-lankar"
_TABLE_RE = re.compile(rf'<script type="application/json" id="{TABLE_ID}">(.*?)</script>', re.DOTALL)


@dataclass(frozen=True)
class PdfLink:
    """One ``<a>`` of the print HTML: where it goes and how to describe it."""

    href: str  # "#id" (this PDF), RELATIVE_PREFIX + path (a sibling PDF) or an address
    description: str  # the link's text, and its target's title when that says more


def describe(text: str, title: str = "") -> str:
    """``text (title)``: a link's text, and its target's title where that differs."""
    text, title = " ".join(text.split()), " ".join(title.split())
    if not text:
        return title or "Länk"
    if title and title.casefold() not in text.casefold():
        return f"{text} ({title})"
    return text


def links_script(links: list[PdfLink]) -> str:
    """The links table as a script element for the print HTML (part of its cache key)."""
    data = json.dumps([asdict(link) for link in links], ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/json" id="{TABLE_ID}">{data}</script>'


def links_table(html: str) -> list[PdfLink]:
    """The links table a print HTML carries (:func:`links_script`); empty without one."""
    match = _TABLE_RE.search(html)
    return [PdfLink(**item) for item in json.loads(match.group(1))] if match else []


def postprocess(path: Path, claim_ua: bool, links: list[PdfLink] | None = None) -> None:
    """Finish a PDF WeasyPrint wrote, in place: its links (:func:`finish_links`), the
    scope of its table headers (:func:`scope_headers`), and for an archival (PDF/A-2a/3a)
    file, which is tagged too, the PDF/UA-1 identifier."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        finish_links(pdf, links or [])
        scope_headers(pdf)
        if claim_ua:
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                claim_pdfua(meta)
        pdf.save(path)


def claim_pdfua(meta: Any) -> None:
    """The PDF/UA-1 identifier in a file's XMP metadata (an open ``PdfMetadata``)."""
    meta.register_xml_namespace("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")
    meta["pdfuaid:part"] = "1"


def _uri(annot: Any) -> str:
    action = annot.get("/A")
    if action is None or action.get("/S") != "/URI":
        return ""
    return str(action.get("/URI"))


def _inside(inner: Any, outer: Any, slack: float = 0.5) -> bool:
    a = sorted((float(inner[0]), float(inner[2]))), sorted((float(inner[1]), float(inner[3])))
    b = sorted((float(outer[0]), float(outer[2]))), sorted((float(outer[1]), float(outer[3])))
    return all(b[i][0] - slack <= a[i][0] and a[i][1] <= b[i][1] + slack for i in (0, 1))


def drop_duplicate_links(pdf: Any, pages: range | None = None) -> int:
    """Remove every link annotation that lies inside another one with the same address on
    its page (WeasyPrint's annotation for a box inside the link's box), from the page and
    from the structure tree. Returns how many were removed."""
    removed = []
    for index in pages if pages is not None else range(len(pdf.pages)):
        page = pdf.pages[index].obj
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept: list[Any] = []
        keep = pikepdf.Array()
        for annot in annots:
            if annot.get("/Subtype") == "/Link":
                address = _uri(annot) or repr(annot.get("/Dest")) + repr(annot.get("/A"))
                if any(address == other and _inside(annot.Rect, rect) for other, rect in kept):
                    removed.append(annot)
                    continue
                kept.append((address, annot.Rect))
            keep.append(annot)
        if len(keep) != len(annots):
            page.Annots = keep
    if removed:
        _untag(pdf, removed)
    return len(removed)


def _untag(pdf: Any, annots: list[Any]) -> None:
    """Take removed annotations out of the structure tree: the ``OBJR`` in their
    structure element and their entry in the parent tree."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return
    gone = {a.objgen for a in annots}
    keys = {int(a.StructParent) for a in annots if "/StructParent" in a}
    nums = root.ParentTree.Nums
    keep = pikepdf.Array()
    for i in range(0, len(nums), 2):
        key, element = int(nums[i]), nums[i + 1]
        if key in keys:
            kids = element.get("/K")
            if isinstance(kids, pikepdf.Array):
                element.K = pikepdf.Array(
                    [k for k in kids if not (isinstance(k, pikepdf.Dictionary) and _objr_of(k) in gone)]
                )
            continue
        keep.append(nums[i])
        keep.append(element)
    root.ParentTree.Nums = keep


def _objr_of(kid: Any) -> tuple[int, int] | None:
    if kid.get("/Type") != "/OBJR" or "/Obj" not in kid:
        return None
    return kid.Obj.objgen


def finish_links(pdf: Any, links: list[PdfLink]) -> None:
    """Every placeholder link (:data:`LINK_PREFIX`) gets its real target and its
    description; a duplicate annotation of one link area goes first."""
    drop_duplicate_links(pdf)
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            uri = _uri(annot)
            if not uri.startswith(LINK_PREFIX):
                continue
            try:
                link = links[int(uri[len(LINK_PREFIX) :])]
            except (ValueError, IndexError):
                continue
            annot.Contents = pikepdf.String(link.description)
            href = link.href
            if href.startswith("#"):
                # as WeasyPrint writes an internal link: a named destination (one per id)
                del annot["/A"]
                annot.Dest = pikepdf.String(href[1:])
            elif href.startswith(RELATIVE_PREFIX):
                # "faq.pdf#faq-x": the other file's named destination, else its first page
                relative, _, fragment = href[len(RELATIVE_PREFIX) :].partition("#")
                annot.A = pikepdf.Dictionary(
                    S=pikepdf.Name.GoToR,
                    F=pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=relative, UF=relative),
                    D=pikepdf.String(fragment) if fragment else pikepdf.Array([0, pikepdf.Name.Fit]),
                )
            else:
                annot.A = pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.URI, URI=pikepdf.String(href))


def scope_headers(pdf: Any) -> int:
    """``/Scope`` on every ``TH`` structure element; returns how many got one."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    count = 0
    stack = [root]
    seen: set[tuple[int, int]] = set()
    while stack:
        element = stack.pop()
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        kids = element.get("/K")
        children = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        for kid in children:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                stack.append(kid)
        if element.get("/S") != "/TR":
            continue
        cells = [k for k in children if isinstance(k, pikepdf.Dictionary) and k.get("/S") in ("/TH", "/TD")]
        in_head = element.get("/P") is not None and element.P.get("/S") == "/THead"
        for position, cell in enumerate(cells):
            if cell.S != "/TH":
                continue
            scope = "/Column" if in_head or position > 0 or len(cells) == 1 else "/Row"
            attributes = cell.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
                cell.A = attributes
            attributes.Scope = pikepdf.Name(scope)
            count += 1
    return count
