"""The settings page: ``rapport.toml`` edited in a form, checked as the build checks it.

Runs in the desk's web server. The fields are :data:`rapport.settingsfile.ENTRIES`; a
new value is checked by the same validator as at ``config-inited``
(:func:`rapport.config.check_values`, through :func:`rapport.config.settings_from`), and
only a form without problems is written, with tomlkit, so the file's comments stay. As
with a report, the save names the digest of the file it was based on; a file changed
on disk meanwhile is not overwritten. The SMTP password is not a field: it is asked for
when something is sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from rapport import settingsfile
from rapport.config import settings_from

from . import files
from .editing import desk_of, refused
from .state import Desk, refusal


def fields_of(desk: Desk) -> dict[str, Any]:
    path = settingsfile.path_of(desk.project.root)
    snapshot = files.read(path)
    values = settings_from(desk.project.config, desk.project.root).values
    shown = []
    for entry in settingsfile.ENTRIES:
        value = getattr(values, entry.setting)
        if entry.key == "webbadress":
            value = values.site_url
        shown.append(
            {
                "nyckel": entry.key,
                "etikett": entry.label,
                "hjalp": entry.help,
                "slag": entry.kind,
                "varde": value if value is not None else {},
                "delar": settingsfile.CONTACT_LABELS if entry.kind == "contact" else None,
            }
        )
    return {"falt": shown, "bas": snapshot.digest, "fil": settingsfile.FILENAME}


async def get_settings(request: Request) -> JSONResponse:
    try:
        return JSONResponse(await asyncio.to_thread(fields_of, desk_of(request)))
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc))


def _typed(entry: settingsfile.Entry, raw: Any) -> Any:
    """The form's value as the TOML value: numbers, flags, lists of addresses, contacts."""
    if entry.kind == "flag":
        return bool(raw)
    if entry.kind == "number":
        text = str(raw).strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return text  # the validator names it
        return int(number) if number.is_integer() else number
    if entry.kind == "addresses":
        lines = raw if isinstance(raw, list) else str(raw).splitlines()
        return [" ".join(str(line).split()) for line in lines if str(line).strip()]
    if entry.kind == "contact":
        given = raw if isinstance(raw, dict) else {}
        return {key: str(given.get(key, "")).strip() for key in settingsfile.CONTACT_LABELS}
    return str(raw).strip()


def save_settings(desk: Desk, body: dict[str, Any]) -> dict[str, Any]:
    path = settingsfile.path_of(desk.project.root)
    given = body.get("varden", {})
    changes = {entry.key: _typed(entry, given[entry.key]) for entry in settingsfile.ENTRIES if entry.key in given}
    namespace = dict(desk.project.config)
    for key, value in changes.items():
        namespace[f"rapport_{settingsfile.BY_KEY[key].setting}"] = value
    problems = [
        {"nyckel": settingsfile.BY_SETTING[p.name.removeprefix("rapport_")].key, "fel": p.text or p.message}
        for p in settings_from(namespace, desk.project.root).problems
        if p.name.removeprefix("rapport_") in settingsfile.BY_SETTING
        and settingsfile.BY_SETTING[p.name.removeprefix("rapport_")].key in changes
    ]
    if problems:
        return {"problem": problems, "fel": "Inställningarna sparades inte: rätta fälten som är markerade."}
    text = settingsfile.write(path, changes)
    result = files.save(path, text, str(body.get("bas", "")))
    if isinstance(result, files.Conflict):
        return {
            "fel": "rapport.toml har ändrats på disken sedan sidan öppnades; ingenting skrevs över. "
            "Ladda om sidan och gör ändringen igen.",
            "konflikt": True,
        }
    desk.reload_project()
    return {"text": "Inställningarna är sparade i rapport.toml.", "bas": result.digest}


async def post_settings(request: Request) -> JSONResponse:
    desk = desk_of(request)
    try:
        body = await request.json()
        result = await asyncio.to_thread(save_settings, desk, body)
    except Exception as exc:  # noqa: BLE001
        return refused(refusal(exc))
    return JSONResponse(result, status_code=400 if "fel" in result else 200)
