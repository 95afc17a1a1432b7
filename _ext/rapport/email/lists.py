"""Distribution lists: ``utskick/listor.txt``, read and checked by ``rapport skicka``.

Runs outside Sphinx. The file lives outside ``docs/``, so it is never built, published
or indexed for search. Its format is meant to be edited by hand::

    # a comment
    [ledning] internt
    anna.andersson@example.se
    Bo Berg <bo.berg@example.se>

    [press] publik
    redaktion@example.se

Each list starts with ``[name]`` and says who it is for: ``internt`` (the intranet
edition, with internal content) or ``publik`` (the public edition, without it); a list
that does not say is an error rather than a guess, because guessing "internal" would
send internal content outside. Every address is checked (syntax, with
``email-validator``; no DNS look-ups) and every problem is reported with file and line
before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from .message import has_line_break

INTERNAL, PUBLIC = "internt", "publik"
_AUDIENCE_WORDS = {
    "internt": INTERNAL,
    "intern": INTERNAL,
    "publik": PUBLIC,
    "publikt": PUBLIC,
    "extern": PUBLIC,
    "externt": PUBLIC,
}
_HEADING_RE = re.compile(r"^\[(?P<name>[^\]]*)\]\s*(?P<rest>.*)$")
_NAME_RE = re.compile(r"^[a-z0-9åäö][a-z0-9åäö_-]*$")


@dataclass(frozen=True)
class Recipient:
    address: str  # normalised: the domain in lower case
    display: str  # "Bo Berg <bo.berg@example.se>" or just the address, for To:
    list_name: str
    line: int


@dataclass(frozen=True)
class MailingList:
    name: str
    audience: str  # INTERNAL | PUBLIC
    line: int
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True)
class ListProblem:
    path: str
    line: int
    message: str

    def as_line(self) -> str:
        # line 0: about the file as a whole (missing file, unknown list name)
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


_PLAIN_RE = re.compile(r"^[^\s<>,;\"]+$")
_NAMED_RE = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+)>$")


def check_address(raw: str) -> tuple[str, str] | str:
    """``(normalised address, display form)`` or a Swedish reason why ``raw`` is not one.

    Two forms only, ``adress@domän.se`` and ``Namn <adress@domän.se>``: anything else
    (a header name, two addresses on a line, a comma) is a mistake to show, not to guess.
    """
    raw = raw.strip()
    if has_line_break(raw) or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        return "raden innehåller ett styrtecken (till exempel en radbrytning) och kan inte vara en adress"
    named = _NAMED_RE.match(raw)
    if named:
        name, address = named["name"].strip().strip('"').strip(), named["address"]
    elif _PLAIN_RE.match(raw):
        name, address = "", raw
    else:
        shown = raw if len(raw) <= 80 else raw[:77] + "…"
        return f"”{shown}” är ingen e-postadress (skriv adress@domän.se eller Namn <adress@domän.se>)"
    if "@" not in address:
        return f"”{address}” saknar @ och är ingen e-postadress"
    try:
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return f"”{address}” är ingen giltig e-postadress (kontrollera stavningen, @ och domänen)"
    # the ASCII form (an internationalised domain in punycode): what SMTP without SMTPUTF8 carries
    local, _, domain = (valid.ascii_email or valid.normalized).rpartition("@")
    normalised = f"{local}@{domain.lower()}"
    return normalised, str(Address(display_name=name, addr_spec=normalised)) if name else normalised


def read_lists(path: Path, shown: str) -> tuple[dict[str, MailingList], list[ListProblem]]:
    """Every list in ``path`` and every problem, with ``shown`` (the path the writer sees)."""
    try:
        # bytes, decoded by hand: read_text would turn a lone \r into a line break
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return {}, [ListProblem(shown, 0, "filen med sändlistor finns inte (se Skrivguiden: Skicka och publicera)")]
    except UnicodeDecodeError:
        return {}, [ListProblem(shown, 1, "filen är inte sparad som UTF-8; spara den med teckenkodningen UTF-8")]
    problems: list[ListProblem] = []
    lists: dict[str, MailingList] = {}
    current: dict | None = None

    def close() -> None:
        if current is not None:
            lists[current["name"]] = MailingList(
                current["name"], current["audience"], current["line"], tuple(current["recipients"])
            )

    # split on \n only: a stray \r or other line separator inside a line is a problem of
    # that line, never a second line (it could otherwise smuggle in a header)
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line[:-1] if raw_line.endswith("\r") else raw_line
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        heading = _HEADING_RE.match(stripped)
        if heading:
            close()
            name = heading["name"].strip().lower()
            rest = heading["rest"].split("#", 1)[0].strip().lower()
            current = {"name": name, "audience": INTERNAL, "line": number, "recipients": [], "seen": {}}
            if not _NAME_RE.match(name):
                problems.append(
                    ListProblem(
                        shown, number, f"”{heading['name']}” är inget listnamn (använd a–ö, siffror och bindestreck)"
                    )
                )
            elif name in lists:
                problems.append(ListProblem(shown, number, f"listan ”{name}” finns redan på rad {lists[name].line}"))
            if rest not in _AUDIENCE_WORDS:
                problems.append(
                    ListProblem(
                        shown,
                        number,
                        f"listan ”{name}” säger inte vilka den är till för: skriv [{name}] internt "
                        f"eller [{name}] publik",
                    )
                )
            else:
                current["audience"] = _AUDIENCE_WORDS[rest]
            continue
        if current is None:
            problems.append(
                ListProblem(
                    shown, number, "adressen står före den första listrubriken (till exempel [ledning] internt)"
                )
            )
            continue
        checked = check_address(stripped)
        if isinstance(checked, str):
            problems.append(ListProblem(shown, number, checked))
            continue
        address, display = checked
        key = address.lower()
        if key in current["seen"]:
            problems.append(
                ListProblem(
                    shown, number, f"{address} står redan på rad {current['seen'][key]} i listan ”{current['name']}”"
                )
            )
            continue
        current["seen"][key] = number
        current["recipients"].append(Recipient(address, display, current["name"], number))
    close()
    return lists, problems
