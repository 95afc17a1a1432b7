"""What the desk's tests share: a private copy of the real project and a desk running on it.

No tests here. The copy has the project's own conf.py, rapport.toml, docs/ and the
extension (linked, not copied); each test changes its own copy. :class:`RunningDesk`
runs both of the desk's servers in a thread of the test process, as ``rapport
skrivbord`` runs them, with the real preview builder process when asked for.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def copy_project(target: Path) -> Path:
    """The real project as a writer has it, in ``target/projekt``."""
    project = target / "projekt"
    project.mkdir(parents=True)
    for name in ("conf.py", "rapport.toml", "kontroll-kvitterade.toml"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, project / name)
    shutil.copytree(REPO / "docs", project / "docs")
    for name in ("_ext", "_templates"):
        (project / name).symlink_to(REPO / name)
    return project


class RunningDesk:
    """The desk and its preview server on free loopback ports, in a background thread."""

    def __init__(self, root: Path, preview: bool = True) -> None:
        from rapport.writer.cli import find_project
        from rapport.writer.desk.app import create, free_port

        self.project = find_project(str(root))
        self.port, self.preview_port = free_port(), free_port()
        self.app, self.preview_app, self.desk = create(self.project, self.port, self.preview_port)
        self.with_preview = preview
        self._servers: list[Any] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import uvicorn

        async def main() -> None:
            self._servers = [
                uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
                for app, port in ((self.app, self.port), (self.preview_app, self.preview_port))
            ]
            await asyncio.gather(*(server.serve() for server in self._servers))

        asyncio.run(main())

    def __enter__(self) -> RunningDesk:
        if self.with_preview:
            self.desk.preview.start()
        self._thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(self._servers) == 2 and all(s.started for s in self._servers):
                return self
            time.sleep(0.05)
        raise RuntimeError("the desk did not start")

    def __exit__(self, *exc: object) -> None:
        for server in self._servers:
            server.should_exit = True
        self._thread.join(timeout=15)
        self.desk.preview.stop()

    @property
    def keys(self) -> Any:
        return self.desk.keys

    @property
    def start_url(self) -> str:
        return self.keys.start_url()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        host: str | None = None,
        cookie: bool = True,
        origin: str | None = "desk",
        csrf: bool = True,
        port: int | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """One request as a browser (or an attacker) would send it."""
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=60)
        headers = {"Host": host or f"127.0.0.1:{port or self.port}"}
        if cookie:
            headers["Cookie"] = f"{self.keys.cookie}={self.keys.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if origin == "desk":
            origin = self.keys.origin
        if origin is not None and method != "GET":
            headers["Origin"] = origin
        if csrf and method != "GET":
            headers["X-CSRF-Token"] = self.keys.csrf
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        result = response.status, {k.lower(): v for k, v in response.getheaders()}, text
        connection.close()
        return result
