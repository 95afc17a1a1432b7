"""The git panel: what has changed since the last saved version, and saving a version.

Runs in the desk's web server, only where the project folder is a git repository.
It calls the ``git`` program, never a library, so what it does is what a developer
would do by hand.

Conflicts: the desk never merges, pulls, pushes, rebases or resets; it only records
the writer's own changes (``git add`` and ``git commit`` of the files listed as
changed). So it cannot create a merge conflict. When the repository is in the middle
of one (someone merged or pulled in a terminal and files have conflict markers), the
desk refuses to save a version, names the files and says to ask the person who
manages the repository: resolving a conflict means choosing between two writers'
texts, and the desk's editor shows the file on disk as it is (with the markers) so
nothing is hidden. A file changed on disk under the editor is the editor's concern
(:mod:`rapport.writer.desk.files`): the writer chooses, nothing is overwritten.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .editing import desk_of, refused
from .state import Desk, refusal

_STATES = {
    "M": "ändrad",
    "A": "ny",
    "D": "borttagen",
    "R": "flyttad",
    "C": "kopierad",
    "?": "ny",
    "U": "konflikt",
}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "core.quotepath=false", *args],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        # the writer's own environment (their git identity in ~/.gitconfig), never a prompt
        env={**os.environ, "LC_ALL": "C.UTF-8", "GIT_TERMINAL_PROMPT": "0"},
    )


def is_repository(root: Path) -> bool:
    try:
        result = _git(root, "rev-parse", "--show-toplevel")
    except OSError:
        return False
    return result.returncode == 0


def changes(root: Path) -> list[dict[str, str]]:
    result = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
    found = []
    entries = result.stdout.split("\0")
    skip = False
    for entry in entries:
        if skip:
            skip = False
            continue
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] == "R":
            skip = True  # the next entry is the old name
        conflict = "U" in code or code in ("AA", "DD")
        letter = "U" if conflict else (code[0] if code[0] not in (" ", "?") else code[1] if code[1] != " " else "?")
        found.append({"fil": path, "tillstand": _STATES.get(letter, "ändrad"), "kod": code})
    return found


def panel(desk: Desk) -> dict[str, Any]:
    root = desk.project.root
    if not is_repository(root):
        return {"git": False, "text": "Projektmappen är inte ett git-arkiv; versioner sparas inte här."}
    last = _git(root, "log", "-1", "--format=%h %s (%cr)")
    return {"git": True, "andringar": changes(root), "senaste": last.stdout.strip()}


def save_version(desk: Desk, message: str) -> dict[str, Any]:
    root = desk.project.root
    message = " ".join(message.split())
    if not message:
        return {"fel": "Skriv en kort beskrivning av versionen (till exempel ”Rapport 2 oktober klar för korrektur”)"}
    if not is_repository(root):
        return {"fel": "Projektmappen är inte ett git-arkiv"}
    listed = changes(root)
    conflicts = [c["fil"] for c in listed if c["tillstand"] == "konflikt"]
    if conflicts:
        return {
            "fel": "Arkivet har en ohanterad sammanslagning (konflikt) i "
            + ", ".join(conflicts)
            + ". Skrivbordet sparar ingen version då; be den som förvaltar arkivet att lösa konflikten."
        }
    if not listed:
        return {"fel": "Inget har ändrats sedan den senaste versionen"}
    paths = [c["fil"] for c in listed]
    added = _git(root, "add", "--all", "--", *paths)
    if added.returncode != 0:
        return {"fel": f"git kunde inte ta med ändringarna: {added.stderr.strip().splitlines()[-1:]}"}
    committed = _git(root, "commit", "-q", "-m", message, "--", *paths)
    if committed.returncode != 0:
        last = (committed.stderr.strip() or committed.stdout.strip()).splitlines()
        return {"fel": "Versionen kunde inte sparas: " + (last[-1] if last else "okänt fel från git")}
    return {"text": f"Versionen är sparad ({len(paths)} filer): {message}"}


async def get_panel(request: Request) -> JSONResponse:
    try:
        return JSONResponse(await asyncio.to_thread(panel, desk_of(request)))
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc))


async def post_version(request: Request) -> JSONResponse:
    desk = desk_of(request)
    try:
        body = await request.json()
        result = await asyncio.to_thread(save_version, desk, str(body.get("meddelande", "")))
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc))
    return JSONResponse(result, status_code=400 if "fel" in result else 200)
