"""The writer's settings file ``rapport.toml``: what it holds, reading it, writing it back.

Runs when ``conf.py`` is executed (by Sphinx before ``config-inited``, and by the
``rapport`` command), and in ``rapport skrivbord`` when the writer saves the settings
page. Everything a writer may need to change (the site address, the contacts, the
sender, the SMTP server, the lists, the sign-off) lives in this data file, so nobody
edits Python to change a contact; ``conf.py`` keeps the Python-level structure (the
series and its sections) and reads this file with :func:`load`.

The keys are Swedish, for the writer who opens the file; :data:`ENTRIES` maps each to
its ``rapport_*`` setting, which :class:`rapport.config.RapportConfig` types and
validates (once, at ``config-inited``, with a warning naming ``rapport.toml`` and the
line; :func:`rapport.config.settings_from` does the same for the command line).
:func:`write` changes values with tomlkit, so the comments in the file stay.

The SMTP password is never in this file (nor in any other): the command line reads it
from ``RAPPORT_SMTP_LOSENORD``, the desk asks for it when it sends.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the file's name, next to conf.py
FILENAME = "rapport.toml"


@dataclass(frozen=True)
class Entry:
    """One key of ``rapport.toml``: where it is, which setting it fills, how the desk shows it."""

    key: str  # dotted: "smtp.server"; a contact is a whole table ("kontakt")
    setting: str  # the field of RapportConfig, without "rapport_"
    label: str  # the desk's Swedish label
    help: str = ""  # one Swedish sentence under the field
    kind: str = "text"  # text, number, flag, choice, contact, addresses


CONTACT_LABELS = {"namn": "Namn", "epost": "E-postadress", "telefon": "Telefon", "webbadress": "Webbadress"}

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "webbadress",
        "site_url",
        "Webbplatsens adress",
        "Adressen där webbplatsen publiceras, till exempel https://intranat.example.se/rapport/. Tom: "
        "förhandsgranskningens adress. Miljövariabeln RAPPORT_BASE_URL går före.",
    ),
    Entry("kontakt", "contact", "Kontakt för serien", "Visas på varje rapportsida.", "contact"),
    Entry(
        "tillganglighetskontakt",
        "accessibility_contact",
        "Kontakt för tillgänglighetsproblem",
        "Visas i tillgänglighetsredogörelsen. Tom: seriens kontakt.",
        "contact",
    ),
    Entry(
        "epost.avsandare",
        "email_from",
        "Avsändare",
        "Namn och adress, till exempel Koncernstab kommunikation <rapport@example.se>.",
    ),
    Entry("epost.bifoga_pdf", "email_attach_pdf", "Bifoga rapportens PDF", "Länken till PDF:en finns alltid.", "flag"),
    Entry(
        "epost.publik_webbadress",
        "email_public_base_url",
        "Webbadress för publika sändlistor",
        "Tom: webbplatsens adress.",
    ),
    Entry("epost.listor", "email_lists", "Sändlistornas fil", "Utanför docs/, publiceras aldrig."),
    Entry("epost.skicklogg", "email_log", "Skickloggen", "Vem som har fått vilken rapport."),
    Entry("smtp.server", "smtp_host", "E-postserver (SMTP)", "Till exempel smtp.example.se."),
    Entry("smtp.port", "smtp_port", "Port", "587 med starttls, 465 med tls.", "number"),
    Entry("smtp.sakerhet", "smtp_security", "Kryptering", "starttls, tls eller none.", "choice"),
    Entry(
        "smtp.anvandare",
        "smtp_user",
        "Användarnamn",
        "Tomt: servern kräver ingen inloggning. Lösenordet sparas aldrig; det efterfrågas när du skickar.",
    ),
    Entry("smtp.cafil", "smtp_cafile", "CA-certifikat", "Organisationens certifikat, om datorn inte litar på servern."),
    Entry("smtp.tidsgrans", "smtp_timeout", "Väntetid (sekunder)", "Hur länge servern får svara.", "number"),
    Entry(
        "godkannande.kravs",
        "signoff_required",
        "Godkännande krävs före utskick",
        "Skicka och Publicera vägras för en version som inte är godkänd.",
        "flag",
    ),
    Entry(
        "godkannande.godkannare",
        "approvers",
        "Godkännare",
        "En per rad: Namn <adress>. Korrekturet skickas till dem.",
        "addresses",
    ),
)

BY_SETTING = {entry.setting: entry for entry in ENTRIES}
BY_KEY = {entry.key: entry for entry in ENTRIES}


def path_of(root: Path | str) -> Path:
    return Path(root) / FILENAME


def _get(table: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    node: Any = table
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _plain(value: Any) -> Any:
    """tomlkit's items as plain Python values (a dict, a list, a str, ...)."""
    if hasattr(value, "unwrap"):
        return value.unwrap()
    return value


def load(root: Path | str) -> dict[str, Any]:
    """``rapport_*`` values from ``rapport.toml`` beside ``conf.py`` (for ``conf.py``).

    Never raises: a file that cannot be read gives ``rapport_settings_error`` (one Swedish
    line with the line number), which the validation at ``config-inited`` reports.
    """
    path = path_of(root)
    values: dict[str, Any] = {"rapport_settings_file": str(path)}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return values
    except (OSError, UnicodeDecodeError) as exc:
        values["rapport_settings_error"] = f"{FILENAME} går inte att läsa: {exc}"
        return values
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error has no lineno attribute; its message ends "(at line 2, column 8)"
        at = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (at.group(1) if at else "1")
        values["rapport_settings_error"] = f"{FILENAME}:{line}: {swedish_toml_error(exc)}"
        return values
    for entry in ENTRIES:
        found, value = _get(data, entry.key)
        if found:
            values[f"rapport_{entry.setting}"] = value
    return values


def swedish_toml_error(exc: Exception) -> str:
    """tomllib's English message, said in Swedish as well as we can."""
    message = getattr(exc, "msg", None) or re.sub(r"\s*\(at line .*\)$", "", str(exc))
    known = {
        "Invalid value": "ogiltigt värde (en text ska stå inom citattecken)",
        "Expected '=' after a key in a key/value pair": "ett likhetstecken saknas efter namnet",
        "Cannot overwrite a value": "samma inställning står två gånger",
        "Unclosed array": "en lista saknar ]",
        "Illegal character": "otillåtet tecken",
    }
    for english, swedish in known.items():
        if message.startswith(english):
            return swedish
    return f"filen är inte giltig TOML ({message})"


def line_of(path: Path | str, dotted: str) -> int | None:
    """The line where ``dotted`` (``smtp.port``, or a table ``kontakt``) is set, or None."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    table = ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = re.match(r"^\[([^\[\]]+)\]", stripped)
        if header:
            table = header.group(1).strip()
            if table == dotted:
                return number
            continue
        match = re.match(r"^([A-Za-z0-9_-]+)\s*=", stripped)
        if match and (f"{table}.{match.group(1)}" if table else match.group(1)) == dotted:
            return number
    return None


def unknown_keys(path: Path | str) -> list[tuple[str, int | None]]:
    """Keys of the file that are no setting (a misspelt key would otherwise do nothing)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    known = set(BY_KEY)
    found: list[tuple[str, int | None]] = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            dotted = f"{prefix}{key}"
            entry = BY_KEY.get(dotted)
            if entry is not None and entry.kind == "contact":
                if isinstance(value, Mapping):
                    found.extend(
                        (f"{dotted}.{k}", line_of(path, f"{dotted}.{k}")) for k in value if k not in CONTACT_LABELS
                    )
                continue
            if dotted in known:
                continue
            if isinstance(value, Mapping) and any(k.startswith(dotted + ".") for k in known):
                walk(value, dotted + ".")
                continue
            found.append((dotted, line_of(path, dotted)))

    walk(data, "")
    return found


def write(path: Path | str, changes: Mapping[str, Any]) -> str:
    """The file's new text with ``changes`` (dotted key -> value) applied, comments kept.

    Returns the text; the caller writes it (the desk writes atomically, after checking the
    file did not change on disk meanwhile).
    """
    import tomlkit  # only the desk writes the file; conf.py reads it with tomllib

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    document = tomlkit.parse(text)
    for dotted, value in changes.items():
        parts = dotted.split(".")
        node: Any = document
        for part in parts[:-1]:
            if part not in node:
                node[part] = tomlkit.table()
            node = node[part]
        last = parts[-1]
        if isinstance(value, Mapping):
            if last in node and isinstance(node[last], Mapping):
                table = node[last]
                for key in list(table):
                    if key not in value:
                        del table[key]
                for key, item in value.items():
                    table[key] = item
            else:
                table = tomlkit.table()
                for key, item in value.items():
                    table[key] = item
                node[last] = table
        elif isinstance(value, list):
            array = tomlkit.array()
            array.extend(value)
            if value:
                array.multiline(True)
            node[last] = array
        else:
            node[last] = value
    return tomlkit.dumps(document)


def current(path: Path | str) -> dict[str, Any]:
    """The file's values by dotted key (what the desk's settings page shows)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    result: dict[str, Any] = {}
    for entry in ENTRIES:
        found, value = _get(data, entry.key)
        if found:
            result[entry.key] = _plain(value)
    return result
