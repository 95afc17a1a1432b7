"""The source guard: what a writer's file may not carry into the parser.

Runs while documents are read, at ``source-read`` (every page) and ``include-read``
(every file an ``{include}`` or ``.. include::`` pulls in), before MyST parses the
text. MyST itself loads the front matter with ``yaml.safe_load`` and applies a
``myst:`` key as configuration for that page (``enable_extensions: [substitution]``
turns ``{{ … }}`` into Jinja2 with the build's objects in reach) and ``html_meta`` as
``<meta>`` tags; the project suppresses MyST's own front matter warnings. So the text
is cleaned here, and each finding is one Swedish warning at its line:

* a NUL byte: the file is binary or damaged; its text is replaced by an empty page
  with a title, so the build goes on (``rapport.source-nul``);
* other control characters (C0 but tab, newline and CR; DEL; C1): replaced by a
  space, so no title or summary carries them into the feed, sitemap, JSON, search
  index or PDF metadata (``rapport.source-control``);
* front matter over a limit (size, YAML anchors/aliases, nesting depth, checked on
  tokens so nothing is expanded; see :func:`rapport.frontmatter.check_limits`): the
  whole block is blanked (``rapport.frontmatter-limit``); the audience rule treats
  the page as internal (fail closed, :mod:`rapport.trust.audience`);
* a front matter key outside :data:`ALLOWED_KEYS`: its lines are blanked, so MyST
  never sees it (``rapport.frontmatter-key``). Lines are replaced by empty lines, never
  removed, so every later line number stays right.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rapport import events, frontmatter
from rapport.messages import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: front matter keys the project reads (reports.py, series.py, audience.py, newreport.py),
#: plus Sphinx's own harmless page flags: ``orphan`` (no toctree warning; feed.py reads
#: it) and ``nosearch``/``tocdepth``. Everything else, notably ``myst`` (per-page parser
#: configuration), ``html_meta`` (raw <meta> tags) and ``substitutions`` (Jinja2
#: templates), is blanked. ``title`` is not read by anything here, so it goes too.
ALLOWED_KEYS = frozenset(
    {"serie", "sammanstallt", "sammanställt", "utkast", "amnen", "ämnen", "internt", "orphan", "nosearch", "tocdepth"}
)
INTERNAL_KEY = "internt"
#: spellings a writer may mean as "internt"; close matches fail closed (audience.py)
_INTERNAL_SPELLINGS = ("internt", "internal", "intern", "interna")
_NEAR_MISS_CUTOFF = 0.75

#: C0 controls except tab, LF and CR; DEL; C1 controls
CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Finding:
    subtype: str
    message: str  # Swedish
    line: int  # 1-based


def is_internal_key(key: str) -> bool:
    """A key a writer most likely meant as ``internt`` (other case, misspelt, English)."""
    if key == INTERNAL_KEY:
        return False
    lowered = key.strip().lower()
    if lowered in _INTERNAL_SPELLINGS:
        return True
    return bool(difflib.get_close_matches(lowered, _INTERNAL_SPELLINGS, n=1, cutoff=_NEAR_MISS_CUTOFF))


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def clean(text: str, markdown: bool, title: str) -> tuple[str, list[Finding]]:
    """The text as the parser may see it, and what was changed (in order of lines)."""
    nul = text.find("\x00")
    if nul >= 0:
        page = f"# {title}\n" if markdown else f"{title}\n{'=' * max(len(title), 3)}\n"
        return page, [
            Finding(
                "source-nul",
                "Filen innehåller ett NUL-tecken (är den en binärfil eller skadad?) och läses inte; "
                "sidan byggs tom. Spara om filen som vanlig text (UTF-8)",
                _line_of(text, nul),
            )
        ]
    findings: list[Finding] = []
    control = CONTROL_RE.search(text)
    if control is not None:
        findings.append(
            Finding(
                "source-control",
                f"Filen innehåller osynliga styrtecken (första: U+{ord(control.group()):04X}); de ersätts med "
                "mellanslag. Skriv om raden eller klistra in texten som oformaterad text",
                _line_of(text, control.start()),
            )
        )
        text = CONTROL_RE.sub(" ", text)
    if markdown:
        text, more = _guard_front_matter(text)
        findings.extend(more)
    return text, findings


def _guard_front_matter(text: str) -> tuple[str, list[Finding]]:
    lines = text.split("\n")
    end = frontmatter.find_block(lines)
    if end is None:
        return text, []
    block = "\n".join(line.rstrip("\r") for line in lines[1:end])

    def blank(first: int, last: int) -> None:  # 0-based, inclusive
        for index in range(first, last + 1):
            lines[index] = ""

    limit = frontmatter.check_limits(block)
    if limit is not None:
        blank(0, end)
        return "\n".join(lines), [
            Finding(
                "frontmatter-limit",
                f"Front matter används inte: {limit.message}. Hela blocket ignoreras och sidan räknas som intern",
                limit.line,
            )
        ]
    keys = frontmatter.top_level_keys(block)
    if not keys:
        return text, []  # a syntax error (reported by the readers) or no mapping
    findings = []
    key_lines = [line for _, line in keys]
    flow = len(set(key_lines)) != len(key_lines)
    for position, (key, line) in enumerate(keys):
        if key in ALLOWED_KEYS:
            continue
        if flow:
            # keys written on one line ({a: 1, myst: …}): no line to blank alone
            blank(0, end)
            findings.append(Finding("frontmatter-key", _key_message(key), line))
            return "\n".join(lines), findings
        last = keys[position + 1][1] - 2 if position + 1 < len(keys) else end - 1  # 0-based
        blank(line - 1, max(line - 1, last))
        if not is_internal_key(key):  # those are reported by the audience rule
            findings.append(Finding("frontmatter-key", _key_message(key), line))
    return "\n".join(lines), findings


def _key_message(key: str) -> str:
    known = ", ".join(sorted(k for k in ALLOWED_KEYS if k.isascii()))
    return f"Front matter-nyckeln ”{key[:60]}” används inte av webbplatsen och ignoreras; kända nycklar: {known}"


def guard_source(app: Sphinx, docname: str, source: list[str]) -> None:
    path = app.env.doc2path(docname)
    text, findings = clean(source[0], path.suffix != ".rst", Path(docname).name)
    for finding in findings:
        warn(finding.subtype, finding.message, (docname, finding.line))
    source[0] = text


def guard_include(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    path = Path(app.srcdir, relative_path)
    text, findings = clean(content[0], path.suffix == ".md", path.stem)
    for finding in findings:
        warn(finding.subtype, finding.message, f"{path}:{finding.line}")
    content[0] = text


def _guard_standing(app: Sphinx, path: Path, content: list[str]) -> None:
    """``rapport-standing-read``: a standing snippet is cleaned as a page would be."""
    content[0], _ = clean(content[0], path.suffix != ".rst", path.stem)


def setup(app: Sphinx) -> None:
    app.connect("source-read", guard_source, priority=events.SOURCE_GUARD)
    app.connect("include-read", guard_include, priority=events.SOURCE_GUARD)
    app.connect(events.STANDING_READ, _guard_standing, priority=events.STANDING_CLEAN)
