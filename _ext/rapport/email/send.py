"""``rapport skicka``: send a report's e-mail edition to named distribution lists."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(commands: Any) -> dict[str, Any]:
    parser = commands.add_parser("skicka", help="skicka en rapport med e-post till en eller flera sändlistor")
    parser.add_argument("rapport", metavar="RAPPORT")
    return {"skicka": cmd_skicka}


def cmd_skicka(project: Any, args: argparse.Namespace) -> int:
    return 2
