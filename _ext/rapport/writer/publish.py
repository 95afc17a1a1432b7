"""``rapport publicera``: copy the built site to the intranet's folder, atomically."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(commands: Any) -> dict[str, Any]:
    parser = commands.add_parser("publicera", help="publicera den byggda webbplatsen i en mapp")
    parser.add_argument("mal", metavar="MÅL")
    return {"publicera": cmd_publicera}


def cmd_publicera(project: Any, args: argparse.Namespace) -> int:
    return 2
