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

The replaced version is kept in a private folder beside ``MÅL``,
``.rapport-publicera/`` (mode 0700: only the user who publishes can open it, so a web
server that serves ``MÅL``'s parent folder can neither list nor serve the old version);
the new version is copied there too before the swap, so a half-copied site is never in
a served folder. It is on the same file system as ``MÅL``, so the swap stays one rename.
``rapport publicera --återställ MÅL`` exchanges the kept version back, byte for byte
(nothing is copied, the folders are renamed). A publish that fails on the way (disk
full, permissions, an interrupted copy) removes its half-made folder and leaves the old
site in place; what a publish that was killed left behind (a half-copied folder, an
old site renamed aside between two renames, the previous version where older versions
of this command kept it) is tidied up by the next publish or restore, under the lock.

Refused, each with one Swedish line and nothing changed: a build whose base URL is the
local preview address (its feed, sitemap and e-mail links would point at the writer's
own computer); a ``MÅL`` that is not empty, missing or a site this command put there
(it leaves a marker file), so a typo cannot replace another folder; a ``MÅL`` inside
the build folder, or one that contains it (the swap would move the build itself).
A ``MÅL`` that is a symbolic link is published where it points: the link stays, the
folder it names gets the new site (a web server configured with the link keeps
serving it); a broken link is refused. The release gate (``gate``) runs after these
checks and before anything is copied.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import glob
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapport import command
from rapport.command import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandError
from rapport.config import LOCAL_BASE_URL
from rapport.dates import format_datetime

MARKER = ".rapport-publicerad"
#: the private folder beside the target: the previous version, the copy being made, the lock
PRIVATE = ".rapport-publicera"
_CANONICAL_RE = re.compile(r'<link rel="canonical" href="([^"]*)"')


_LINE_BREAKING_RE = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every control character and line break shown as an escape: a path
    or an address in a message (a folder name may hold a newline) never starts a line."""
    return _LINE_BREAKING_RE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


class PublishError(CommandError):
    """Why ``rapport publicera`` stops: one Swedish line for the writer, and the exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED, hint: str = "") -> None:
        super().__init__(one_line(message), code, one_line(hint))


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
    """Copy the built site; a symbolic link in it is copied as what it points to, and
    refused when that is outside the build (the web server would serve, say, a file from
    the writer's home folder)."""
    count = 0
    root = Path(os.path.realpath(source))
    for folder, dirnames, filenames in os.walk(source):
        dirnames.sort()
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames) + [d for d in dirnames if Path(folder, d).is_symlink()]:
            path = Path(folder, name)
            if path.is_symlink():
                real = Path(os.path.realpath(path))
                if not real.is_relative_to(root) or not real.exists():
                    raise PublishError(
                        f"{(relative / name).as_posix()} i den byggda webbplatsen är en länk till {real}, utanför "
                        f"{source}; ta bort länken och bygg om (inget har publicerats)",
                        EXIT_USAGE,
                    )
                if real.is_dir():
                    count += sum(1 for p in real.rglob("*") if p.is_file())
                    shutil.copytree(real, target / relative / name)
                    continue
            copy_file(path, target / relative / name)
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


@dataclass(frozen=True)
class _Paths:
    target: Path  # the folder readers get (where a link named on the command line points)
    private: Path  # .rapport-publicera beside it, mode 0700
    previous: Path  # the version before the last publish
    staging: Path  # this process's copy of the new version
    named: Path  # the target as the writer named it


def _paths(target: Path) -> _Paths:
    named = Path(os.path.abspath(target))
    if named.name in ("", ".", ".."):
        raise PublishError("Ange mappen som ska publiceras till, till exempel /srv/intranat/rapport", EXIT_USAGE)
    if named.is_symlink():
        if not named.exists():
            raise PublishError(f"{named} är en trasig länk; ta bort den eller ange en annan mapp", EXIT_USAGE)
        # published where it points: the link, and a web server configured with it, stay
        real = Path(os.path.realpath(named))
    else:
        real = Path(os.path.realpath(named.parent)) / named.name if named.parent.is_dir() else named
    private = real.parent / PRIVATE
    return _Paths(real, private, private / f"{real.name}.tidigare", private / f"{real.name}.ny-{os.getpid()}", named)


def _check_placement(paths: _Paths, source: Path) -> None:
    """Refuse a target in the build folder, or around it (checked before anything is made)."""
    target = paths.target
    # the build folder: _build, above _build/html and _build/publik/html
    real_source = Path(os.path.realpath(source))
    build = next((p for p in (real_source, *real_source.parents) if p.name == "_build"), real_source)
    if target == build or target.is_relative_to(build):
        raise PublishError(
            f"{paths.named} ligger i byggmappen {build}, som skrivs om vid varje bygge; ange en mapp utanför projektet",
            EXIT_USAGE,
        )
    if build.is_relative_to(target):
        raise PublishError(
            f"{paths.named} innehåller byggmappen {build}; publiceringen skulle flytta själva bygget. "
            "Ange en mapp utanför projektet",
            EXIT_USAGE,
        )


def _check_target(paths: _Paths) -> None:
    target = paths.target
    if target.exists() and not target.is_dir():
        raise PublishError(f"{target} är en fil, inte en mapp", EXIT_USAGE)
    if not target.parent.is_dir():
        raise PublishError(f"Mappen {target.parent} finns inte", EXIT_USAGE)
    if target.name == PRIVATE or target.parent.name == PRIVATE:
        raise PublishError(f"{target} är publiceringens egen mapp för tidigare versioner; ange en annan", EXIT_USAGE)
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise PublishError(
            f"{target} innehåller redan annat än en webbplats som rapport publicera har lagt dit; "
            "ange en ny eller tom mapp (inget har ändrats)",
            EXIT_USAGE,
        )


def publish(source: Path, target: Path, now: dt.datetime | None = None, gate: Callable[[], None] | None = None) -> str:
    """Publish the site in ``source`` to ``target``. ``gate`` (the release gate) is called
    after the target is checked and before anything is copied; it stops the publish by
    raising (a :class:`rapport.command.CommandError`), and then nothing has changed."""
    paths = _paths(target)
    _check_placement(paths, source)
    with _lock(paths):
        return _publish(source, paths, now, gate)


def restore(target: Path) -> str:
    paths = _paths(target)
    with _lock(paths):
        return _restore(paths)


def _private_folder(paths: _Paths) -> None:
    """Make ``.rapport-publicera`` (0700), or check the one there: a link or a file there
    could send the previous version somewhere else, so it is refused."""
    private = paths.private
    if not paths.target.parent.is_dir():
        raise PublishError(f"Mappen {paths.target.parent} finns inte", EXIT_USAGE)
    if private.is_symlink() or (private.exists() and not private.is_dir()):
        raise PublishError(
            f"{private} är inte en mapp som rapport publicera har gjort; ta bort den (inget har ändrats)", EXIT_USAGE
        )
    try:
        private.mkdir(mode=0o700, exist_ok=True)
        if private.stat().st_mode & 0o077:
            private.chmod(0o700)
    except OSError as exc:
        raise PublishError(f"Kan inte skriva i {paths.target.parent} ({exc.strerror}); inget har ändrats") from None


@contextlib.contextmanager
def _lock(paths: _Paths) -> Iterator[None]:
    """One publish or restore at a time per target (two would swap each other's folders).
    The lock is the kernel's (flock): a killed publish leaves a file, never a held lock."""
    _private_folder(paths)
    try:
        handle = open(paths.private / f"{paths.target.name}.las", "a+")  # noqa: SIM115, PTH123
    except OSError as exc:
        raise PublishError(f"Kan inte skriva i {paths.private} ({exc.strerror}); inget har ändrats") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"En annan publicering till {paths.named} pågår redan; vänta tills den är klar och försök igen"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def recover(paths: _Paths, publishing: bool = True) -> list[str]:
    """Tidy up what a killed publish or restore left (under the lock, so none is running).
    Returns a Swedish sentence for each thing done."""
    target, done = paths.target, []
    legacy_previous = target.with_name(f".{target.name}.tidigare")  # where versions before this kept it
    if legacy_previous.is_dir() and not legacy_previous.is_symlink() and (legacy_previous / MARKER).is_file():
        if not paths.previous.exists():
            os.rename(legacy_previous, paths.previous)
            done.append(f"Flyttade den tidigare versionen från {legacy_previous} till {paths.private}.")
    # an old site renamed aside between two renames (a swap or restore without exchange)
    for aside in sorted(paths.private.glob(f"{glob.escape(target.name)}.byte-*")):
        if not target.exists():
            os.rename(aside, target)
            done.append(f"Lade tillbaka webbplatsen i {target} efter en avbruten återställning.")
        elif not paths.previous.exists():
            os.rename(aside, paths.previous)
        else:
            _remove(aside)
    # a publish killed between its two renames: the old site back (a restore does this itself)
    if publishing and not target.exists() and paths.previous.is_dir() and (paths.previous / MARKER).is_file():
        os.rename(paths.previous, target)
        done.append(f"Lade tillbaka den tidigare webbplatsen i {target} efter en avbruten publicering.")
    # the lock file where versions before this kept it: empty, but in the served folder
    (target.parent / f".{target.name}.las").unlink(missing_ok=True)
    stale = [
        *paths.private.glob(f"{glob.escape(target.name)}.ny-*"),
        *target.parent.glob(f".{glob.escape(target.name)}.ny-*"),  # where versions before this made it
    ]
    for folder in stale:
        _remove(folder)
    if stale:
        done.append(f"Tog bort {len(stale)} halvkopierade mappar från en avbruten publicering.")
    return done


def _publish(source: Path, paths: _Paths, now: dt.datetime | None, gate: Callable[[], None] | None) -> str:
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
    _check_target(paths)
    if gate is not None:
        gate()
    target, previous, staging = paths.target, paths.previous, paths.staging
    moment = now or dt.datetime.now(dt.UTC)
    try:
        tidied = recover(paths)
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
    via = f" (via länken {paths.named})" if paths.named != target else ""
    return one_line(" ".join([*tidied, f"Publicerat: {count} filer i {target}{via} (adress {base}).{kept}"]))


def _cleanup(staging: Path) -> None:
    try:
        _remove(staging)
    except OSError:
        pass


def _restore(paths: _Paths) -> str:
    _check_target(paths)
    try:
        tidied = recover(paths)
    except OSError as exc:
        raise PublishError(
            f"Återställningen avbröts: {exc.strerror}. Webbplatsen i {paths.target} är oförändrad"
        ) from None
    target, previous = paths.target, paths.previous
    if not previous.is_dir():
        raise PublishError(f"Det finns ingen tidigare version av {paths.named} att återställa", EXIT_USAGE)
    if not (previous / MARKER).is_file():
        raise PublishError(
            f"{previous} är inte en version som rapport publicera har sparat; inget har ändrats", EXIT_USAGE
        )
    try:
        if not target.exists():
            os.rename(previous, target)
        elif not _exchange(previous, target):
            aside = paths.private / f"{target.name}.byte-{os.getpid()}"
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
    return one_line(
        " ".join(
            [
                *tidied,
                f"Återställt: {target} visar åter versionen{when}. "
                "Den ersatta versionen är sparad; kör --återställ igen för att ta tillbaka den.",
            ]
        )
    )
