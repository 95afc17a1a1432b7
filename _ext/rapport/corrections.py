"""Corrections of a sent report: the ``rattelse`` directive and its records.

A sent report is an official document, so a mistake found after sending is corrected
the way newsrooms and GOV.UK do it: a visible, dated notice, never a silent edit. The
writer records it with ``rapport rättelse`` (or the desk), which writes this block
right under the report's heading::

    :::{rattelse} 2025-10-03
    :fel: Sammanlagt berörs 250 personer.
    :ratt: Sammanlagt berörs närmare 150 personer.
    :::

Parsing phase: the directive becomes a standard ``admonition`` (class
``rapport-rattelse``) titled "Rättelse 3 oktober 2025", so the web page, the PDF and the
e-mail edition all show it from the same doctree, and a :class:`Correction` record in
the domain (store ``corrections``) so the feed can date the entry's update and the
release tools (``rapport.writer.release``) can tell a recorded correction from a
silent change. Because the notice is part of the page's text, recording a correction
makes a new version of the report (which needs sign-off when the series requires it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from rapport.dates import DateError, format_datetime, parse_datetime
from rapport.messages import warn
from rapport.registry import get_domain, register_store

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

STORE = "corrections"
DIRECTIVE = "rattelse"


@dataclass(frozen=True)
class Correction:
    docname: str
    when: dt.datetime
    has_time: bool
    wrong: str
    right: str
    note: str
    line: int

    @property
    def date_text(self) -> str:
        return format_datetime(self.when, self.has_time)


def notice_title(when: dt.datetime, has_time: bool) -> str:
    return f"Rättelse {format_datetime(when, has_time)}"


class CorrectionDirective(SphinxDirective):
    """``rattelse``: a dated correction notice (parsing phase)."""

    required_arguments = 1
    optional_arguments = 1  # "2025-10-03 14:00" arrives as two words
    has_content = True
    option_spec: ClassVar[dict[str, object]] = {
        "fel": directives.unchanged,
        "ratt": directives.unchanged,
        "rätt": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        raw = " ".join(self.arguments)
        try:
            when, has_time = parse_datetime(raw)
        except DateError:
            warn(
                "correction-invalid",
                f"Rättelsen har datumet ”{raw}”, som inte går att läsa; skriv :::{{rattelse}} ÅÅÅÅ-MM-DD",
                (self.env.docname, self.lineno),
            )
            return []
        wrong = str(self.options.get("fel", "")).strip()
        right = str(self.options.get("ratt", self.options.get("rätt", ""))).strip()
        if not right and not self.content:
            warn(
                "correction-invalid",
                "Rättelsen säger inte vad som gäller: skriv :ratt: med den rätta uppgiften",
                (self.env.docname, self.lineno),
            )
        notice = nodes.admonition("", classes=["rapport-rattelse"], role="note")
        self.set_source_info(notice)
        notice += nodes.title("", notice_title(when, has_time))
        if wrong:
            notice += nodes.paragraph("", "", nodes.strong("", "Tidigare stod det: "), nodes.Text(wrong))
        if right:
            notice += nodes.paragraph("", "", nodes.strong("", "Rätt är: "), nodes.Text(right))
        if self.content:
            notice += self.parse_content_to_nodes()
        note = "\n".join(self.content).strip()
        domain = get_domain(self.env)
        domain.store(STORE).setdefault(self.env.docname, []).append(
            Correction(self.env.docname, when, has_time, wrong, right, note, self.lineno)
        )
        return [notice]


def corrections_of(env: BuildEnvironment, docname: str) -> list[Correction]:
    """The corrections a page records, oldest first (any phase after reading)."""
    found = list(get_domain(env).store(STORE).get(docname, ()))
    return sorted(found, key=lambda c: c.when)


def last_corrected(env: BuildEnvironment, docname: str) -> dt.datetime | None:
    found = corrections_of(env, docname)
    return found[-1].when if found else None


def setup(app: Sphinx) -> None:
    register_store(app, STORE)
    app.add_directive(DIRECTIVE, CorrectionDirective)
