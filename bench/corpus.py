"""Generator of the benchmark corpus: a clearly fictitious report series for "Region Fjällmark".

Everything written here is invented demo data for measuring the build (issue 3, 4, 5, 6
and 8 benchmarks); Region Fjällmark, its bodies, systems and links do not exist. The
output is deterministic for a given seed and size, so two runs (and the 130- and
520-report corpora) differ only where the size does.

Three variants of the same corpus, selected with ``--variant``:

``full``
    the real markup of the project (front matter, ``avsnitt`` sections, ``beslut`` and
    ``faq`` directives, roles and ``[](ID)`` links, year pages with ``rapportar``, the
    aggregate pages), built with a ``conf.py`` that executes the repository's own
    ``conf.py`` and overrides only what differs (title, fixed "today", topic list,
    bibliography file), so the benchmark measures the settings the site uses.
``no-registry``
    the same corpus with every decision and FAQ directive written as plain text and
    every reference to them as plain text, and without the register pages: the
    baseline for the registry overhead of issue 3.
``floor``
    the parse-only floor: the same Markdown files with every custom directive rewritten
    to the plain MyST it stands for (a section becomes a ``##`` heading, a decision a
    ``###`` heading and a paragraph, a year page a glob toctree), built with a
    ``conf.py`` whose only extension is ``myst_parser`` (same MyST settings). Standing
    sections that a report leaves empty stay empty headings: the floor parses the
    source files, it does not insert standing content.

Usage::

    python bench/corpus.py OUTDIR [--reports 520] [--variant full|no-registry|floor]

writes a Sphinx source directory (with its ``conf.py``) to ``OUTDIR``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXT = REPO / "_ext" / "rapport"

VARIANTS = ("full", "no-registry", "floor")

FIRST_REPORT = dt.datetime(2016, 1, 7, 8, 30)  # a Thursday; one report a week after it
DEFAULT_REPORTS = 520
DECISIONS_PER_520 = 1000
FAQ_PER_520 = 500

NOTICE = (
    "Fiktiv demodata för prestandamätning: Region Fjällmark, dess organ, system och "
    "länkar finns inte. Innehållet är maskingenererat."
)

# -- invented vocabulary -------------------------------------------------------------------

TOPICS = ["Norrsken", "Fjällambulans", "expertgruppen", "journalflytt", "e-tjänster", "bemanning"]
BODIES = {
    "RS": "Regionstyrelsen i Fjällmark",
    "RF": "Regionfullmäktige i Fjällmark",
    "HSN": "Hälso- och sjukvårdsnämnden i Fjällmark",
    "SG": "Samordningsgruppen i Fjällmark",
    "RD": "Regiondirektören i Fjällmark",
}
CHANNELS = ["Fjällnytt", "Intranätet Fjällnätet", "Regionstyrelsen", "Pressmeddelande", "Chefsbrevet", ""]
SUBJECTS = [
    "Arbetsgruppen för Norrsken",
    "Samordningsgruppen",
    "Programledningen",
    "Förvaltningen för vårdsystem",
    "Enheten för prehospital vård",
    "Projektet för journalflytt",
    "Styrgruppen för e-tjänster",
    "Kommunikationsstaben",
    "Ekonomifunktionen",
    "Referensgruppen med verksamhetsföreträdare",
]
VERBS = [
    "har fortsatt arbetet med",
    "redovisar läget för",
    "har påbörjat en översyn av",
    "har lämnat en lägesrapport om",
    "planerar nästa steg i",
    "har slutfört en kartläggning av",
    "följer noga utvecklingen av",
    "har tagit fram ett underlag om",
    "genomför en riskanalys av",
    "har stämt av tidplanen för",
]
OBJECTS = [
    "införandet av Norrsken i de norra sjukvårdsområdena",
    "ersättningen av Fjällambulans för ambulanssjukvården",
    "flytten av journaldata från de äldre systemen",
    "utbildningsinsatserna för medarbetare i primärvården",
    "e-tjänsterna för invånare i fjällkommunerna",
    "bemanningen inom förvaltningen för vårdsystem",
    "avtalen med leverantörerna av stödsystem",
    "driftsäkerheten i de gamla journalsystemen",
    "informationssäkerheten vid datautbyte med kommunerna",
    "behovskartläggningen i den prehospitala vården",
    "kostnaderna för konsultstöd under pausen",
    "samverkan med de fackliga organisationerna",
]
TAILS = [
    "Arbetet beräknas vara klart under kvartalet.",
    "En fördjupad rapport lämnas till samordningsgruppen i nästa månad.",
    "Underlaget ska ligga till grund för kommande politiska beslut.",
    "Resultatet redovisas för berörda verksamheter vid nästa dialogmöte.",
    "Inga nya avvikelser har rapporterats sedan förra rapporten.",
    "Tidplanen ligger fast trots de förseningar som rapporterades tidigare.",
    "Synpunkter från verksamheterna samlas in löpande.",
    "Kostnaden bedöms rymmas inom den beslutade ramen.",
    "Medarbetare som berörs informeras av sin närmaste chef.",
    "Frågan följs upp av styrgruppen.",
]
MEDIA = [
    "Medieintresset har under veckan varit måttligt med enstaka intervjuförfrågningar.",
    "Lokala medier har begärt ut handlingar om kostnaderna, och de lämnas ut skyndsamt.",
    "Fjällnytt har publicerat en artikel om läget i införandet.",
    "Frågor från medarbetare besvaras löpande på intranätet Fjällnätet.",
    "Inför nästa möte i regionstyrelsen förbereds ett pressmeddelande.",
    "Programchefen har intervjuats i lokalradion om tidplanen.",
    "Lägesuppdateringar sker löpande internt och externt.",
]
COMMENTS = [
    "Verksamheterna behöver ett modernt vårdinformationssystem, och arbetet med att säkerställa dagens system fortsätter.",
    "Patientsäkerheten går före tidplanen i varje beslut om införandet.",
    "Medarbetarnas erfarenheter från de första enheterna tas tillvara i det fortsatta arbetet.",
    "Förvaltningen ser positivt på det utökade samarbetet med kommunerna.",
    "Det är viktigt att informationen till invånarna är tydlig och samordnad.",
]
ACTION_TITLES = [
    "Lägesbild för införandet av Norrsken",
    "Så påverkas du av journalflytten",
    "Frågor och svar om pausen",
    "Nytt datum för utbildning i Norrsken",
    "Regionstyrelsen om fortsatt arbete",
    "Fjällambulans ersätts stegvis",
    "Ny samlingssida om e-tjänsterna",
    "Intervju med programchefen",
    "Beslut om bemanning under pausen",
    "Dialogmöte med fackliga företrädare",
]
FAQ_QUESTIONS = [
    "Vad innebär pausen för {topic}?",
    "När kommer nästa besked om {topic}?",
    "Vem kan jag kontakta om {topic}?",
    "Hur påverkas min arbetsplats av {topic}?",
    "Var hittar jag mer information om {topic}?",
    "Vilka beslut har fattats om {topic}?",
]
DECISION_TITLES = [
    "Godkännande av lägesrapport om {topic}",
    "Uppdrag att utreda {topic}",
    "Fortsatt paus i arbetet med {topic}",
    "Budgetram för {topic}",
    "Tidplan för {topic}",
    "Återrapportering om {topic}",
]
STATUSES = ["fattat"] * 8 + ["planerat", "upphävt"]


# -- the corpus model ----------------------------------------------------------------------


@dataclass
class Decision:
    id: str
    day: dt.date
    body: str
    title: str
    status: str
    topics: list[str]
    sources: list[str]
    text: str
    supersedes: str | None = None
    superseded_by: str | None = None


@dataclass
class Faq:
    id: str
    question: str
    topic: str
    updated: dt.date
    answer: str


@dataclass
class Action:
    day: dt.date
    channel: str
    title: str
    url: str
    comment: str


@dataclass
class Report:
    index: int
    compiled: dt.datetime
    topics: list[str]
    sections: dict[str, list[str]]  # key -> Markdown bullet lines (references as markers)
    decisions: list[Decision] = field(default_factory=list)
    faqs: list[Faq] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    override_standing: bool = False

    @property
    def docname(self) -> str:
        return f"rapporter/{self.compiled.year}/{self.compiled.date().isoformat()}"


def _format_date(day: dt.date) -> str:
    sys.path.insert(0, str(REPO / "_ext"))
    from rapport.dates import format_date  # the site's own house style

    return format_date(day)


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}."


def _bullet_text(rng: random.Random) -> str:
    parts = [_sentence(rng)]
    parts += rng.sample(TAILS, rng.randint(0, 3))
    return " ".join(parts)


# References are kept as markers in the model and rendered per variant:
#   ⟦beslut:ID⟧ ⟦beslut:ID|text⟧ ⟦link:ID⟧ ⟦faq:ID⟧
_REF_RE = re.compile(r"⟦(beslut|faq|link):([^|⟧]+)(?:\|([^⟧]+))?⟧")


def build_model(reports: int, seed: int = 2016, decisions: int | None = None, faqs: int | None = None) -> list[Report]:
    rng = random.Random(seed)
    n_dec = decisions if decisions is not None else round(reports * DECISIONS_PER_520 / DEFAULT_REPORTS)
    n_faq = faqs if faqs is not None else round(reports * FAQ_PER_520 / DEFAULT_REPORTS)
    model: list[Report] = []
    bib_keys = [f"fjallmark-protokoll-{i:03d}" for i in range(1, 121)]
    recent_actions: list[Action] = []
    all_decisions: list[Decision] = []
    all_faqs: list[Faq] = []
    used_ids: set[str] = set()
    for index in range(reports):
        compiled = FIRST_REPORT + dt.timedelta(weeks=index)
        report = Report(
            index=index,
            compiled=compiled,
            topics=sorted(rng.sample(TOPICS, rng.randint(1, 3))),
            sections={},
            override_standing=rng.random() < 0.1,
        )
        # decisions and FAQ entries declared in this report (evenly spread)
        for number in range(n_dec * index // reports, n_dec * (index + 1) // reports):
            for _ in range(100):
                body = rng.choice(list(BODIES))
                day = compiled.date() - dt.timedelta(days=rng.randint(1, 7))
                ident = f"{body}-{day.isoformat()}"
                if ident not in used_ids:
                    break
            else:  # pragma: no cover - 35 (body, day) pairs per week, at most a handful used
                raise RuntimeError("no free decision id")
            used_ids.add(ident)
            topic = rng.choice(TOPICS)
            decision = Decision(
                id=ident,
                day=day,
                body=body,
                title=rng.choice(DECISION_TITLES).format(topic=topic),
                status=rng.choice(STATUSES),
                topics=sorted({topic, rng.choice(TOPICS)}),
                sources=sorted(rng.sample(bib_keys, rng.randint(0, 2))),
                text=_bullet_text(rng),
            )
            # now and then a decision replaces an earlier one of the same body
            earlier = [d for d in all_decisions[-40:] if d.body == body and d.superseded_by is None and d.supersedes is None]
            if earlier and rng.random() < 0.08:
                old = rng.choice(earlier)
                old.superseded_by, old.status = decision.id, "ersatt"
                decision.supersedes = old.id
                decision.status = "fattat"
            report.decisions.append(decision)
            all_decisions.append(decision)
        for number in range(n_faq * index // reports, n_faq * (index + 1) // reports):
            topic = rng.choice(TOPICS)
            entry = Faq(
                id=f"faq-{number + 1:04d}",
                question=rng.choice(FAQ_QUESTIONS).format(topic=topic),
                topic=topic,
                updated=compiled.date(),
                answer=" ".join(rng.sample(TAILS, rng.randint(1, 3))),
            )
            report.faqs.append(entry)
            all_faqs.append(entry)

        # sections: bullet lists of varying length, with references to recent entries
        summary = [_bullet_text(rng) for _ in range(rng.randint(2, 6))]
        if rng.random() < 0.4:  # a nested list under one point
            summary.insert(1, "  - " + _bullet_text(rng))
        window = all_decisions[-30:]
        for decision in rng.sample(window, min(len(window), rng.randint(1, 3))):
            style = rng.random()
            marker = (
                f"⟦beslut:{decision.id}⟧"
                if style < 0.5
                else f"⟦beslut:{decision.id}|beslutet⟧"
                if style < 0.8
                else f"⟦link:{decision.id}⟧"
            )
            summary.append(f"Den {_format_date(decision.day)} behandlades {marker}. {rng.choice(TAILS)}")
        report.sections["sammanfattning"] = summary
        communication = [rng.choice(MEDIA) for _ in range(rng.randint(1, 4))]
        faq_window = all_faqs[-25:]
        for entry in rng.sample(faq_window, min(len(faq_window), rng.randint(0, 2))):
            communication.append(f"Se även frågan ⟦faq:{entry.id}⟧ bland frågor och svar.")
        report.sections["kommunikation"] = communication
        report.sections["verksamhetens-kommentar"] = [rng.choice(COMMENTS) for _ in range(rng.randint(1, 3))]

        # communication actions: some repeated from the previous report (timeline dedupe)
        actions = [a for a in recent_actions if rng.random() < 0.3][:2]
        for _ in range(rng.randint(1, 4)):
            day = compiled.date() - dt.timedelta(days=rng.randint(0, 6))
            slug = f"{day.isoformat()}-{rng.randint(1, 999):03d}"
            actions.append(
                Action(
                    day=day,
                    channel=rng.choice(CHANNELS),
                    title=rng.choice(ACTION_TITLES),
                    url=f"https://fjallmark.example/nyheter/{slug}",
                    comment=rng.choice(["", "", "om bl.a. tidplanen", "med frågor och svar"]),
                )
            )
        report.actions = sorted(actions, key=lambda a: (a.day, a.url), reverse=True)
        recent_actions = report.actions
        model.append(report)
    return model


# -- rendering -----------------------------------------------------------------------------

SECTION_LABELS: dict[str, str] = {}  # filled from the repository's conf.py (floor headings)
SECTION_KEYS = [
    "sammanfattning",
    "kommunikation",
    "verksamhetens-kommentar",
    "atgarder",
    "samlad-information",
    "samordningsgrupp",
    "talesperson",
    "om-rapporten",
]
STANDING = {
    "samlad-information": (
        "- [Samlad information om Norrsken på Fjällnätet](https://fjallmark.example/norrsken)\n"
        "- [Frågor och svar om pausen](https://fjallmark.example/faq)\n"
        "- [Samlingssida om samordningsuppdraget](https://fjallmark.example/samordning)\n"
    ),
    "samordningsgrupp": (
        "- Samordningsgruppen i Fjällmark ska säkerställa att regionen har ett ändamålsenligt vårdinformationssystem.\n"
        "- Utöver det har samordningsgruppen följande uppdrag:\n"
        "  - Utredning av organiseringen av verksamhetsutveckling med stöd av digitalisering.\n"
        "  - Planering av förändringsledning vid införandet av Norrsken.\n"
        "- Samordningsgruppen rapporterar till regiondirektören i Fjällmark.\n"
    ),
    "talesperson": (
        "- Programchefen för Norrsken (fiktiv roll)\n"
        "- Beslutsfattaren i samordningsgruppen (fiktiv roll)\n"
    ),
    "om-rapporten": (
        "Sammanställs av kommunikationsstaben i Region Fjällmark på uppdrag av samordningsgruppen.\n\n"
        f"{NOTICE}\n"
    ),
}


def _section_labels() -> dict[str, str]:
    if not SECTION_LABELS:
        namespace: dict[str, object] = {"__file__": str(REPO / "conf.py"), "__name__": "conf"}
        exec(compile((REPO / "conf.py").read_text(encoding="utf-8"), str(REPO / "conf.py"), "exec"), namespace)
        series = namespace["rapport_series"][namespace["rapport_default_series"]]  # type: ignore[index]
        SECTION_LABELS.update({s["key"]: s["label"] for s in series["sections"]})
    return SECTION_LABELS


class Renderer:
    """Writes one variant of the model as Markdown."""

    def __init__(
        self, variant: str, decisions: dict[str, Decision], faqs: dict[str, Faq], directives: set[str] | None = None
    ) -> None:
        self.variant = variant
        self.decisions = decisions
        self.faqs = faqs
        known = known_directives() if directives is None else directives
        # the registry markup is written only once the extension declares it, so the
        # generator can run (and be tested) while those modules are being written
        self.decision_markup = variant == "full" and "beslut" in known
        self.faq_markup = variant == "full" and "faq" in known

    def refs(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            kind, ident, label = match.group(1), match.group(2), match.group(3)
            if kind == "faq":
                if self.faq_markup:
                    return f"{{faq}}`{ident}`"
                return f"”{self.faqs[ident].question}”"
            decision = self.decisions[ident]
            if self.decision_markup:
                if kind == "link":
                    return f"[]({ident})"
                return f"{{beslut}}`{label} <{ident}>`" if label else f"{{beslut}}`{ident}`"
            return f"{label or 'beslutet'} ”{decision.title}” ({ident})"

        return _REF_RE.sub(replace, text)

    def decision(self, d: Decision, fence: str) -> str:
        if self.decision_markup:
            lines = [
                f"{fence}{{beslut}} {d.id}",
                f":datum: {d.day.isoformat()}",
                f":organ: {BODIES[d.body]}",
                f":titel: {d.title}",
                f":status: {d.status}",
            ]
            if d.supersedes:
                lines.append(f":ersatter: {d.supersedes}")
            if d.superseded_by:
                lines.append(f":ersatt-av: {d.superseded_by}")
            if d.sources and self.bibliography:
                lines.append(f":kallor: {', '.join(d.sources)}")
            lines.append(f":amnen: {', '.join(d.topics)}")
            lines += ["", d.text, fence]
            return "\n".join(lines)
        # the same structure as the directive renders on a register page: a heading, the
        # facts, the body
        return f"## {d.id}: {d.title}\n\n{_format_date(d.day)}, {BODIES[d.body]}, {d.status}.\n\n{d.text}"

    def faq(self, f: Faq, fence: str) -> str:
        if self.faq_markup:
            return "\n".join(
                [
                    f"{fence}{{faq}} {f.id}",
                    f":fraga: {f.question}",
                    f":amne: {f.topic}",
                    f":uppdaterad: {f.updated.isoformat()}",
                    "",
                    f.answer,
                    fence,
                ]
            )
        return f"## {f.question}\n\n{f.answer}\n\nUppdaterad {_format_date(f.updated)}."

    bibliography = False

    def section(self, key: str, body: str) -> str:
        if self.variant == "floor":
            return f"## {_section_labels()[key]}\n\n{body}".rstrip() + "\n"
        fence = "::::" if ":::{" in body else ":::"
        return f"{fence}{{avsnitt}} {key}\n{body}{fence}\n" if body else f"{fence}{{avsnitt}} {key}\n{fence}\n"

    def report(self, r: Report) -> str:
        title = f"Lägesrapport Region Fjällmark {_format_date(r.compiled.date())}"
        out = [
            "---",
            "serie: samordning-vim",
            f"sammanstallt: {r.compiled:%Y-%m-%d %H:%M}",
            "utkast: false",
            f"amnen: [{', '.join(r.topics)}]",
            "---",
            "",
            f"# {title}",
            "",
        ]
        for key in SECTION_KEYS:
            body = ""
            if key in r.sections:
                body = "".join(f"- {self.refs(line)}\n" if not line.startswith("  ") else f"{line}\n" for line in r.sections[key])
            elif key == "atgarder":
                body = "".join(self._action(a, r) for a in r.actions)
            elif key == "samlad-information" and r.override_standing:
                body = STANDING[key] + "- [Fjällmarks sida om e-tjänsterna](https://fjallmark.example/e-tjanster)\n"
            out.append(self.section(key, body))
        return "\n".join(out)

    @staticmethod
    def _action(a: Action, r: Report) -> str:
        when = f"{a.day.day}/{a.day.month}" if a.day.year == r.compiled.year else a.day.isoformat()
        head = f"{when} {a.channel}".strip()
        tail = f" – {a.comment}" if a.comment else ""
        return f"- {head}: [{a.title}]({a.url}){tail}\n"


def active_modules() -> list[Path]:
    """The extension's module files: those ``rapport/extension.py`` imports (the package is
    in subpackages since issue 12), or every module if that file is not there."""
    composition = EXT / "extension.py"
    if not composition.exists():
        return sorted(EXT.rglob("*.py"))
    text = composition.read_text(encoding="utf-8")
    found = []
    for package, names in re.findall(r"^from rapport(?:\.([\w.]+))? import (\([^)]*\)|[^\n]+)", text, re.M):
        folder = EXT.joinpath(*package.split(".")) if package else EXT
        for name in re.split(r"[,\s()]+", names):
            name = name.split(" as ")[0].strip()
            if not name:
                continue
            for candidate in (folder / f"{name}.py", folder / name / "__init__.py"):
                if candidate.exists():
                    found.append(candidate)
    for package in {p.parent for p in found if p.name == "__init__.py"}:
        found.extend(sorted(package.glob("*.py")))  # a package's modules (rapport.email)
    return sorted(set(found))


def known_directives() -> set[str]:
    """Directive and role names the extension registers (the pages use those that exist)."""
    names: set[str] = set()
    for path in active_modules():
        names.update(re.findall(r"add_directive\(\s*[\"']([\w-]+)[\"']", path.read_text(encoding="utf-8")))
    return names


def _bib(model: list[Report]) -> str:
    entries = []
    for i in range(1, 121):
        year = 2016 + (i - 1) * 10 // 120
        entries.append(
            f"@misc{{fjallmark-protokoll-{i:03d},\n"
            f"  title = {{Protokoll nr {i} (fiktivt), Region Fjällmark}},\n"
            f"  author = {{{{Region Fjällmark}}}},\n"
            f"  year = {{{year}}},\n"
            f"  note = {{Fiktiv källa i demodata}},\n"
            f"  url = {{https://fjallmark.example/protokoll/{i:03d}}}\n}}\n"
        )
    return "\n".join(entries)


CONF_TEMPLATE = '''"""Benchmark corpus configuration (generated by bench/corpus.py; fictitious demo data).

Executes the repository's own conf.py so the benchmark builds with the site's settings,
then overrides only what the invented corpus needs.
"""
from pathlib import Path as _Path

_REPO_CONF = _Path({repo_conf!r})
_ns = {{"__file__": str(_REPO_CONF), "__name__": "conf"}}
exec(compile(_REPO_CONF.read_text(encoding="utf-8"), str(_REPO_CONF), "exec"), _ns)
globals().update({{k: v for k, v in _ns.items() if not k.startswith("__")}})
del _ns

project = "Region Fjällmark – fiktiv demodata"
html_title = "Region Fjällmark (fiktiv demodata)"
{overrides}
'''


def slug(name: str) -> str:
    """A file name for a topic: ``e-tjänster`` -> ``e-tjanster``."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", " ": "-"})
    return name.lower().translate(table)


def _page(title: str, intro: str, directive: str | None, toctree: str | None = None, blocks: list[str] | None = None) -> str:
    """One generated page: heading, a sentence, an optional aggregate directive, entries."""
    out = [f"# {title}", "", intro, ""]
    if directive:
        out += [f":::{{{directive}}}", ":::", ""]
    if toctree:
        out += ["```{toctree}", ":hidden:", ":glob:", "", toctree, "```", ""]
    out += [block + "\n" for block in blocks or []]
    return "\n".join(out)


def write_corpus(
    outdir: Path,
    reports: int = DEFAULT_REPORTS,
    variant: str = "full",
    seed: int = 2016,
    decisions: int | None = None,
    faqs: int | None = None,
) -> list[str]:
    """Write one variant to ``outdir`` (emptied first); return the report docnames.

    Decisions and FAQ entries are declared on register pages, as on the real site
    (``docs/beslutsregister.md``, ``docs/faq.md``): one page of decisions per year
    (``beslut/<år>``) and one page of questions per topic (``faq/<ämne>``), so no page
    grows with the whole archive. The reports refer to them with roles and links.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    model = build_model(reports, seed, decisions, faqs)
    all_decisions = {d.id: d for r in model for d in r.decisions}
    all_faqs = {f.id: f for r in model for f in r.faqs}
    directives = known_directives()
    renderer = Renderer(variant, all_decisions, all_faqs, directives)
    repo_conf = (REPO / "conf.py").read_text(encoding="utf-8")
    bibtex = variant != "floor" and "sphinxcontrib.bibtex" in repo_conf
    renderer.bibliography = renderer.decision_markup and bibtex
    aggregates = variant != "floor"

    def known(name: str) -> str | None:
        return name if aggregates and name in directives else None

    if outdir.exists():
        shutil.rmtree(outdir)
    (outdir / "_standard").mkdir(parents=True)
    overrides = [
        # every report is published, also the one the benchmark adds a week after the last
        f"rapport_today = {(model[-1].compiled.date() + dt.timedelta(days=30)).isoformat()!r}"
        if model
        else "",
    ]
    if variant != "floor":
        # the invented region's published address and contact, so the build has nothing
        # to warn about (a local base address, a missing contact)
        overrides += [
            'html_baseurl = "https://rapport.fjallmark.example/"',
            'rapport_contact = {"namn": "Kommunikationsstaben, Region Fjällmark", "epost": "rapport@fjallmark.example"}',
        ]
    if bibtex:
        overrides.append('bibtex_bibfiles = ["kallor.bib"]')
        (outdir / "kallor.bib").write_text(_bib(model), encoding="utf-8")
    if variant == "floor":
        overrides = ['extensions = ["myst_parser"]  # the parse-only floor: MyST and nothing else']
    (outdir / "conf.py").write_text(
        CONF_TEMPLATE.format(repo_conf=str(REPO / "conf.py"), overrides="\n".join(o for o in overrides if o)),
        encoding="utf-8",
    )
    for key, text in STANDING.items():
        (outdir / "_standard" / f"{key}.md").write_text(text, encoding="utf-8")

    def write(name: str, text: str) -> None:
        path = outdir / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    # registers: decisions per year, questions per topic
    by_year: dict[int, list[Decision]] = {}
    for decision in all_decisions.values():
        by_year.setdefault(decision.day.year, []).append(decision)
    for year, entries in sorted(by_year.items()):
        entries.sort(key=lambda d: (d.day, d.id), reverse=True)
        write(f"beslut/{year}", _page(f"Beslut {year}", f"Fiktiva beslut i Region Fjällmark {year}.", None, None,
                                      [renderer.decision(d, ":::") for d in entries]))
    by_topic: dict[str, list[Faq]] = {}
    for entry in all_faqs.values():
        by_topic.setdefault(entry.topic, []).append(entry)
    for topic, entries in sorted(by_topic.items()):
        write(f"faq/{slug(topic)}", _page(f"Frågor om {topic}", f"Fiktiva frågor och svar om {topic}.", None, None,
                                          [renderer.faq(f, ":::") for f in entries]))
    pages = ["rapporter/index"]
    if by_year:
        pages.append("beslutsregister")
        write("beslutsregister", _page("Beslutsregister", "Alla fiktiva beslut, det senaste först.",
                                       known("beslutsregister") if renderer.decision_markup else None, "beslut/*"))
    if by_topic:
        pages.append("faq")
        write("faq", _page("Frågor och svar", "Fiktiva frågor och svar, per ämne.",
                           known("faq-lista") if renderer.faq_markup else None, "faq/*"))
    if known("tidslinje"):
        pages.append("tidslinje")
        write("tidslinje", _page("Tidslinje", "Alla kommunikativa åtgärder, den senaste först.", "tidslinje"))
    pages.append("amnen/index")
    write("amnen/index", _page("Ämnen", "Allt om ett ämne över tid.", known("amnesindex"), "*"))
    for topic in TOPICS:
        text = f"Fiktivt ämne i demodata: {topic}."
        if known("amne"):
            block = f":::{{amne}} {topic}\n:nyckelord: {topic}\n{text}\n:::"
        else:
            block = text
        write(f"amnen/{slug(topic)}", f"# {topic}\n\n{block}\n")

    index = ["# Region Fjällmark – fiktiv demodata", "", NOTICE, "", "## Senaste rapporten", ""]
    index += [":::{senaste-rapport}", ":::", ""] if known("senaste-rapport") else ["Se arkivet.", ""]
    index += ["```{toctree}", ":hidden:", ":maxdepth: 2", "", *pages, "```", ""]
    write("index", "\n".join(index))
    write(
        "rapporter/index",
        "# Arkiv\n\nAlla fiktiva rapporter, per år.\n\n```{toctree}\n:glob:\n:reversed:\n:titlesonly:\n:maxdepth: 1\n\n*/index\n```\n",
    )
    for year in sorted({r.compiled.year for r in model}):
        write(f"rapporter/{year}/index", year_page(year, variant))
    for report in model:
        write(report.docname, renderer.report(report))
    return [r.docname for r in model]


def year_page(year: int | str, variant: str) -> str:
    body = (
        "```{toctree}\n:glob:\n:reversed:\n:titlesonly:\n:maxdepth: 1\n\n*-*\n```\n"
        if variant == "floor"
        else ":::{rapportar}\n:::\n"
    )
    return f"# Rapporter {year}\n\nFiktiva rapporter från {year}.\n\n{body}"


def new_report_text(corpus: Path, variant: str = "full") -> tuple[str, str]:
    """A report one week after the newest in ``corpus`` (for the "add a report" step)."""
    reports = sorted(corpus.glob("rapporter/*/*-*-*.md"))
    last = dt.date.fromisoformat(reports[-1].stem)
    compiled = dt.datetime.combine(last + dt.timedelta(weeks=1), dt.time(8, 30))
    rng = random.Random(compiled.toordinal())
    report = Report(
        index=len(reports),
        compiled=compiled,
        topics=["Norrsken"],
        sections={
            "sammanfattning": [_bullet_text(rng) for _ in range(3)],
            "kommunikation": [rng.choice(MEDIA)],
            "verksamhetens-kommentar": [rng.choice(COMMENTS)],
        },
        actions=[Action(compiled.date(), "Fjällnytt", "Ny vecka i införandet", "https://fjallmark.example/nyheter/ny", "")],
    )
    return report.docname, Renderer(variant, {}, {}).report(report)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS)
    parser.add_argument("--variant", choices=VARIANTS, default="full")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--decisions", type=int, default=None, help="default: 1000 per 520 reports")
    parser.add_argument("--faq", type=int, default=None, help="default: 500 per 520 reports")
    args = parser.parse_args(argv)
    names = write_corpus(args.outdir, args.reports, args.variant, args.seed, args.decisions, args.faq)
    print(f"{len(names)} rapporter ({args.variant}) skrivna till {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
