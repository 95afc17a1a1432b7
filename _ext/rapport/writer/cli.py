"""The writer's command ``rapport``: start, check, preview, build, send and publish.

Runs outside the Sphinx build (``pyproject.toml`` installs it as the ``rapport``
entry point; ``python -m rapport.writer.cli`` works too). Subcommands (``rapport
--help`` lists them with their options)::

    rapport ny [--datum ÅÅÅÅ-MM-DD[ TT:MM]]   the next report, from the latest one
    rapport kontroll [RAPPORT] [--format json] every finding, with file and line
    rapport förhandsgranska                    live preview on 127.0.0.1
    rapport bygg [--publik]                    the same build as ``make site``
    rapport skicka, godkänn, status, rättelse, historik, publicera
                                               the release (rapport.writer.release)
    rapport skrivbord                          the same in the browser (rapport.writer.desk)

Everything the writer sees is Swedish, argparse's own texts included. Every
subcommand ends through :func:`rapport.command.run`, with one error model: exit code
0 done, 1 findings or a failed build or send, 2 bad input (unknown command or option,
a date that is not a date, a missing folder, a file that is not UTF-8, a read-only
file), 3 a bug (an error the tool did not expect), 130 Ctrl+C. Each error is one line
on stderr; no traceback reaches the writer unless ``RAPPORT_FELSOK=1`` asks for it,
and no file the writer wrote is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import runpy
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rapport import command, compat
from rapport.command import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CommandError, UsageError
from rapport.dates import DateError, format_datetime, parse_datetime
from rapport.writer import desk
from rapport.writer.release import commands as release_commands

if TYPE_CHECKING:
    from rapport.config import CommandSettings

# What only a subcommand needs (the check, the build, the new report; they bring Sphinx,
# MyST and WeasyPrint) is imported in that subcommand: ``rapport --help`` and a wrong
# call answer without loading them.

PROG = "rapport"


# -- argparse in Swedish ------------------------------------------------------------------
#
# argparse looks its texts up through the module-level gettext functions ``_`` and
# ``ngettext``; :func:`rapport.compat.swedish_argparse` replaces those two while the
# command builds its parser and parses its arguments (and only then).

_TRANSLATIONS = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "optional arguments": "flaggor",
    "show this help message and exit": "visa den här hjälptexten och avsluta",
    "show program's version number and exit": "visa versionen och avsluta",
    "unrecognized arguments: %s": "okända argument: %s",
    "the following arguments are required: %s": "argument som saknas: %s",
    "expected one argument": "ett värde saknas",
    "expected at most one argument": "högst ett värde",
    "expected at least one argument": "minst ett värde saknas",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "ambiguous option: %(option)s could match %(matches)s": "flaggan %(option)s är tvetydig: %(matches)s",
    "not allowed with argument %s": "kan inte kombineras med %s",
    "ignored explicit argument %r": "värdet %r används inte",
    "unexpected option string: %s": "oväntad flagga: %s",
    "one of the arguments %s is required": "ett av argumenten %s krävs",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "subcommands": "kommandon",
}


def _sv(message: str) -> str:
    return _TRANSLATIONS.get(message, message)


def _sv_n(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "förväntade %s värde" if n == 1 else "förväntade %s värden"
    return singular if n == 1 else plural


class SwedishParser(argparse.ArgumentParser):
    """An argument parser whose errors are one Swedish line and exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", compat.SubcommandListFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        match = re.search(r"ogiltigt val: '([^']*)' \(välj bland (.*)\)", message)
        if match and message.startswith("kommando"):
            choices = ", ".join(c.strip("'") for c in match.group(2).split(", ") if c != "'forhandsgranska'")
            message = f"okänt kommando ”{match.group(1)}” (kommandona är: {choices})"
        elif message.startswith("okända argument"):
            message = message.replace("okända argument", "okänd flagga eller okänt argument")
        self.exit(EXIT_USAGE, f"{self.prog}: fel: {message}. Se {self.prog} --help\n")


def _datum(value: str) -> tuple[dt.datetime, bool]:

    try:
        return parse_datetime(value)
    except DateError as exc:
        raise argparse.ArgumentTypeError(f'{exc} (skriv till exempel --datum "2025-10-02 08:30")') from None


def build_parser() -> SwedishParser:
    parser = SwedishParser(
        prog=PROG,
        description="Skriv, kontrollera, förhandsgranska och bygg rapporterna. "
        "Skrivguiden på webbplatsen beskriver arbetsgången steg för steg.",
        epilog="Hjälp för ett kommando: rapport <kommando> --help. Statuskoder (samma för alla kommandon): "
        "0 klart, 1 fynd eller misslyckat, 2 fel i anropet eller i en fil, 3 internt fel i verktyget "
        f"({command.DEBUG_ENV}=1 först på raden visar detaljerna), 130 avbrutet.",
    )
    parser.add_argument(
        "--katalog",
        metavar="MAPP",
        help="projektmappen (där conf.py finns); standard: den aktuella mappen eller närmaste mapp ovanför med conf.py",
    )
    commands = parser.add_subparsers(dest="kommando", metavar="kommando", title="kommandon", parser_class=SwedishParser)

    ny = commands.add_parser(
        "ny",
        help="skapa nästa rapport utifrån den senaste",
        description="Skapar nästa rapport utifrån den senaste: rätt mapp och filnamn, tidpunkten för "
        "sammanställning, alla avsnitt i mallen och förra rapportens punkter märkta [BEKRÄFTA]. "
        "En befintlig fil skrivs aldrig över.",
    )
    ny.add_argument(
        "--datum",
        type=_datum,
        metavar="ÅÅÅÅ-MM-DD[ TT:MM]",
        help='när rapporten sammanställs (standard: nu), till exempel "2025-10-02 08:30"',
    )
    ny.add_argument("--serie", metavar="SERIE", help="rapportserien (standard: seriens standardval i conf.py)")
    ny.add_argument(
        "--ytterligare",
        action="store_true",
        help="skapa ytterligare en rapport fast det redan finns en för samma datum",
    )

    kontroll = commands.add_parser(
        "kontroll",
        help="kontrollera hela webbplatsen, eller en rapport, och lista fynd med fil och rad",
        description="Kontrollerar hela webbplatsen utan att bygga den: allt som bygget varnar för, "
        "platshållarlänkar, personnummer, mobilnummer och e-postadresser, rå HTML och datum och "
        "klockslag som inte följer skrivreglerna. Med RAPPORT kontrolleras bara den rapporten och det "
        "den visar (stående avsnitt, beslut och frågor den hänvisar till), och även [BEKRÄFTA] och "
        "utkast: true räknas som fynd. Platshållare som är kvitterade i kontroll-kvitterade.toml visas "
        "inte. Slutstatus 0: inga fynd, 1: fynd, 2: fel i anropet.",
    )
    kontroll.add_argument(
        "rapport",
        nargs="?",
        metavar="RAPPORT",
        help="en rapport: filen i docs/ eller dess datum, till exempel 2025-09-25 (standard: hela webbplatsen)",
    )
    kontroll.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="utdata som text (standard) eller json för verktyg",
    )
    kontroll.add_argument(
        "--visa-kvitterade",
        dest="visa_kvitterade",
        action="store_true",
        help="visa även de kvitterade platshållarna (märkta ”(kvitterad)”)",
    )

    for name, aliases in (("förhandsgranska", ["forhandsgranska"]),):
        preview = commands.add_parser(
            name,
            aliases=aliases,
            help="förhandsgranska webbplatsen i webbläsaren medan du skriver",
            description="Bygger webbplatsen med utkasten synliga och visar den på http://127.0.0.1. "
            "Sidan byggs om och laddas om i webbläsaren varje gång du sparar en fil. Avsluta med Ctrl+C.",
        )
        preview.add_argument("--port", type=_port, default=8000, metavar="PORT", help="portnummer (standard: 8000)")
        preview.add_argument("--oppna", action="store_true", help="öppna webbläsaren automatiskt")

    bygg = commands.add_parser(
        "bygg",
        help="bygg hela webbplatsen (samma som make site)",
        description="Bygger allt läsaren får i _build/: webbplatsen, sökindexet och PDF:erna. "
        "Samma bygge som make site, med en förloppsvisning.",
    )
    bygg.add_argument(
        "--publik",
        action="store_true",
        help="bygg den publika webbplatsen i _build/publik (samma som make site-publik)",
    )
    # rapport skicka, godkänn, status, rättelse, historik and publicera (the release
    # operations' own module) and rapport skrivbord (the desk) add their parsers and
    # name their commands; each parser carries its command, COMMANDS stays as it is
    for name, function in {**COMMANDS, **release_commands.add_parsers(commands), **desk.add_parser(commands)}.items():
        commands.choices[name].set_defaults(command=function)
    return parser


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"”{value}” är inget portnummer (1–65535)")
    return int(value)


# -- the project ------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    root: Path  # the folder with conf.py
    srcdir: Path  # docs/
    config: dict[str, Any]  # conf.py's values (rapport.toml's too: conf.py reads it)

    @cached_property
    def settings(self) -> CommandSettings:
        """The series' settings typed and checked as the build checks them
        (:func:`rapport.config.settings_from`): how every command reads a setting."""
        from rapport.config import settings_from

        return settings_from(self.config, self.root)

    @property
    def myst_extensions(self) -> list[str]:
        """MyST's syntax extensions (``myst_enable_extensions``): the source checks parse the
        reports with them, as the build does."""
        return [str(name) for name in self.config.get("myst_enable_extensions", None) or []]

    @property
    def reports_dir(self) -> Path:
        patterns = self.settings.values.report_patterns or ["rapporter/*/*"]
        return self.srcdir / str(patterns[0]).split("/", 1)[0]

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return str(path)


def find_project(katalog: str | None) -> Project:
    if katalog is not None:
        root = Path(katalog).expanduser()
        if not root.is_dir():
            raise UsageError(f"Mappen {katalog} finns inte", "ange projektmappen, där conf.py finns")
        if not (root / "conf.py").is_file():
            raise UsageError(f"Mappen {katalog} har ingen conf.py", "ange projektmappen, där conf.py finns")
    else:
        here = Path.cwd()
        root = next((p for p in (here, *here.parents) if (p / "conf.py").is_file()), None)  # type: ignore[assignment]
        if root is None:
            raise UsageError(
                "Hittar inget rapportprojekt (ingen conf.py i den här mappen eller ovanför)",
                "gå till projektmappen eller ange den med --katalog",
            )
    root = root.resolve()
    srcdir = root / "docs" if (root / "docs").is_dir() else root
    return Project(root, srcdir, load_conf(root))


def load_conf(root: Path) -> dict[str, Any]:
    """conf.py's values, executed as Sphinx does (in its own folder)."""
    conf = root / "conf.py"
    _read_text(conf)  # a clear message if conf.py itself is not UTF-8
    with contextlib.chdir(root):
        try:
            namespace = runpy.run_path(str(conf), run_name="conf")
        except SystemExit:
            raise UsageError("conf.py avslutade programmet när den lästes") from None
        except Exception as exc:  # noqa: BLE001 - any error in the writer's project file
            raise UsageError(f"conf.py går inte att läsa: {type(exc).__name__}: {exc}", "rätta conf.py") from None
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


def _read_text(path: Path) -> str:
    from rapport.writer.sourcescan import read_utf8

    try:
        return read_utf8(path)
    except PermissionError:
        raise UsageError(f"{path} går inte att läsa (saknar behörighet)") from None


def _series(project: Project, key: str | None):  # noqa: ANN202
    checked = project.settings
    problem = next((p for p in checked.problems if p.name == "rapport_series"), None)
    if problem is not None:
        raise UsageError(problem.refusal(), "rätta rapport_series i conf.py")
    specs = checked.series
    chosen = key or checked.values.default_series or next(iter(specs))
    if chosen not in specs:
        raise UsageError(f"Serien ”{chosen}” finns inte; serierna är: {', '.join(specs)}")
    return specs[chosen]


# -- the subcommands ----------------------------------------------------------------------


def cmd_ny(project: Project, args: argparse.Namespace) -> int:
    from rapport.writer.carryover import MARKER
    from rapport.writer.newreport import NewReportError, create, describe_existing, existing_for_date

    if args.datum is None:
        now = dt.datetime.now().replace(second=0, microsecond=0)
        compiled, has_time = now, True
    else:
        compiled, has_time = args.datum
    series = _series(project, args.serie)
    log = project.settings.values.email_log
    existing = existing_for_date(
        project.root,
        project.srcdir,
        compiled.date(),
        project.reports_dir,
        project.root / log if isinstance(log, str) and log else None,
    )
    if existing and not args.ytterligare:
        said = describe_existing(existing, project.relative)
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(
                f"{said}. Ingen ny rapport skapades",
                "öppna den befintliga och skriv vidare, eller skapa ytterligare en samma dag med rapport ny --ytterligare",
            )
        try:
            answer = input(f"{said}. Skapa ytterligare en rapport samma dag? [j/N] ").strip().lower()
        except (EOFError, KeyboardInterrupt):
            answer = ""  # Ctrl+D or Ctrl+C: no
        if answer not in ("j", "ja"):
            print("Ingen ny rapport skapades. Öppna den befintliga och skriv vidare.")
            return EXIT_OK
    try:
        path, previous, created = create(project.reports_dir, series, compiled, _read_text, has_time=has_time)
    except NewReportError as exc:
        raise UsageError(str(exc)) from None
    text = path.read_text(encoding="utf-8")
    markers = text.count(MARKER)
    print(f"Skapade {project.relative(path)} (sammanställd {format_datetime(compiled, has_time)}, utkast).")
    for extra in created[:-1]:
        if extra.is_file():
            print(f"Skapade också årssidan {project.relative(extra)}.")
    if previous is not None:
        print(f"Utgick från rapporten {project.relative(previous.path)}.")
    print(
        f"Nästa steg: gå igenom de {markers} punkter som är märkta {MARKER}. Ta bort märkningen när "
        "punkten stämmer, annars hela punkten. Ta bort raden utkast: true när rapporten är klar. "
        "Kör sedan rapport kontroll."
    )
    return EXIT_OK


def cmd_kontroll(project: Project, args: argparse.Namespace) -> int:
    from rapport.writer import kontroll

    extensions = project.myst_extensions
    allowed = project.settings.values.kontroll_tillatna
    if args.rapport:
        try:
            report = kontroll.find_report(project.root, project.srcdir, args.rapport)
        except kontroll.ReportNotFound as exc:
            raise UsageError(str(exc)) from None
        found = kontroll.run_report(project.root, project.srcdir, report, extensions, allowed)
    else:
        found = kontroll.run(project.root, project.srcdir, extensions, allowed)
    # acknowledged placeholders are known; they are counted, not repeated
    acknowledged = [f for f in found if f.acknowledged]
    findings = found if args.visa_kvitterade else [f for f in found if not f.acknowledged]
    counted = [f for f in findings if not f.acknowledged]
    if args.format == "json":
        json.dump(
            {"antal": len(counted), "fynd": [f.as_dict() for f in findings]},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        for finding in findings:
            print(finding.as_line())
        known = ""
        if acknowledged:
            known = (
                f" {len(acknowledged)} kvitterade platshållare visas inte (--visa-kvitterade visar dem)."
                if not args.visa_kvitterade
                else f" {len(acknowledged)} kvitterade platshållare visas också men räknas inte."
            )
        if counted:
            files = len({f.file for f in counted})
            noun = "fil" if files == 1 else "filer"
            print(
                f"{len(counted)} fynd i {files} {noun}. Skrivguiden förklarar varje slag av fynd.{known}",
                file=sys.stderr,
            )
        else:
            print(f"Inga fynd.{known}", file=sys.stderr)
    return EXIT_FINDINGS if counted else EXIT_OK


_AUTOBUILD_MESSAGES = (
    (
        re.compile(r"Serving on (\S+)"),
        "Förhandsgranskningen visas på {0} – öppna adressen i webbläsaren. Avsluta med Ctrl+C.",
    ),
    (re.compile(r"Starting initial build"), "Bygger förhandsgranskningen …"),
    (
        re.compile(r"Waiting to detect changes"),
        "Väntar på ändringar: spara en fil så byggs sidan om och laddas om i webbläsaren.",
    ),
    (re.compile(r"Detected changes? \((.*)\)"), "Ändrat: {0} – bygger om …"),
    (re.compile(r"Rebuilding"), None),
    (re.compile(r"Server ceasing operations"), "Förhandsgranskningen är avslutad."),
)
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def preview_command(project: Project, port: int, open_browser: bool) -> list[str]:
    out = project.root / "_build" / "forhandsgranskning"
    argv = [
        sys.executable,
        "-m",
        "rapport.writer.preview",  # sphinx-autobuild, with rebuilds that start warm
        "-b",
        "html",
        "-c",
        str(project.root),
        "-d",
        str(out.parent / "forhandsgranskning-doctrees"),
        "-D",
        "rapport_preview=1",
        "-q",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    for folder in ("_ext", "_templates"):
        if (project.root / folder).is_dir():
            argv += ["--watch", str(project.root / folder)]
    if open_browser:
        argv.append("--open-browser")
    return [*argv, str(project.srcdir), str(out)]


def cmd_forhandsgranska(project: Project, args: argparse.Namespace) -> int:
    from rapport.writer.build import line_process
    from rapport.writer.kontroll import check_encodings

    check_encodings(project.srcdir)
    stopped = False
    first_serve = True
    with line_process(
        preview_command(project, args.port, args.oppna),
        project.root,
        {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
    ) as proc:

        def stop(signum: int, frame: object) -> None:
            # Ctrl+C: let the server shut down cleanly and read its last lines
            nonlocal stopped
            stopped = True
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = _ANSI_RE.sub("", raw).rstrip()
            if not line or stopped:
                continue  # the web server's shutdown noise (a traceback on Ctrl+C) is not for the writer
            if line.startswith("[sphinx-autobuild]"):
                text = line[len("[sphinx-autobuild]") :].strip()
                for pattern, swedish in _AUTOBUILD_MESSAGES:
                    match = pattern.search(text)
                    if match:
                        if swedish and pattern.pattern.startswith("Serving") and not first_serve:
                            swedish = "Klart: sidan är uppdaterad."
                        elif pattern.pattern.startswith("Serving"):
                            first_serve = False
                        if swedish and "avslutad" not in swedish:
                            print(swedish.format(*match.groups()), flush=True)
                        break
                continue
            if "address already in use" in line.lower():
                proc.terminate()
                raise UsageError(
                    f"Port {args.port} används redan av ett annat program",
                    f"välj en annan med rapport förhandsgranska --port {args.port + 1}",
                )
            print(line, flush=True)
        code = proc.wait()
    if stopped:
        print("Förhandsgranskningen är avslutad.", flush=True)
        return EXIT_OK
    if code != 0:
        raise UsageError("Förhandsgranskningen avbröts med ett fel (se meddelandena ovan)")
    return EXIT_OK


def cmd_bygg(project: Project, args: argparse.Namespace) -> int:
    from rapport.writer import kontroll
    from rapport.writer.build import run_steps, site_steps

    kontroll.check_encodings(project.srcdir)
    public = bool(getattr(args, "publik", False))
    steps = site_steps(project.root, os.environ.get("SPHINXOPTS", ""), os.environ.get("PDFOPTS", ""), public)
    printed: list[str] = []
    results = run_steps(steps, sys.stderr, printed.append)
    failed = [r for r in results if r.returncode != 0]
    if failed:
        print(
            f"Bygget misslyckades i steget ”{failed[0].step.label}” (se meddelandena ovan).",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    html = project.root / "_build" / ("publik/html" if public else "html") / "index.html"
    # counted as rapport kontroll counts (writer.kontroll.after_build): the same number
    findings, about_build = kontroll.after_build(
        project.root,
        project.srcdir,
        project.myst_extensions,
        project.settings.values.kontroll_tillatna,
        printed,
    )
    noun = "varning" if about_build == 1 else "varningar"
    extra = f"; dessutom {about_build} {noun} om bygget, se ovan" if about_build else ""
    print(f"Klart: {project.relative(html)} ({findings} fynd{extra}; rapport kontroll listar fynden).")
    return EXIT_OK


COMMANDS = {
    "ny": cmd_ny,
    "kontroll": cmd_kontroll,
    "förhandsgranska": cmd_forhandsgranska,
    "forhandsgranska": cmd_forhandsgranska,
    "bygg": cmd_bygg,
}


# -- errors -------------------------------------------------------------------------------


def _describe(exc: BaseException) -> CommandError | None:
    """The writer's line for an error the writer can act on (:func:`rapport.command.describe`,
    and a source file that is not UTF-8); None for a bug."""
    if not isinstance(exc, CommandError):
        from rapport.writer.sourcescan import EncodingProblem

        if isinstance(exc, EncodingProblem):
            return UsageError(
                f"{exc.path} är inte sparad som UTF-8 (första felet på rad {exc.line})",
                "öppna filen och spara den med teckenkodningen UTF-8",
            )
    return command.describe(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns (and exits with) the exit code of :mod:`rapport.command`:
    0 done, 1 findings or failed, 2 usage, 3 a bug, 130 interrupted."""
    return command.run(PROG, lambda: _main(argv), describe=_describe, prefix="fel: ")


def _main(argv: Sequence[str] | None) -> int:
    with compat.swedish_argparse(_sv, _sv_n):
        parser = build_parser()
        args = parser.parse_args(argv)
        if not args.kommando:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
    project = find_project(args.katalog)
    return int(args.command(project, args))


if __name__ == "__main__":
    sys.exit(main())
