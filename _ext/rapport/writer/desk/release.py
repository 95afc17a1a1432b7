"""The release panel's requests: gate state, proof, approval, send, publish, correction, history.

Runs in the desk's web server. Every button calls the one implementation in
:mod:`rapport.writer.release.ops`, exactly as the ``rapport`` command does, and shows what
it printed or the one Swedish line of its refusal: the same rules and the same words.
Operations build and talk to the SMTP server, so they run in a worker thread; a send
reports its progress to a :class:`~rapport.writer.desk.state.Job` the page polls.

The SMTP password is asked for in the panel when it is needed and passed to the
operation (``password=``); it is never stored, logged or sent back to the page.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from rapport.command import CommandError

from .editing import desk_of, refused
from .state import Captured, Desk, Job, refusal


def _ops() -> Any:
    from rapport.writer.release import ops

    return ops


def _report(desk: Desk, body: dict[str, Any]) -> str:
    return desk.relative(desk.report_path(str(body.get("doc", ""))))


def _password(body: dict[str, Any]) -> str | None:
    given = body.get("losenord")
    return str(given) if given else None


def _lists(desk: Desk) -> list[dict[str, Any]]:
    from rapport.config import settings_from
    from rapport.email.lists import read_lists

    values = settings_from(desk.project.config, desk.project.root).values
    path = desk.project.root / values.email_lists
    if not path.is_file():
        return []
    found, _ = read_lists(path, values.email_lists)
    return [{"namn": name, "antal": len(getattr(item, "recipients", []) or [])} for name, item in found.items()]


def status_of(desk: Desk, docname: str) -> dict[str, Any]:
    ops = _ops()
    report = _report(desk, {"doc": docname})
    captured = Captured()
    state = ops.status(desk.project, report, captured.err)
    approval = state.approval
    return {
        "version": state.version,
        "titel": state.title,
        "kravs": state.signoff_required,
        "godkand": (
            {"av": approval.by, "hur": approval.how, "tid": approval.time, "version": approval.version}
            if approval is not None
            else None
        ),
        "saknas": state.approval_missing,
        "stoppar": [getattr(p, "message", str(p)) for p in state.blocking],
        "platshallare": [getattr(p, "message", str(p)) for p in state.placeholders],
        "andrad_efter_utskick": state.changed_after_send,
        "andringar": state.diff,
        "skickat": state.sent,
        "rader": state.lines(),
        "listor": _lists(desk),
        "godkannare": [{"namn": p.display, "adress": p.address} for p in ops.approvers(desk.project)],
    }


async def _run(request: Request, work: Any) -> JSONResponse:
    desk = desk_of(request)
    try:
        body = await request.json() if request.method == "POST" else dict(request.query_params)
        return JSONResponse(await asyncio.to_thread(work, desk, body))
    except Exception as exc:  # noqa: BLE001 - the operation's one Swedish line, never a traceback
        return refused(refusal(exc))


async def status(request: Request) -> JSONResponse:
    return await _run(request, lambda desk, body: status_of(desk, str(body.get("doc", ""))))


def _explained(work: Any) -> dict[str, Any]:
    """``work(captured)``'s answer; a refusal comes with the lines the operation printed
    before it (what stops a send or a publish, one per line), as on the command line."""
    captured = Captured()
    try:
        code = work(captured)
    except CommandError as exc:
        return {"fel": "\n".join(part for part in (captured.text(), str(exc)) if part)}
    return {"kod": code, "text": captured.text()}


def _proof(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    return _explained(
        lambda captured: _ops().send_proof(
            desk.project, _report(desk, body), password=_password(body), out=captured.out, err=captured.err
        )
    )


async def proof(request: Request) -> JSONResponse:
    return await _run(request, _proof)


def _approve(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    approval = _ops().approve(
        desk.project,
        _report(desk, body),
        by=str(body.get("av", "")),
        how=str(body.get("hur", "e-post")),
        version=str(body.get("version", "")),
    )
    return {"text": f"Godkännandet är registrerat: {approval.by} ({approval.how}), version {approval.version}."}


async def approve(request: Request) -> JSONResponse:
    return await _run(request, _approve)


def _count(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    lists = [str(name) for name in body.get("listor", [])]
    return {"antal": _ops().count_recipients(desk.project, lists)}


async def count(request: Request) -> JSONResponse:
    return await _run(request, _count)


def _follow(job: Job) -> Any:
    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total

    return progress


def _start(desk: Desk, work: Any) -> dict[str, Any]:
    key, job = desk.new_job()

    def run() -> None:
        captured = Captured()
        try:
            job.code = work(job, captured)
        except Exception as exc:  # noqa: BLE001
            # what the operation printed first (the reasons, one per line), then its refusal
            job.error = "\n".join(part for part in (captured.text(), refusal(exc)) if part)
            job.finished = True
            return
        job.output = captured.text()
        job.finished = True

    import threading

    threading.Thread(target=run, name="skrivbord-jobb", daemon=True).start()
    return {"jobb": key}


def _send(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("bekraftat") is not True:
        return {"fel": "Bekräfta utskicket först"}
    report = _report(desk, body)
    lists = [str(name) for name in body.get("listor", [])]
    test = str(body.get("test") or "") or None
    return _start(
        desk,
        lambda job, captured: _ops().send(
            desk.project,
            report,
            lists=lists,
            test=test,
            accept_placeholders=bool(body.get("platshallare")),
            password=_password(body),
            progress=_follow(job),
            out=captured.out,
            err=captured.err,
        ),
    )


async def send(request: Request) -> JSONResponse:
    return await _run(request, _send)


async def job(request: Request) -> JSONResponse:
    desk = desk_of(request)
    found = desk.jobs.get(request.path_params["key"])
    if found is None:
        return refused("Jobbet finns inte", 404)
    return JSONResponse(
        {
            "klart": found.finished,
            "klara": found.done,
            "totalt": found.total,
            "kod": found.code,
            "text": found.output,
            "fel": found.error,
        }
    )


def _build_site(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    """``rapport bygg``'s steps (the same ``site_steps`` and ``run_steps``), as a job."""
    import os

    from rapport.writer.build import run_steps, site_steps

    def work(job: Job, captured: Captured) -> int:
        steps = site_steps(desk.project.root, os.environ.get("SPHINXOPTS", ""), os.environ.get("PDFOPTS", ""), False)
        job.total = len(steps)
        results = run_steps(steps, captured.err)
        job.done = len(results)
        failed = [r for r in results if r.returncode != 0]
        if failed:
            raise CommandError(f"Bygget misslyckades i steget ”{failed[0].step.label}”")
        warnings = sum(r.warnings for r in results)
        noun = "varning" if warnings == 1 else "varningar"
        print(f"Klart: webbplatsen är byggd ({warnings} {noun}).", file=captured.out)
        return 0

    return _start(desk, work)


async def build_site(request: Request) -> JSONResponse:
    return await _run(request, _build_site)


def _publish(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    target = str(body.get("mal", "")).strip()
    if not target:
        return {"fel": "Ange mappen som webbservern visar (målet för publiceringen)"}
    return _explained(
        lambda captured: _ops().publish(
            desk.project,
            target,
            out=captured.out,
            err=captured.err,
            accept_placeholders=bool(body.get("platshallare")),
        )
    )


async def publish(request: Request) -> JSONResponse:
    return await _run(request, _publish)


def _correct(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    report = _report(desk, body)
    ops = _ops()
    if body.get("registrera", True):
        ops.record_correction(
            desk.project,
            report,
            wrong=str(body.get("fel_text", "")),
            right=str(body.get("ratt_text", "")),
            date=str(body.get("datum") or "") or None,
        )
    if not body.get("skicka"):
        return {"text": "Rättelsen är registrerad och syns överst i rapporten. Skicka den när den är godkänd."}
    return _start(
        desk,
        lambda job, captured: ops.send_correction(
            desk.project,
            report,
            accept_placeholders=bool(body.get("platshallare")),
            password=_password(body),
            progress=_follow(job),
            out=captured.out,
            err=captured.err,
        ),
    )


async def correct(request: Request) -> JSONResponse:
    return await _run(request, _correct)


def _history(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    return {"text": _ops().history(desk.project, _report(desk, body), addresses=bool(body.get("adresser")))}


async def history(request: Request) -> JSONResponse:
    return await _run(request, _history)
