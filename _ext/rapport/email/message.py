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
    # "=?charset?q?...?=" in a title is text, never an RFC 2047 encoded word: some
    # versions of the email package decode such a word while folding and write the
    # line break it holds into the header (CVE-2024-6923)
    cleaned = cleaned.replace("=?", "= ?")
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
    data = head + body
    # every copy is parsed back before it leaves (see verify_message)
    address = to.rsplit("<", 1)[-1].rstrip(">").strip()
    verify_message(data, address)
    return data, message_id


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


# -- proofs, corrections and the check of every message before it leaves -------------------

#: the top-level headers a message of ours may have; anything else (a Bcc: smuggled in by
#: a title, an encoded word that decodes to a line break) stops the message
ALLOWED_HEADERS = frozenset(
    {
        "from",
        "to",
        "date",
        "message-id",
        "subject",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-language",
        "x-rapport-version",
    }
)
_SINGLE = ("from", "to", "date", "message-id", "subject")


def verify_message(data: bytes, to: str | None = None) -> None:
    """Parse ``data`` back and refuse it unless its headers are exactly what we meant.

    Not relying on the ``email`` package's folding: some versions fold an RFC 2047
    encoded word that decodes to CR/LF into a real header (CVE-2024-6923). Every header
    name must be one of :data:`ALLOWED_HEADERS`, the single ones present at most once,
    and no decoded value may hold a line break or another control character.
    """
    from email import message_from_bytes

    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise HeaderError("meddelandet har inget huvud")
    head = data[: end + 2]
    if b"\n" in head.replace(b"\r\n", b"") or b"\r" in head.replace(b"\r\n", b""):
        raise HeaderError("meddelandets huvud har en ensam radbrytning")
    parsed = message_from_bytes(data[: end + 4], policy=policy.default)
    names = [name.lower() for name in parsed.keys()]
    for name in names:
        if name not in ALLOWED_HEADERS:
            raise HeaderError(f"meddelandet skulle få huvudet ”{name}”, som inte hör dit; inget skickas")
    for name in _SINGLE:
        if names.count(name) > 1:
            raise HeaderError(f"meddelandet skulle få huvudet ”{name}” två gånger; inget skickas")
    for name, value in parsed.items():
        text = str(value)
        if has_line_break(text) or any(unicodedata.category(ch) == "Cc" for ch in text):
            raise HeaderError(f"huvudet ”{name}” skulle innehålla en radbrytning eller ett styrtecken; inget skickas")
    if to is not None:
        got = parsed.get("To")
        addresses = [a.addr_spec.lower() for a in getattr(got, "addresses", ())] if got is not None else []
        if addresses != [to.lower()]:
            raise HeaderError("meddelandets To: är inte mottagarens egen adress; inget skickas")


def _replace_parts(stored: bytes, edit_text, edit_html) -> bytes:  # noqa: ANN001
    from email import message_from_bytes

    message = message_from_bytes(stored, policy=policy.SMTP)
    for part in message.walk():
        if part.get_content_maintype() == "multipart" or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            part.set_content(edit_text(part.get_content()), subtype="plain", charset="utf-8", cte="quoted-printable")
        elif kind == "text/html":
            part.set_content(edit_html(part.get_content()), subtype="html", charset="utf-8", cte="quoted-printable")
        else:
            continue
        part["Content-Language"] = "sv"
    return message.as_bytes()


PROOF_LABEL = "Korrektur – ej godkänd"


def mark_proof(stored: bytes, code: str, how_to_approve: str) -> bytes:
    """The edition as a proof: a banner with the version code on top of both parts."""
    line = f"{PROOF_LABEL}. Version {code}. Skicka inte vidare."
    text_banner = f"{line}\nGodkänns med: {how_to_approve}\n{'=' * 60}\n\n"
    html_banner = (
        '<div style="border:3px solid #b00020;padding:12px;margin:0 0 16px 0;'
        'font-family:Arial,Helvetica,sans-serif;font-size:16px;color:#1a1a1a;background:#fff4f4">'
        f'<p style="margin:0;font-weight:bold;font-family:Arial,Helvetica,sans-serif">{_esc(PROOF_LABEL)}</p>'
        f'<p style="margin:4px 0 0 0;font-family:Arial,Helvetica,sans-serif">Version {_esc(code)}. '
        "Skicka inte vidare.</p></div>"
    )

    def in_html(document: str) -> str:
        return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + html_banner, document, count=1)

    return _replace_parts(stored, lambda t: text_banner + t, in_html)


def correction_message(title: str, correction: dict[str, str], page_url: str, sender: str = "") -> bytes:
    """The short message "Rättelse: <title>": what was wrong, what is right, a link."""
    subject = header_text(f"Rättelse: {title}", "Ämnesraden")
    lines = [f"Rättelse {correction['datum']} i {title}", ""]
    if correction.get("fel"):
        lines.append(f"Tidigare stod det: {correction['fel']}")
    if correction.get("ratt"):
        lines.append(f"Rätt är: {correction['ratt']}")
    lines += ["", f"Den rättade rapporten: {page_url}", ""]
    font = "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a"
    paragraphs = "".join(
        f'<p style="margin:0 0 12px 0;{font}">{body}</p>'
        for body in (
            (f"<strong>Tidigare stod det:</strong> {_esc(correction['fel'])}" if correction.get("fel") else ""),
            (f"<strong>Rätt är:</strong> {_esc(correction['ratt'])}" if correction.get("ratt") else ""),
            f'<a href="{_esc(page_url)}" style="{font};color:#0b57a4;text-decoration:underline">Läs den rättade rapporten</a>',
        )
        if body
    )
    document = f"""<!DOCTYPE html>
<html lang="sv" xml:lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(subject)}</title></head>
<body style="margin:0;padding:16px;background:#ffffff">
<div lang="sv" style="max-width:{MAX_WIDTH}px;margin:0 auto">
<h1 style="margin:0 0 12px 0;font-family:Arial,Helvetica,sans-serif;font-size:20px;color:#1a1a1a">{_esc(f"Rättelse {correction['datum']}")}</h1>
<p style="margin:0 0 12px 0;{font}">{_esc(title)}</p>
{paragraphs}
</div>
</body>
</html>
"""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    if sender:
        message["From"] = sender
    message.set_content("\n".join(lines), subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(document, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in message.iter_parts():
        part["Content-Language"] = "sv"
    return message.as_bytes()
