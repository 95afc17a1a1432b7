"""The print translator: HTML5 for WeasyPrint, with source locations for layout warnings.

Writing phase of the ``rapportpdf`` builder (:mod:`rapport.pdf.builder`). A small
subclass of Sphinx's HTML5 translator: images become file URLs (or their alt text when
missing or remote), links are made to work outside the site, wide tables get a fixed
layout, and located elements carry ``data-loc`` so a layout problem found after
WeasyPrint laid the page out can be traced back to a source line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator

from rapport.config import settings
from rapport.pdf.tagging import LINK_PREFIX, PdfLink, describe

if TYPE_CHECKING:
    from rapport.pdf.builder import RapportPdfBuilder


def location(node: nodes.Node | None, fallback: str) -> str:
    """``/abs/file.md:12`` for the nearest node that knows its line, else ``fallback``."""
    while node is not None:
        source = getattr(node, "source", None)
        line = getattr(node, "line", None)
        if source and line:
            return f"{source}:{line}"
        node = node.parent
    return fallback


# -- the print translator ----------------------------------------------------------------


class StandaloneTranslator(HTML5Translator):
    """HTML5 for a document read away from the site (a PDF, an e-mail), where a link
    may have no address: it is written as its text. The e-mail translator
    (:mod:`rapport.email.builder`) shares this with the print translator."""

    def link_as_text(self, css_class: str = "") -> None:
        """Write the link being visited as a ``<span>`` of its text instead of an ``<a>``."""
        self.body.append(f'<span class="{css_class}">' if css_class else "<span>")
        self.context.append("</span>")

    def depart_reference(self, node: nodes.reference) -> None:
        if self.context and self.context[-1] == "</span>":
            self.body.append(self.context.pop())
            return
        super().depart_reference(node)


class PrintTranslator(StandaloneTranslator):
    """HTML5 for print: file URLs for images, links that work outside the site, and
    ``data-loc`` attributes so layout problems can be traced back to a source line."""

    _LOCATED = (nodes.paragraph, nodes.table, nodes.image, nodes.literal_block, nodes.figure, nodes.title)

    def __init__(self, document: nodes.document, builder: Any) -> None:
        super().__init__(document, builder)
        #: every <a> written, in order; its href is LINK_PREFIX + its index (rapport.pdf.tagging)
        self.pdf_links: list[PdfLink] = []

    def starttag(
        self, node: nodes.Element, tagname: str, suffix: str = "\n", empty: bool = False, **attributes: Any
    ) -> str:
        if tagname == "a" and attributes.get("href"):
            attributes["href"] = self._pdf_link(node, str(attributes["href"]), str(attributes.get("title") or ""))
        if isinstance(node, self._LOCATED):
            loc = location(node, "")
            if loc:
                attributes["data-loc"] = loc
        return super().starttag(node, tagname, suffix, empty, **attributes)

    def _pdf_link(self, node: nodes.Element, href: str, title: str) -> str:
        """A placeholder address for one link, its real one and description kept aside:
        WeasyPrint writes an address as the annotation's description and doubles the
        annotation of a link with inner elements (:mod:`rapport.pdf.tagging` mends both)."""
        text = node.astext()
        if isinstance(node, nodes.footnote_reference):
            text = f"Fotnot {text}"
        self.pdf_links.append(PdfLink(href, describe(text, title or node.get("reftitle", ""))))
        return f"{LINK_PREFIX}{len(self.pdf_links) - 1}"

    def visit_table(self, node: nodes.Element) -> None:
        # a table with many columns gets a fixed layout (equal columns, words broken
        # anywhere) instead of running off the page; the writer hears about it
        tgroup = node.next_node(nodes.tgroup)
        columns = int(tgroup.get("cols", 0)) if tgroup is not None else 0
        builder: RapportPdfBuilder = self.builder  # type: ignore[assignment]
        limit = settings(builder.config).values.pdf_max_columns
        if limit and columns > limit:
            node["classes"].append("bred-tabell")
            builder.note(
                "pdf-wide-table",
                f"Tabellen har {columns} kolumner; i PDF:en blir kolumnerna smala och orden bryts "
                f"(högst {limit} kolumner ryms väl)",
                location(node, builder.current_docname),
            )
        super().visit_table(node)

    def visit_image(self, node: nodes.image) -> None:
        builder: RapportPdfBuilder = self.builder  # type: ignore[assignment]
        uri = node["uri"]
        if "://" in uri or uri.startswith("data:"):
            if not uri.startswith("data:"):
                builder.note(
                    "pdf-image",
                    f"Bilden ”{uri}” ligger på nätet och hämtas inte till PDF:en; bildtexten visas i stället",
                    location(node, builder.current_docname),
                )
                self._alt_text(node)
            return super().visit_image(node)
        path = Path(builder.srcdir, uri)
        if not path.is_file():
            builder.note(
                "pdf-image",
                f"Bilden ”{uri}” finns inte; PDF:en visar bildtexten i stället",
                location(node, builder.current_docname),
            )
            self._alt_text(node)
        node["uri"] = path.as_uri()
        return super().visit_image(node)

    def _alt_text(self, node: nodes.image) -> None:
        alt = node.get("alt") or ""
        self.body.append(f'<span class="saknad-bild">[Bild saknas{": " + self.encode(alt) if alt else ""}]</span>')
        raise nodes.SkipNode

    def visit_reference(self, node: nodes.reference) -> None:
        builder: RapportPdfBuilder = self.builder  # type: ignore[assignment]
        if "refid" in node and not node.get("refuri"):
            if node["refid"] not in self.document.ids:
                builder.note(
                    "pdf-link",
                    f"Länken ”{node.astext()}” går till ”{node['refid']}”, som inte finns; i PDF:en blir den vanlig text",
                    location(node, builder.current_docname),
                )
                self.link_as_text("dod-lank")
                return
        elif node.get("refuri"):
            refuri = builder.print_uri(node["refuri"])
            if refuri is None:  # a page of the site that has no address outside it
                self.link_as_text("intern-lank")
                return
            node["refuri"] = refuri
        super().visit_reference(node)
