"""The release record: approvals, the send log and the archive of what was sent.

Runs outside Sphinx, in the ``rapport`` command and the desk. Three places, chosen for
who may see them:

* ``godkannanden.jsonl`` at the project root: one line per approval (who, when, how,
  which version). Versioned in git with the reports: an approval is part of the
  official record and names only the approver, an official of the organisation.
* ``utskick/skicklogg.jsonl`` (``rapport_email_log``): one line per message, in two
  steps: ``"status": "skickar"`` is made durable *before* the message goes to the
  server and ``"status": "skickat"`` after the server accepted it. A crash between the
  two leaves an address whose fate is unknown; it is never sent again without the
  writer's explicit ``--igen``, so a cut-off last line can never cause a second copy.
  Old lines without a status (the log before versions) count as sent.
* ``utskick/arkiv/<docname>/<version>/``: every version sent, as sent (the message
  before the recipient's own headers, its SHA-256, the version text, the PDF).

``utskick/`` holds people's addresses and is never committed (``.gitignore``), built,
published or searched. Every file is appended to under a lock and read defensively:
a line that is not complete JSON is ignored, and a file that does not end with a line
break gets one before the next line, so a cut-off line never swallows the next.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APPROVALS = "godkannanden.jsonl"
ARCHIVE = "utskick/arkiv"
HOW = ("e-post", "telefon", "möte")

#: kinds of message in the send log
REPORT, PROOF, CORRECTION, TEST = "rapport", "korrektur", "rättelse", "test"
SENDING, SENT, NOT_SENT = "skickar", "skickat", "ej skickat"


def now_text() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# -- reading and appending JSON lines ------------------------------------------------------


def read_lines(path: Path) -> list[dict[str, Any]]:
    """Every complete JSON object in ``path``; a cut-off or foreign line is skipped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    found: list[dict[str, Any]] = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            value = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue  # a line cut short by a crash, or not ours
        if isinstance(value, dict):
            found.append(value)
    return found


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock beside ``path`` for the duration of one append."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".las"), "a+") as handle:  # noqa: PTH123
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class JsonLog:
    """An append-only JSON lines file, each line durable (fsync) before the call returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def append(self, entry: dict[str, Any]) -> None:
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "ab")  # noqa: SIM115 - closed in close()
            # a line cut off by a crash must not swallow the first new one
            if self.handle.tell() > 0:
                with open(self.path, "rb") as reader:
                    reader.seek(-1, os.SEEK_END)
                    if reader.read(1) != b"\n":
                        self.handle.write(b"\n")
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        self.handle.write(line.encode("utf-8"))
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def __enter__(self) -> JsonLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- approvals -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    report: str  # docname
    version: str
    by: str
    how: str
    time: str
    recorded_by: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rapport": self.report,
            "version": self.version,
            "av": self.by,
            "hur": self.how,
            "tid": self.time,
            "registrerad_av": self.recorded_by,
        }


def approvals(root: Path, report: str | None = None) -> list[Approval]:
    found = []
    for entry in read_lines(root / APPROVALS):
        if report is not None and entry.get("rapport") != report:
            continue
        found.append(
            Approval(
                str(entry.get("rapport", "")),
                str(entry.get("version", "")),
                str(entry.get("av", "")),
                str(entry.get("hur", "")),
                str(entry.get("tid", "")),
                str(entry.get("registrerad_av", "")),
            )
        )
    return found


def add_approval(root: Path, approval: Approval) -> None:
    path = root / APPROVALS
    with locked(path), JsonLog(path) as log:
        log.append(approval.as_dict())


# -- the send log ----------------------------------------------------------------------------


@dataclass
class Delivery:
    """What the log says one address got of one report."""

    address: str
    versions: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, version, time) sent
    uncertain: list[tuple[str, str]] = field(default_factory=list)  # (kind, version) started, not confirmed
    corrections: set[str] = field(default_factory=set)  # correction keys sent


def deliveries(log: Path, report: str) -> dict[str, Delivery]:
    """Per address (lower case), what the log records for ``report`` (tests and proofs excluded)."""
    started: dict[tuple[str, str, str], dict[str, Any]] = {}
    result: dict[str, Delivery] = {}
    for entry in read_lines(log):
        if entry.get("rapport") != report or entry.get("test"):
            continue
        kind = str(entry.get("typ") or REPORT)
        if kind in (PROOF, TEST):
            continue
        address = str(entry.get("adress", "")).lower()
        if not address:
            continue
        key = (address, str(entry.get("message_id", "")), kind)
        status = entry.get("status", SENT)
        delivery = result.setdefault(address, Delivery(address))
        if status == SENDING:
            started[key] = entry
            continue
        started.pop(key, None)
        if status == NOT_SENT:
            continue  # the server refused it: nothing was delivered
        if kind == CORRECTION:
            delivery.corrections.add(str(entry.get("rattelse", "")))
        delivery.versions.append((kind, str(entry.get("version", "")), str(entry.get("tid", ""))))
    for (address, _, kind), entry in started.items():
        result[address].uncertain.append((kind, str(entry.get("version", ""))))
    return {a: d for a, d in result.items() if d.versions or d.uncertain}


def log_entries(log: Path, report: str) -> list[dict[str, Any]]:
    return [e for e in read_lines(log) if e.get("rapport") == report]


# -- the archive ---------------------------------------------------------------------------


def archive_dir(root: Path, report: str, version: str) -> Path:
    return root / ARCHIVE / report / version


def archive_version(
    root: Path, report: str, version: str, text: str, messages: dict[str, bytes], pdf: Path | None
) -> Path:
    """Keep a version as sent: each audience's stored message, its digest, the text, the PDF.

    Written before the first message of that version goes out; an existing archive of
    the same version is kept as it is (the same version is the same text).
    """
    folder = archive_dir(root, report, version)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "version.txt").write_text(text, encoding="utf-8") if not (folder / "version.txt").exists() else None
    for audience, data in messages.items():
        target = folder / f"meddelande-{audience}.eml"
        if not target.exists():
            target.write_bytes(data)
            (folder / f"meddelande-{audience}.sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")
    if pdf is not None and pdf.is_file() and not (folder / pdf.name).exists():
        shutil.copy2(pdf, folder / pdf.name)
    return folder


def archived_text(root: Path, report: str, version: str) -> str | None:
    try:
        return (archive_dir(root, report, version) / "version.txt").read_text(encoding="utf-8")
    except OSError:
        return None


def keep_text(root: Path, report: str, version: str, text: str) -> None:
    """Keep a version's text (at approval or proof) so a later change can be shown as a diff."""
    folder = archive_dir(root, report, version)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "version.txt"
    if not target.exists():
        target.write_text(text, encoding="utf-8")
