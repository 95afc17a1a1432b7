"""``rapport publicera``: put the built site in the intranet's folder, atomically.

Runs outside Sphinx, in the ``rapport`` command. ``rapport publicera MÅL`` copies
``_build/html`` (the report pages, the search index and ``pdf/`` with every PDF) to a
new folder beside ``MÅL`` and only then swaps it in:

* on Linux the two folders are exchanged in one system call (``renameat2`` with
  ``RENAME_EXCHANGE``): a reader gets either the whole old site or the whole new one,
  never a mixture and never nothing;
* where the file system cannot exchange (some network shares), the old folder is
  renamed aside and the new one renamed in: two renames, a gap of microseconds in which
  ``MÅL`` does not exist, but still never a half-copied site.

The replaced version is kept beside ``MÅL`` as ``.MÅL.tidigare``; ``rapport publicera
--återställ MÅL`` exchanges it back, byte for byte (nothing is copied, the folders are
renamed). A publish that fails on the way (disk full, permissions, an interrupted copy)
removes its half-made folder and leaves the old site in place. A build whose base URL
is the local preview address is refused: its feed, sitemap and e-mail links would
point at the writer's own computer. ``MÅL`` must be empty, missing or a site this
command put there (it leaves a marker file), so a typo cannot replace another folder.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rapport import command
from rapport.command import EXIT_OK, EXIT_USAGE, CommandError
from rapport.config import LOCAL_BASE_URL
from rapport.dates import format_datetime

MARKER = ".rapport-publicerad"
_CANONICAL_RE = re.compile(r'<link rel="canonical" href="([^"]*)"')


class PublishError(CommandError):
    """Why ``rapport publicera`` stops: one Swedish line for the writer, and the exit code."""


def cmd_publicera(project: Any, args: argparse.Namespace) -> int:
    def publicera() -> int:
        if args.aterstall:
            print(restore(Path(args.mal)))
        else:
            print(publish(project.root / "_build" / ("publik/html" if args.publik else "html"), Path(args.mal)))
        return EXIT_OK

    return command.run("rapport publicera", publicera)


# -- the swap -------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(new: Path, target: Path, previous: Path) -> None:
    """Make ``new`` the content of ``target``; what was there becomes ``previous``."""
    if previous.exists() or previous.is_symlink():
        _remove(previous)
    if not (target.exists() or target.is_symlink()):
        os.rename(new, target)
        return
    if _exchange(new, target):
        os.rename(new, previous)  # ``new`` now holds the old site
        return
    os.rename(target, previous)
    os.rename(new, target)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


# -- copying ---------------------------------------------------------------------------


def copy_file(source: Path, target: Path) -> None:
    """One file; a separate function so tests can interrupt a copy midway."""
    shutil.copy2(source, target)


def copy_site(source: Path, target: Path) -> int:
    count = 0
    for folder, dirnames, filenames in os.walk(source):
        dirnames.sort()
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            copy_file(Path(folder, name), target / relative / name)
            count += 1
    return count


def base_url_of(site: Path) -> str:
    """The address the site was built for (Sphinx writes it as the canonical link)."""
    try:
        head = (site / "index.html").read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return ""
    match = _CANONICAL_RE.search(head)
    if not match:
        return ""
    url = match.group(1)
    return url[: -len("index.html")] if url.endswith("index.html") else url


def _paths(target: Path) -> tuple[Path, Path, Path]:
    target = Path(os.path.abspath(target))
    if target.name in ("", ".", ".."):
        raise PublishError("Ange mappen som ska publiceras till, till exempel /srv/intranat/rapport", EXIT_USAGE)
    previous = target.with_name(f".{target.name}.tidigare")
    staging = target.with_name(f".{target.name}.ny-{os.getpid()}")
    return target, previous, staging


def _check_target(target: Path) -> None:
    if target.is_symlink() and not target.exists():
        raise PublishError(f"{target} är en trasig länk; ta bort den eller ange en annan mapp", EXIT_USAGE)
    if target.exists() and not target.is_dir():
        raise PublishError(f"{target} är en fil, inte en mapp", EXIT_USAGE)
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise PublishError(
            f"{target} innehåller redan annat än en webbplats som rapport publicera har lagt dit; "
            "ange en ny eller tom mapp (inget har ändrats)",
            EXIT_USAGE,
        )
    if not target.parent.is_dir():
        raise PublishError(f"Mappen {target.parent} finns inte", EXIT_USAGE)


def publish(source: Path, target: Path, now: dt.datetime | None = None) -> str:
    with _lock(target):
        return _publish(source, target, now)


def restore(target: Path) -> str:
    with _lock(target):
        return _restore(target)


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    """One publish or restore at a time per target (two would swap each other's folders)."""
    target = Path(os.path.abspath(target))
    if not target.parent.is_dir():
        raise PublishError(f"Mappen {target.parent} finns inte", EXIT_USAGE)
    try:
        handle = open(target.with_name(f".{target.name}.las"), "a+")  # noqa: SIM115, PTH123
    except OSError as exc:
        raise PublishError(f"Kan inte skriva i {target.parent} ({exc.strerror}); inget har ändrats") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"En annan publicering till {target} pågår redan; vänta tills den är klar och försök igen"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _publish(source: Path, target: Path, now: dt.datetime | None) -> str:
    if not (source / "index.html").is_file():
        raise PublishError(f"Det finns ingen byggd webbplats i {source}: kör rapport bygg först", EXIT_USAGE)
    base = base_url_of(source)
    if not base or base.rstrip("/") == LOCAL_BASE_URL.rstrip("/"):
        raise PublishError(
            f"Webbplatsen är byggd med den lokala förhandsadressen {base or LOCAL_BASE_URL}, så flödet, "
            "webbplatskartan och e-postlänkarna skulle gå till din egen dator. Bygg om med webbplatsens adress: "
            "RAPPORT_BASE_URL=https://intranat.example/rapport/ rapport bygg",
            EXIT_USAGE,
        )
    target, previous, staging = _paths(target)
    _check_target(target)
    moment = now or dt.datetime.now(dt.UTC)
    try:
        if staging.exists():
            _remove(staging)
        count = copy_site(source, staging)
        (staging / MARKER).write_text(
            json.dumps({"publicerad": moment.isoformat(timespec="seconds"), "adress": base, "filer": count}) + "\n",
            encoding="utf-8",
        )
        swap_in(staging, target, previous)
    except OSError as exc:
        _cleanup(staging)
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise PublishError(
            f"Publiceringen avbröts: {reason}{where}. Den tidigare webbplatsen i {target} är orörd"
        ) from None
    except BaseException:
        _cleanup(staging)
        raise
    kept = (
        " Den tidigare versionen är sparad; ta tillbaka den med rapport publicera --återställ."
        if previous.exists()
        else ""
    )
    return f"Publicerat: {count} filer i {target} (adress {base}).{kept}"


def _cleanup(staging: Path) -> None:
    try:
        _remove(staging)
    except OSError:
        pass


def _restore(target: Path) -> str:
    target, previous, _ = _paths(target)
    if not previous.is_dir():
        raise PublishError(f"Det finns ingen tidigare version av {target} att återställa", EXIT_USAGE)
    if not (previous / MARKER).is_file():
        raise PublishError(
            f"{previous} är inte en version som rapport publicera har sparat; inget har ändrats", EXIT_USAGE
        )
    try:
        if not target.exists():
            os.rename(previous, target)
        elif not _exchange(previous, target):
            aside = target.with_name(f".{target.name}.byte-{os.getpid()}")
            os.rename(target, aside)
            os.rename(previous, target)
            os.rename(aside, previous)
    except OSError as exc:
        raise PublishError(
            f"Återställningen misslyckades: {exc.strerror}. Webbplatsen i {target} är oförändrad"
        ) from None
    try:
        info = json.loads((target / MARKER).read_text(encoding="utf-8"))
        moment = dt.datetime.fromisoformat(info["publicerad"]).astimezone()
        when = f" från {format_datetime(moment.replace(tzinfo=None))}"
    except (OSError, ValueError, KeyError, TypeError):
        when = ""
    return (
        f"Återställt: {target} visar åter versionen{when}. "
        "Den ersatta versionen är sparad; kör --återställ igen för att ta tillbaka den."
    )
