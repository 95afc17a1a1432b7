"""One report's e-mail edition and version, and the gate's verdict on it.

Runs outside Sphinx, for :mod:`rapport.writer.release.ops` and its siblings. Building
the edition afresh (fresh doctrees, so every warning is seen) also writes the version
text (:mod:`~rapport.writer.release.version`); the version code is computed from it and
the gate (:mod:`~rapport.writer.release.gate`) is evaluated on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rapport.command import EXIT_USAGE, CommandError
from rapport.email import send as transport
from rapport.email.lists import INTERNAL, PUBLIC, Recipient, check_address

from . import gate
from .version import SUFFIX, version_code

Progress = Callable[[int, int], None]


class ReleaseError(CommandError):
    """Why a release operation stops: one Swedish line, and the exit code."""


# -- the report and its version -----------------------------------------------------------


def shown_path(project: Any, path: Path) -> str:
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def resolve(project: Any, report: str) -> tuple[Path, str]:
    """The report's source file (inside ``docs/``) and its docname."""
    if any(ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\x85" for ch in report):
        raise ReleaseError(
            "Rapportens namn innehåller en radbrytning eller ett styrtecken; ange filen eller datumet", EXIT_USAGE
        )
    try:
        path = transport.find_report(project.root, project.srcdir, report)
    except CommandError as exc:
        raise ReleaseError(str(exc), exc.code) from None
    srcdir = project.srcdir.resolve()
    try:
        docname = path.resolve().relative_to(srcdir).with_suffix("").as_posix()
    except ValueError:
        raise ReleaseError(
            f"{report} ligger utanför {shown_path(project, srcdir)}/; bara rapporter i projektets docs/ kan skickas",
            EXIT_USAGE,
        ) from None
    return path, docname


@dataclass
class Edition:
    """One built e-mail edition of a report, with its version."""

    path: Path
    docname: str
    shown: str
    built: transport.Built
    text: str
    code: str

    @property
    def title(self) -> str:
        return str(self.built.manifest.get("titel", ""))

    @property
    def stored(self) -> bytes:
        return Path(self.built.manifest["eml"]).read_bytes()


def build(project: Any, report: str, audience: str = INTERNAL, err: TextIO | None = None) -> Edition:
    path, docname = resolve(project, report)
    shown = shown_path(project, path)
    if err is not None:
        label = "den publika utgåvan" if audience == PUBLIC else "den interna utgåvan"
        print(f"Bygger e-postutgåvan av {shown} ({label}) …", file=err, flush=True)
    try:
        built = transport.build_edition(project.root, project.srcdir, path, audience)
    except CommandError as exc:
        raise ReleaseError(str(exc), exc.code) from None
    version_file = transport.edition_dir(project.root, audience) / f"{docname}{SUFFIX}"
    try:
        text = version_file.read_text(encoding="utf-8")
    except OSError:
        raise ReleaseError(f"{shown}: versionstexten skrevs inte av bygget; kör rapport bygg och försök igen") from None
    return Edition(path, docname, shown, built, text, version_code(text))


def _checked(project: Any) -> Any:
    """The release settings, checked as the build checks them (``config.settings_from``)."""
    checked = project.settings
    for name in ("rapport_approvers", "rapport_signoff_required"):
        problem = next((p for p in checked.problems if p.name == name), None)
        if problem is not None:
            where = f"{problem.location}: " if problem.location else ""
            raise ReleaseError(f"{where}{problem.text or problem.message}", EXIT_USAGE)
    return checked.values


def signoff_required(project: Any) -> bool:
    return bool(_checked(project).signoff_required)


def approvers(project: Any) -> list[Recipient]:
    """The series' approvers ("Namn <adress>", ``godkannare`` under ``[godkannande]``)."""
    found = []
    for number, raw in enumerate(_checked(project).approvers or [], start=1):
        checked = check_address(str(raw))
        if isinstance(checked, str):
            raise ReleaseError(f"godkannare under [godkannande] i rapport.toml, nummer {number}: {checked}", EXIT_USAGE)
        found.append(Recipient(checked[0], checked[1], "godkännare", number))
    return found


def log_path(project: Any) -> Path:
    return project.root / project.settings.values.email_log


def findings(project: Any, path: Path) -> list[Any]:
    """``rapport kontroll RAPPORT``: the report's findings and what it shows."""
    from rapport.writer import kontroll

    return list(
        kontroll.check_report(
            project.root,
            project.srcdir,
            path,
            project.myst_extensions,
            project.settings.values.kontroll_tillatna,
        )
    )


def standing_sources(project: Any) -> list[Path]:
    standing = project.srcdir / "_standard"
    return sorted(standing.glob("*.md")) if standing.is_dir() else []


def verdict(project: Any, edition: Edition) -> gate.Verdict:
    result = gate.Verdict()
    gate.classify(findings(project, edition.path), result)
    allowed = set(project.settings.values.kontroll_tillatna)
    settings_files = [project.root / name for name in ("rapport.toml", "conf.py") if (project.root / name).is_file()]
    sources = [edition.path, *standing_sources(project), *settings_files]
    result.blocking += gate.scan_text(project.root, edition.shown, edition.text, sources, allowed, result.blocking)
    _, result.approval_missing = gate.approval_state(project.root, edition.docname, edition.code, edition.shown)
    result.changed_after_send = gate.changed_after_send(
        project.root, log_path(project), edition.docname, edition.code, edition.text, edition.shown
    )
    return result
