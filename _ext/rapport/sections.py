"""The report's standard sections: the ``avsnitt`` directive and the per-report checks.

Two phases:

* parsing (the directive): ``:::{avsnitt} sammanfattning`` becomes a real
  ``nodes.section`` with the configured label as its heading and the key as its stable
  anchor, so it shows in the page's table of contents;
* ``doctree-read`` (:func:`complete_sections`, called by :mod:`rapport.reports` for
  report pages only): inserts the standing sections a report did not override, then
  checks the set against the series' configuration (unknown, duplicate, out of order,
  empty, missing). Every check looks at one document only, so serial and parallel
  builds warn alike. It runs before Sphinx's own ``doctree-read`` collectors
  (priority 500), so inserted sections reach the table of contents.

And one check at ``source-read`` (:func:`check_fence_nesting`), for every page: a block
opened inside another with as many colons (``:::{beslut}`` inside ``:::{avsnitt}``) is
closed by the inner block's ``:::``, so the rest of the section falls outside it and the
next section disappears from the page's contents. MyST parses that without a word; the
writer gets a warning at the inner block's line and how to nest.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective, new_document

from rapport import compat, events, registry
from rapport.config import SectionSpec, SeriesSpec, get_series, settings
from rapport.messages import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

SECTION_ATTR = "rapport_section"  # node attribute holding the section key


def _series_for(env: BuildEnvironment, docname: str) -> SeriesSpec:
    # MyST seeds env.metadata while parsing, so a directive can see its page's series
    key = env.metadata.get(docname, {}).get("serie")
    return get_series(env.config, key) or get_series(env.config)  # type: ignore[return-value]


def section_id(key: str) -> str:
    """The anchor of a section: the key as a strict ``[a-z0-9-]`` slug.

    The key is writer text (an unknown one is warned about but still rendered), and
    the id reaches attributes and links the theme writes, so it is never used raw.
    """
    return nodes.make_id(key) or "avsnitt"


def make_section(key: str, label: str, children: list[nodes.Node]) -> nodes.section:
    anchor = section_id(key)
    section = nodes.section("", classes=["rapport-avsnitt", f"rapport-avsnitt-{anchor}"])
    section["ids"] = [anchor]
    section[SECTION_ATTR] = key
    section += nodes.title(label, label)
    section.extend(children)
    return section


class SectionDirective(SphinxDirective):
    """``avsnitt``: one standard section of a report.

    The argument is the section's key from ``rapport_series``. An empty body renders
    the section's standing content (if the series defines one); a body overrides it.
    """

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = True
    option_spec: ClassVar[dict] = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        key = self.arguments[0].strip()
        series = _series_for(self.env, self.env.docname)
        spec = series.section(key)
        label = spec.label if spec else key
        if self.content:
            children = self.parse_content_to_nodes(allow_section_headings=False)
        elif spec and spec.standing:
            children = standing_content(self.env, spec, self.state.document)
        else:
            children = []
        section = make_section(key, label, children)
        section["classes"].extend(self.options.get("class", []))
        section["rapport_empty"] = not children
        section["rapport_known"] = spec is not None
        self.set_source_info(section)
        return [section]


# -- standing content ------------------------------------------------------------------


def _parsed_standing(env: BuildEnvironment) -> dict[tuple[str, float, str], list[nodes.Node]]:
    """(absolute path, mtime, text as the trust room left it) -> parsed nodes, of this
    application: a standing snippet is parsed once per application and deep-copied into
    every report, since 500 reports share the same four snippets."""
    return registry.app_state(env, __name__, dict)


def standing_path(env: BuildEnvironment, spec: SectionSpec) -> Path:
    return Path(env.srcdir, spec.standing or "")


def standing_content(env: BuildEnvironment, spec: SectionSpec, document: nodes.document) -> list[nodes.Node]:
    """Parse the standing snippet of ``spec`` (cached) and return fresh copies of it."""
    path = standing_path(env, spec)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return []  # reported once per build by check_standing_files
    # editing the snippet must re-read every report that shows it
    env.note_dependency(str(path))
    # no source-read for a snippet: the trust room cleans it and leaves an internal
    # snippet out of the public build (rapport.trust.sourceguard, rapport.trust.audience)
    content = [path.read_text(encoding="utf-8", errors="replace")]
    env.events.emit(events.STANDING_READ, path, content)
    text = content[0]
    if not text:
        return []
    cache_key = (str(path), mtime, text)
    parsed = _parsed_standing(env)
    if cache_key not in parsed:
        doc = new_document(str(path), document.settings)
        filetype = "restructuredtext" if path.suffix == ".rst" else "markdown"
        parser = compat.source_parser(env, filetype)
        parser.parse(text, doc)
        parsed[cache_key] = list(doc.children)
    copies = [node.deepcopy() for node in parsed[cache_key]]
    for node in copies:
        # docutils' copy() keeps ``_document``: the copies would point at the snippet's
        # own document, whose settings hold ``env``, and every report's pickled doctree
        # would then carry the whole environment (measured with 520 reports: 1.3-3.7 MB
        # per doctree, 1.3 GB in all, 120 s of pickling; 2.9 GB peak with -j 2)
        for child in node.findall():
            child.document = document
        for xref in node.findall(lambda n: "refdoc" in getattr(n, "attributes", {})):
            xref["refdoc"] = env.docname  # parsed once, resolved in each report
    return copies


def check_standing_files(app: Sphinx) -> None:
    """``builder-inited``: warn once per build about standing snippets that do not exist."""
    for series in settings(app.config).series.values():
        for spec in series.sections:
            if spec.standing and not Path(app.srcdir, spec.standing).is_file():
                warn(
                    "standing-missing",
                    f"Filen {spec.standing} med stående innehåll för avsnittet "
                    f"”{spec.label}” (serien {series.key}) finns inte",
                    os.path.join(app.confdir, "conf.py"),
                )


# -- per-report completion and checks (doctree-read) ------------------------------------


def _container(doctree: nodes.document, found: list[nodes.section]) -> nodes.Element:
    if found:
        return found[0].parent
    for child in doctree.children:
        if isinstance(child, nodes.section):
            return child
    return doctree


def complete_sections(
    env: BuildEnvironment, docname: str, doctree: nodes.document, series: SeriesSpec, title_line: int
) -> list[nodes.section]:
    """Insert missing standing sections, relabel for the page's series, check the set.

    Returns the report's sections in page order.
    """
    found = [n for n in doctree.findall(nodes.section) if SECTION_ATTR in n]
    known = series.keys

    # sections were labelled from the default series if the page's series was not yet
    # known while parsing (reST docinfo is read after the body)
    for section in found:
        spec = series.section(section[SECTION_ATTR])
        if spec and section[0].astext() != spec.label:
            section[0] = nodes.title(spec.label, spec.label)

    seen: dict[str, nodes.section] = {}
    copies: dict[str, int] = {}
    last_pos, last_key = -1, None
    for section in found:
        key = section[SECTION_ATTR]
        if key not in known:
            names = ", ".join(known)
            warn(
                "section-unknown",
                f"Okänt avsnitt ”{key}”; serien {series.key} har avsnitten: {names}",
                section,
            )
            continue
        spec = series.section(key)
        assert spec is not None
        if key in seen:
            first_line = seen[key].line
            warn(
                "section-duplicate",
                f"Avsnittet ”{spec.label}” förekommer två gånger (första gången på rad {first_line})",
                section,
            )
            copies[key] = copies.get(key, 1) + 1
            section["ids"] = [f"{section_id(key)}-{copies[key]}"]  # anchors stay unique
            continue
        seen[key] = section
        pos = series.position(key)
        if pos < last_pos and last_key is not None:
            before = series.section(last_key)
            assert before is not None
            warn(
                "section-order",
                f"Avsnittet ”{spec.label}” ska stå före ”{before.label}”",
                section,
            )
        else:
            last_pos, last_key = pos, key
        if section.get("rapport_empty") and not spec.standing:
            warn("section-empty", f"Avsnittet ”{spec.label}” är tomt", section)

    container = _container(doctree, found)
    for spec in series.sections:
        if spec.key in seen:
            continue
        if spec.standing:
            children = standing_content(env, spec, doctree)
            if not children:
                continue
            section = make_section(spec.key, spec.label, children)
            section["rapport_standing"] = True
            section.source, section.line = doctree.get("source"), title_line
            _insert_in_order(container, section, series)
            seen[spec.key] = section
        elif spec.required:
            warn(
                "section-missing",
                f"Det obligatoriska avsnittet ”{spec.label}” saknas (skriv :::{{avsnitt}} {spec.key})",
                (docname, title_line),
            )
    return [n for n in doctree.findall(nodes.section) if SECTION_ATTR in n]


def _insert_in_order(container: nodes.Element, new: nodes.section, series: SeriesSpec) -> None:
    """Insert ``new`` after the last sibling section that precedes it in the series."""
    pos = series.position(new[SECTION_ATTR])
    index = len(container.children)
    for i, child in enumerate(container.children):
        if isinstance(child, nodes.section) and SECTION_ATTR in child:
            if series.position(child[SECTION_ATTR]) > pos:
                index = i
                break
    container.insert(index, new)


# -- blocks nested with too few colons ---------------------------------------------------

_COLON_FENCE_RE = re.compile(r"^\s*(:{3,})(.*)$")
_CODE_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_NAME_RE = re.compile(r"^\{([\w:-]+)\}")


@dataclass(frozen=True)
class FenceTrap:
    line: int  # of the inner block's opening fence (1-based)
    inner: str  # its directive name ("" for a plain ::: block)
    outer: str
    outer_line: int
    colons: int  # of the outer block


def fence_traps(text: str) -> list[FenceTrap]:
    """Every block opened inside a colon-fenced block with at least as many colons.

    Follows the nesting the writer meant (each ``:::`` closes the innermost open block),
    so every such block on the page is found, not only the first; code blocks (``` and
    ~~~) are skipped, they show MyST as written."""
    if ":::" not in text:
        return []
    traps: list[FenceTrap] = []
    stack: list[tuple[int, str, int]] = []  # (colons, name, line) of the open blocks
    code: tuple[str, int] | None = None  # the open code fence's character and length
    for number, line in enumerate(text.split("\n"), start=1):
        fence = _CODE_FENCE_RE.match(line)
        if code is not None:
            closing = fence is not None and line.strip() == line.strip()[0] * len(line.strip())
            if closing and fence and fence.group(1)[0] == code[0] and len(fence.group(1)) >= code[1]:
                code = None
            continue
        if fence:
            code = (fence.group(1)[0], len(fence.group(1)))
            continue
        match = _COLON_FENCE_RE.match(line)
        if not match:
            continue
        colons, info = len(match.group(1)), match.group(2).strip()
        if not info:  # a closing fence: closes the innermost block if it is as long
            if stack and colons >= stack[-1][0]:
                stack.pop()
            continue
        name = _NAME_RE.match(info)
        inner = name.group(1) if name else ""
        if stack and colons >= stack[-1][0]:
            outer_colons, outer, outer_line = stack[-1]
            traps.append(FenceTrap(number, inner, outer, outer_line, outer_colons))
        stack.append((colons, inner, number))
    return traps


def _shown(name: str) -> str:
    return f"{{{name}}}" if name else ""


def check_fence_nesting(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: warn about each block nested with too few colons."""
    for trap in fence_traps(source[0]):
        fence = ":" * trap.colons
        wider = ":" * (trap.colons + 1)
        warn(
            "block-nesting",
            f"Blocket {fence}{_shown(trap.inner)} står inne i {fence}{_shown(trap.outer)} (rad {trap.outer_line}) "
            f"med lika många kolon, så dess avslutande {fence} avslutar det yttre blocket: texten efter hamnar "
            f"utanför och nästa avsnitt kan försvinna från sidan. Skriv fler kolon på det yttre blocket, "
            f"till exempel {wider}{_shown(trap.outer)} … {wider}",
            (docname, trap.line),
        )


def setup(app: Sphinx) -> None:
    app.add_directive("avsnitt", SectionDirective)
    app.connect("source-read", check_fence_nesting)
    app.connect("builder-inited", check_standing_files)
