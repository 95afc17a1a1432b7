"""``rapport skrivbord``: the writer's desk, a local web app over the project folder.

Runs outside Sphinx: the ``rapport`` command starts it (:func:`cmd_skrivbord`). Two
servers in one process, both on loopback: the desk (pages, JSON requests, the editor's
files) behind :class:`~rapport.writer.desk.security.Guard`, and the preview of what the
real build wrote, on a port of its own (:mod:`rapport.writer.desk.preview`). Pages are
Jinja templates in ``templates/``; the scripts and styles are files in ``static/`` (the
CSP allows no inline script). The editor is CodeMirror 6, bundled once into
``static/vendor/codemirror.js`` (source ``static/vendor/entry.js``; licences in
``static/vendor/LICENSE``): ``npm install codemirror @codemirror/lang-markdown esbuild``
then ``esbuild entry.js --bundle --minify --format=iife --global-name=DeskEditor``;
npm is not needed to install or run the desk.

One module per concept: ``security`` (who may ask), ``files`` (reading and saving
without losing a keystroke), ``editing`` (reports, new report, findings), ``preview``
and ``previewbuild`` (the build beside the editor), ``release`` (the release panel),
``settingspage`` (``rapport.toml``), ``gitpanel`` (versions).
"""

from __future__ import annotations

import asyncio
import socket
import sys
import webbrowser
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rapport.command import EXIT_OK

from . import editing, gitpanel, release, settingspage
from .preview import PreviewBuilds, PreviewSite, preview_app
from .security import Guard, Keys, check_loopback
from .state import Desk

HERE = Path(__file__).resolve().parent
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    desk: Desk = request.app.state.desk
    html = TEMPLATES.get_template(template).render(
        csrf=desk.keys.csrf,
        series_title=_series_title(desk),
        preview_origin=desk.site.origin,
        git=gitpanel.is_repository(desk.project.root),
        **context,
    )
    return HTMLResponse(html)


def _series_title(desk: Desk) -> str:
    from rapport.config import settings_from

    checked = settings_from(desk.project.config, desk.project.root)
    key = checked.values.default_series
    series = checked.series.get(key)
    return series.title if series is not None else str(desk.project.config.get("project", "Rapport"))


async def start_page(request: Request) -> Response:
    return _page(request, "start.html", page="start")


async def editor_page(request: Request) -> Response:
    desk: Desk = request.app.state.desk
    docname = request.path_params["doc"]
    try:
        path = desk.report_path(docname)
    except Exception as exc:  # noqa: BLE001
        return HTMLResponse(TEMPLATES.get_template("fel.html").render(message=str(exc)), status_code=404)
    title = docname
    try:
        from rapport.writer.release.status import TITLE_RE

        found = TITLE_RE.search(path.read_text(encoding="utf-8"))
        title = found[1] if found else docname
    except (OSError, UnicodeDecodeError, ImportError):
        pass
    return _page(
        request,
        "editor.html",
        page="editor",
        doc=docname,
        title=title,
        file=desk.relative(path),
        sections=_sections(desk),
    )


def _sections(desk: Desk) -> list[tuple[str, str]]:
    """The series' sections a report writes itself (standing ones come from their files)."""
    from rapport.config import settings_from

    checked = settings_from(desk.project.config, desk.project.root)
    series = checked.series.get(checked.values.default_series)
    return [(s.key, s.label) for s in series.sections if not s.standing] if series is not None else []


async def settings_page(request: Request) -> Response:
    return _page(request, "installningar.html", page="installningar")


async def git_page(request: Request) -> Response:
    return _page(request, "git.html", page="git")


def routes() -> list[Any]:
    return [
        Route("/", start_page),
        Route("/rapport/{doc:path}", editor_page),
        Route("/installningar", settings_page),
        Route("/git", git_page),
        Route("/api/rapporter", editing.reports),
        Route("/api/ny", editing.new_report, methods=["POST"]),
        Route("/api/fil", editing.read_file),
        Route("/api/spara", editing.save, methods=["POST"]),
        Route("/api/bygge", editing.wait_build),
        Route("/api/fynd", editing.findings),
        Route("/api/status", release.status),
        Route("/api/korrektur", release.proof, methods=["POST"]),
        Route("/api/godkann", release.approve, methods=["POST"]),
        Route("/api/mottagare", release.count, methods=["POST"]),
        Route("/api/skicka", release.send, methods=["POST"]),
        Route("/api/jobb/{key}", release.job),
        Route("/api/bygg", release.build_site, methods=["POST"]),
        Route("/api/publicera", release.publish, methods=["POST"]),
        Route("/api/rattelse", release.correct, methods=["POST"]),
        Route("/api/historik", release.history),
        Route("/api/installningar", settingspage.get_settings),
        Route("/api/installningar", settingspage.post_settings, methods=["POST"]),
        Route("/api/git", gitpanel.get_panel),
        Route("/api/git/spara", gitpanel.post_version, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static"))),
    ]


def create(project: Any, port: int, preview_port: int, out: Path | None = None) -> tuple[Any, Starlette, Desk]:
    """The guarded desk application, the preview application and the desk's state."""
    keys = Keys(port)
    site = PreviewSite(preview_port)
    keys.preview_origin = site.origin
    builds = PreviewBuilds(project.root, project.srcdir, out or project.root / "_build" / "skrivbord")
    desk = Desk(project, keys, builds, site)
    app = Starlette(routes=routes())
    app.state.desk = desk
    guarded = Guard(app, keys, on_refused=lambda why, what: desk.refused.append(f"{why} {what}"))
    return guarded, preview_app(builds.html, site, port), desk


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


async def serve(
    desk_app: Any, preview: Starlette, host: str, port: int, preview_port: int, on_started: Any = None
) -> None:
    """Both servers; ``on_started()`` once both listen (the address is printed only then)."""
    import uvicorn

    servers = [
        uvicorn.Server(uvicorn.Config(app, host=host, port=p, log_level="warning", access_log=False, lifespan="off"))
        for app, p in ((desk_app, port), (preview, preview_port))
    ]
    tasks = [asyncio.ensure_future(server.serve()) for server in servers]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):
            break  # a port in use: the task ends with the error, raised below
        await asyncio.sleep(0.02)
    else:
        if on_started is not None:
            on_started()
    await asyncio.gather(*tasks)


def run(project: Any, *, host: str, port: int, open_browser: bool, out: Any = sys.stdout) -> int:
    check_loopback(host)
    host = "127.0.0.1"  # every loopback name given: the desk's addresses and Host checks are 127.0.0.1's
    port = port or free_port(host)
    preview_port = free_port(host)
    desk_app, preview, desk = create(project, port, preview_port)
    desk.preview.start()
    url = desk.keys.start_url()

    def started() -> None:
        print(f"Skrivbordet är öppet på {url}", file=out, flush=True)
        print("Adressen innehåller en nyckel: dela den inte. Avsluta med Ctrl+C.", file=out, flush=True)
        if open_browser:
            webbrowser.open(url)

    try:
        asyncio.run(serve(desk_app, preview, host, port, preview_port, started))
    except KeyboardInterrupt:
        pass
    finally:
        desk.preview.stop()
    print("Skrivbordet är stängt.", file=out, flush=True)
    return EXIT_OK
