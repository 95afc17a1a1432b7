"""``rapport skrivbord``: the writer's desk, in the browser, over the project folder.

Runs outside Sphinx. This module is what the ``rapport`` command imports at every
start: the subcommand's parser, and the command, which imports the web app
(:mod:`rapport.writer.desk.app`, Starlette and uvicorn) only when the desk starts.
The desk is a second face of the same operations as the command line: it writes
reports with :mod:`rapport.writer.newreport`, checks them with
:func:`rapport.writer.kontroll.check_report`, previews them with the project's real
Sphinx build and releases them with :mod:`rapport.writer.release.ops`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rapport.command import EXIT_OK, EXIT_USAGE, CommandError


def add_parser(commands: Any) -> dict[str, Any]:
    """``rapport skrivbord``'s parser; returns the command for the CLI's table."""
    parser = commands.add_parser(
        "skrivbord",
        help="skriv, kontrollera, förhandsgranska och skicka i webbläsaren",
        description="Startar skrivbordet: en webbsida på den här datorn där du skriver rapporten med "
        "förhandsgranskningen bredvid, ser kontrollens fynd, skickar korrektur, registrerar godkännanden, "
        "skickar och publicerar. Webbläsaren öppnas av sig själv. Avsluta med Ctrl+C.",
    )
    parser.add_argument("--port", type=int, default=0, metavar="PORT", help="portnummer (standard: en ledig port)")
    parser.add_argument(
        "--adress",
        default="127.0.0.1",
        metavar="ADRESS",
        help="bara 127.0.0.1, ::1 eller localhost: skrivbordet nås aldrig från en annan dator",
    )
    parser.add_argument(
        "--ingen-webblasare",
        "--ingen-webbläsare",
        dest="ingen_webblasare",
        action="store_true",
        help="öppna inte webbläsaren (skriv bara ut adressen)",
    )
    return {"skrivbord": cmd_skrivbord}


def cmd_skrivbord(project: Any, args: argparse.Namespace) -> int:
    from .security import check_loopback

    try:
        check_loopback(args.adress)
        if not 0 <= int(args.port) < 65536:
            raise CommandError(f"”{args.port}” är inget portnummer (1–65535)", EXIT_USAGE)
        from .app import run

        return run(project, host=args.adress, port=int(args.port), open_browser=not args.ingen_webblasare)
    except CommandError as exc:
        print(f"rapport skrivbord: {exc}", file=sys.stderr)
        return exc.code
    except OSError as exc:
        print(
            f"rapport skrivbord: porten går inte att använda ({exc.strerror}); välj en annan med --port",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
