"""The live preview's index, made by a process of its own while the writer reads.

Runs in the HTML build: ``builder-inited`` tells an indexer of an earlier build that it
is outdated (:func:`supersede`), ``build-finished`` waits until it has stopped
(:func:`take_lock`) and, in the preview (``rapport_preview``), starts the indexer for
this build (:func:`start`) instead of indexing before the build returns.

The live preview does not wait for the index (``rapport förhandsgranska``): the browser
reloads as soon as the pages are written, and the search catches up a moment later
(half a second of every save at 520 reports). Each rebuild is a process of its own, so
the next save's build cannot hold the indexer's handle; instead:

* the newest build writes its token into ``rapport-sokindex.token``; an indexer whose
  token is no longer there stops its own Pagefind runs (started by it, with their
  handles) and exits. Nothing is ever signalled by a process id read from a file;
* the indexer holds an exclusive ``flock`` on ``rapport-sokindex.lock`` for as long as
  it lives (the kernel releases it when the process ends, however it ends); the next
  build takes that lock before it stages anything, so two runs never write into the
  same folders. The build takes the lock first and hands it to the indexer it starts
  (an inherited file descriptor), so there is no moment without it.

The indexer is ``python -m rapport.site.search.indexer``, started with
:class:`subprocess.Popen` in a session of its own (Ctrl+C in the preview's terminal does
not cut a file short), never with ``os.fork`` inside the build, which may have threads.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import rapport
from rapport.site.search.plan import IndexPlan

#: the token of the newest build, in the doctree directory
TOKEN_FILE = "rapport-sokindex.token"
#: held by whoever indexes (a build, or the preview's indexer process)
LOCK_FILE = "rapport-sokindex.lock"
#: an indexer that would not stop: the build gives up waiting for it after this long
LOCK_WAIT = 120.0

#: the indexer processes this process started, by doctree folder: the handle of a
#: process is kept so that it can be waited for (and is reaped, not left a zombie);
#: process-wide because the processes are
_STARTED: dict[str, subprocess.Popen[bytes]] = {}


def supersede(doctreedir: Path) -> str:
    """Make this build the newest: an indexer of an earlier build stops. Its token."""
    token = uuid.uuid4().hex
    doctreedir.mkdir(parents=True, exist_ok=True)
    partial = doctreedir / (TOKEN_FILE + ".tmp")
    partial.write_text(token, encoding="utf-8")
    os.replace(partial, doctreedir / TOKEN_FILE)
    return token


def current_token(doctreedir: Path) -> str:
    try:
        return (doctreedir / TOKEN_FILE).read_text(encoding="utf-8")
    except OSError:
        return ""


def still_current(doctreedir: Path, token: str) -> bool:
    return current_token(doctreedir) == token


def take_lock(doctreedir: Path, wait: float = LOCK_WAIT) -> int | None:
    """The indexing lock (an open file descriptor), once no earlier indexer holds it;
    ``None`` if one still does after ``wait`` seconds."""
    doctreedir.mkdir(parents=True, exist_ok=True)
    fd = os.open(doctreedir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                return None
            time.sleep(0.05)


def start(plan: IndexPlan, token: str, lock_fd: int) -> subprocess.Popen[bytes]:
    """Start the indexer for ``plan``; it takes over ``lock_fd`` (closed here)."""
    doctrees = plan.doctree_path
    previous = _STARTED.pop(str(doctrees), None)
    if previous is not None:
        previous.poll()  # reaped if it has ended (it has: the lock was free)
    plan_path = doctrees / f"rapport-sokindex-{token}.json"
    plan_path.write_text(plan.dumps(), encoding="utf-8")
    package_root = str(Path(rapport.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rapport.site.search.indexer", str(plan_path), token, str(lock_fd)],
            stdin=subprocess.DEVNULL,
            env=env,
            pass_fds=(lock_fd,),
            start_new_session=True,
        )
    finally:
        os.close(lock_fd)  # the indexer holds the lock now (or, if it did not start, no one)
    _STARTED[str(doctrees)] = proc
    return proc


def started(doctreedir: Path) -> subprocess.Popen[bytes] | None:
    """The indexer this process last started for ``doctreedir`` (for tests)."""
    return _STARTED.get(str(doctreedir))
