"""Robustness: no bad input breaks the build, and every problem is a located warning.

Hypothesis writes small, clearly fictitious projects: report pages with generated front
matter (valid and broken YAML, impossible dates, lists where text is expected, huge and
right-to-left strings), generated directives (``avsnitt``, ``beslut``, ``faq``, ``amne``,
``internt``, ``exempel``) with hostile options, ids and fences, and generated content
(raw HTML, headings in sections, long words and tables, action items with impossible
dates, ``javascript:`` links, references to unknown ids, supersedes cycles, the same id
in two files). Each project is built in-process, and the test asserts that

* the build does not raise (a Python exception fails the example, and hypothesis shrinks
  it to the smallest input that still fails);
* every ``rapport`` warning is one line ``fil.md:12: WARNING: ... [rapport.subtyp]``;
* every other warning (Sphinx, docutils, MyST) names a file and a line too, except those
  listed in :data:`WITHOUT_LINE` with the reason.

The inputs hypothesis found that broke these rules are kept as ``@example``s and as
plain tests at the end of the file, next to the by-hand checks (a Latin-1 file, an empty
file, a file with only front matter, a 5 MB file).
"""

from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sphinxrun import run_sphinx

REPO = Path(__file__).resolve().parent.parent

#: the brief's format of a writer-facing warning: file, line, Swedish text, subtype
RAPPORT_RE = re.compile(r"^.+\.(md|rst):\d+: WARNING: .+ \[rapport\.[a-z-]+\]$")
#: any other warning or error: a file and a line before the level
LOCATED_RE = re.compile(r"^.+\.(md|rst|bib|py|txt):\d+: (WARNING|ERROR|CRITICAL|SEVERE|INFO): ")
#: warnings that legitimately name a file but no line, with the reason
WITHOUT_LINE = {
    # the problem is the whole document (it is in no toctree); there is no line to name
    "toc.not_included",
}
CRASH_MARKERS = ("Traceback", "Exception occurred", "Extension error")

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,  # CI has no persistent example database; derandomize makes runs equal
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)

CONF = """\
# A generated, fictitious project ("Region Exempelby") for the robustness tests.
import sys

sys.path.insert(0, {ext!r})

extensions = ["myst_parser", "sphinxcontrib.bibtex", "rapport"]
language = "sv"
project = "Robusthetsprov Exempelby"
myst_enable_extensions = ["colon_fence"]
bibtex_bibfiles = ["kallor.bib"]
rapport_default_series = "test"
rapport_series = {{
    "test": {{
        "title": "Lägesrapport Exempelby",
        "sections": [
            {{"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True}},
            {{"key": "bakgrund", "label": "Bakgrund", "standing": "_standard/bakgrund.md"}},
            {{"key": "atgarder", "label": "Kommunikativa åtgärder, urval", "actions": True}},
        ],
    }},
}}
exclude_patterns = ["_standard/**"]
rapport_today = "2025-12-31"
rapport_search = "sphinx"  # no Pagefind run: the search index is not under test here
html_baseurl = "https://rapporter.exempelby.invalid/"
"""

BIB = """\
@misc{protokoll-a,
  title = {Protokoll Nämnd A 10 januari 2025},
  organization = {Region Exempelby},
  date = {2025-01-10},
  url = {https://exempelby.invalid/protokoll-a},
}
"""

FIXED_PAGES = {
    "index.md": "# Exempelby\n\n:::{senaste-rapport}\n:::\n\n```{toctree}\n:glob:\n\n*\nrapporter/*/index\namnen/*\n```\n",
    "beslutsregister.md": "# Beslutsregister\n\n:::{beslutsregister}\n:::\n",
    "faq.md": "# Frågor och svar\n\n:::{faq-lista}\n:::\n",
    "tidslinje.md": "# Tidslinje\n\n:::{tidslinje}\n:::\n",
    "amnen/alfa.md": "# Alfa\n\n:::{amne} Alfa\n:nyckelord: alfasystemet\nAlfasystemet i Exempelby.\n:::\n",
    "rapporter/2025/index.md": "# Rapporter 2025\n\n:::{rapportar}\n:::\n\n```{toctree}\n:glob:\n\n*\n```\n",
    "_standard/bakgrund.md": "Stående bakgrund om alfasystemet.\n",
}


# -- strategies ------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "'",
    "javascript:alert(1)",
    "",
    " ",
    "Åsa Öberg på Ängö",
    "مرحبا بالعالم",  # right-to-left
    "\u202eevil\u202c",  # right-to-left override
    "🙂👍🏽 emoji",
    "a: b: c",
    "[inte stängd",
    "{ej: stängd",
    "- lista",
    "# rubrik",
    "`kod",
    "\\",
    "tab\there",
    "kontroll\x01\x07\x1b[31m",
    "---",
    ":::",
    ":::{beslut} X",
    "{beslut}`A-1`",
    "&amp; &lt;",
    "*|*",
    "rad ett\nrad två",
    "x" * 3000,
    "ord " * 400,
]

text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30),
)
line_text = text.map(lambda s: s.replace("\n", " ").replace("\r", " "))

DATES = [
    "2025-09-25 08:30",
    "2025-09-25",
    "2025-09-25 kl. 8.30",
    "2025-09-25T08:30",
    "2025-13-45",
    "2025-02-30",
    "2025-02-30 08:30",
    "99:99",
    "2025-09-25 99:99",
    "2025-09-25 24:00",
    "0000-00-00",
    "2025-9-5",
    "25/9",
    "9999-12-31 23:59",
    "2025-09-25T08:30:00Z",
    "",
    "senast 2025-09-25",
    "senast",
    "null",
    "١٢٣٤-٠٩-٢٥",  # Arabic-Indic digits match \d
]
date_text = st.one_of(st.sampled_from(DATES), st.dates().map(lambda d: d.isoformat()), line_text)

IDS = ["A-1", "A-2", "A-3", "faq-1", "id med mellanslag", "åäö-ü", "🙂", "<script>", "a" * 200, "A-1,A-2", "[](A-1)"]
entry_id = st.one_of(st.sampled_from(IDS), line_text)
SECTION_KEYS = ["sammanfattning", "bakgrund", "atgarder", "okand", "SAMMANFATTNING", "<script>", ""]
URLS = [
    "https://exempelby.invalid/x",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "#",
    "",
    "A-1",
    "faq-1",
    "mailto:kansliet@exempelby.invalid",
    "ftp://exempelby.invalid/",
    "http://",
    "http:// mellanslag",
    "rapporter/2025/2025-01-01.md",
    "saknas.md#ankare",
]
url = st.one_of(st.sampled_from(URLS), line_text)


def yaml_value() -> st.SearchStrategy:
    scalar = st.one_of(text, date_text, st.booleans(), st.integers(), st.floats(allow_nan=True), st.none())
    return st.one_of(scalar, st.lists(scalar, max_size=4), st.dictionaries(line_text, scalar, max_size=3))


FM_KEYS = ["sammanstallt", "sammanställt", "serie", "utkast", "amnen", "ämnen", "internt", "title"]


@st.composite
def front_matter(draw: st.DrawFn) -> str | None:
    """The block between the ``---`` lines, or ``None`` for a page without one."""
    kind = draw(st.sampled_from(["valid", "valid", "naive", "broken", "none"]))
    if kind == "none":
        return None
    values = {"sammanstallt": draw(date_text)}
    for key in draw(st.lists(st.sampled_from([*FM_KEYS, "okänd nyckel"]), max_size=4)):
        values[key] = draw(st.one_of(yaml_value(), date_text))
    if kind == "valid":  # YAML a writer could have written, hostile values included
        return yaml.safe_dump(values, allow_unicode=True, sort_keys=False)
    if kind == "naive":  # "key: value" lines without quoting: often not YAML at all
        return "".join(f"{k}: {v}\n" for k, v in values.items())
    return draw(
        st.sampled_from(
            [
                "amnen: [Alfa, Beta\n",
                "\tsammanstallt: 2025-09-25 08:30\n",
                "sammanstallt: 2025-09-25 08:30\nsammanstallt: 2025-09-26 08:30\n",
                "- bara\n- en lista\n",
                "bara en sträng\n",
                "sammanstallt: [2025-09-25]\n",
                "sammanstallt: {dag: 2025-09-25}\n",
                'titel: "inte stängd\n',
                "sammanstallt: 2025-02-30\n",
                "sammanstallt: 2025-09-25 99:99:00\n",
                "a: &x [1]\nb: *x\nc: *okand\n",
                "[[[[[[[[[[]]]]]]]]]]\n",
                "!!binary inte-base64\n",
                "sammanstallt: !!timestamp 2025-13-45\n",
                "utkast: ja\nutkast: nej\n",
                "?\n",
                "",
            ]
        )
    )


@dataclass
class Directive:
    name: str
    argument: str
    options: list[tuple[str, str]]
    children: list[Directive | str] = field(default_factory=list)
    nested_right: bool = True  # outer fence longer than the inner ones

    def height(self) -> int:
        return 1 + max((c.height() for c in self.children if isinstance(c, Directive)), default=0)

    def render(self) -> str:
        colons = ":" * (3 + (self.height() - 1 if self.nested_right else 0))
        head = f"{colons}{{{self.name}}} {self.argument}".rstrip() + "\n"
        opts = "".join(f":{k}: {v}\n" for k, v in self.options)
        body = "\n".join(c.render() if isinstance(c, Directive) else c for c in self.children)
        return f"{head}{opts}{body}\n{colons}\n"


OPTIONS = {
    "beslut": ["datum", "organ", "titel", "status", "ersatter", "ersätter", "ersatt-av", "kallor", "källor", "amnen"],
    "faq": ["fraga", "fråga", "amne", "ämne", "uppdaterad", "kallor"],
    "amne": ["nyckelord"],
    "avsnitt": ["class"],
    "internt": [],
    "exempel": ["titel"],
}
OPTION_VALUES = {
    "datum": date_text,
    "uppdaterad": date_text,
    "status": st.sampled_from(["fattat", "planerat", "upphävt", "upphavt", "ersatt", "FATTAT", "okänd", ""]),
    "ersatter": st.sampled_from(["A-1", "A-2", "A-3", "A-1, A-2", "saknas", ""]),
    "ersätter": st.sampled_from(["A-1", "A-2", "A-3"]),
    "ersatt-av": st.sampled_from(["A-1", "A-2", "A-3", "saknas", ""]),
    "kallor": st.sampled_from(["protokoll-a", "saknas", "protokoll-a, saknas", ",", ""]),
    "källor": st.sampled_from(["protokoll-a", "saknas"]),
    "amnen": st.sampled_from(["Alfa", "Okänt ämne", "Alfa, Beta", ""]),
    "amne": st.sampled_from(["Alfa", "Okänt ämne", ""]),
    "class": st.sampled_from(["extra", "två klasser", "<script>", ""]),
}


@st.composite
def options_for(draw: st.DrawFn, name: str) -> list[tuple[str, str]]:
    known = OPTIONS[name]
    result = []
    names = st.sampled_from([*known, *known, "okant-alternativ", "datum "]) if known else st.just("okant-alternativ")
    for key in draw(st.lists(names, max_size=8 if known else 1)):
        value = draw(st.one_of(OPTION_VALUES.get(key, text), text))
        result.append((key, value))
    return result


def leaf_block() -> st.SearchStrategy:
    item_date = st.sampled_from(
        ["23/9", "31/2", "0/0", "2025-09-16", "2025-02-30", "99/99", "1/13", "", "23/9 Intranätet"]
    )
    action = st.builds(
        lambda d, t, u, c: f"- {d}: [{t}]({u}){c}",
        item_date,
        line_text,
        url,
        st.sampled_from(["", " – om läget", " – " + "x" * 500]),
    )
    return st.one_of(
        line_text,
        st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 4), line_text),
        st.sampled_from(
            [
                "<div>rå HTML</div>",
                "<script>alert(1)</script>",
                "<!-- en kommentar -->",
                "Text med <b>fet</b> HTML.",
                '<img src=x onerror="alert(1)">',
                "```{raw} html\n<p>rå</p>\n```",
            ]
        ),
        st.builds(lambda t, u: f"[{t}]({u})", line_text, url),
        st.builds(lambda i: f"[]({i})", entry_id),
        st.builds(lambda r, i: f"Se {{{r}}}`{i}`.", st.sampled_from(["beslut", "faq"]), entry_id),
        st.builds(lambda t, i: f"Se {{beslut}}`{t} <{i}>`.", line_text, entry_id),
        st.integers(1, 20000).map(lambda n: "ord" * n),
        st.builds(
            lambda cols, rows, cell: (
                "| "
                + " | ".join(["k"] * cols)
                + " |\n|"
                + "---|" * cols
                + "\n"
                + "".join("| " + " | ".join([cell] * cols) + " |\n" for _ in range(rows))
            ),
            st.integers(1, 30),
            st.integers(0, 5),
            line_text.map(lambda s: s.replace("|", "/")),
        ),
        st.lists(action, min_size=1, max_size=4).map("\n".join),
    )


def directive(children: st.SearchStrategy) -> st.SearchStrategy:
    def one(name: str) -> st.SearchStrategy:
        argument = {
            "avsnitt": st.one_of(st.sampled_from(SECTION_KEYS), line_text),
            "beslut": entry_id,
            "faq": entry_id,
            "amne": st.one_of(st.just("Alfa"), line_text),
        }.get(name, st.just(""))
        return st.builds(
            Directive,
            st.just(name),
            argument,
            options_for(name),
            st.lists(children, max_size=3),
            st.booleans(),
        )

    return st.sampled_from(list(OPTIONS)).flatmap(one)


# a well-formed decision whose relations point into a small pool: cycles, self-references
# and references to decisions declared in another file
related_decision = st.builds(
    lambda i, old, new, status: Directive(
        "beslut",
        i,
        [
            ("datum", "2025-01-01"),
            ("organ", "Nämnd A"),
            ("titel", f"Beslut {i}"),
            ("status", status),
            *([("ersatter", old)] if old else []),
            *([("ersatt-av", new)] if new else []),
        ],
        ["Text."],
    ),
    st.sampled_from(["A-1", "A-2", "A-3"]),
    st.sampled_from(["", "A-1", "A-2", "A-3", "A-1, A-3", "A-9"]),
    st.sampled_from(["", "A-1", "A-2", "A-3"]),
    st.sampled_from(["fattat", "ersatt"]),
)

blocks = st.one_of(st.recursive(leaf_block(), lambda inner: directive(inner), max_leaves=8), related_decision)


ITEM_DATES = [
    "23/9",
    "31/2",
    "0/0",
    "2025-09-16",
    "2025-02-30",
    "99/99",
    "1/13",
    "29/2",
    "",
    "23/9 Intranätet",
    "1/1 " + "k" * 70,
]


@st.composite
def action_items(draw: st.DrawFn) -> str:
    """The list of an ``atgarder`` section: "- 23/9 Kanal: [Titel](länk) – kommentar"."""
    items = []
    for _ in range(draw(st.integers(1, 4))):
        date = draw(st.one_of(st.sampled_from(ITEM_DATES), line_text))
        link = draw(st.sampled_from(["[{t}]({u})", "{t}", "[{t}]({u}) [andra]({u})", "[{t}]"])).format(
            t=draw(line_text).replace("]", ""), u=draw(url).replace(")", "")
        )
        comment = draw(st.sampled_from(["", " – om läget", " – " + "x" * 500, " - {beslut}`A-1`"]))
        items.append(f"- {date}: {link}{comment}")
    return "\n".join(items)


def section(key: str, body: list[str], colons: int = 3) -> str:
    fence = ":" * colons
    return f"{fence}{{avsnitt}} {key}\n" + "\n\n".join(body) + f"\n{fence}\n"


@st.composite
def markdown_page(draw: st.DrawFn) -> str:
    """A report: mostly the usual shape (so the deeper checks run), with hostile parts."""
    typical = draw(st.integers(0, 2)) > 0
    if typical:
        values = {"sammanstallt": draw(st.sampled_from(["2025-01-01 08:30", "2025-06-30", "2025-12-31 23:59"]))}
        if draw(st.booleans()):
            values["amnen"] = draw(st.lists(st.sampled_from(["Alfa", "Okänt", "<script>", ""]), max_size=3))
        fm: str | None = yaml.safe_dump(values, allow_unicode=True)
    else:
        fm = draw(front_matter())
    parts = []
    if fm is not None:
        parts.append(f"---\n{fm}---\n" if draw(st.integers(0, 9)) else f"---\n{fm}")  # sometimes unclosed
    if draw(st.integers(0, 5)):
        parts.append(f"# {draw(line_text)}\n")
    extra = [b.render() if isinstance(b, Directive) else b + "\n" for b in draw(st.lists(blocks, max_size=4))]
    if typical:
        outer = 3 + max((b.count("\n:::") and 1 for b in extra), default=0)
        summary = section(
            "sammanfattning", [draw(line_text) or "Läget.", *extra[:2]], outer if draw(st.booleans()) else 3
        )
        actions = section("atgarder", [draw(action_items())])
        order = [summary, actions] if draw(st.integers(0, 3)) else [actions, summary, summary]
        parts.extend(order)
        parts.extend(extra[2:])
    else:
        parts.extend(extra)
    return "\n".join(parts)


@st.composite
def rst_page(draw: st.DrawFn) -> str:
    """A reST report: docinfo front matter, ``avsnitt`` and ``beslut`` directives, roles."""
    fields = "".join(
        f":{k}: {draw(line_text if k != 'sammanstallt' else date_text)}\n"
        for k in draw(st.lists(st.sampled_from(FM_KEYS), max_size=3))
    )
    title = draw(line_text).strip() or "Rapport"
    opts = "".join(f"      :{k}: {v}\n" for k, v in draw(options_for("beslut")) if "\n" not in v)
    link = draw(url).replace("`", "")
    body = (
        f"{title}\n{'=' * max(len(title), 3)}\n\n"
        f".. avsnitt:: {draw(st.sampled_from(SECTION_KEYS)) or 'x'}\n\n"
        f"   - Punkt med :beslut:`{draw(entry_id).replace('`', '')}` och `länk <{link}>`_.\n\n"
        f"   .. beslut:: {draw(entry_id).replace(chr(10), ' ') or 'A-9'}\n{opts}\n"
        f"      {draw(line_text) or 'Text.'}\n\n"
        ".. raw:: html\n\n   <script>alert(1)</script>\n"
    )
    return (fields + "\n" if fields else "") + body


@st.composite
def projects(draw: st.DrawFn) -> dict[str, str]:
    """Two or three report files, so ids can clash across files."""
    files = {}
    for day in draw(
        st.lists(st.sampled_from(["2025-01-01", "2025-01-02", "2025-01-03"]), min_size=1, max_size=3, unique=True)
    ):
        if draw(st.integers(0, 4)) == 0:
            files[f"rapporter/2025/{day}.rst"] = draw(rst_page())
        else:
            files[f"rapporter/2025/{day}.md"] = draw(markdown_page())
    return files


# -- building --------------------------------------------------------------------------


class WarningRecords(io.StringIO):
    """The warning stream, keeping each logged record apart (a record may span lines)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[str] = []

    def write(self, s: str) -> int:
        self.records.append(s)
        return super().write(s)


@dataclass
class Result:
    warnings: list[str]  # one entry per warning, source dir stripped, colours removed
    status: str


_COUNTER = iter(range(10**9))


def write_project(base: Path, files: dict[str, str | bytes]) -> Path:
    src = base / f"p{next(_COUNTER)}"
    pages = {"conf.py": CONF.format(ext=str(REPO / "_ext")), "kallor.bib": BIB, **FIXED_PAGES, **files}
    for name, content in pages.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            # newline="" keeps the generated text byte for byte (a lone \r stays a \r)
            with open(path, "w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
                handle.write(content)
    return src


def build(src: Path, builder: str = "dummy", **overrides: object) -> Result:
    """Build in this process; an exception escapes and fails the example."""
    from sphinx.testing.util import SphinxTestApp
    from sphinx.util.console import strip_colors

    status, warning = io.StringIO(), WarningRecords()
    app = SphinxTestApp(
        builder,
        srcdir=src,
        builddir=src.parent / f"{src.name}-build",
        confoverrides=overrides,
        status=status,
        warning=warning,
        freshenv=True,
    )
    try:
        app.build()
    finally:
        app.cleanup()  # undoes the docutils registrations, so the next build starts clean
    prefix = str(src) + os.sep
    records = [strip_colors(r).replace(prefix, "").strip("\n") for r in warning.records]
    return Result([r for r in records if r.strip()], status.getvalue())


def problems(warnings: list[str]) -> list[str]:
    """Warnings that break the rules: crash markers, rapport format, no file and line."""
    bad = []
    for record in warnings:
        first = record.split("\n", 1)[0]
        if any(marker in record for marker in CRASH_MARKERS):
            bad.append(f"crash: {record}")
        elif re.search(r"\[rapport\.[a-z-]+\]$", record):
            if "\n" in record or not RAPPORT_RE.match(record):
                bad.append(f"rapport format: {record!r}")
        elif not LOCATED_RE.match(first):
            subtype = re.search(r"\[([a-z_.-]+)\]$", record)
            if (
                subtype is None
                or subtype.group(1) not in WITHOUT_LINE
                or not re.match(r"^.+\.(md|rst): WARNING: ", first)
            ):
                bad.append(f"no location: {record!r}")
    return bad


def test_the_checker_rejects_what_it_must() -> None:
    """The rule of this file, checked on known lines (a checker that passes all is no test)."""
    good = [
        "rapporter/2025/a.md:3: WARNING: Okänt ämne ”X” [rapport.topic-unknown]",
        'rapporter/2025/a.rst:12: ERROR: Error in "beslut" directive:\nunknown option: "x".',
        "rapporter/2025/a.md: WARNING: document isn't included in any toctree [toc.not_included]",
    ]
    bad = [
        "rapporter/2025/a.md: WARNING: Okänt ämne ”X” [rapport.topic-unknown]",  # no line
        "WARNING: Okänt ämne ”X” [rapport.topic-unknown]",  # no file
        "rapporter/2025/a.md:3: WARNING: rad ett\nrad två [rapport.topic-unknown]",  # two lines
        "WARNING: toctree glob pattern 'x' didn't match any documents",  # Sphinx, no location
        "rapporter/2025/a.md: WARNING: image file not readable: x [image.not_readable]",  # no line, not exempt
        "rapporter/2025/a.md:3: WARNING: Extension error (rapport.x): Handler threw an exception",
    ]
    assert problems(good) == []
    assert len(problems(bad)) == len(bad)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("robust")


def assert_robust(base: Path, files: dict[str, str | bytes], builder: str = "dummy", **overrides: object) -> Result:
    result = build(write_project(base, files), builder, **overrides)
    assert problems(result.warnings) == []
    return result


# -- properties ------------------------------------------------------------------------


LONG_LINK_REPORT = (
    f"---\nsammanstallt: 2025-01-01 08:30\n---\n\n# R\n\n:::{{avsnitt}} sammanfattning\n- [Titel]({'x' * 300})\n:::\n"
)


@pytest.mark.slow
@SETTINGS
@given(files=projects())
# found by hypothesis: MyST's Path.is_file() raised OSError for a 300-character link target
@example(files={"rapporter/2025/2025-01-01.md": LONG_LINK_REPORT})
# found by hypothesis: PyYAML raises ValueError (not YAMLError) for 2025-02-30
@example(files={"rapporter/2025/2025-01-01.md": "---\nsammanstallt: 2025-02-30\n---\n\n# R\n"})
def test_generated_reports_build_with_located_warnings(workdir: Path, files: dict[str, str]) -> None:
    assert_robust(workdir, files)


@pytest.mark.slow
@settings(SETTINGS, max_examples=8)
@given(files=projects(), audience=st.sampled_from(["internt", "publik"]))
def test_generated_reports_write_html(workdir: Path, files: dict[str, str], audience: str) -> None:
    """The writing phase too: aggregates, links, the register and the public build."""
    assert_robust(workdir, files, "html", rapport_audience=audience)


@pytest.mark.slow
@settings(SETTINGS, max_examples=5)
@given(files=projects())
def test_generated_reports_write_pdf(workdir: Path, files: dict[str, str]) -> None:
    """The PDF builder: its own checks (long words, wide tables) must locate their warnings too."""
    assert_robust(workdir, files, "rapportpdf", rapport_pdf_dir=str(workdir / f"pdf{next(_COUNTER)}"))


@SETTINGS
@given(fm=front_matter())
def test_front_matter_never_raises(fm: str | None) -> None:
    """The front matter reader (used before Sphinx reads anything, by the audience scan)."""
    from rapport import frontmatter

    text = "# R\n" if fm is None else f"---\n{fm}---\n# R\n"
    result = frontmatter.read(text, "r.md")
    if result.error is not None:  # the named line lies inside the block
        assert 1 <= result.error_line <= max(result.end_line, 1), result
    for key in result.values:
        assert 1 <= result.lines.get(key, 1) <= result.end_line


@pytest.mark.parametrize(
    ("block", "line", "error"),
    [
        (
            "serie: test\nsammanstallt: 2025-02-30\n",
            3,
            "ett datum eller klockslag finns inte (kontrollera månad, dag och timme)",
        ),
        (
            "serie: test\namnen: [a,\n  b]\ntitel: a\x07b\n",
            5,
            "raden innehåller ett osynligt styrtecken; skriv om raden",
        ),
        ("a: " + "[" * 1000 + "]" * 1000 + "\n", 2, "blocket är för djupt nästlat"),
    ],
)
def test_front_matter_errors_name_their_line(block: str, line: int, error: str) -> None:
    """Errors PyYAML reports without a line (ValueError, ReaderError, RecursionError)."""
    from rapport import frontmatter

    result = frontmatter.read(f"---\n{block}---\n# R\n", "r.md")
    assert (result.error, result.error_line) == (error, line)


# -- regressions found by hypothesis and by hand ------------------------------------------


def test_exit_code_is_zero_for_a_hostile_project(workdir: Path) -> None:
    """``python -m sphinx`` (non-strict) exits 0 on bad input and prints no traceback."""
    src = write_project(
        workdir,
        {"rapporter/2025/2025-01-01.md": HOSTILE_REPORT},
    )
    # the command's exit code and output, from its own entry point run in this process
    proc = run_sphinx(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(src.parent / "exit-html")],
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert not any(marker in proc.stderr for marker in CRASH_MARKERS), proc.stderr
    warnings = [line.replace(str(src) + "/", "") for line in proc.stderr.splitlines() if "WARNING" in line]
    assert warnings
    assert problems(warnings) == []


HOSTILE_REPORT = """\
---
sammanstallt: 2025-01-01 08:30
amnen: [Alfa, "<script>alert(1)</script>"]
---

# Rapport <script>alert(1)</script>

:::{avsnitt} sammanfattning
- Se {beslut}`saknas` och [](A-1).
- <img src=x onerror="alert(1)">

## Rubrik i avsnittet

:::{beslut} A-1
:datum: 2025-02-30
:organ: " onmouseover="alert(1)
:titel: <script>alert(1)</script>
:status: okänd
:ersatter: A-1
:okant: x
Text.
:::

:::{avsnitt} atgarder
- 31/2: [Omöjligt datum](https://exempelby.invalid/a)
- 0/0: [Noll](https://exempelby.invalid/b)
- 1/1: [Skript](javascript:alert(1))
:::
"""


def _report_files(
    workdir: Path, files: dict[str, str | bytes], builder: str = "dummy", **overrides: object
) -> list[str]:
    """Warnings about the report pages only (the fixed pages of the project are clean)."""
    result = assert_robust(workdir, files, builder, **overrides)
    return [w for w in result.warnings if w.startswith("rapporter/")]


def test_impossible_front_matter_date_is_a_located_warning(workdir: Path) -> None:
    text = "---\nserie: test\namnen:\n  - Alfa\nsammanstallt: 2025-13-45\n---\n\n# R\n\n:::{avsnitt} sammanfattning\n- A\n:::\n"
    assert _report_files(workdir, {"rapporter/2025/2025-01-01.md": text}) == [
        "rapporter/2025/2025-01-01.md:5: WARNING: Front matter går inte att läsa: ett datum eller klockslag "
        "finns inte (kontrollera månad, dag och timme) [rapport.frontmatter]"
    ]


def test_overlong_link_target_is_text_with_a_warning(workdir: Path) -> None:
    warnings = _report_files(workdir, {"rapporter/2025/2025-01-01.md": LONG_LINK_REPORT}, "html")
    assert warnings == [
        f"rapporter/2025/2025-01-01.md:8: WARNING: Länkmålet ”{'x' * 59}…” är för långt för att vara en sida "
        "eller fil; länken visas som vanlig text [rapport.link-target]"
    ]


def test_latin1_file_builds_with_a_warning_on_the_first_bad_line(workdir: Path) -> None:
    """A report saved as Latin-1: Sphinx alone stops with UnicodeDecodeError."""
    text = "---\nsammanstallt: 2025-01-01 08:30\n---\n\n# Läget\n\n:::{avsnitt} sammanfattning\n- Hej\n:::\n"
    result = assert_robust(workdir, {"rapporter/2025/2025-01-01.md": text.encode("latin-1")}, "html")
    assert [w for w in result.warnings if w.startswith("rapporter/")] == [
        "rapporter/2025/2025-01-01.md:5: WARNING: Filen är inte sparad som UTF-8: tecken som inte kan läsas "
        "(till exempel å, ä, ö) visas som �, det första på den här raden. Spara filen som UTF-8 i redigeraren "
        "[rapport.encoding]"
    ]


def test_replacement_character_written_on_purpose_is_no_warning(workdir: Path) -> None:
    text = "---\nsammanstallt: 2025-01-01 08:30\n---\n\n# Tecknet �\n\n:::{avsnitt} sammanfattning\n- Hej\n:::\n"
    assert _report_files(workdir, {"rapporter/2025/2025-01-01.md": text}) == []


def test_empty_file(workdir: Path) -> None:
    assert _report_files(workdir, {"rapporter/2025/2025-01-01.md": ""}) == [
        "rapporter/2025/2025-01-01.md:1: WARNING: Uppgift om när rapporten sammanställdes saknas "
        "(lägg till sammanstallt: ÅÅÅÅ-MM-DD TT:MM i front matter) [rapport.date-missing]",
        "rapporter/2025/2025-01-01.md:1: WARNING: Det obligatoriska avsnittet ”Sammanfattande lägesbild” "
        "saknas (skriv :::{avsnitt} sammanfattning) [rapport.section-missing]",
    ]


def test_file_with_only_front_matter(workdir: Path) -> None:
    assert _report_files(workdir, {"rapporter/2025/2025-01-01.md": "---\nsammanstallt: 2025-01-01 08:30\n---\n"}) == [
        "rapporter/2025/2025-01-01.md:1: WARNING: Det obligatoriska avsnittet ”Sammanfattande lägesbild” "
        "saknas (skriv :::{avsnitt} sammanfattning) [rapport.section-missing]",
    ]


def test_byte_order_mark_does_not_hide_front_matter(workdir: Path) -> None:
    """Windows editors write a BOM; it hid the front matter, and with it ``internt: true``."""
    text = "\ufeff---\nsammanstallt: 2025-01-01 08:30\ninternt: true\n---\n\n# Zqxbom\n\n:::{avsnitt} sammanfattning\n- Hej\n:::\n"
    # the internal build reads the front matter (no "sammanstallt saknas")
    assert _report_files(workdir, {"rapporter/2025/2025-01-01.md": text}) == []
    src = write_project(workdir, {"rapporter/2025/2025-01-01.md": text})
    result = build(src, "html", rapport_audience="publik")
    assert problems(result.warnings) == []
    out = src.parent / f"{src.name}-build" / "html"
    leaked = [str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and b"Zqxbom" in p.read_bytes()]
    assert leaked == []


@pytest.mark.slow
def test_five_megabyte_file(workdir: Path) -> None:
    """Pasted material: 5 MB in 5 000 long paragraphs (few nodes, so the test stays quick)."""
    lines = ["---", "sammanstallt: 2025-01-01 08:30", "---", "", "# Stor rapport", "", ":::{avsnitt} sammanfattning"]
    sentence = "Text om läget i regionen och vad som händer härnäst. "
    lines += [f"Stycke {i}: " + sentence * 18 + "\n" for i in range(5_000)]
    text = "\n".join([*lines, ":::", ""])
    assert 5_100_000 < len(text.encode()) < 5_250_000
    warnings = _report_files(workdir, {"rapporter/2025/2025-01-01.md": text})
    assert warnings == [
        "rapporter/2025/2025-01-01.md:1: WARNING: Filen är mycket stor (5,2 MB); den byggs, men gör varje "
        "bygge långsamt. Kontrollera att inget inklistrat material (tabeller, loggar) kommit med av misstag "
        "[rapport.file-large]"
    ]
