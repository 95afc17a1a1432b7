"""The plain-text part of the e-mail edition, from a resolved doctree.

Writing phase (called by the ``rapportepost`` builder). The text part is what a reader
sees in a client that shows no HTML, in a screen reader's plain mode and in many
phones' previews, so it has to read well on its own: the title underlined with ``=``,
section headings with ``-``, bullet points as ``-``, lines wrapped at 72 characters and
every link as a numbered reference ``[1]`` listed at the end, the way plain-text mail
has always done it (a long address in the middle of a sentence breaks the line badly).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from docutils import nodes

WIDTH = 72


class TextRenderer:
    """Renders one document; ``url_of(node)`` gives a reference node's absolute address."""

    def __init__(self, url_of: Callable[[nodes.reference], str | None]) -> None:
        self.url_of = url_of
        self.links: list[str] = []

    # inline ---------------------------------------------------------------------------

    def inline(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return str(node)
        if isinstance(
            node, (nodes.comment, nodes.raw, nodes.target, nodes.substitution_definition, nodes.system_message)
        ):
            return ""
        if isinstance(node, nodes.image):
            alt = node.get("alt") or ""
            return f"[Bild: {alt}]" if alt else "[Bild]"
        if isinstance(node, nodes.footnote_reference):
            return f"[{node.astext()}]"
        text = "".join(self.inline(child) for child in node.children)
        if isinstance(node, nodes.reference):
            url = self.url_of(node)
            if url and url.startswith("mailto:") and url[7:] == text.strip():
                return text
            if url:
                if url not in self.links:
                    self.links.append(url)
                return f"{text} [{self.links.index(url) + 1}]"
        return text

    # blocks ---------------------------------------------------------------------------

    def blocks(self, node: nodes.Node, indent: str = "") -> list[str]:
        """Paragraph-sized blocks of wrapped text, separated by empty lines by the caller."""
        out: list[str] = []
        for child in node.children:
            out.extend(self.block(child, indent))
        return out

    def block(self, node: nodes.Node, indent: str = "") -> list[str]:
        if isinstance(
            node, (nodes.comment, nodes.raw, nodes.target, nodes.substitution_definition, nodes.system_message)
        ):
            return []
        if isinstance(node, nodes.section):
            return self.blocks(node, indent)
        if isinstance(node, nodes.title):
            text = " ".join(self.inline(node).split())
            level = _section_depth(node)
            underline = "=" if level <= 1 else "-"
            return [f"{text}\n{underline * min(len(text), WIDTH)}"]
        if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            lines = []
            for number, item in enumerate(node.children, start=1):
                marker = "- " if isinstance(node, nodes.bullet_list) else f"{number}. "
                lines.append(self.list_item(item, indent, marker))
            return ["\n".join(lines)]
        if isinstance(node, nodes.paragraph):
            text = " ".join(self.inline(node).split())
            return [self.wrap(text, indent, indent)] if text else []
        if isinstance(node, (nodes.literal_block, nodes.doctest_block)):
            return ["\n".join(indent + "    " + line for line in node.astext().splitlines())]
        if isinstance(node, nodes.table):
            return [self.table(node, indent)]
        if isinstance(node, nodes.definition_list):
            out = []
            for item in node.children:
                term = " ".join(self.inline(item.next_node(nodes.term) or nodes.Text("")).split())
                body = item.next_node(nodes.definition)
                out.append(self.wrap(term, indent, indent))
                if body is not None:
                    out.extend(self.blocks(body, indent + "    "))
            return out
        if isinstance(node, nodes.Admonition):
            return self.blocks(node, indent)
        if isinstance(node, nodes.Element) and not isinstance(node, nodes.TextElement):
            return self.blocks(node, indent)  # containers (the internal box), compound, topic ...
        text = " ".join(self.inline(node).split())
        return [self.wrap(text, indent, indent)] if text else []

    def list_item(self, item: nodes.Node, indent: str, marker: str) -> str:
        parts = self.blocks(item, indent + " " * len(marker))
        if not parts:
            return indent + marker.rstrip()
        first = parts[0]
        stripped = (
            first[len(indent) + len(marker) :] if first.startswith(indent + " " * len(marker)) else first.lstrip()
        )
        parts[0] = indent + marker + stripped
        return "\n".join(parts)

    def table(self, node: nodes.table, indent: str) -> str:
        rows = []
        for row in node.findall(nodes.row):
            cells = [" ".join(self.inline(entry).split()) for entry in row.children]
            rows.append(" | ".join(cells))
        return "\n".join(self.wrap(row, indent, indent + "  ") for row in rows)

    @staticmethod
    def wrap(text: str, first: str, rest: str) -> str:
        return textwrap.fill(
            text, WIDTH, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
        )

    def references(self) -> str:
        if not self.links:
            return ""
        lines = ["Länkar", "------"]
        lines += [f"[{number}] {url}" for number, url in enumerate(self.links, start=1)]
        return "\n".join(lines)


def _section_depth(title: nodes.title) -> int:
    depth = 0
    parent = title.parent
    while parent is not None:
        if isinstance(parent, nodes.section):
            depth += 1
        parent = parent.parent
    return depth


def render_text(
    doctree: nodes.Node, url_of: Callable[[nodes.reference], str | None], head: list[str], foot: list[str]
) -> str:
    """The whole plain-text part: ``head`` lines, the report, ``foot`` lines, the links."""
    renderer = TextRenderer(url_of)
    body = renderer.blocks(doctree)
    parts = [*head, *body, *foot]
    refs = renderer.references()
    if refs:
        parts.append(refs)
    return "\n\n".join(part for part in parts if part.strip()) + "\n"
