"""The live preview beside the editor: the real build, served from an origin of its own.

Runs in the desk's web server. :class:`PreviewBuilds` keeps one builder process
(:mod:`rapport.writer.desk.previewbuild`: the project's Sphinx build, warm) and asks it
to build after each save; the editor's page waits for the build it caused
(:meth:`PreviewBuilds.wait`) and then reloads its preview frame.

:func:`preview_app` serves what that build wrote, on a second loopback port. Another
port is another origin: a script in a report (raw HTML let through, a theme bug) runs
in the preview's origin, not the desk's, so it cannot read the desk's pages or its
CSRF token, and its requests to the desk carry a foreign ``Origin`` and are refused.
Besides, every page of the preview is sent with ``Content-Security-Policy: sandbox``
(scripts allowed, same origin not): even opened in a tab of its own a preview page is
an opaque origin with no cookies. The path starts with a random key (a second secret,
which only reveals the read-only preview), and the ``Host`` header is checked as on
the desk.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles


@dataclass
class BuildResult:
    number: int
    seconds: float
    warnings: list[str]
    error: str = ""
    finished: float = field(default_factory=time.time)
    changed: bool = True  # the whole build wrote the edited page differently from the first pass
    stage: str = "full"  # "page": the edited page only, written first; "full": the whole build


class PreviewBuilds:
    """The builder process, the builds asked for and their results (thread-safe)."""

    def __init__(self, root: Path, srcdir: Path, out: Path, log: Callable[[str], None] | None = None) -> None:
        self.root, self.srcdir, self.out = root, srcdir, out
        self.log = log or (lambda message: None)
        self._lock = threading.Condition()
        self._asked = 0  # builds asked for
        self._pending: set[str] = set()
        self.ready = False
        self.failed = ""
        self.last: BuildResult | None = None  # the last whole build
        self.page: BuildResult | None = None  # the last first pass (the edited page only)
        self.first_warnings: list[str] = []
        self._proc: subprocess.Popen[str] | None = None
        self._thread: threading.Thread | None = None

    @property
    def html(self) -> Path:
        return self.out / "html"

    def start(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
        ext = str(self.root / "_ext")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ext, env.get("PYTHONPATH", "")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "rapport.writer.desk.previewbuild", str(self.root), str(self.srcdir), str(self.out)],
            cwd=self.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
        )
        self._thread = threading.Thread(target=self._run, name="skrivbord-forhandsgranskning", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        first = proc.stdout.readline()
        try:
            reply = json.loads(first)
        except ValueError:
            with self._lock:
                self.failed = "Förhandsgranskningen kunde inte starta (bygget avbröts)"
                self._lock.notify_all()
            return
        with self._lock:
            self.ready = True
            self.first_warnings = list(reply.get("warnings", []))
            self.last = BuildResult(0, float(reply.get("seconds", 0)), self.first_warnings)
            self._lock.notify_all()
        self.log(f"förhandsgranskningen är byggd ({reply.get('seconds')} s)")
        self._send_pending()
        for line in proc.stdout:
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            number = int(reply.get("id") or 0)
            if reply.get("stage") == "page":
                with self._lock:
                    self.page = BuildResult(number, float(reply["seconds"]), [], stage="page")
                    self._lock.notify_all()
                continue
            with self._lock:
                self.last = BuildResult(
                    number,
                    float(reply["seconds"]),
                    list(reply["warnings"]),
                    reply.get("error", ""),
                    changed=bool(reply.get("changed", True)),
                )
                self._lock.notify_all()
            self._send_pending()
        with self._lock:
            if not self.failed:
                self.failed = "Förhandsgranskningen avslutades"
            self._lock.notify_all()

    def _send_pending(self) -> None:
        """Ask for one build of everything saved since the last one asked for (coalesced)."""
        with self._lock:
            if not self._pending or self._proc is None or self._proc.stdin is None:
                return
            if self.last is not None and self.last.number < self._sent:
                return  # a build is running; this one follows when it is done
            files = sorted(self._pending)
            self._pending.clear()
            self._sent = self._asked
            try:
                self._proc.stdin.write(json.dumps({"build": files, "id": self._sent}) + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError):
                self.failed = "Förhandsgranskningen avslutades"

    _sent = 0

    def build(self, path: Path) -> int:
        """Ask for a build that includes ``path``; returns its number for :meth:`wait`."""
        with self._lock:
            self._asked += 1
            number = self._asked
            self._pending.add(str(path))
        if self.ready:
            self._send_pending()
        return number

    def wait_blocking(self, number: int, timeout: float, whole: bool = False) -> BuildResult | None:
        """The first result that includes build ``number``: its first pass (the edited page),
        or with ``whole`` the whole build."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self.failed:
                if self.ready and self.last is not None and self.last.number >= number:
                    return self.last
                if not whole and self.page is not None and self.page.number >= number:
                    return self.page
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._lock.wait(remaining)
        return None

    async def wait(self, number: int, timeout: float = 60, whole: bool = False) -> BuildResult | None:
        return await asyncio.to_thread(self.wait_blocking, number, timeout, whole)

    def stop(self) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.write(json.dumps({"stop": True}) + "\n")
                proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            proc.kill()
            proc.wait()


def warnings_for(lines: list[str], path: Path, root: Path) -> list[dict[str, Any]]:
    """The build's warnings about ``path``, as findings: line and message."""
    found = []
    prefix = str(path.resolve())
    for line in lines:
        if not line.startswith(prefix + ":"):
            continue
        rest = line[len(prefix) + 1 :]
        number, _, message = rest.partition(":")
        message = message.strip()
        for tag in ("WARNING:", "ERROR:", "VARNING:", "FEL:"):
            message = message.removeprefix(tag).strip()
        found.append(
            {
                "fil": path.resolve().relative_to(root.resolve()).as_posix(),
                "rad": int(number) if number.isdigit() else None,
                "meddelande": message,
                "slag": "bygget",
            }
        )
    return found


@dataclass
class PreviewSite:
    port: int
    key: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, docname: str) -> str:
        return f"{self.origin}/{self.key}/{docname}.html"


#: every preview page is sandboxed, in a frame or not: scripts run, but in an opaque
#: origin (no cookies, no storage, no reading of any other origin)
PREVIEW_CSP = "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox; frame-ancestors http://127.0.0.1:{desk} http://localhost:{desk}"


class _WholeFiles(StaticFiles):
    """Static files read whole before the response starts.

    The preview's builder rewrites pages in place while the browser may be fetching
    them; a streamed file response then sends fewer bytes than the Content-Length it
    declared, the server aborts the connection and the frame stays blank until the next
    edit. A page read at once is always one consistent version (the files are small).
    """

    def file_response(self, full_path: Any, stat_result: Any, scope: Any, status_code: int = 200) -> Response:
        try:
            data = Path(full_path).read_bytes()
        except OSError:
            return PlainTextResponse("Hittades inte", status_code=404)
        media_type = mimetypes.guess_type(str(full_path))[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type in ("application/javascript", "image/svg+xml"):
            media_type += "; charset=utf-8"
        return Response(data, status_code=status_code, headers={"content-type": media_type})


def preview_app(html: Path, site: PreviewSite, desk_port: int) -> Starlette:
    hosts = (f"127.0.0.1:{site.port}", f"localhost:{site.port}", f"[::1]:{site.port}")
    html.mkdir(parents=True, exist_ok=True)
    files = _WholeFiles(directory=str(html), html=True, check_dir=False)

    async def refused(request: Request) -> Response:
        return PlainTextResponse("Hittades inte", status_code=404)

    class Guarded:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            if (
                scope["type"] != "http"
                or headers.get("host", "") not in hosts
                or scope["method"] not in ("GET", "HEAD")
            ):
                response = PlainTextResponse("Fel adress", status_code=403)
                await response(scope, receive, send)
                return

            # a page is fetched again at every reload; the theme's styles and scripts (whose
            # URLs Sphinx versions) are kept a minute, so a reload does not wait for them
            page = scope["path"].endswith((".html", "/"))
            caching = b"no-store" if page else b"max-age=60"

            async def send_sandboxed(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"content-security-policy", PREVIEW_CSP.format(desk=desk_port).encode("latin-1")),
                        (b"cache-control", caching),
                        (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"),
                    ]
                await send(message)

            await files(scope, receive, send_sandboxed)

    return Starlette(routes=[Mount(f"/{site.key}", app=Guarded()), Route("/{rest:path}", refused)])
