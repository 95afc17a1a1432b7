"""What a reader meets on every page: Swedish controls, breadcrumbs, downloads, contacts.

- Setup: the Swedish catalog for the themes' interface strings that have no Swedish of
  their own (``locale/sv/LC_MESSAGES/sphinx.po``: "System Settings", "Back to top", ...),
  added as a fallback of Sphinx's "sphinx" catalog, so Sphinx's own Swedish still wins.
- Parsing: the ``tillganglighetskontakt`` directive of the accessibility statement says
  how to report a problem, from ``rapport_accessibility_contact`` (else
  ``rapport_contact``); while neither has a way to reach anyone, the page says so and
  the build warns at the directive's line.
- ``builder-inited``: one warning when the web site or the PDFs are built with the local
  preview address as ``html_baseurl`` (the feed, sitemap and PDF links would point at
  the writer's own computer), and one when ``rapport_contact`` is set but empty.
- ``doctree-resolved`` (web builders, after :mod:`rapport.site.pdflinks` put the
  report's own PDF link in): a report's downloads block, its PDF, the collected volume
  and the registers as PDFs, "Prenumerera" (the Atom feed) and the series' contact.
- ``html-page-context``: the breadcrumb trail (Start › Arkiv › 2025 › 25 september
  2025) for ``_templates/breadcrumbs.html``, and the preview flag that makes
  placeholder links visible to the writer (``_templates/layout.html``).
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from rapport import events, settingsfile
from rapport.config import _setting_line, is_local_address, is_report, settings
from rapport.messages import warn
from rapport.pdf.builder import RapportPdfBuilder, pdf_dir
from rapport.series import nav_title
from rapport.site.feed import FEED_FILE

if TYPE_CHECKING:
    from sphinx.application import Sphinx

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
WEB_BUILDERS = ("html", "dirhtml")
_YEAR_PAGE_RE = re.compile(r"(?:^|/)(\d{4})/index$")
#: the titles of pages Sphinx writes without a source (their context has no title)
BUILDER_PAGES = {"search": "Sök"}


# -- contacts ------------------------------------------------------------------------------


def reachable(contact: dict[str, str] | None) -> bool:
    """Whether ``contact`` gives a way to reach someone (not only a name)."""
    return bool(contact) and any((contact or {}).get(key, "").strip() for key in ("epost", "telefon", "webbadress"))


def contact_nodes(contact: dict[str, str], with_name: bool = True) -> list[nodes.Node]:
    """ "Namn, e-post x@y, telefon 010-…, webbformulär" as inline nodes, links where useful."""
    parts: list[list[nodes.Node]] = []
    if with_name and contact.get("namn", "").strip():
        parts.append([nodes.Text(contact["namn"].strip())])
    if contact.get("epost", "").strip():
        address = contact["epost"].strip()
        parts.append([nodes.Text("e-post "), nodes.reference(address, address, refuri=f"mailto:{address}")])
    if contact.get("telefon", "").strip():
        parts.append([nodes.Text(f"telefon {contact['telefon'].strip()}")])
    if contact.get("webbadress", "").strip():
        url = contact["webbadress"].strip()
        parts.append([nodes.reference("webbformulär", "webbformulär", refuri=url)])
    result: list[nodes.Node] = []
    for index, part in enumerate(parts):
        if index:
            result.append(nodes.Text(", "))
        result.extend(part)
    return result


class AccessibilityContactDirective(SphinxDirective):
    """``tillganglighetskontakt``: how to report an accessibility problem, from conf.py."""

    has_content = False
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        values = settings(self.config).values
        contact = values.accessibility_contact if reachable(values.accessibility_contact) else values.contact
        para = nodes.paragraph(classes=["rapport-tillganglighetskontakt"])
        self.set_source_info(para)
        if reachable(contact):
            contact = contact or {}
            # "Kontakta Kommunikationsenheten: e-post …, telefon …." or "Kontakta oss: …"
            para += nodes.Text(f"Kontakta {contact.get('namn', '').strip() or 'oss'}: ")
            para += contact_nodes(contact, with_name=False)
            para += nodes.Text(".")
            return [para]
        text = "Här ska det stå hur du når oss: e-post, telefon eller ett webbformulär. Uppgiften är inte ifylld ännu."
        para += nodes.Text(text)
        warn(
            "contact-missing",
            "Tillgänglighetsredogörelsen saknar kontaktväg: fyll i [tillganglighetskontakt] (eller [kontakt]) "
            'i rapport.toml, till exempel epost = "…", eller i skrivbordets Inställningar',
            para,
        )
        return [para]


# -- warnings once per build ---------------------------------------------------------------


def _warn_once_per_build(app: Sphinx) -> None:
    # a setting missing from conf.py is named at conf.py:1 (where to add it); a bare path
    # would be taken for a docname and shown as "conf.py.md". A project with rapport.toml
    # is told the key and line there, where the writer (or the desk) sets it.
    conf = os.path.join(app.confdir, "conf.py")
    toml = settings(app.config).values.settings_file
    name = app.builder.name
    if name in (*WEB_BUILDERS, RapportPdfBuilder.name) and not settings(app.config).values.preview:
        base = app.config.html_baseurl or ""
        if base and is_local_address(base):
            outputs = "länkarna i PDF:erna" if name == RapportPdfBuilder.name else "flödet och webbplatskartan"
            if toml:
                where = f"{toml}:{settingsfile.line_of(toml, 'webbadress') or 1}"
                how = "fyll i webbadress i rapport.toml (eller för ett bygge: make site RAPPORT_BASE_URL=https://…/)"
            else:
                where = _setting_line(conf, "html_baseurl") or f"{conf}:1"
                how = "till exempel make site RAPPORT_BASE_URL=https://…/"
            warn(
                "base-url",
                f"html_baseurl är den lokala förhandsadressen {base}; {outputs} leder då bara till den här datorn. "
                f"Ange den publicerade adressen, {how}",
                where,
            )
    contact = settings(app.config).values.contact
    if name in WEB_BUILDERS and contact is not None and not reachable(contact):
        if toml:
            where, what = f"{toml}:{settingsfile.line_of(toml, 'kontakt') or 1}", "[kontakt] i rapport.toml"
        else:
            where, what = _setting_line(conf, "rapport_contact") or f"{conf}:1", "rapport_contact"
        warn(
            "contact-missing",
            f"{what} saknar kontaktuppgift (epost, telefon eller webbadress); rapportsidorna visar "
            "därför ingen kontakt för serien",
            where,
        )


# -- a report's downloads ------------------------------------------------------------------


def _relative(app: Sphinx, fromdoc: str, path: str) -> str:
    here = posixpath.dirname(app.builder.get_target_uri(fromdoc))
    return posixpath.relpath(path, here or ".")


def _more_pdfs(app: Sphinx, docname: str) -> list[tuple[str, str]]:
    """(text, href) of the collected volume and the appendices, where their PDFs exist."""
    found = []
    folder = pdf_dir(app.config)
    bundle = f"{settings(app.config).values.pdf_bundle}.pdf"
    if (folder / bundle).is_file():
        found.append(("Samlingsvolym med alla rapporter", _relative(app, docname, f"pdf/{bundle}")))
    for appendix in settings(app.config).values.pdf_appendices:
        if appendix in app.env.titles and (folder / f"{appendix}.pdf").is_file():
            found.append((app.env.titles[appendix].astext(), _relative(app, docname, f"pdf/{appendix}.pdf")))
    return found


def _add_downloads(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The report page's block under its compiled date: its PDF (from pdflinks), the other
    PDFs, "Prenumerera" and the contact, the way public report series show them."""
    if app.builder.name not in WEB_BUILDERS or not is_report(app.config, docname):
        return
    box = nodes.container(classes=["rapport-hamta"])
    own = next(iter(doctree.findall(lambda n: isinstance(n, nodes.paragraph) and "rapport-pdf" in n["classes"])), None)
    anchor = own or next(
        iter(doctree.findall(lambda n: isinstance(n, nodes.paragraph) and "rapport-meta" in n["classes"])), None
    )
    if anchor is None:
        return
    parent = anchor.parent
    position = parent.index(anchor) + (0 if anchor is own else 1)
    if own is not None:
        parent.remove(own)
        box += own
    # a correction notice stays right under the date, above the downloads: it changes
    # what the reader is about to read (a dated change note, as GOV.UK places it)
    while (
        position < len(parent)
        and isinstance(parent[position], nodes.Element)
        and "rapport-rattelse" in parent[position]["classes"]
    ):
        position += 1
    # the rest behind one line ("Fler PDF-filer, prenumeration …"), so that on a phone the
    # report's summary is on the first screen (issue 24); <details> needs no script
    contact = settings(app.config).values.contact
    more = _more_pdfs(app, docname)
    label = "Fler PDF-filer, prenumeration" if more else "Prenumeration"
    if reachable(contact):
        label += " och kontakt"
    box += nodes.raw("", f'<details class="rapport-hamta-mer"><summary>{label}</summary>\n', format="html")
    if more:
        box += nodes.paragraph("", "Fler PDF-filer:", classes=["rapport-hamta-rubrik"])
        listing = nodes.bullet_list()
        for text, href in more:
            link = nodes.reference(text, text, internal=False, refuri=href)
            listing += nodes.list_item("", nodes.paragraph("", "", link))
        box += listing
    feed = nodes.paragraph(classes=["rapport-prenumerera"])
    feed += nodes.reference(
        "Prenumerera på nya rapporter",
        "Prenumerera på nya rapporter",
        internal=False,
        refuri=_relative(app, docname, FEED_FILE),
    )
    feed += nodes.Text(" (Atom-flöde för nyhetsläsare)")
    box += feed
    if reachable(contact):
        para = nodes.paragraph(classes=["rapport-kontakt"])
        para += nodes.Text("Kontakt: ")
        para += contact_nodes(contact or {})
        box += para
    box += nodes.raw("", "</details>\n", format="html")
    parent[position:position] = _unsearchable(box)


def _add_draft_label(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A draft (``utkast: true``) says so at the top of its page, above the compiled date:
    the preview shows drafts among the published reports, and a writer must not mistake
    one for what readers get."""
    if app.builder.name not in WEB_BUILDERS or not is_report(app.config, docname):
        return
    from rapport.registry import get_domain
    from rapport.reports import STORE

    report = get_domain(app.env).store(STORE).get(docname)
    top = next(iter(doctree.findall(nodes.section)), None)
    if report is None or not report.draft or top is None:
        return
    label = nodes.admonition(classes=["rapport-utkast", "warning"])
    label += nodes.title("", "Utkast")
    label += nodes.paragraph(
        "",
        "Rapporten är ett utkast och inte publicerad. Den syns bara i förhandsgranskningen och "
        "kan inte skickas. Ta bort raden utkast: true när den är klar.",
    )
    top[1:1] = _unsearchable(label)


def _unsearchable(node: nodes.Element) -> list[nodes.Node]:
    """``node`` kept out of the search index: the same download links on every report
    would otherwise make every report a hit for "beslutsregister" or "PDF". (Pagefind's
    data attribute; a docutils node cannot carry one, so raw HTML wraps it. Web builders
    only, after the raw-HTML guard of the sources has run.)"""
    return [
        nodes.raw("", '<div data-pagefind-ignore="all">', format="html"),
        node,
        nodes.raw("", "</div>", format="html"),
    ]


def _add_appendix_download(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The register and FAQ pages (the bundle's appendices) link their own PDF under the
    introduction, as a report page does."""
    if app.builder.name not in WEB_BUILDERS or docname not in settings(app.config).values.pdf_appendices:
        return
    if not (pdf_dir(app.config) / f"{docname}.pdf").is_file():
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    para = nodes.paragraph(classes=["rapport-nedladdning"])
    text = "Ladda ner sidan som PDF"
    para += nodes.reference(text, text, internal=False, refuri=_relative(app, docname, f"pdf/{docname}.pdf"))
    intro = next((i for i, child in enumerate(section.children) if isinstance(child, nodes.paragraph)), None)
    position = intro + 1 if intro is not None else 1
    section[position:position] = _unsearchable(para)


# -- page context --------------------------------------------------------------------------


def _crumb_label(app: Sphinx, docname: str) -> str:
    """A short label: "2025" for a year page, the date for a report, else the page title."""
    if is_report(app.config, docname):
        label = nav_title(docname)
        if label:
            return label
    match = _YEAR_PAGE_RE.search(docname)
    if match and docname != app.config.root_doc:
        return match.group(1)
    title = app.env.titles.get(docname)
    return title.astext() if title is not None else docname


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.name not in WEB_BUILDERS:
        return
    context["rapport_forhandsgranskning"] = settings(app.config).values.preview
    # the footer of every page: the feed, and the collected volume once it is built
    context["rapport_flode_url"] = _relative(app, pagename, FEED_FILE)
    bundle = f"{settings(app.config).values.pdf_bundle}.pdf"
    if (pdf_dir(app.config) / bundle).is_file():
        context["rapport_samlingsvolym_url"] = _relative(app, pagename, f"pdf/{bundle}")
    if pagename == app.config.root_doc:
        return
    relations = getattr(app.builder, "relations", {}) or {}
    chain = []
    parent = (relations.get(pagename) or [None])[0]
    while parent and parent != app.config.root_doc and parent not in chain:
        chain.append(parent)
        parent = (relations.get(parent) or [None])[0]
    trail: list[dict[str, str | None]] = [
        {"link": app.builder.get_relative_uri(pagename, doc), "title": _crumb_label(app, doc)}
        for doc in reversed(chain)
    ]
    if pagename in app.env.found_docs:
        trail.append({"link": None, "title": _crumb_label(app, pagename)})
    else:  # a page of the builder's own
        trail.append({"link": None, "title": BUILDER_PAGES.get(pagename) or context.get("title") or pagename})
    context["rapport_breadcrumbs"] = trail


def setup(app: Sphinx) -> None:
    app.add_message_catalog("sphinx", str(LOCALE_DIR))
    app.add_directive("tillganglighetskontakt", AccessibilityContactDirective)
    app.connect("builder-inited", _warn_once_per_build)
    app.connect("doctree-resolved", _add_downloads, priority=events.READER_DOWNLOADS)
    app.connect("doctree-resolved", _add_appendix_download)
    app.connect("doctree-resolved", _add_draft_label)
    app.connect("html-page-context", _page_context)
