"""Reading and saving the files the desk may change, never losing or overwriting a keystroke.

Runs in the desk's web server. The desk writes only:

* Markdown sources under ``docs/`` (``.md``), resolved with every symbolic link
  (:func:`rapport.trust.confine.inside`, the build's own confinement), so a link out of
  ``docs/`` is refused as the build refuses to read it;
* the project's data files: ``rapport.toml`` and the lists file it names.

Each read gives the text and its digest; a save names the digest it was based on. If the
file on disk no longer has that digest (another writer, a ``git pull``, an editor
beside the desk), nothing is written: the desk gets the text on disk and the writer
chooses (keep theirs, take the disk's, or copy from both). A save is atomic (a temporary
file in the same folder, then ``os.replace``), so a crash never leaves half a file.
The text goes through the build's source guard (:func:`rapport.trust.sourceguard.clean`)
so what it would change is shown to the writer at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapport.trust import sourceguard
from rapport.trust.confine import inside


class FileRefused(Exception):
    """One Swedish line: why the desk will not read or write this path."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    text: str
    digest: str  # sha256 of the bytes on disk; "" for a file that does not exist


@dataclass(frozen=True)
class Conflict:
    """The file changed on disk since the writer's copy was read: nothing was written."""

    disk: Snapshot


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_files(project: Any) -> list[Path]:
    """``rapport.toml`` and the lists file it names (the project's writable data files)."""
    from rapport.config import settings_from

    values = settings_from(project.config, project.root).values
    return [project.root / "rapport.toml", project.root / values.email_lists]


def writable(project: Any, relative: str) -> Path:
    """The file ``relative`` (to the project) if the desk may write it; else :class:`FileRefused`."""
    if not relative or "\x00" in relative or relative.startswith(("/", "\\")) or ".." in Path(relative).parts:
        raise FileRefused(f"”{relative}” är ingen fil i projektet som skrivbordet får ändra")
    path = project.root / relative
    for allowed in data_files(project):
        if os.path.realpath(path) == os.path.realpath(allowed) and inside(path, project.root):
            return path
    if path.suffix != ".md":
        raise FileRefused(f"{relative}: skrivbordet ändrar bara Markdown-filer (.md) i docs/ och rapport.toml")
    if not inside(path, project.srcdir):
        raise FileRefused(
            f"{relative} ligger utanför docs/ (eller är en länk dit ut); skrivbordet ändrar bara filer i docs/"
        )
    return path


def read(path: Path) -> Snapshot:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Snapshot(path, "", "")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused(f"{path.name} är inte sparad som UTF-8 (första felet på rad {line})") from None
    return Snapshot(path, text, digest_of(data))


def save(path: Path, text: str, based_on: str) -> Snapshot | Conflict:
    """Write ``text`` if the file on disk is still the one with digest ``based_on``."""
    disk = read(path)
    if disk.digest != based_on:
        if disk.text == text:
            return disk  # the same text is there already (saved twice): nothing lost
        return Conflict(disk)
    data = text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".skrivbord", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Snapshot(path, text, digest_of(data))


def guard_findings(path: Path, text: str) -> list[dict[str, Any]]:
    """What the build's source guard would change in ``text`` (control characters, front matter)."""
    _, found = sourceguard.clean(text, path.suffix == ".md", path.stem)
    return [{"rad": f.line, "meddelande": f.message, "slag": f.subtype} for f in found]
