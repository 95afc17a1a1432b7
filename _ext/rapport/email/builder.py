"""The ``rapportepost`` builder: the e-mail edition of every published report.

Writing phase. ``sphinx-build -b rapportepost`` (a step of ``rapport bygg``) writes, for
each published report, ``<outdir>/<docname>.eml``: the message without recipient
headers, ready for review in any mail program, and ``<docname>.json``, a small
manifest ``rapport skicka`` reads (title, audience, whether the report is published,
the PDF). The e-mail is made from the same resolved doctree as the page, so the
standing sections, the decisions and the "Internt" boxes are as on the page; a public
build (``rapport_audience = "publik"``) has no internal content in its doctrees, so
its e-mail edition has none either.

Every link is made absolute to the published site (``html_baseurl``): a relative link
means nothing in an inbox. Images are not sent (no external images, no tracking
pixels): a report's image is replaced by its text and the writer is told.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import textwrap
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from docutils import nodes
from sphinx.util import logging

from rapport import compat
from rapport.config import get_series, is_report, settings
from rapport.messages import warn
from rapport.pdf.records import format_size, pdf_dir
from rapport.pdf.translator import StandaloneTranslator
from rapport.registry import get_domain
from rapport.reports import STORE as REPORT_STORE
from rapport.reports import Report, is_published, today
from rapport.site.feed import FEED_FILE
from rapport.site.readers import reachable

from .message import CSS_PATH, Edition, HeaderError, build_message, header_text, where
from .text import WIDTH, render_text

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger(__name__)

#: parts of a report page that belong to the site, not to the message
_SITE_ONLY_CLASSES = {"rapport-pdf", "rapport-bladdring"}
SAFE_SCHEMES = ("http", "https", "mailto")
STAMP = ".epost-instaellningar"


class EmailTranslator(StandaloneTranslator):
    """HTML5 for mail: absolute links (a link with no address is its text), no images,
    no permalinks."""

    def visit_reference(self, node: nodes.reference) -> None:
        builder: RapportEmailBuilder = self.builder  # type: ignore[assignment]
        url = builder.absolute_url(node)
        if url is None:
            self.link_as_text()
            return
        node["refuri"] = url
        node.attributes.pop("refid", None)
        node["internal"] = False
        super().visit_reference(node)

    def visit_image(self, node: nodes.image) -> None:
        builder: RapportEmailBuilder = self.builder  # type: ignore[assignment]
        builder.note_image(node)
        alt = node.get("alt") or ""
        text = f"[Bild: {alt}]" if alt else "[Bild]"
        self.body.append(f'<span class="saknad-bild">{self.encode(text)}</span>')
        raise nodes.SkipNode

    def visit_raw(self, node: nodes.raw) -> None:
        raise nodes.SkipNode  # never markup from the source in a message


# -- the preview line and the footer -----------------------------------------------------

#: how much of the summary's first point the inbox line gets (clients show 40-140 characters)
PREVIEW_LENGTH = 150
#: after the preview text: invisible characters, so no client fills the rest of the inbox
#: line with the message's first visible text (the series name and the two links)
PREVIEW_FILLER = "&#847;&zwnj;&nbsp;" * 80
#: every hiding mechanism a client may honour (Outlook for Windows: mso-hide; Gmail,
#: Apple Mail and phones: display; the rest keep nothing visible either)
PREVIEW_STYLE = (
    "display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;"
    "overflow:hidden;mso-hide:all;visibility:hidden;color:#ffffff"
)


def preview_text(doctree: nodes.document) -> str:
    """The inbox line's text: the first point of the report's first section (the summary),
    else its first paragraph; at most :data:`PREVIEW_LENGTH` characters, cut at a word."""
    section = next(
        iter(doctree.findall(lambda n: isinstance(n, nodes.section) and "rapport-avsnitt" in n["classes"])), None
    )
    scope = section if section is not None else doctree
    first = next(iter(scope.findall(nodes.list_item)), None)
    block = next(iter((first or scope).findall(nodes.paragraph)), None)
    text = " ".join((block or first or nodes.Text("")).astext().split())
    if len(text) > PREVIEW_LENGTH:
        text = text[: PREVIEW_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:– ") + "…"
    return text


def add_preheader(message: EmailMessage, text: str) -> None:
    """Put ``text`` first in the HTML part's body, hidden: the inbox shows it next to the
    subject instead of "Regional rapport … · Läs rapporten på intranätet · …"."""
    if not text:
        return
    hidden = f'<div class="forhandstext" style="{PREVIEW_STYLE}">{html.escape(text)}{PREVIEW_FILLER}</div>'
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        document = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + hidden, part.get_content(), count=1)
        language = part.get("Content-Language")
        part.set_content(document, subtype="html", charset="utf-8", cte="quoted-printable")
        if language:
            part["Content-Language"] = language


@dataclass(frozen=True)
class Footer:
    """The end of a message: what the report page's downloads block has."""

    pdfs: list[tuple[str, str, str]]  # (title, address, size) of the other PDFs
    feed: str  # the Atom feed's address
    contact: dict[str, str]  # the series' contact (rapport_contact), {} when none reaches anyone
    reply: bool  # the message has a sender to reply to

    def _contact_parts(self, as_html: bool) -> list[str]:
        found = []
        c = self.contact
        if c.get("namn", "").strip():
            found.append(html.escape(c["namn"].strip()) if as_html else c["namn"].strip())
        if c.get("epost", "").strip():
            address = c["epost"].strip()
            found.append(f'<a href="mailto:{html.escape(address)}">{html.escape(address)}</a>' if as_html else address)
        if c.get("telefon", "").strip():
            found.append(
                f"telefon {html.escape(c['telefon'].strip())}" if as_html else f"telefon {c['telefon'].strip()}"
            )
        if c.get("webbadress", "").strip():
            url = c["webbadress"].strip()
            found.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>' if as_html else url)
        return found

    def _subscribe(self) -> str:
        if self.contact:
            return "Vill du få rapporten med e-post, eller inte längre få den? Kontakta oss (nedan)."
        if self.reply:
            return "Vill du få rapporten med e-post, eller inte längre få den? Svara på det här meddelandet."
        return ""

    def html(self) -> str:
        out = ['<div class="epost-fot">']
        if self.pdfs:
            out.append('<p class="fot-rubrik"><strong>Fler PDF-filer</strong></p><ul class="fot-lista">')
            out += [
                f'<li><a href="{html.escape(url)}">{html.escape(title)}</a> (PDF, {html.escape(size)})</li>'
                for title, url, size in self.pdfs
            ]
            out.append("</ul>")
        out.append('<p class="fot-rubrik"><strong>Prenumerera</strong></p>')
        subscribe = self._subscribe()
        out.append(
            f"<p>{html.escape(subscribe) + ' ' if subscribe else ''}Nya rapporter finns också som "
            f'<a href="{html.escape(self.feed)}">flöde för nyhetsläsare</a> (Atom).</p>'
        )
        if self.contact:
            out.append(f"<p><strong>Kontakt:</strong> {', '.join(self._contact_parts(True))}</p>")
        out.append("</div>")
        return "\n".join(out)

    def text(self) -> str:
        """The same for the plain-text part: prose wrapped at 72, each address on a line."""
        lines = []
        if self.pdfs:
            lines.append("Fler PDF-filer:")
            for title, url, size in self.pdfs:
                lines += [f"- {title} (PDF, {size}):", f"  {url}"]
            lines.append("")
        subscribe = self._subscribe()
        lines += textwrap.wrap(f"Prenumerera: {subscribe}".rstrip(), WIDTH) if subscribe else ["Prenumerera:"]
        lines += ["Nya rapporter som flöde för nyhetsläsare (Atom):", self.feed]
        if self.contact:
            lines += [""] + textwrap.wrap(f"Kontakt: {', '.join(self._contact_parts(False))}", WIDTH)
        return "\n".join(lines)


class RapportEmailBuilder(compat.HtmlDocumentBuilder):
    """``rapportepost``: ``<docname>.eml`` and ``<docname>.json`` for every report."""

    name = "rapportepost"
    default_translator_class = EmailTranslator
    epilog = "E-postutgåvan finns i %(outdir)s."

    def init(self) -> None:
        super().init()
        self._written: set[str] = set()
        self._preview = ""
        # the typed settings (rapport.config), validated once at config-inited
        self.typed = settings(self.config).values
        public_base = self.typed.email_public_base_url if self.typed.audience == "publik" else ""
        # a public list's readers may not reach the intranet: their links go to the public site
        self.base_url = public_base or self.config.html_baseurl or ""
        if self.base_url and not self.base_url.endswith("/"):
            self.base_url += "/"
        # a sender with a line break was refused (and named) by the validation
        self.sender = self.typed.email_from

    # which documents ------------------------------------------------------------------

    def settings_key(self) -> str:
        """What every message depends on besides its page: a change rewrites them all."""
        parts = [
            self.base_url,
            self.sender,
            str(self.typed.email_attach_pdf),
            str(self.typed.audience),
            CSS_PATH.read_text(encoding="utf-8"),
            Path(__file__).with_name("message.py").read_text(encoding="utf-8"),
            # the preheader and the footer (other PDFs, subscribing, the contact)
            Path(__file__).read_text(encoding="utf-8"),
            json.dumps(self.typed.contact, sort_keys=True),
        ]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def report_docnames(self) -> list[str]:
        return sorted(d for d in self.env.found_docs if is_report(self.config, d))

    def get_outdated_docs(self) -> Iterator[str]:
        stamp = Path(self.outdir, STAMP)
        try:
            same = stamp.read_text(encoding="utf-8") == self.settings_key()
        except OSError:
            same = False
        for docname in self.report_docnames():
            manifest = Path(self.outdir, docname + ".json")
            if not same or not manifest.is_file():
                yield docname
                continue
            written = manifest.stat().st_mtime
            read_at = self.env.all_docs.get(docname, 0) / 1_000_000
            pdf = self.pdf_path(docname)
            try:
                unpublished = not json.loads(manifest.read_text(encoding="utf-8")).get("publicerad")
            except (OSError, ValueError):
                unpublished = True
            # a future report becomes published by the calendar alone
            if unpublished or read_at > written or (pdf is not None and pdf.stat().st_mtime > written):
                yield docname

    # addresses ------------------------------------------------------------------------

    def page_url(self, docname: str) -> str:
        return urljoin(self.base_url, self.get_target_uri(docname)) if self.base_url else self.get_target_uri(docname)

    def pdf_path(self, docname: str) -> Path | None:
        path = pdf_dir(self.config) / f"{docname}.pdf"
        return path if path.is_file() else None

    def absolute_url(self, node: nodes.reference) -> str | None:
        """The address a link has in an inbox: external links as they are, links within
        the site on the published site; ``None`` for anything that cannot be a link."""
        refuri = node.get("refuri") or ""
        here = self.page_url(self.current_docname)
        if refuri:
            if refuri.startswith("//"):
                return "https:" + refuri
            scheme = urlsplit(refuri).scheme.lower()
            if scheme:
                return refuri if scheme in SAFE_SCHEMES else None
            return urljoin(here, refuri)
        refid = node.get("refid")
        return f"{here}#{refid}" if refid else None

    # writing --------------------------------------------------------------------------

    def note_image(self, node: nodes.image) -> None:
        warn(
            "email-image",
            f"Bilden ”{node.get('uri', '')}” skickas inte med e-posten (inga bilder i utskicket); "
            "e-postutgåvan visar bildtexten och länkar till rapporten",
            node,
        )

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        if not is_report(self.config, docname):
            return
        report = get_domain(self.env).store(REPORT_STORE).get(docname)
        if not isinstance(report, Report):
            return
        self._written.add(docname)
        published = is_published(report, self.config)
        target = Path(self.outdir, docname + ".eml")
        manifest: dict[str, Any] = {
            "rapport": docname,
            "kalla": str(self.env.doc2path(docname)),
            "titel": report.title,
            "publik": self.typed.audience == "publik",
            "utgava": self.typed.audience,
            "publicerad": published,
            "utkast": report.draft,
            "framtida": bool(report.compiled and report.compiled.date() > today(self.config)),
            "sammanstallt": report.compiled.isoformat(timespec="minutes") if report.compiled else None,
            "webbadress": self.page_url(docname),
            "basadress": self.base_url,
            "pdf": None,
            "pdf_kravs": bool(self.typed.email_attach_pdf),
            "pdf_saknas": False,
            "eml": None,
        }
        if not published:
            target.unlink(missing_ok=True)
            self._write_manifest(docname, manifest)
            return
        self.current_docname = docname
        edition, pdf = self.edition(docname, doctree, report)
        attach = bool(self.typed.email_attach_pdf)
        if attach and pdf is None:
            warn(
                "email-pdf",
                "PDF:en för rapporten saknas, så e-posten kan inte få den som bilaga "
                "(kör rapport bygg, som gör PDF:en först)",
                (docname, report.line),
            )
            manifest["pdf_saknas"] = True
        message = build_message(edition, self.sender, pdf if attach else None, posixpath.basename(docname) + ".pdf")
        add_preheader(message, self._preview)
        data = message.as_bytes()
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            tmp = target.with_suffix(".eml.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        manifest["pdf"] = str(pdf) if pdf is not None and attach else None
        manifest["eml"] = str(target)
        manifest["amne"] = str(message["Subject"])
        self._write_manifest(docname, manifest)

    def _write_manifest(self, docname: str, manifest: dict[str, Any]) -> None:
        path = Path(self.outdir, docname + ".json")
        text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
        try:
            same = path.read_text(encoding="utf-8") == text
        except OSError:
            same = False
        if not same:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        elif manifest["publicerad"]:
            # up to date: the next build need not look at it again (get_outdated_docs)
            os.utime(path)

    def edition(self, docname: str, doctree: nodes.document, report: Report) -> tuple[Edition, Path | None]:
        for node in list(doctree.findall(nodes.Element)):
            if _SITE_ONLY_CLASSES & set(node.get("classes", ())) and node.parent is not None:
                node.parent.remove(node)
        self._preview = preview_text(doctree)
        series = get_series(self.config, report.series)
        series_title = series.title if series else self.config.project
        try:
            subject = header_text(report.title or series_title, "Rapportens rubrik")
        except HeaderError:
            subject = header_text(f"{series_title} {report.date_text}")
        page = self.page_url(docname)
        pdf = self.pdf_path(docname)
        pdf_url = urljoin(self.base_url, "pdf/" + quote(docname) + ".pdf") if pdf is not None and self.base_url else ""
        pdf_label = f"PDF, {format_size(pdf.stat().st_size)}" if pdf is not None else ""

        site = where(self.typed.audience)
        head = [series_title, f"Läs rapporten på {site}:\n{page}"]
        if pdf_url:
            head.append(f"Ladda ner rapporten ({pdf_label}):\n{pdf_url}")
        public = self.typed.audience == "publik"
        note = (
            "Utgåvan för externa mottagare: den innehåller inget internt material."
            if public
            else "Rapporten är intern information."
        )
        footer = self.footer()
        text = render_text(
            doctree,
            self.absolute_url,
            head,
            [footer.text(), f"{note}\nRapporten finns också på {site}: {page}"]
            if footer
            else [f"{note}\nRapporten finns också på {site}: {page}"],
        )

        doctree.settings = self.docsettings
        visitor = self.create_translator(doctree, self)
        doctree.walkabout(visitor)
        body = "".join(visitor.fragment) + (footer.html() if footer else "")
        edition = Edition(
            subject=subject,
            series_title=series_title,
            title=report.title,
            page_url=page,
            pdf_url=pdf_url,
            pdf_label=pdf_label,
            body_html=body,
            text=text,
            audience=self.typed.audience,
        )
        return edition, pdf

    def footer(self) -> Footer | None:
        """What the page's downloads block gives a reader, for the end of the message: the
        other PDFs, how to get (or stop getting) the report, and the series' contact."""
        if not self.base_url:
            return None  # no address to link to: the message says where the report is
        folder = pdf_dir(self.config)
        pdfs = []
        bundle = f"{self.typed.pdf_bundle}.pdf"
        if (folder / bundle).is_file():
            pdfs.append(("Samlingsvolym med alla rapporter", bundle, (folder / bundle).stat().st_size))
        for appendix in self.typed.pdf_appendices:
            path = folder / f"{appendix}.pdf"
            if appendix in self.env.titles and path.is_file():
                pdfs.append((self.env.titles[appendix].astext(), f"{appendix}.pdf", path.stat().st_size))
        contact = self.typed.contact if reachable(self.typed.contact) else None
        return Footer(
            pdfs=[(text, urljoin(self.base_url, "pdf/" + quote(name)), format_size(size)) for text, name, size in pdfs],
            feed=urljoin(self.base_url, FEED_FILE),
            contact=dict(contact or {}),
            reply=bool(self.sender),
        )

    def finish(self) -> None:
        store = get_domain(self.env).store(REPORT_STORE)
        current = {
            d
            for d in self.report_docnames()
            if isinstance(store.get(d), Report) and is_published(store[d], self.config)
        }
        out = Path(self.outdir)
        # the edition of a report that was deleted or made a draft again must not stay sendable
        for path in out.rglob("*.eml"):
            relative = path.relative_to(out)
            if relative.parts[0] == "prov":
                continue
            if relative.with_suffix("").as_posix() not in current:
                path.unlink()
        stamp = Path(self.outdir, STAMP)
        if set(self.report_docnames()) <= self._written:
            stamp.write_text(self.settings_key(), encoding="utf-8")
        elif stamp.is_file() and stamp.read_text(encoding="utf-8") != self.settings_key():
            # only some reports were written with new settings: the next build writes all
            stamp.unlink()
