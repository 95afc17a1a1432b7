"""One e-mail message: the HTML document, inlined styles, headers and MIME structure.

Pure functions, used by the ``rapportepost`` builder (writing phase) to write
``<docname>.eml`` and by ``rapport skicka`` (outside Sphinx) to put each recipient's
headers in front of it. Mail clients drop ``<style>`` blocks (Gmail on some accounts,
Outlook on the web in forwarded mail), so every rule of ``email.css`` is inlined into
``style=`` attributes with css-inline; what cannot be inlined (media queries) is not
used: the one column is fluid up to 600 px, which needs none.

Headers never carry a line break from the content: every value goes through
:func:`header_text`, and messages are made with :class:`email.message.EmailMessage`
under ``policy.SMTP``, which folds long headers itself and refuses raw newlines.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import css_inline

CSS_PATH = Path(__file__).with_name("email.css")
#: the widest the column gets: the width most mail clients' reading panes show unscaled
MAX_WIDTH = 600
_CONTROL_RE = re.compile(r"\s+")
SEPARATOR = ' <span class="skiljetecken">·</span> '


class HeaderError(ValueError):
    """A header value that would need a line break or is empty; the message is Swedish."""


def header_text(value: str, what: str = "rubriken", limit: int = 250) -> str:
    """``value`` as one header-safe line: control characters and line breaks become spaces.

    A title or front matter value can never add a header ("...\\r\\nBcc: x" stays text in
    the subject). Raises :class:`HeaderError` when nothing readable is left.
    """
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in str(value))
    cleaned = _CONTROL_RE.sub(" ", cleaned).strip()
    if not cleaned:
        raise HeaderError(f"{what} är tom")
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def has_line_break(value: str) -> bool:
    return any(ch in value for ch in "\r\n\x0b\x0c\x85\u2028\u2029")


@dataclass(frozen=True)
class Edition:
    """What one report's e-mail says, before it is turned into MIME."""

    subject: str
    series_title: str
    title: str
    page_url: str
    pdf_url: str  # "" when the report has no PDF
    pdf_label: str  # "PDF, 120 kB"
    body_html: str  # the report's content, links absolute
    text: str  # the plain-text part, complete
    audience: str  # "internt" | "publik"


def where(audience: str) -> str:
    """Where the report is published, as the reader of that edition knows it."""
    return "webbplatsen" if audience == "publik" else "intranätet"


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def html_document(edition: Edition, css: str | None = None) -> str:
    """The complete HTML part, styles inlined.

    One column, at most 600 px: a fluid ``div`` for every client, wrapped in a fixed
    600 px table for Outlook on Windows (Word's renderer ignores ``max-width``), which
    only Outlook reads (conditional comments).
    """
    css = CSS_PATH.read_text(encoding="utf-8") if css is None else css
    site = where(edition.audience)
    links = [f'<a href="{_esc(edition.page_url)}">Läs rapporten på {site}</a>']
    if edition.pdf_url:
        links.append(f'<a href="{_esc(edition.pdf_url)}">Ladda ner rapporten ({_esc(edition.pdf_label)})</a>')
    audience_note = (
        "Utgåvan för externa mottagare: den innehåller inget internt material."
        if edition.audience == "publik"
        else "Rapporten är intern information."
    )
    document = f"""<!DOCTYPE html>
<html lang="sv" xml:lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>{_esc(edition.subject)}</title>
<style>{css}</style>
</head>
<body class="epost">
<div class="ram" lang="sv">
<!--[if mso]><table role="presentation" width="{MAX_WIDTH}" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<div class="kolumn">
<p class="serie">{_esc(edition.series_title)}</p>
<p class="lankar">{SEPARATOR.join(links)}</p>
{edition.body_html}
<hr class="avdelare">
<p class="fot">{_esc(audience_note)} Rapporten finns också på {site}: <a href="{_esc(edition.page_url)}">{_esc(edition.page_url)}</a></p>
</div>
<!--[if mso]></td></tr></table><![endif]-->
</div>
</body>
</html>
"""
    return css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False).inline(document)


def build_message(edition: Edition, sender: str = "", pdf: Path | None = None, pdf_name: str = "") -> EmailMessage:
    """The recipient-independent message: Subject, From and the MIME parts.

    ``multipart/alternative`` (plain text first, HTML last: clients show the last part
    they can display), inside ``multipart/mixed`` when the PDF is attached.
    """
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = header_text(edition.subject, "Ämnesraden")
    if sender:
        message["From"] = sender
    message.set_content(edition.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html_document(edition), subtype="html", charset="utf-8", cte="quoted-printable")
    for part in message.iter_parts():
        part["Content-Language"] = "sv"
    if pdf is not None:
        message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf_name or pdf.name)
    return message


def recipient_headers(to: str, sender: str, domain: str, when: object) -> tuple[bytes, str]:
    """The headers one recipient's copy adds in front of the stored message, and its Message-ID.

    Made by :class:`EmailMessage` too, so an address with a display name in Swedish is
    encoded and folded correctly; the stored message's own headers follow them.
    """
    head = EmailMessage(policy=policy.SMTP)
    head["To"] = to
    head["Date"] = format_datetime(when)  # type: ignore[arg-type]
    message_id = make_msgid(domain=domain)
    head["Message-ID"] = message_id
    if sender:
        head["From"] = sender
    raw = head.as_bytes()
    # as_bytes() ends the headers with an empty line; the stored message supplies its own
    return raw[:-2] if raw.endswith(b"\r\n\r\n") else raw, message_id


def personalise(
    stored: bytes, to: str, sender: str, domain: str, when: object, subject_prefix: str = ""
) -> tuple[bytes, str]:
    """One recipient's message: their headers, then the stored message (From replaced)."""
    head, message_id = recipient_headers(to, sender, domain, when)
    body = _strip_headers(stored, ("from", "to", "date", "message-id") + (("subject",) if subject_prefix else ()))
    if subject_prefix:
        subject = EmailMessage(policy=policy.SMTP)
        subject["Subject"] = subject_prefix + _stored_subject(stored)
        head += subject.as_bytes()[:-2]
    return head + body, message_id


def _stored_subject(stored: bytes) -> str:
    from email import message_from_bytes

    headers_end = stored.find(b"\r\n\r\n")
    parsed = message_from_bytes(stored[: headers_end + 4], policy=policy.SMTP)
    return str(parsed["Subject"] or "")


def _strip_headers(stored: bytes, names: tuple[str, ...]) -> bytes:
    """The stored message without the named top-level headers (and their folded lines)."""
    end = stored.find(b"\r\n\r\n")
    head, rest = stored[: end + 2], stored[end + 2 :]
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\r\n"):
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        skipping = name in names
        if not skipping:
            kept.append(line)
    return b"\r\n".join(kept) + b"\r\n" + rest
