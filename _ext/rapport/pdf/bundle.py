"""Assembling PDFs with pikepdf: the bundle of tagged reports, links between them, PDF/UA claims.

Runs at the end of the ``rapportpdf`` build (:meth:`rapport.pdf.builder.RapportPdfBuilder.finish`),
on PDFs already written to disk. Nothing here lays anything out or needs Sphinx: every
function takes ``pikepdf`` objects or paths, so it can be tested on small PDFs alone.

:func:`assemble` puts the bundle together from a plain description (:class:`BundleSpec`)
and runs in a process of its own (:func:`main`, started by the builder with ``python -c``): qpdf keeps
every part's objects in memory until the bundle is saved, 700 MB for 520 reports, which
on top of the build's own environment took the PDF step over 1 GB. When ``rapport bygg``
asks for it (:data:`DEFER_ENV`), the builder leaves the spec for the command, which runs
the same process while the site is built (:mod:`rapport.writer.build`).

When the last bundle is there and its cache entry says how it was laid out, :func:`build`
splices the changes into it (:func:`splice`): the contents and the changed or new parts
are copied in, every other part stays where it is. A bundle made from scratch
(:func:`assemble`) is the fallback for anything :func:`splice` cannot use, and the tests
compare the two.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pikepdf

from rapport.pdf.tagging import claim_pdfua, drop_duplicate_links

#: set by ``rapport bygg`` for the PDF step: the path of a JSON file where the builder
#: leaves the bundle's spec instead of assembling it (when a bundle exists already)
DEFER_ENV = "RAPPORT_SAMLINGSVOLYM_SENARE"
#: the command that assembles a bundle from its spec: ``python -c ASSEMBLE SPEC.json``
#: (not "-m rapport.pdf.bundle": the package imports that module first, and runpy warns)
ASSEMBLE = "import sys; from rapport.pdf.bundle import main; sys.exit(main(sys.argv[1:]))"

#: on a link annotation that leads to another part of the bundle: that part's docname
#: and fragment, so a later bundle that keeps the page can point the link again
TARGET_KEY = "/RapportTarget"


def bundle_pages(path: Path) -> list[int]:

    with pikepdf.open(path) as pdf:
        return list(range(len(pdf.pages)))


#: a named destination: (page index in its file, the rest of the explicit destination)
Destination = tuple[int, list[Any]]


def named_destinations(path: Path | str) -> dict[str, Destination]:
    """The named destinations of a PDF (WeasyPrint writes one for every HTML id)."""
    with pikepdf.open(path) as pdf:
        names = pdf.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return {}
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        found = {}
        for name, dest in pikepdf.NameTree(names.Dests).items():
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.D
            if not isinstance(dest, pikepdf.Array) or len(dest) < 2 or dest[0].objgen not in pages:
                continue
            # plain Python values: the file is closed before the bundle uses them
            rest = [str(dest[1])] + [float(x) if x is not None else None for x in list(dest)[2:]]
            found[str(name)] = (pages[dest[0].objgen], rest)
        return found


def link_parts(
    bundle: Any,
    spans: list[tuple[str, int, int]],
    base: str = "",
    destinations: dict[str, dict[str, Destination]] | None = None,
) -> None:
    """In the bundle, a link to another of its parts jumps there instead of leaving the file.

    Two kinds of link lead to a part: a relative ``GoToR`` to its PDF (no published
    address) and a web address under ``base`` (the published site). With a fragment
    (``faq.html#faq-x``) the link goes to that entry's named destination in the part
    (``destinations``: docname -> name -> place), else to the part's first page. So a
    reference to an FAQ entry or a decision in a report lands on the entry in the
    appendix.
    """

    first_page = {docname: start for docname, start, _ in spans}
    destinations = destinations or {}
    for docname, start, end in spans:
        here = posixpath.dirname(docname)
        for index in range(start, end):
            for annot in bundle.pages[index].obj.get("/Annots", []):
                action = annot.get("/A")
                if action is None:
                    continue
                fragment = ""
                if TARGET_KEY in annot and action.get("/S") == "/GoTo":
                    # a link made by an earlier bundle (splice keeps its pages): again
                    target, _, fragment = str(annot[TARGET_KEY]).partition("#")
                elif action.get("/S") == "/GoToR":
                    target = posixpath.normpath(posixpath.join(here, str(action.F.F)))
                    if not target.endswith(".pdf"):
                        continue
                    if target[:-4] not in first_page:
                        # a PDF that is not a part (a page a report links to): the
                        # bundle lies at the root of the PDF folder, the part did not
                        action.F.F = action.F.UF = pikepdf.String(target)
                        continue
                    target = target[:-4]
                    if isinstance(action.get("/D"), pikepdf.String):
                        fragment = str(action.D)
                elif action.get("/S") == "/URI" and base and str(action.URI).startswith(base):
                    path, _, fragment = str(action.URI)[len(base) :].partition("#")
                    target = re.sub(r"\.html$", "", unquote(path))
                else:
                    continue
                if target not in first_page:
                    continue
                # kept for the next bundle (splice), which may move the target's pages
                annot[TARGET_KEY] = pikepdf.String(f"{target}#{fragment}" if fragment else target)
                place = destinations.get(target, {}).get(fragment) if fragment else None
                if place is not None and first_page[target] + place[0] < len(bundle.pages):
                    page_index, rest = place
                    page = bundle.pages[first_page[target] + page_index].obj
                    dest = [page, pikepdf.Name(rest[0]), *rest[1:]]
                else:
                    dest = [bundle.pages[first_page[target]].obj, pikepdf.Name.Fit]
                annot.A = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array(dest))


def link_contents(bundle: Any, front_pages: int, targets: list[int], labels: list[str] | None = None) -> None:
    """Point the contents' entries at their pages.

    The contents are rendered before the parts exist in the same file, so each entry
    links to a placeholder URI ``https://toc.invalid/N``; here the URI action becomes a
    GoTo to the real page, described by the entry's label and page (``labels``). The
    link annotations stay tagged (their Link structure elements and StructParent come
    from WeasyPrint); the duplicates WeasyPrint makes for the entry's inner boxes go.
    """
    drop_duplicate_links(bundle, range(min(front_pages, len(bundle.pages))))
    for page in bundle.pages[:front_pages]:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            if action is None or action.get("/S") != "/URI":
                continue
            uri = str(action.get("/URI"))
            match = re.fullmatch(r"https://toc\.invalid/(\d+)", uri)
            if not match or int(match.group(1)) >= len(targets):
                continue
            number = int(match.group(1))
            dest_page = bundle.pages[targets[number]].obj
            annot.A = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([dest_page, pikepdf.Name.Fit]))
            if labels and number < len(labels):
                annot.Contents = pikepdf.String(f"{labels[number]}, sidan {targets[number] + 1}")


class TaggedMerger:
    """Appends tagged PDFs to a tagged PDF, keeping each one's structure tree.

    Pages are copied first; then each source's top-level structure elements are
    re-parented under a new ``/Part`` element of the bundle's ``/Document`` and copied
    (pikepdf reuses the already copied pages for their ``/Pg`` references). The
    ``/ParentTree`` (marked content and annotation -> structure element) is renumbered:
    every ``StructParents``/``StructParent`` key gets the running offset. Named
    destinations of internal links are resolved to explicit ones first, because every
    report has the same anchor names (``sammanfattning``, ...).
    """

    def __init__(self, bundle: Any) -> None:

        self.pikepdf = pikepdf
        self.bundle = bundle
        root = bundle.Root.StructTreeRoot
        self.root = root
        self.document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
        self.nums = root.ParentTree.Nums
        # a number tree's keys are in ascending order (ISO 32000-1, 7.9.7)
        self.next_key = int(self.nums[len(self.nums) - 2]) + 1 if len(self.nums) else 0

    def append(self, src: Any, title: str) -> tuple[int, int]:
        """Append ``src`` as a part titled ``title``; the structure parent keys it was
        given, ``[start, end)``."""
        pikepdf = self.pikepdf
        resolve_named_destinations(src)
        first = len(self.bundle.pages)
        self.bundle.pages.extend(src.pages)
        src_root = src.Root.get("/StructTreeRoot")
        if src_root is None:
            return (self.next_key, self.next_key)  # untagged: its content stays unstructured
        offset = self.next_key
        src_doc = src_root.K[0] if isinstance(src_root.K, pikepdf.Array) else src_root.K
        kids = src_doc.K if isinstance(src_doc.K, pikepdf.Array) else pikepdf.Array([src_doc.K])
        part = src.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Part, K=kids, T=pikepdf.String(title))
        )
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary):
                kid.P = part
        self.adopt(src, [part], first)
        return (offset, self.next_key)

    def adopt(self, src: Any, elements: list[Any], first: int) -> None:
        """Put ``src``'s top-level structure ``elements`` under the bundle's document and
        its parent tree after the highest key; ``src``'s pages are already the bundle's
        pages from ``first`` on, and their keys are shifted to match."""
        offset = self.next_key
        for element in elements:
            # copy_foreign takes indirect objects only
            copied = self.bundle.copy_foreign(element if element.is_indirect else src.make_indirect(element))
            copied.P = self.document
            self.document.K.append(copied)
        src_nums = src.Root.StructTreeRoot.ParentTree.Nums
        highest = -1
        for i in range(0, len(src_nums), 2):
            number = int(src_nums[i])
            highest = max(highest, number)
            self.nums.append(number + offset)
            value = src_nums[i + 1]
            self.nums.append(self.bundle.copy_foreign(value if value.is_indirect else src.make_indirect(value)))
        for page in self.bundle.pages[first:]:  # a slice: list() of all pages made this O(n²)
            _shift_keys(page.obj, offset)
        self.next_key = offset + highest + 1


def resolve_named_destinations(src: Any) -> None:

    names = src.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    tree = pikepdf.NameTree(names.Dests)
    for page in src.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            dest = annot.get("/Dest")
            if action is not None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            if isinstance(dest, (pikepdf.String, pikepdf.Name)) and str(dest).lstrip("/") in tree:
                resolved = tree[str(dest).lstrip("/")]
                if isinstance(resolved, pikepdf.Dictionary):
                    resolved = resolved.D
                if action is not None:
                    action.D = resolved
                else:
                    annot.Dest = resolved


# -- the bundle, in a process of its own ---------------------------------------------------


@dataclass(frozen=True)
class BundlePart:
    docname: str
    path: str
    title: str  # the structure element's title (the report's own)
    label: str  # the outline's entry (the contents' text)
    pages: int
    #: (title, level, page, top) of the part's headings; level 2 and deeper go in the outline
    bookmarks: list[tuple[str, int, int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class BundleSpec:
    front: str  # the cover and contents, already laid out
    front_pages: int
    parts: list[BundlePart]
    target: str
    title: str
    base: str = ""  # the published site's address, for links to parts
    appendices: list[str] = field(default_factory=list)  # docnames whose named destinations count
    contents: list[int] = field(default_factory=list)  # page index of each contents entry
    final: str = ""  # where the finished bundle goes (``target`` is the partial file); "" = stays
    claim_ua: bool = False  # mark it PDF/UA (WeasyPrint's PDF/A variants do not; done by assemble)
    entry: str = ""  # the cache entry that records ``key`` once the bundle is in place
    key: str = ""

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> BundleSpec:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["parts"] = [BundlePart(**{**p, "bookmarks": [tuple(b) for b in p["bookmarks"]]}) for p in data["parts"]]
        return cls(**data)


@dataclass(frozen=True)
class PartLayout:
    """Where one part sits in a finished bundle, so that the next bundle can keep it."""

    docname: str
    stamp: str  # the part's file when it was copied in (:func:`_stamp`)
    pages: int
    keys: tuple[int, int]  # its structure parent keys, ``[start, end)``


def _stamp(path: str | Path) -> str:
    """Size and modification time: the PDF builder rewrites a report's PDF only when
    its content changed, so an unchanged stamp means the same part."""
    info = os.stat(path)
    return f"{info.st_size}-{info.st_mtime_ns}"


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, pikepdf.Array) else value


@dataclass(frozen=True)
class Assembled:
    """A written bundle: its pages, and where its parts and front matter went."""

    pages: int
    parts: list[PartLayout]
    front_keys: tuple[int, int]  # the front matter's structure parent keys, ``[start, end)``
    front_kids: int  # the front matter's structure elements, first under the document


def assemble(spec: BundleSpec) -> Assembled:
    """Write the bundle: front matter, then every part with its structure tree, links
    between parts, the contents' links and the outline."""
    with pikepdf.open(spec.front) as bundle:
        merger = TaggedMerger(bundle)
        front_keys = (0, merger.next_key)
        front_kids = len(merger.document.K)
        starts, layout, sources = [], [], []
        try:
            for part in spec.parts:
                src = pikepdf.open(part.path)
                sources.append(src)
                starts.append(len(bundle.pages))
                keys = merger.append(src, part.title)
                layout.append(PartLayout(part.docname, _stamp(part.path), part.pages, keys))
            return Assembled(_finish(bundle, spec, starts), layout, front_keys, front_kids)
        finally:
            for src in sources:
                src.close()


def splice(spec: BundleSpec, last: Assembled) -> Assembled | None:
    """Write the bundle from the last one (``spec.final``, laid out as ``last``): the parts whose file did
    not change are kept where they are in that file, only the front matter and the
    changed or new parts are copied in. ``None`` when the last bundle cannot be used
    (the caller assembles from scratch).

    A new report changes the contents, itself and its neighbour; opening and copying the
    other 527 parts again took most of the 5 s a 530-part bundle took. Kept pages keep
    their structure parent keys; the front matter and the copied parts get new ones
    after the highest, and the dropped ones are cut out of the parent tree, which so
    stays in key order. Links between parts are pointed again from the target each one
    remembers (:data:`TARGET_KEY`).
    """
    if {old.docname for old in last.parts} - {part.docname for part in spec.parts}:
        return None  # a part was removed: links to it cannot be undone here
    kept = {}
    start = 0
    for index, old in enumerate(last.parts):
        kept[old.docname] = (index, start, old)
        start += old.pages
    stamps = {part.docname: _stamp(part.path) for part in spec.parts}
    if 2 * sum(stamps[d] == old.stamp for d, (_, _, old) in kept.items()) < len(spec.parts):
        return None  # most parts changed (a new stylesheet): copying them all is cheaper
    with pikepdf.open(spec.final) as bundle, pikepdf.open(spec.front) as front:
        root = bundle.Root.StructTreeRoot
        document = _first(root.K)
        old_kids = list(document.K)
        old_front_pages = len(bundle.pages) - start
        front_kids = last.front_kids
        if old_front_pages < 0 or len(old_kids) != front_kids + len(last.parts):
            return None
        old_pages = [page.obj for page in bundle.pages]
        del bundle.pages[:]
        # the parent tree is edited in place (its 22,000 entries at 520 reports are never
        # all read): kept keys stay, new ones go after the highest, so it stays in order
        merger = TaggedMerger(bundle)
        nums = merger.nums
        dropped = [last.front_keys]
        document.K = pikepdf.Array()
        offset = merger.next_key
        bundle.pages.extend(front.pages)
        new_front_kids = list(_first(front.Root.StructTreeRoot.K).K)
        merger.adopt(front, new_front_kids, 0)
        front_keys = (offset, merger.next_key)
        # what the front matter's file brings as the bundle's own (as in assemble, where
        # the bundle is that file)
        for name in ("/Names", "/Metadata", "/OutputIntents", "/ViewerPreferences", "/Lang", "/MarkInfo"):
            if name not in front.Root:
                if name in bundle.Root:
                    del bundle.Root[name]
                continue
            value = front.Root[name]
            if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
                value = bundle.copy_foreign(value if value.is_indirect else front.make_indirect(value))
            bundle.Root[name] = value

        starts, layout, sources = [], [], []
        try:
            for part in spec.parts:
                starts.append(len(bundle.pages))
                found = kept.get(part.docname)
                if found is not None and found[2].stamp == stamps[part.docname] and found[2].pages == part.pages:
                    index, first, old = found
                    for obj in old_pages[old_front_pages + first : old_front_pages + first + old.pages]:
                        bundle.pages.append(pikepdf.Page(obj))
                    document.K.append(old_kids[front_kids + index])
                    layout.append(old)
                    continue
                if found is not None:
                    dropped.append(found[2].keys)
                src = pikepdf.open(part.path)
                sources.append(src)
                keys = merger.append(src, part.title)  # its entries go after the highest
                layout.append(PartLayout(part.docname, stamps[part.docname], part.pages, keys))
            _drop_keys(nums, dropped)
            return Assembled(_finish(bundle, spec, starts), layout, front_keys, len(new_front_kids))
        finally:
            for src in sources:
                src.close()


def _drop_keys(nums: Any, ranges: list[tuple[int, int]]) -> None:
    """Remove the entries with a key in any of ``ranges`` (``[start, end)``) from a
    parent tree's ``Nums`` array (sorted by key), by binary search and slices."""

    def position(key: int) -> int:  # index of the first pair whose key is >= key
        low, high = 0, len(nums) // 2
        while low < high:
            middle = (low + high) // 2
            if int(nums[2 * middle]) < key:
                low = middle + 1
            else:
                high = middle
        return 2 * low

    for start, end in sorted(ranges, reverse=True):  # from the end: positions stay valid
        if start < end:
            del nums[position(start) : position(end)]


def _shift_keys(page: Any, offset: int) -> None:
    if "/StructParents" in page:
        page.StructParents = int(page.StructParents) + offset
    for annot in page.get("/Annots", []):
        if "/StructParent" in annot:
            annot.StructParent = int(annot.StructParent) + offset


def _finish(bundle: Any, spec: BundleSpec, starts: list[int]) -> int:
    """Links, outline and metadata of an assembled bundle; saves it to ``spec.target``."""
    parts = spec.parts
    by_docname = {p.docname: p for p in parts}
    link_contents(bundle, spec.front_pages, spec.contents or starts, [p.label for p in parts])
    link_parts(
        bundle,
        [(p.docname, start, start + p.pages) for p, start in zip(parts, starts, strict=True)],
        base=spec.base,
        destinations={d: named_destinations(by_docname[d].path) for d in spec.appendices if d in by_docname},
    )
    with bundle.open_outline() as outline:
        outline.root.clear()
        outline.root.append(pikepdf.OutlineItem("Innehåll", 1 if spec.front_pages > 1 else 0))
        for part, start in zip(parts, starts, strict=True):
            item = pikepdf.OutlineItem(part.label, start)
            # the part's own h1 is the entry itself; its sections become children
            for title, level, page, top in part.bookmarks:
                if level >= 2:
                    item.children.append(pikepdf.OutlineItem(title, start + page, "XYZ", top=top))
            outline.root.append(item)
    with bundle.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = spec.title
        if spec.claim_ua:
            # here, not by opening and saving the finished file again (2.4 s of
            # the 7.7 s a 530-part bundle took)
            claim_pdfua(meta)
    bundle.docinfo["/Title"] = spec.title
    # object streams: the parts' many small structure objects otherwise triple the
    # size. The parts' streams are compressed already: passed through as they are
    # (decoding and compressing them again took 1 of the 2 s a 530-part save took,
    # for a file of the same size)
    bundle.save(
        spec.target,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
    )
    return len(bundle.pages)


def build(spec: BundleSpec) -> int:
    """Assemble the bundle into its partial file and put it in place: the whole job of
    the bundle's process, so that the PDF build and ``rapport bygg`` (which may run it
    while the site is built) finish it the same way. Returns the number of pages.

    The cache entry (``spec.entry``) also records how the bundle was laid out; the next
    build splices its changes into this file (:func:`splice`) when the entry describes
    the file that is there."""
    result = None
    if spec.final and spec.entry and Path(spec.final).is_file():
        try:
            entry = json.loads(Path(spec.entry).read_text(encoding="utf-8"))
            if entry.get("bundle") == _stamp(spec.final):
                last = Assembled(
                    0,
                    [PartLayout(p[0], p[1], p[2], (p[3], p[4])) for p in entry["parts"]],
                    (entry["front_keys"][0], entry["front_keys"][1]),
                    int(entry["front_kids"]),
                )
                result = splice(spec, last)
        except Exception:  # noqa: BLE001 - an entry or a file splice cannot use: from scratch
            result = None
    if result is None:
        result = assemble(spec)
    if spec.final:
        os.replace(spec.target, spec.final)
        if spec.entry:
            entry = {
                "key": spec.key,
                "bundle": _stamp(spec.final),
                "front_kids": result.front_kids,
                "front_keys": list(result.front_keys),
                "parts": [[p.docname, p.stamp, p.pages, *p.keys] for p in result.parts],
            }
            Path(spec.entry).write_text(json.dumps(entry), encoding="utf-8")
    return result.pages


def main(argv: list[str]) -> int:
    """``main([SPEC.json])`` in a process of its own: prints the bundle's page count, or one
    line about what went wrong (the build shows it in its warning, never a traceback)."""
    spec = None
    try:
        spec = BundleSpec.load(Path(argv[0]))
        print(build(spec))
    except Exception as exc:  # noqa: BLE001 - one line for the build's warning
        if spec is not None and spec.final:
            Path(spec.target).unlink(missing_ok=True)
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
