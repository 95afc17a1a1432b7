"""The command-line face of the release operations: ``rapport skicka``, ``godkänn``,
``status``, ``rättelse``, ``historik`` and ``publicera``.

Runs outside Sphinx, in the ``rapport`` command. Each subcommand parses its
arguments and calls one function of :mod:`rapport.writer.release.ops`, which the
desk calls too; a :class:`~rapport.command.CommandError` is shown as one Swedish line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from rapport import command
from rapport.command import EXIT_OK, EXIT_USAGE, CommandError

from . import records

REPORT_HELP = "rapportens fil (docs/rapporter/2025/2025-10-02.md) eller datum (2025-10-02)"

Body = Callable[[ModuleType, Any, argparse.Namespace], int]
Command = Callable[[Any, argparse.Namespace], int]


def _subcommand(name: str) -> Callable[[Body], Command]:
    """``rapport NAME``: the body runs through the command's error model
    (:func:`rapport.command.run`) and gets :mod:`.ops`, imported only when a subcommand
    runs: ops loads Sphinx, which ``rapport --help`` or a wrong call does not need."""

    def wrap(body: Body) -> Command:
        def run(project: Any, args: argparse.Namespace) -> int:
            def call() -> int:
                from . import ops

                return body(ops, project, args)

            return command.run(f"rapport {name}", call)

        run.__doc__ = body.__doc__
        return run

    return wrap


@_subcommand("skicka")
def cmd_skicka(ops: ModuleType, project: Any, args: argparse.Namespace) -> int:
    if args.korrektur and args.rattelse:
        raise CommandError("--korrektur och --rättelse kan inte kombineras", EXIT_USAGE)
    if args.korrektur:
        return ops.send_proof(project, args.rapport, out=sys.stdout, err=sys.stderr)
    if args.rattelse:
        return ops.send_correction(
            project, args.rapport, out=sys.stdout, err=sys.stderr, accept_placeholders=args.med_platshallare
        )
    return ops.send(
        project,
        args.rapport,
        lists=args.lista,
        test=args.test,
        accept_placeholders=args.med_platshallare,
        out=sys.stdout,
        err=sys.stderr,
        again=args.igen,
        allow_warnings=args.trots_varningar,
        trial=args.prov,
    )


@_subcommand("godkänn")
def cmd_godkann(ops: ModuleType, project: Any, args: argparse.Namespace) -> int:
    approval = ops.approve(project, args.rapport, by=args.av, how=args.hur, version=args.version, err=sys.stderr)
    print(
        f"Registrerat: {approval.by} godkände version {approval.version} ({approval.how}). "
        f"Godkännandet står i {records.APPROVALS}; spara det i git med rapporten."
    )
    return EXIT_OK


@_subcommand("status")
def cmd_status(ops: ModuleType, project: Any, args: argparse.Namespace) -> int:
    result = ops.status(project, args.rapport, err=sys.stderr)
    print("\n".join(result.lines()))
    return EXIT_OK


@_subcommand("rättelse")
def cmd_rattelse(ops: ModuleType, project: Any, args: argparse.Namespace) -> int:
    found = ops.record_correction(project, args.rapport, wrong=args.fel, right=args.ratt, date=args.datum)
    print(
        f"Rättelsen ({found.date_text}) står nu överst i rapporten. Nästa steg: rapport bygg, "
        + ("godkännande av den nya versionen, " if ops.signoff_required(project) else "")
        + f"och rapport skicka {args.rapport} --rättelse till dem som fick en tidigare version."
    )
    return EXIT_OK


@_subcommand("historik")
def cmd_historik(ops: ModuleType, project: Any, args: argparse.Namespace) -> int:
    print(ops.history(project, args.rapport, addresses=args.adresser), end="")
    return EXIT_OK


@_subcommand("publicera")
def cmd_publicera(ops: ModuleType, project: Any, args: argparse.Namespace) -> int:
    if args.aterstall:
        from rapport.writer import publish

        print(publish.restore(Path(args.mal)))
        return EXIT_OK
    return ops.publish(
        project,
        args.mal,
        out=sys.stdout,
        err=sys.stderr,
        public=args.publik,
        accept_placeholders=args.med_platshallare,
    )


def add_parsers(commands: Any) -> dict[str, Any]:
    """The release subcommands' parsers; returns their commands for the CLI's table."""
    skicka = commands.add_parser(
        "skicka",
        help="skicka en rapport med e-post: korrektur, utskick till sändlistor eller rättelse",
        description="Skickar rapportens e-postutgåva till sändlistorna i utskick/listor.txt: ett eget "
        "meddelande till varje mottagare. Inget skickas som innehåller personnummer, privata telefonnummer, "
        "kvarglömda [BEKRÄFTA] eller ett utkast, och när serien kräver godkännande skickas bara en godkänd "
        "version. Skickloggen minns vem som fick vilken version.",
    )
    skicka.add_argument("rapport", metavar="RAPPORT", help=REPORT_HELP)
    skicka.add_argument(
        "--lista", action="append", default=[], metavar="NAMN", help="sändlistans namn; kan anges flera gånger"
    )
    skicka.add_argument(
        "--korrektur", action="store_true", help="skicka korrektur till seriens godkännare (märkt ”ej godkänd”)"
    )
    skicka.add_argument(
        "--rättelse",
        "--rattelse",
        dest="rattelse",
        action="store_true",
        help="skicka den senaste rättelsen till dem som fick en tidigare version",
    )
    skicka.add_argument(
        "--med-platshallare",
        dest="med_platshallare",
        action="store_true",
        help="skicka fast rapporten har platshållarlänkar (#); de listas först",
    )
    skicka.add_argument(
        "--prov", action="store_true", help="skriv meddelandena till _build/epost/prov utan att skicka något"
    )
    skicka.add_argument("--test", metavar="ADRESS", help="skicka ett exemplar till en adress (till exempel din egen)")
    skicka.add_argument(
        "--trots-varningar",
        dest="trots_varningar",
        action="store_true",
        help="skicka fast bygget varnar för rapporten (aldrig med personuppgifter eller [BEKRÄFTA])",
    )
    skicka.add_argument(
        "--igen", action="store_true", help="skicka också till dem som redan har fått rapporten enligt skickloggen"
    )

    godkann = commands.add_parser(
        "godkänn",
        aliases=["godkann"],
        help="registrera att en godkännare har godkänt en version",
        description="Registrerar vem som godkände vilken version av rapporten, när och hur. Versionskoden "
        "står i korrekturen. Godkännandet gäller bara den versionen: en ändring efteråt kräver ett nytt.",
    )
    godkann.add_argument("rapport", metavar="RAPPORT", help=REPORT_HELP)
    godkann.add_argument(
        "--av", required=True, metavar="NAMN", help="godkännarens namn eller adress (godkannare i rapport.toml)"
    )
    godkann.add_argument("--version", required=True, metavar="KOD", help="versionskoden i korrekturen")
    godkann.add_argument(
        "--hur", default="e-post", choices=records.HOW, help="hur godkännandet gavs (standard: e-post)"
    )

    status = commands.add_parser(
        "status",
        help="visa rapportens version, godkännande och vad som stoppar utskick",
        description="Bygger rapportens e-postutgåva och visar versionskoden, godkännandet, vad som stoppar "
        "utskick och publicering, och vad som har ändrats sedan den godkända eller skickade versionen.",
    )
    status.add_argument("rapport", metavar="RAPPORT", help=REPORT_HELP)

    rattelse = commands.add_parser(
        "rättelse",
        aliases=["rattelse"],
        help="registrera en rättelse av en skickad rapport",
        description="Skriver en daterad rättelse överst i rapporten: vad som stod och vad som gäller. "
        "Sidan, PDF:en och e-posten visar den. Skicka den sedan med rapport skicka RAPPORT --rättelse.",
    )
    rattelse.add_argument("rapport", metavar="RAPPORT", help=REPORT_HELP)
    rattelse.add_argument("--fel", required=True, metavar="TEXT", help="vad som stod")
    rattelse.add_argument("--rätt", "--ratt", dest="ratt", required=True, metavar="TEXT", help="vad som gäller")
    rattelse.add_argument("--datum", metavar="ÅÅÅÅ-MM-DD", help="rättelsens datum (standard: i dag)")

    historik = commands.add_parser(
        "historik",
        help="visa en rapports historik: versioner, godkännanden, rättelser, mottagare",
        description="Visar vad som har hänt med rapporten: godkännanden, rättelser, vilka versioner som "
        "skickades och till hur många. Adresserna visas bara med --adresser.",
    )
    historik.add_argument("rapport", metavar="RAPPORT", help=REPORT_HELP)
    historik.add_argument("--adresser", action="store_true", help="visa mottagarnas adresser")

    publicera = commands.add_parser(
        "publicera",
        help="publicera den byggda webbplatsen i intranätets mapp",
        description="Kopierar den byggda webbplatsen (_build/html med PDF:erna) till MÅL, till exempel "
        "intranätets webbmapp, efter samma kontroll som ett utskick. Läsarna ser hela tiden antingen den "
        "gamla eller den nya webbplatsen, aldrig en halvkopierad. Den tidigare versionen sparas och kan tas "
        "tillbaka med --återställ.",
    )
    publicera.add_argument("mal", metavar="MÅL", help="mappen som webbservern visar")
    publicera.add_argument(
        "--återställ",
        "--aterstall",
        dest="aterstall",
        action="store_true",
        help="ta tillbaka den version som fanns före den senaste publiceringen",
    )
    publicera.add_argument(
        "--publik", action="store_true", help="publicera den publika webbplatsen (_build/publik/html)"
    )
    publicera.add_argument(
        "--med-platshallare",
        dest="med_platshallare",
        action="store_true",
        help="publicera fast webbplatsen har platshållarlänkar (#) som inte är kvitterade",
    )
    return {
        "skicka": cmd_skicka,
        "godkänn": cmd_godkann,
        "godkann": cmd_godkann,
        "status": cmd_status,
        "rättelse": cmd_rattelse,
        "rattelse": cmd_rattelse,
        "historik": cmd_historik,
        "publicera": cmd_publicera,
    }
