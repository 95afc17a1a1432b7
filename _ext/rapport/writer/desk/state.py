"""What one running desk knows: the project, its secrets, the preview, the running jobs.

Runs in the desk's web server; created once by :func:`rapport.writer.desk.app.create`.
"""

from __future__ import annotations

import io
import secrets
import sys
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.command import debugging, describe, internal_error, one_line

from .files import FileRefused
from .preview import PreviewBuilds, PreviewSite
from .security import Keys


@dataclass
class Job:
    """A long operation (a send) the page follows: progress, what it printed, how it ended."""

    done: int = 0
    total: int = 0
    finished: bool = False
    code: int | None = None
    output: str = ""
    error: str = ""


@dataclass
class Desk:
    project: Any  # rapport.writer.cli.Project
    keys: Keys
    preview: PreviewBuilds
    site: PreviewSite
    jobs: dict[str, Job] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # "why METHOD path", for the log and the tests
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reload_project(self) -> None:
        """conf.py and rapport.toml read again (after the settings page saved)."""
        from rapport.writer.cli import find_project

        self.project = find_project(str(self.project.root))

    def new_job(self) -> tuple[str, Job]:
        key = secrets.token_urlsafe(8)
        job = Job()
        self.jobs[key] = job
        return key, job

    def report_path(self, docname: str) -> Path:
        """The source of report ``docname`` (``rapporter/2025/2025-10-02``), inside docs/."""
        from .files import writable

        relative = (Path(self.project.srcdir.name) / f"{docname}.md").as_posix()
        if self.project.srcdir == self.project.root:
            relative = f"{docname}.md"
        path = writable(self.project, relative)
        if not path.is_file():
            raise FileRefused(f"Rapporten {docname} finns inte")
        return path

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.project.root.resolve()).as_posix()


class Captured:
    """``out`` and ``err`` for an operation: what it prints becomes the panel's text."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()

    def text(self) -> str:
        return "\n".join(part for part in (self.out.getvalue().strip(), self.err.getvalue().strip()) if part)


def refusal(exc: BaseException) -> str:
    """The one Swedish line to show for an operation's refusal (never a traceback): the
    command line's error model (:mod:`rapport.command`), so a refusal reads the same in the
    desk as after ``rapport``; a bug says so, and with ``RAPPORT_FELSOK=1`` its traceback goes
    to the terminal the desk was started from."""
    if isinstance(exc, FileRefused):
        return str(exc)
    error = describe(exc)
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
    if error is None:
        return internal_error(exc, "Starta skrivbordet igen")
    return one_line(error)
