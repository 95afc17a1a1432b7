"""What every entry directive shares: option handling, sources from the .bib file, the block.

Parsing phase. ``beslut`` (:mod:`rapport.entries.decisions`) and ``faq``
(:mod:`rapport.entries.faq`) subclass :class:`EntryDirective`: Swedish warnings that
name the option's own line, required options, dates, and ``:kallor:`` rendered from
the ``.bib`` file that sphinxcontrib-bibtex parsed at ``builder-inited`` (the page
notes a dependency on that file, so editing a source re-reads the pages that cite it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from rapport import compat
from rapport.config import is_report
from rapport.dates import DateError, format_date, parse_date
from rapport.entries.references import DOMAIN, anchor_for
from rapport.messages import warn

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment
# "senast 2025-09-25": the decision is known to be taken no later than that day (a report
# tells that it happened without giving the date); the register shows "senast ...".
_LATEST_RE = re.compile(r"^senast\s+(\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class EntryRecord:
    """What every entry (decision, FAQ entry) is: an id declared at a line of a page.

    A subclass names its kind (role name and reftype) and the prefix of its HTML
    anchor; the rest of its fields follow these three."""

    KIND: ClassVar[str] = ""
    ANCHOR_PREFIX: ClassVar[str] = ""

    id: str
    docname: str
    line: int

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def anchor(self) -> str:
        return anchor_for(self.ANCHOR_PREFIX, self.id)


@dataclass(frozen=True)
class Source:
    key: str
    text: str  # Swedish one-line citation
    url: str


def slug(text: str) -> str:
    return nodes.make_id(text.replace("ä", "a").replace("å", "a").replace("ö", "o")) or "okand"


def split_list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


# -- sources (sphinxcontrib-bibtex's parsed .bib data) -----------------------------------


def _bibdata(env: BuildEnvironment) -> Any | None:
    try:
        return env.domains["cite"].bibdata  # type: ignore[attr-defined]
    except (KeyError, AttributeError):
        return None


_LATEX_REPLACEMENTS = (("\\&", "&"), ("\\%", "%"), ("---", "—"), ("--", "–"), ("~", "\u00a0"))


def _plain(value: str) -> str:
    """BibTeX field text as plain text.

    The fields hold plain Swedish text in braces; pybtex's LaTeX parser
    (``Text.from_latex``) took 30 ms per field, which made sources the largest cost of
    the registry on a 1,000-decision corpus, so only braces and the few escapes a
    writer may type are handled here.
    """
    text = str(value)
    for latex, plain in _LATEX_REPLACEMENTS:
        text = text.replace(latex, plain)
    return " ".join(text.replace("{", "").replace("}", "").split())


def format_source(entry: Any) -> tuple[str, str]:
    """One Swedish line: ``Organisation: Titel. Kanal, 22 september 2025.`` (parts that exist)."""
    fields = entry.fields
    who = _plain(fields.get("organization", "")) or " och ".join(
        _plain(str(person)) for person in entry.persons.get("author", [])
    )
    title = _plain(fields.get("title", ""))
    where = _plain(fields.get("howpublished", "") or fields.get("journal", "") or fields.get("publisher", ""))
    when = ""
    raw_date = fields.get("date", "")
    if raw_date:
        try:
            when = format_date(parse_date(raw_date))
        except DateError:
            when = _plain(raw_date)
    elif fields.get("year"):
        when = _plain(fields["year"])
    # "Regionstyrelsen 23 september 2025" needs neither the body nor the date repeated
    if when and when in title:
        when = ""
    if who and title.startswith(who):
        who = ""
    text = f"{who}: {title}" if who and title else (title or who or entry.key)
    tail = ", ".join(part for part in (where, when) if part)
    text = f"{text.rstrip('.')}. {tail}." if tail else f"{text.rstrip('.')}."
    return text, _plain(fields.get("url", ""))


# -- the directive -----------------------------------------------------------------------


#: option names with å, ä or ö -> the plain spelling the directives read (writers type either)
SPELLINGS = {"ersätter": "ersatter", "källor": "kallor", "ämnen": "amnen", "fråga": "fraga", "ämne": "amne"}


def entry_options(spec: dict[str, Any]) -> dict[str, Any]:
    """The ``option_spec`` of an entry directive: ``spec`` (plain names), ``:kallor:`` and
    ``:class:``, and every name that has a spelling with å, ä or ö also in that spelling."""
    spec = {**spec, "kallor": directives.unchanged, "class": directives.class_option}
    return {**spec, **{spelled: spec[plain] for spelled, plain in SPELLINGS.items() if plain in spec}}


class EntryDirective(SphinxDirective):
    """Shared option handling of ``beslut`` and ``faq``: Swedish messages with line numbers."""

    required_arguments = 1
    final_argument_whitespace = False
    has_content = True

    def read_spellings(self) -> None:
        """``:källor:`` counts as ``:kallor:`` (unless both are given)."""
        for spelled, plain in SPELLINGS.items():
            if spelled in self.options and plain not in self.options:
                self.options[plain] = self.options[spelled]

    def option_line(self, name: str) -> int:
        """The source line of ``:name:``, so the writer is sent to the right line."""
        for offset, text in enumerate(self.block_text.splitlines()):
            if text.strip().startswith(f":{name}:"):
                return self.lineno + offset
        return self.lineno

    def text_option(self, name: str) -> str:
        return " ".join(str(self.options.get(name) or "").split())

    def check_required(self, names: tuple[str, ...], what: str) -> None:
        missing = [n for n in names if not self.text_option(n)]
        if missing:
            listed = ", ".join(f":{n}:" for n in missing)
            warn(
                "option-invalid",
                f"{what} ”{self.arguments[0]}” saknar obligatoriska alternativ: {listed}",
                (self.env.docname, self.lineno),
            )

    def date_option(self, name: str, allow_latest: bool = False) -> tuple[dt.date | None, bool]:
        value = self.text_option(name)
        if not value:
            return None, False
        latest = _LATEST_RE.match(value) if allow_latest else None
        try:
            return parse_date(latest.group(1) if latest else value), bool(latest)
        except DateError as exc:
            warn("date-invalid", f":{name}: {exc}", (self.env.docname, self.option_line(name)))
            return None, False

    def sources_option(self) -> tuple[Source, ...]:
        keys = split_list(self.options.get("kallor"))
        if not keys:
            return ()
        bibdata = _bibdata(self.env)
        if bibdata is not None:
            for path in bibdata.bibfiles:  # editing the .bib re-reads this page
                self.env.note_dependency(str(path))
        result = []
        for key in keys:
            entry = bibdata.data.entries.get(key) if bibdata is not None else None
            if entry is None:
                warn(
                    "source-unknown",
                    f"Källan ”{key}” finns inte i källförteckningen (bibtex_bibfiles i conf.py)",
                    (self.env.docname, self.option_line("kallor")),
                )
                continue
            text, url = format_source(entry)
            result.append(Source(key, text, url))
        return tuple(result)

    def on_report_page(self) -> bool:
        return is_report(self.config, self.env.docname)

    def _parent_node(self) -> nodes.Node | None:
        try:
            return self.state.parent  # reST
        except Exception:  # MyST's mock state has no parent; its renderer knows the node
            return getattr(compat.myst_renderer(self.state), "current_node", None)

    def block(self, anchor: str, title: str, classes: list[str]) -> nodes.Element:
        """The visible block: a section (a real heading) where one may stand, else a container.

        A heading lets readers and screen readers jump between entries on the register
        pages; inside a list item or a report section a container keeps the tree valid.
        """
        if isinstance(self._parent_node(), (nodes.section, nodes.document)) and not self.on_report_page():
            block: nodes.Element = nodes.section("", ids=[anchor], classes=classes)
            block += nodes.title(title, title)
        else:
            block = nodes.container("", ids=[anchor], classes=classes)
            block += nodes.paragraph("", "", nodes.strong(title, title), classes=["rapport-post-rubrik"])
        self.set_source_info(block)
        return block


def entry_xref(env: BuildEnvironment, kind: str, target: str, line: int) -> addnodes.pending_xref:
    """A reference as the ``{beslut}`` role makes it; resolved by :mod:`rapport.entries.references`."""
    node = addnodes.pending_xref(
        "", refdomain=DOMAIN, reftype=kind, reftarget=target, refexplicit=False, refwarn=False, refdoc=env.docname
    )
    node += nodes.inline(target, target)
    node.source, node.line = str(env.doc2path(env.docname)), line
    return node


def source_list(sources: tuple[Source, ...]) -> nodes.bullet_list:
    listing = nodes.bullet_list(classes=["rapport-kallor"])
    for source in sources:
        para = nodes.paragraph()
        para += nodes.Text(source.text)
        if source.url:
            para += nodes.Text(" ")
            para += nodes.reference(source.url, source.url, refuri=source.url)
        listing += nodes.list_item("", para)
    return listing
