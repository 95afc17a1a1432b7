"""A report's version: a digest of what readers get, not of the source file.

Writing phase of the ``rapportepost`` builder (``doctree-resolved``): for every report
page, :func:`write_version_text` writes ``<docname>.version.txt`` beside the e-mail
edition. The text is the resolved doctree the web page, the PDF and the e-mail are all
written from (the report's own text, the standing sections inserted into it, the
correction notices, every link's address), followed by the full records of the
decisions and FAQ entries the page cites (so renaming a cited decision, or changing
its text on another page, is a new version even where the report links it with a text
of its own), and the facts the PDF and e-mail add around it (title, date, audience).

Outside Sphinx, :func:`version_code` turns that text into the short code writers
approve (``rapport godkänn RAPPORT --version KOD``) and :func:`diff` shows a readable
text diff between two versions.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from rapport import events
from rapport.config import is_report, settings
from rapport.entries.references import STORE as REFERENCE_STORE
from rapport.entries.references import get_index
from rapport.registry import get_domain
from rapport.reports import STORE as REPORT_STORE

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SUFFIX = ".version.txt"
#: the builder whose run (``rapport skicka``, ``rapport bygg``) leaves the version texts
BUILDER = "rapportepost"
CODE_LENGTH = 8

_BLOCKS = (nodes.paragraph, nodes.title, nodes.term, nodes.field_name, nodes.rubric, nodes.caption, nodes.line)


def _inline_text(node: nodes.Element) -> str:
    """A block's text with each link's address after its text (a changed address is a change)."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, nodes.reference):
            text = child.astext()
            target = child.get("refuri") or (f"#{child['refid']}" if child.get("refid") else "")
            parts.append(f"{text} <{target}>" if target else text)
        elif isinstance(child, nodes.Text):
            parts.append(child.astext())
        elif isinstance(child, nodes.Element):
            parts.append(_inline_text(child))
    return " ".join("".join(parts).split())


#: blocks that lead elsewhere rather than say something: the download box (its size and
#: presence depend on whether the PDF was built yet), the feed link, the draft label
NAVIGATION = frozenset({"rapport-pdf", "rapport-hamta", "rapport-nedladdning", "rapport-prenumerera", "rapport-utkast"})


def _navigation(node: nodes.Node) -> bool:
    current: nodes.Node | None = node
    while current is not None:
        if isinstance(current, nodes.Element) and NAVIGATION.intersection(current.get("classes", ())):
            return True
        current = current.parent
    return False


def doctree_text(doctree: nodes.Node) -> list[str]:
    """The readable lines of a resolved doctree, one per block, indented by list depth."""
    lines: list[str] = []
    for node in doctree.findall(nodes.Element):
        if not isinstance(node, _BLOCKS) and not isinstance(node, nodes.entry):
            continue
        if _navigation(node):
            continue
        if isinstance(node.parent, _BLOCKS):
            continue  # a block inside a block (a line in a line block) is part of it
        if isinstance(node, nodes.entry) and node.next_node(nodes.paragraph) is not None:
            continue  # a table cell's paragraphs are blocks of their own
        depth = 0
        parent = node.parent
        while parent is not None:
            if isinstance(parent, nodes.list_item):
                depth += 1
            parent = parent.parent
        text = _inline_text(node)
        if not text:
            continue
        bullet = "- " if depth and isinstance(node.parent, nodes.list_item) and node.parent[0] is node else ""
        if isinstance(node, nodes.title):
            text = f"# {text}"
        lines.append("  " * max(depth - 1, 0) + (bullet or ("  " if depth else "")) + text)
    return lines


def _record_lines(record: Any) -> list[str]:
    """A cited entry as stable text: its kind, id and every field but where it is declared."""
    lines = [f"[{record.kind} {record.id}]"]
    if dataclasses.is_dataclass(record):
        for field in dataclasses.fields(record):
            if field.name in ("id", "docname", "line"):
                continue
            lines.append(f"  {field.name}: {getattr(record, field.name)!s}")
    return lines


def version_text(app: Sphinx, docname: str, doctree: nodes.document) -> str:
    env = app.env
    domain = get_domain(env)
    report = domain.store(REPORT_STORE).get(docname)
    head = [
        f"titel: {report.title if report else ''}",
        f"sammanställt: {report.date_text if report else ''}",
        f"utgåva: {settings(app.config).values.audience}",
        "",
    ]
    cited: list[str] = []
    refs = domain.store(REFERENCE_STORE).get(docname, ())
    if refs:
        index = get_index(app)
        for target in sorted({ref.target for ref in refs}):
            entry = index.get(target)
            if entry is not None:
                cited.extend(_record_lines(entry))
    tail = ["", "== Hänvisade beslut och frågor ==", *cited] if cited else []
    return "\n".join([*head, *doctree_text(doctree), *tail]) + "\n"


def write_version_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved`` of the e-mail builder: ``<docname>.version.txt`` for each report."""
    if app.builder.name != BUILDER or not is_report(app.config, docname):
        return
    target = Path(app.builder.outdir, docname + SUFFIX)
    text = version_text(app, docname, doctree)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def version_code(text: str) -> str:
    """The short code of a version: the first hex digits of the text's SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CODE_LENGTH]


def diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """A readable line diff ("-" removed, "+" added) between two version texts."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=1
    )
    return "\n".join(lines)


def setup(app: Sphinx) -> None:
    app.connect("doctree-resolved", write_version_text, priority=events.VERSION_TEXT)
