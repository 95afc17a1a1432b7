"""Publishing through the gate: ``rapport publicera`` checks every report on the built site.

Runs outside Sphinx. The version texts come from the e-mail step of ``rapport bygg``
(``_build/epost/**/*.version.txt``), so the check needs no build of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from rapport.command import EXIT_OK, CommandError
from rapport.email import send as transport
from rapport.email.lists import INTERNAL, PUBLIC
from rapport.writer import sourcescan

from . import gate, records
from .edition import ReleaseError, log_path, shown_path, signoff_required, standing_sources
from .version import SUFFIX, version_code

# -- publishing ----------------------------------------------------------------------------


def publish_gate(project: Any, public: bool, accept_placeholders: bool, err: TextIO) -> Callable[[], None]:
    """The gate for ``rapport publicera``: every report on the built site, from its version text."""

    def check() -> None:
        editions = transport.edition_dir(project.root, PUBLIC if public else INTERNAL)
        internal = transport.edition_dir(project.root, INTERNAL)
        html = project.root / "_build" / ("publik/html" if public else "html")
        stops: list[str] = []
        texts = sorted(editions.rglob(f"*{SUFFIX}")) if editions.is_dir() else []
        if not texts:
            raise ReleaseError(
                "E-postutgåvorna saknas, och utan dem kan publiceringen inte kontrolleras; kör rapport bygg först"
            )
        log = log_path(project)
        allowed = set(project.settings.values.kontroll_tillatna)
        for text_path in texts:
            docname = text_path.relative_to(editions).as_posix()[: -len(SUFFIX)]
            page = html / f"{docname}.html"
            if not page.is_file():
                continue  # not on this site (a draft, a future report)
            if text_path.stat().st_mtime + 1 < page.stat().st_mtime - 60:
                stops.append(f"docs/{docname}.md: e-postutgåvan är äldre än webbsidan; kör rapport bygg först")
                continue
            text = text_path.read_text(encoding="utf-8")
            shown = f"{shown_path(project, project.srcdir)}/{docname}.md"
            source = project.srcdir / f"{docname}.md"
            sources = [source, *standing_sources(project)]
            stops += [p.as_line() for p in gate.scan_text(project.root, shown, text, sources, allowed, [])]
            internal_text = internal / f"{docname}{SUFFIX}"
            code = version_code(internal_text.read_text(encoding="utf-8") if internal_text.is_file() else text)
            if signoff_required(project):
                sent = {v for d in records.deliveries(log, docname).values() for _, v, _ in d.versions}
                approval, why = gate.approval_state(project.root, docname, code, shown)
                if approval is None and code not in sent:
                    stops.append(why)
            changed = gate.changed_after_send(project.root, log, docname, code, text, shown)
            if changed:
                stops.append(changed)
        from rapport.writer import kontroll

        try:
            site_findings = kontroll.run(
                project.root,
                project.srcdir,
                project.myst_extensions,
                project.settings.values.kontroll_tillatna,
            )
        except Exception:  # noqa: BLE001 - the check is a second net; the version texts were checked above
            site_findings = []
        for finding in site_findings:
            if finding.subtype in gate.BLOCKING - {sourcescan.DRAFT}:
                stops.append(f"{finding.file}:{finding.line or 0}: {finding.message}")
            elif (
                finding.subtype in gate.PLACEHOLDERS
                and not accept_placeholders
                and not getattr(finding, "acknowledged", False)
            ):
                stops.append(
                    f"{finding.file}:{finding.line or 0}: {finding.message} (publicera ändå med --med-platshallare)"
                )
        if stops:
            for line in dict.fromkeys(stops):
                print(line, file=err)
            raise ReleaseError(
                f"{len(dict.fromkeys(stops))} saker stoppar publiceringen (se ovan); inget har publicerats"
            )

    return check


def publish(
    project: Any, target: str, *, out: TextIO, err: TextIO, public: bool = False, accept_placeholders: bool = False
) -> int:
    """``rapport publicera MÅL`` through the gate."""
    from rapport.writer import publish as publishing

    source = project.root / "_build" / ("publik/html" if public else "html")
    check = publish_gate(project, public, accept_placeholders, err)
    try:
        message = publishing.publish(source, Path(target), gate=check)
    except CommandError as exc:
        raise ReleaseError(str(exc), exc.code) from None
    print(message, file=out)
    return EXIT_OK
