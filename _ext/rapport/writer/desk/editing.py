"""The start page's and the editor's requests: the reports, a new report, a file, a save, findings.

Runs in the desk's web server. Each handler calls the same function as the ``rapport``
command (``release.ops.report_states``, ``newreport``, ``kontroll.check_report``) and
answers JSON; a refusal is ``{"fel": "<the command's Swedish line>"}``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from rapport.dates import DateError, format_datetime, parse_datetime

from . import files
from .preview import warnings_for
from .state import Desk, refusal


def desk_of(request: Request) -> Desk:
    return request.app.state.desk


def refused(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"fel": message}, status_code=status)


def report_list(desk: Desk) -> list[dict[str, Any]]:
    from rapport.writer.release import ops

    states = ops.report_states(desk.project)
    shown = []
    for state in states:
        when = ""
        if state.date:
            try:
                moment, has_time = parse_datetime(state.date)
                when = format_datetime(moment, has_time)
            except DateError:
                when = state.date
        shown.append(
            {
                "doc": state.docname,
                "titel": state.title,
                "datum": when,
                "tillstand": state.state,
                "version": state.version or "",
                "fil": desk.relative(state.path),
            }
        )
    return shown


async def reports(request: Request) -> JSONResponse:
    desk = desk_of(request)
    try:
        return JSONResponse({"rapporter": await asyncio.to_thread(report_list, desk)})
    except Exception as exc:  # noqa: BLE001 - one Swedish line, never a traceback
        return refused(refusal(exc))


def _create(desk: Desk, when: dt.datetime, has_time: bool, choice: str) -> dict[str, Any]:
    """``rapport ny``: the same question when the date has a report, the same creation."""
    from rapport.config import settings_from
    from rapport.writer import newreport
    from rapport.writer.cli import _read_text, _series

    project = desk.project
    if choice != "ny":
        log = project.root / settings_from(project.config, project.root).values.email_log
        found = newreport.existing_for_date(project.root, project.srcdir, when.date(), project.reports_dir, log)
        if found:
            return {
                "finns": [
                    {
                        "doc": item.path.resolve().relative_to(project.srcdir.resolve()).with_suffix("").as_posix(),
                        "text": f"{desk.relative(item.path)}: ”{item.title}”, "
                        + ("skickad" if item.sent else "inte skickad"),
                    }
                    for item in found
                ],
                "fraga": newreport.describe_existing(found, desk.relative) + ".",
                "datum": format_datetime(when, False),
            }
    series = _series(project, None)
    path, previous, _ = newreport.create(project.reports_dir, series, when, _read_text, has_time=has_time)
    docname = path.resolve().relative_to(project.srcdir.resolve()).with_suffix("").as_posix()
    return {"skapad": docname, "fran": desk.relative(previous.path) if previous is not None else ""}


async def new_report(request: Request) -> JSONResponse:
    desk = desk_of(request)
    body = await request.json()
    given = f"{body.get('datum', '')} {body.get('tid', '')}".strip()
    if not body.get("datum"):
        when, has_time = dt.datetime.now().replace(second=0, microsecond=0), True
    else:
        try:
            when, has_time = parse_datetime(given)
        except DateError as exc:
            return refused(f"{exc} (skriv datumet som 2025-10-02 och tiden som 08:30)")
    try:
        result = await asyncio.to_thread(_create, desk, when, has_time, str(body.get("val", "")))
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc))
    return JSONResponse(result, status_code=409 if "finns" in result else 200)


def _path(desk: Desk, docname: str) -> Path:
    return desk.report_path(docname)


async def read_file(request: Request) -> JSONResponse:
    desk = desk_of(request)
    try:
        path = _path(desk, request.query_params.get("doc", ""))
        snapshot = files.read(path)
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc), 404)
    # the file may have changed outside the desk (another editor, git): the preview builds it first
    number = desk.preview.build(path)
    return JSONResponse(
        {
            "bygge": number,
            "text": snapshot.text,
            "bas": snapshot.digest,
            "fil": desk.relative(path),
            "forhandsgranskning": desk.site.url(request.query_params.get("doc", "")),
        }
    )


async def save(request: Request) -> JSONResponse:
    desk = desk_of(request)
    body = await request.json()
    try:
        path = _path(desk, str(body.get("doc", "")))
        text = str(body.get("text", ""))
        result = files.save(path, text, str(body.get("bas", "")))
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc))
    if isinstance(result, files.Conflict):
        return JSONResponse(
            {
                "konflikt": True,
                "fel": f"{desk.relative(path)} har ändrats på disken sedan du öppnade den (av någon annan, ett annat "
                "program eller git). Ingenting har skrivits över: välj vilken text som ska gälla.",
                "disk": result.disk.text,
                "diskbas": result.disk.digest,
            },
            status_code=409,
        )
    number = desk.preview.build(path)
    return JSONResponse({"bas": result.digest, "bygge": number, "vakt": files.guard_findings(path, text)})


async def wait_build(request: Request) -> JSONResponse:
    desk = desk_of(request)
    try:
        number = int(request.query_params.get("nr", "0"))
    except ValueError:
        number = 0
    whole = request.query_params.get("helt") == "1"
    result = await desk.preview.wait(number, timeout=120, whole=whole)
    if result is None:
        return JSONResponse({"klart": False, "fel": desk.preview.failed or "Bygget tar tid; försöker igen"})
    return JSONResponse(
        {
            "klart": True,
            "nr": result.number,
            "sekunder": result.seconds,
            "fel": result.error,
            "steg": result.stage,
            "andrad": result.changed,
        }
    )


def findings_of(desk: Desk, docname: str) -> list[dict[str, Any]]:
    """``rapport kontroll RAPPORT``'s source checks, and the preview build's warnings about the file."""
    from rapport.config import settings_from
    from rapport.writer import kontroll

    project = desk.project
    path = desk.report_path(docname)
    values = settings_from(project.config, project.root).values
    found = kontroll.check_report(
        project.root, project.srcdir, path, project.config.get("myst_enable_extensions", []), values.kontroll_tillatna
    )
    shown = [
        {"fil": f.file, "rad": f.line, "meddelande": f.message, "slag": f.subtype} for f in found if not f.acknowledged
    ]
    last = desk.preview.last
    if last is not None:
        for item in warnings_for(last.warnings, path, project.root):
            if not any(s["rad"] == item["rad"] and s["meddelande"] == item["meddelande"] for s in shown):
                shown.append(item)
    own = desk.relative(path)
    return sorted(shown, key=lambda f: (f["fil"] != own, f["fil"], f["rad"] or 0))


async def findings(request: Request) -> JSONResponse:
    desk = desk_of(request)
    try:
        shown = await asyncio.to_thread(findings_of, desk, request.query_params.get("doc", ""))
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc))
    return JSONResponse({"fynd": shown, "fil": desk.relative(desk.report_path(request.query_params.get("doc", "")))})
