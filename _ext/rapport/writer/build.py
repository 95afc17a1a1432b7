"""The site build that ``make site`` and ``rapport bygg`` both run.

Runs outside Sphinx, in the ``rapport`` command (``make site`` runs ``rapport bygg``).
The steps live in :func:`site_steps` only, so the two can never differ: to add a step
(the PDFs, the search index), add it there. Each step is a command run in its own
process (a Sphinx step in a forked copy of this one, whose imports are done:
:class:`ForkedSphinx`); its output is read line by line to show progress (Sphinx prints
``[ 40%]`` for every page), and warnings are passed through as they come.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TextIO

from sphinx.cmd.build import build_main

from rapport.pdf.builder import assemble_command, assemble_env
from rapport.pdf.bundle import DEFER_ENV


@dataclass(frozen=True)
class LaterBundle:
    """A PDF step's bundle, assembled while the next steps run (:func:`run_steps`)."""

    pending: Path  # where the PDF build leaves the bundle's spec (``DEFER_ENV``)
    served: Path  # the site's copy of the PDFs (``<html>/pdf``), brought up to date after


@dataclass(frozen=True)
class Step:
    label: str  # Swedish, shown to the writer
    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    bundle: LaterBundle | None = None


def _sphinx(
    project: Path, builder: str, outdir: str, extra: list[str], doctrees: str = "_build/doctrees"
) -> tuple[str, ...]:
    return (
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        builder,
        "-c",
        ".",
        "-d",
        doctrees,
        *extra,
        "docs",
        outdir,
    )


#: the public site's options (``make site-publik``, ``rapport bygg --publik``)
PUBLIC_OPTS = ("-D", "rapport_audience=publik", "-D", "rapport_pdf_dir=_build/publik/pdf")


def site_steps(project: Path, sphinxopts: str = "", pdfopts: str = "", public: bool = False) -> list[Step]:
    """Everything a reader gets, in ``project/_build``: PDFs, HTML and its search index.

    The PDFs come first so the report pages can link to them; the search index is
    written by the HTML build itself (:mod:`rapport.site.search`, at ``build-finished``).
    ``sphinxopts`` and ``pdfopts`` are ``make``'s ``SPHINXOPTS`` and ``PDFOPTS``.
    ``public`` builds the public site into ``_build/publik`` (``make site-publik``): the
    same steps with the audience set, and doctrees of its own so the two audiences never
    share a cache.
    """
    extra = [*(PUBLIC_OPTS if public else ()), *shlex.split(sphinxopts)]
    base = "_build/publik" if public else "_build"
    doctrees = f"{base}/doctrees"
    steps = []
    if importlib.util.find_spec("rapport.pdf") is not None:
        # the bundle of all reports takes 5 to 9 s at 520 reports, whatever changed: it is
        # put together while the site and the e-mail are built (a first one in the step)
        later = LaterBundle(project / doctrees / "rapport-samlingsvolym.json", project / base / "html" / "pdf")
        steps.append(
            Step(
                "PDF för varje rapport",
                _sphinx(project, "rapportpdf", f"{base}/pdf", [*extra, *shlex.split(pdfopts)], doctrees),
                project,
                {DEFER_ENV: str(later.pending)},
                later,
            )
        )
    steps.append(Step("Webbplatsen och sökindexet", _sphinx(project, "html", f"{base}/html", extra, doctrees), project))
    # after the PDFs, which it attaches (rapport_email_attach_pdf); rapport skicka sends it
    steps.append(Step("E-postutgåvan", _sphinx(project, "rapportepost", f"{base}/epost", extra, doctrees), project))
    return steps


_PROGRESS_RE = re.compile(r"^(?P<what>.*?)\s*\[\s*(?P<pct>\d{1,3})%\]\s*(?P<item>.*)$")
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_WARNING_RE = re.compile(r"(WARNING|ERROR|CRITICAL|VARNING|FEL):")
#: the first line of Sphinx's report of an error that stops a build ("Extension error!",
#: "Configuration error:", "Exception occurred:", a traceback)
_FAILURE_START_RE = re.compile(r"^(\w[\w ]* error[!:]|Exception occurred|Traceback|Sphinx error)", re.IGNORECASE)
#: the line that names what went wrong: "sphinx.errors.ExtensionError: Could not import ..."
_ERROR_LINE_RE = re.compile(r"^\s*(?:[\w.]+\.)?(\w*(?:Error|Exception|Interrupt)): (.+)$")


def failure_line(lines: Sequence[str]) -> str:
    """One Swedish line about why Sphinx stopped, from the lines it printed about it."""
    for line in reversed(lines):
        match = _ERROR_LINE_RE.match(line)
        if match:
            return f"Sphinx avbröt steget: {match.group(2).strip()} ({match.group(1)})"
    # no named error: Sphinx's own heading ("Configuration error: ...", or the heading
    # alone and the message on the next line), else nothing known
    for index, line in enumerate(lines):
        if not _FAILURE_START_RE.match(line) or line.lower().startswith(("traceback", "exception occurred")):
            continue
        message = line.partition(":")[2].strip() or next(
            (rest.strip() for rest in lines[index + 1 :] if rest.strip()), ""
        )
        if message:
            return f"Sphinx avbröt steget: {message}"
    return "Sphinx avbröt steget utan att säga varför (kör sphinx-build -T för detaljer)."


# Sphinx prints its progress phases in English whatever the site's language
_PHASES = {
    "reading sources": "läser källfilerna",
    "writing output": "skriver sidorna",
    "copying assets": "kopierar filer",
    "copying static files": "kopierar filer",
    "copying images": "kopierar bilder",
    "copying downloadable files": "kopierar filer",
    "dumping search index": "skriver sökindexet",
    "looking for now-outdated files": "letar efter ändrade filer",
    "pickling environment": "sparar miljön",
    "checking consistency": "kontrollerar",
    "preparing documents": "förbereder",
}


def phase(text: str) -> str:
    text = text.strip().rstrip(".").strip()
    return _PHASES.get(text.lower(), text)


class Progress:
    """One status line per step; rewritten in place on a terminal, plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._last_pct = -1
        self._shown = ""

    def start(self, index: int, total: int, label: str) -> None:
        self.prefix = f"[{index}/{total}] {label}"
        self._last_pct = -1
        self._write(f"{self.prefix} …", final=not self.tty)

    def update(self, what: str, pct: int) -> None:
        if self.tty:
            self._write(f"{self.prefix}: {what} {pct} %")
        elif pct // 25 != self._last_pct // 25:  # a log file gets a line per quarter
            self._write(f"{self.prefix}: {what} {pct} %", final=True)
        self._last_pct = pct

    def message(self, text: str) -> None:
        if self.tty and self._shown:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        if self.tty and self._shown:
            self.stream.write(self._shown)
        self.stream.flush()

    def done(self, seconds: float, ok: bool) -> None:
        state = "klart" if ok else "misslyckades"
        self._write(f"{self.prefix}: {state} ({seconds:.1f} s)", final=True)

    def _write(self, text: str, final: bool = False) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + text)
            self._shown = "" if final else text
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


@dataclass
class StepResult:
    step: Step
    returncode: int
    warnings: int
    seconds: float


def line_process(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """A child process whose output (stdout and stderr together) is read as text, line
    by line as it comes (the build steps, the preview server)."""
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
    )


class ForkedSphinx:
    """A ``python -m sphinx`` step run as Sphinx's ``build_main`` in a forked copy of this
    process, its output read line by line like :func:`line_process`'s.

    ``rapport bygg`` runs three Sphinx builds; each new interpreter imported Sphinx, MyST,
    the theme, WeasyPrint and the extension again (about 1 s a step). This process
    imports them once (:func:`warm_imports`) and every step starts from a copy. Each
    step is still a build of its own: it reads the environment from disk and ends with
    its process."""

    def __init__(self, argv: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child ends with os._exit
            code = 1
            try:
                os.close(read_fd)
                os.dup2(write_fd, 1)
                os.dup2(write_fd, 2)
                os.close(write_fd)
                os.chdir(cwd)
                os.environ.clear()
                os.environ.update(env)
                sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
                code = build_main(list(argv[3:]))
            except BaseException:  # noqa: BLE001 - shown as Sphinx would, then the exit code
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(write_fd)
        self.stdout = open(read_fd, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed in __exit__
        self._status: int | None = None

    @staticmethod
    def handles(argv: Sequence[str]) -> bool:
        return tuple(argv[:3]) == (sys.executable, "-m", "sphinx")

    def wait(self) -> int:
        if self._status is None:
            _, status = os.waitpid(self.pid, 0)
            self._status = os.waitstatus_to_exitcode(status)
        return self._status

    def __enter__(self) -> ForkedSphinx:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stdout.close()
        self.wait()


def warm_imports() -> None:
    """What every build step imports, once in this process before the steps are forked."""
    import_module("sphinx.builders.html")
    for name in ("myst_parser", "sphinx_book_theme", "sphinxcontrib.bibtex", "rapport.extension", "weasyprint"):
        with contextlib.suppress(ImportError):  # a missing one is the step's own error to report
            import_module(name)


class BundleRun:
    """The bundle's own process (:func:`rapport.pdf.bundle.main`), started by
    :func:`run_steps` after the PDF step and waited for after the last step."""

    def __init__(self, later: LaterBundle, cwd: Path) -> None:
        pending = json.loads(later.pending.read_text(encoding="utf-8"))
        later.pending.unlink()
        self.later = later
        self.target = Path(pending["target"])
        self.began = time.monotonic()
        self.proc = subprocess.Popen(
            assemble_command(Path(pending["spec"])),
            cwd=cwd,
            env=assemble_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )

    def finish(self, progress: Progress) -> bool:
        """Wait for it; tell the writer how it went. False if the bundle failed."""
        out, err = self.proc.communicate()
        seconds = time.monotonic() - self.began
        if self.proc.returncode != 0:
            detail = " ".join((err or out).split())[-400:] or f"slutstatus {self.proc.returncode}"
            # the same words as the PDF build's own warning (rapport.pdf-failed)
            progress.message(f"WARNING: Samlingsvolymen kunde inte skapas: {detail} [rapport.pdf-failed]")
            return False
        if self.later.served.is_dir():  # the site's copy, as the HTML build's own copy step does
            shutil.copy2(self.target, self.later.served / self.target.name)
        pages = out.strip()
        progress.message(f"Samlingsvolymen {self.target.name}: klar ({pages} sidor, {seconds:.1f} s)")
        return True


def run_steps(steps: list[Step], stream: TextIO, on_line: Callable[[str], None] | None = None) -> list[StepResult]:
    """Run the steps in order, stopping at the first that fails. A PDF step's bundle
    (:class:`LaterBundle`) is assembled alongside the steps after it."""
    progress = Progress(stream)
    results: list[StepResult] = []
    bundles: list[tuple[StepResult, BundleRun]] = []
    if any(ForkedSphinx.handles(step.argv) for step in steps) and hasattr(os, "fork"):
        warm_imports()
    try:
        _run(steps, progress, results, bundles, on_line)
    finally:
        for result, bundle in bundles:
            if not bundle.finish(progress):
                result.warnings += 1
    return results


def _run(
    steps: list[Step],
    progress: Progress,
    results: list[StepResult],
    bundles: list[tuple[StepResult, BundleRun]],
    on_line: Callable[[str], None] | None,
) -> None:
    for index, step in enumerate(steps, start=1):
        if step.bundle is not None:
            step.bundle.pending.unlink(missing_ok=True)
        progress.start(index, len(steps), step.label)
        began = time.monotonic()
        env = {**os.environ, **step.env, "PYTHONUNBUFFERED": "1"}
        env.pop("FORCE_COLOR", None)
        warnings = 0
        failure: list[str] = []
        runner = ForkedSphinx if ForkedSphinx.handles(step.argv) and hasattr(os, "fork") else line_process
        with runner(step.argv, step.cwd, env) as proc:
            assert proc.stdout is not None
            for raw in proc.stdout:
                for part in _ANSI_RE.sub("", raw).replace("\r", "\n").splitlines():
                    line = part.rstrip()
                    if not line:
                        continue
                    if on_line:
                        on_line(line)
                    match = _PROGRESS_RE.match(line)
                    if match and int(match.group("pct")) <= 100:
                        progress.update(phase(match.group("what")), int(match.group("pct")))
                    elif _WARNING_RE.search(line) or line.startswith((" ", "\t")) and warnings and not failure:
                        warnings += 1 if _WARNING_RE.search(line) else 0
                        progress.message(line)
                    elif _FAILURE_START_RE.search(line) or failure:
                        # Sphinx's report of an error that stops the build (its
                        # traceback, a request to report it upstream): kept, and
                        # told in one line when the step has failed
                        failure.append(line)
            returncode = proc.wait()
        seconds = time.monotonic() - began
        if returncode != 0:
            progress.message(failure_line(failure))
        progress.done(seconds, returncode == 0)
        results.append(StepResult(step, returncode, warnings, seconds))
        if returncode == 0 and step.bundle is not None and step.bundle.pending.is_file():
            bundles.append((results[-1], BundleRun(step.bundle, step.cwd)))
        if returncode != 0:
            break
