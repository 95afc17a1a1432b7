"""The scale benchmark: build the fictitious demo corpus and print one table.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). Every figure in the table
comes from the same run, and every ratio is against a figure measured in that run, so
machine load affects numerator and denominator alike. Each step is one ``sphinx-build``
child process; its wall time is measured around it and its peak memory is the
``ru_maxrss`` that ``os.wait4`` reports for that child alone (with ``-j`` this is the
largest of the worker processes, which is what can run out of memory).

Steps per corpus size (default 130 and 520 reports, see ``bench/corpus.py``):

* floor: ``sphinx-build -b dummy`` with only myst-parser on the same files, directives
  rewritten to plain MyST (the parse-only floor of issues 4 and 8);
* full: ``sphinx-build -b html``, serial, fresh output and doctree dirs;
* incremental after editing one report, and after adding a new report (which becomes
  the latest one): seconds and the HTML files rewritten (by modification time);
* ``-j 2`` full build;
* the same corpus without decision and FAQ directives (registry overhead, issue 3);
* search indexing: Pagefind over the built HTML;
* PDF (when the ``rapportpdf`` builder exists): full build, then after one edit;
* the writer's commands, for the largest size, on a copy of the project with the corpus
  as ``docs/`` (issue 15): ``rapport bygg`` from scratch and after adding a report;
  ``rapport kontroll`` after the build and again after editing a report; the live
  preview ``rapport förhandsgranska``: the time from saving an edited report until
  sphinx-autobuild sends the browser its reload message (its websocket), with the
  edited text on the served page;
* the e-mail edition (``bench/email_bench.py``, when it exists): its own figures;
* the writer's desk (``bench/desk_bench.py``): start to start page, keystroke pause to
  updated preview, peak memory.

This is a benchmark, not a test: it prints what it measures and marks targets that are
missed; it never fails a build over a slow machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

REPO = corpus.REPO
EXT = corpus.EXT


@dataclasses.dataclass
class Step:
    seconds: float  # wall clock
    peak_mb: float
    returncode: int
    warnings: list[str]
    stdout: str = ""
    cpu: float = 0.0  # user + system seconds of the child and the workers it waited for

    def value(self) -> float:
        """The time the verdicts use: CPU time on a loaded machine, else wall clock."""
        return self.cpu if JUDGE == "cpu" else self.seconds


#: "wall" or "cpu": which time the ok? column judges; "auto" picks "cpu" when other
#: processes keep the machine busy (load average above the number of CPUs), because
#: then wall-clock figures measure the neighbours as much as the build
JUDGE = "wall"
LOAD_AT_START = 0.0


def run_step(args: list[str], cwd: Path | None = None) -> Step:
    """Run one child; wall time, its own peak RSS (``wait4``) and its warning lines."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", LC_ALL="C.UTF-8")
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    # read both pipes fully before reaping the child, so a full pipe cannot block it
    out, err = _drain(proc)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    warnings = [line for line in err.splitlines() if "WARNING" in line or "ERROR" in line or "Traceback" in line]
    if proc.returncode != 0:
        # the last lines say why (rapport bygg names the step that failed after its output)
        tail = [line for line in (err.strip() or out.strip()).splitlines() if line.strip()][-3:]
        warnings.append(f"exit status {proc.returncode}: {' | '.join(tail)}")
    cpu = usage.ru_utime + usage.ru_stime
    return Step(seconds, usage.ru_maxrss / 1024, proc.returncode, warnings, out, cpu)


def _drain(proc: subprocess.Popen[str]) -> tuple[str, str]:
    import threading

    chunks: dict[str, str] = {}

    def read(name: str, stream) -> None:  # type: ignore[no-untyped-def]
        chunks[name] = stream.read()

    threads = [
        threading.Thread(target=read, args=("out", proc.stdout)),
        threading.Thread(target=read, args=("err", proc.stderr)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return chunks.get("out", ""), chunks.get("err", "")


def sphinx(builder: str, src: Path, out: Path, doctrees: Path, *extra: str) -> Step:
    return run_step([sys.executable, "-m", "sphinx", "-b", builder, "-q", "-d", str(doctrees), *extra, str(src), str(out)])


def snapshot(outdir: Path) -> dict[str, int]:
    return {str(p.relative_to(outdir)): p.stat().st_mtime_ns for p in outdir.rglob("*.html")}


def rewritten(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(name for name, mtime in after.items() if before.get(name) != mtime)


def fresh(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def edit_report(src: Path, index: int) -> str:
    """Add one point to the summary of the ``index``-th report; return its docname."""
    reports = sorted(src.glob("rapporter/*/*-*-*.md"))
    path = reports[index]
    text = path.read_text(encoding="utf-8")
    marker = re.search(r"^:{3,4}\{avsnitt\} sammanfattning\n|^## .*\n", text, re.M)
    assert marker, f"no summary section in {path}"
    stamp = time.time_ns()
    line = f"- Ändrad punkt (mätning {stamp}): arbetsgruppen har lämnat en kompletterande rapport.\n"
    path.write_text(text[: marker.end()] + line + text[marker.end():], encoding="utf-8")
    return str(path.relative_to(src).with_suffix(""))


def add_report(src: Path, variant: str) -> str:
    docname, text = corpus.new_report_text(src, variant)
    target = src / f"{docname}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (target.parent / "index.md").exists():
        year = target.parent.name
        (target.parent / "index.md").write_text(corpus.year_page(year, variant), encoding="utf-8")
    target.write_text(text, encoding="utf-8")
    return docname


def has_builder(name: str) -> bool:
    pattern = re.compile(rf"name\s*=\s*[\"']{re.escape(name)}[\"']")
    return any(pattern.search(p.read_text(encoding="utf-8")) for p in corpus.active_modules())


def pagefind_in_build() -> bool:
    """Whether the extension runs Pagefind itself (rapport.site.search, a module or a package)."""
    paths = [p for p in corpus.active_modules() if p.name == "search.py" or p.parent.name == "search"]
    return any("pagefind" in p.read_text(encoding="utf-8").lower() for p in paths)


def pagefind(site: Path, output: Path) -> Step:
    import pagefind_bin

    fresh(output)
    return run_step([str(pagefind_bin.get_executable()), "--site", str(site), "--output-path", str(output)])


# -- measuring one corpus size -------------------------------------------------------------


@dataclasses.dataclass
class SizeResult:
    reports: int
    floor: Step | None = None
    full: Step | None = None
    edit: Step | None = None
    edit_pages: list[str] = dataclasses.field(default_factory=list)
    edit_doc: str = ""
    add: Step | None = None
    add_pages: list[str] = dataclasses.field(default_factory=list)
    add_doc: str = ""
    parallel: Step | None = None
    no_registry: Step | None = None
    search: Step | None = None
    search_in_build: float | None = None  # seconds Pagefind took inside the full build
    search_browser: dict | None = None  # bench/search_metrics.py figures (first query, latency)
    pdf_full: Step | None = None
    pdf_edit: Step | None = None
    pdf_sum: float | None = None
    pdf_bundle: float | None = None
    pdf_edit_rendered: int = 0
    bygg_full: Step | None = None
    bygg_add: Step | None = None
    kontroll_first: Step | None = None
    kontroll_edit: Step | None = None
    kontroll_findings: tuple[int, int] = (0, 0)
    preview_first: float | None = None  # seconds until the preview served the site
    preview_reload: float | None = None  # seconds from saving to the reload message
    preview_note: str = ""
    email: list | None = None  # rows of bench/email_bench.py: (measure, value, target, ok?)
    desk: list | None = None  # rows of bench/desk_bench.py (rapport skrivbord, issue 22)
    search_stats: str = ""  # which parts of the search index the incremental builds re-indexed


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def measure(size: int, work: Path, opts: argparse.Namespace) -> SizeResult:
    result = SizeResult(size)
    base = work / str(size)
    srcs = {v: base / f"src-{v}" for v in corpus.VARIANTS}
    for variant, src in srcs.items():
        if variant == "no-registry" and not opts.registry:
            continue
        corpus.write_corpus(src, size, variant)
    log(f"{size} rapporter: korpus skriven till {base}")

    log(f"{size}: golv (-b dummy, bara myst-parser)")
    result.floor = sphinx("dummy", srcs["floor"], base / "out-floor", base / "dt-floor")

    html, doctrees = base / "html", base / "dt"
    fresh(html, doctrees)
    log(f"{size}: full HTML-bygge, seriellt")
    result.full = sphinx("html", srcs["full"], html, doctrees)

    if opts.search:
        stats = doctrees / "rapport-search-stats.json"
        if pagefind_in_build() and stats.exists():
            # rapport.site.search indexes at build-finished and records its own time
            result.search_in_build = float(json.loads(stats.read_text(encoding="utf-8"))["seconds"])
        else:
            log(f"{size}: sökindex (Pagefind, körs av mätningen)")
            result.search = pagefind(html, base / "pagefind")
        if opts.browser and size == max(int(s) for s in opts.sizes.split(",")):
            log(f"{size}: sökning i webbläsaren (bench/search_metrics.py)")
            result.search_browser = browser_metrics(html, doctrees)

    if opts.incremental:
        before = snapshot(html)
        result.edit_doc = edit_report(srcs["full"], size // 2)
        log(f"{size}: inkrementellt efter ändring av {result.edit_doc}")
        result.edit = sphinx("html", srcs["full"], html, doctrees)
        result.edit_pages = rewritten(before, snapshot(html))
        edit_index = _search_stats(doctrees)

        before = snapshot(html)
        result.add_doc = add_report(srcs["full"], "full")
        log(f"{size}: inkrementellt efter ny rapport {result.add_doc}")
        result.add = sphinx("html", srcs["full"], html, doctrees)
        result.add_pages = rewritten(before, snapshot(html))
        result.search_stats = f"after the edit {edit_index}; after adding {_search_stats(doctrees)}"

    if opts.parallel:
        fresh(base / "html-j2", base / "dt-j2")
        corpus.write_corpus(srcs["full"], size, "full")  # undo the edits: same corpus as serial
        log(f"{size}: full HTML-bygge, -j 2")
        result.parallel = sphinx("html", srcs["full"], base / "html-j2", base / "dt-j2", "-j", "2")

    if opts.registry:
        fresh(base / "html-noreg", base / "dt-noreg")
        log(f"{size}: full HTML-bygge utan register (beslut/FAQ som text)")
        result.no_registry = sphinx("html", srcs["no-registry"], base / "html-noreg", base / "dt-noreg")

    if opts.pdf and has_builder("rapportpdf"):
        pdf, pdf_dt = base / "pdf", base / "dt-pdf"
        fresh(pdf, pdf_dt)
        corpus.write_corpus(srcs["full"], size, "full")
        log(f"{size}: PDF, fullt bygge")
        result.pdf_full = sphinx("rapportpdf", srcs["full"], pdf, pdf_dt)
        result.pdf_sum, result.pdf_bundle, _ = pdf_timings(pdf)
        edit_report(srcs["full"], size // 2)
        log(f"{size}: PDF efter ändring av en rapport")
        result.pdf_edit = sphinx("rapportpdf", srcs["full"], pdf, pdf_dt)
        timings = pdf / ".timings.json"
        if timings.exists():
            result.pdf_edit_rendered = len(json.loads(timings.read_text(encoding="utf-8")).get("reports") or {})
    if opts.cli and size == max(int(s) for s in opts.sizes.split(",")):
        measure_cli(result, base, srcs["full"], size)
        if opts.email:
            result.email = email_metrics(size)
        result.desk = desk_metrics(size, base)
    if not opts.keep:
        fresh(base)
    return result


# -- the writer's commands (issue 15) -----------------------------------------------------


def rapport_command() -> list[str]:
    """The installed ``rapport`` command of this environment."""
    script = Path(sys.executable).parent / "rapport"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rapport.cli"]


def make_project(src: Path, dest: Path) -> Path:
    """A project folder as a writer has it: conf.py at the top, the corpus as docs/."""
    fresh(dest)
    dest.mkdir(parents=True)
    shutil.copytree(src, dest / "docs", ignore=shutil.ignore_patterns("conf.py"))
    conf = (src / "conf.py").read_text(encoding="utf-8")
    # the corpus's conf.py sits beside its sources; here it is one level up
    conf += '\nbibtex_bibfiles = ["docs/kallor.bib"]\n'
    (dest / "conf.py").write_text(conf, encoding="utf-8")
    return dest


def measure_cli(result: SizeResult, base: Path, src: Path, size: int) -> None:
    corpus.write_corpus(src, size, "full")  # the corpus as generated, edits undone
    project = make_project(src, base / "projekt")
    rapport = [*rapport_command(), "--katalog", str(project)]
    log(f"{size}: rapport bygg (från början)")
    result.bygg_full = run_step([*rapport, "bygg"], cwd=project)
    add_report(project / "docs", "full")
    log(f"{size}: rapport bygg efter en ny rapport")
    result.bygg_add = run_step([*rapport, "bygg"], cwd=project)
    log(f"{size}: rapport kontroll efter bygget")
    result.kontroll_first = run_step([*rapport, "kontroll", "--format", "json"], cwd=project)
    edited = edit_report(project / "docs", size // 3)
    log(f"{size}: rapport kontroll efter ändring av {edited}")
    result.kontroll_edit = run_step([*rapport, "kontroll", "--format", "json"], cwd=project)
    result.kontroll_findings = (_findings(result.kontroll_first), _findings(result.kontroll_edit))
    for step in (result.kontroll_first, result.kontroll_edit):
        if step.returncode == 1:  # findings are the command's answer, not a failure
            step.returncode = 0
            step.warnings = [w for w in step.warnings if not w.startswith("exit status")]
    log(f"{size}: rapport förhandsgranska, från sparad fil till omladdning")
    try:
        measure_preview(result, project, size)
    except Exception as exc:  # noqa: BLE001 - a benchmark row, not a reason to stop
        result.preview_note = f"{type(exc).__name__}: {exc}"
        log(f"förhandsgranskningen kunde inte mätas: {result.preview_note}")


def _findings(step: Step) -> int:
    try:
        return int(json.loads(step.stdout)["antal"])
    except (ValueError, KeyError, TypeError):
        return -1


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_preview(result: SizeResult, project: Path, size: int, timeout: float = 600) -> None:
    """Start ``rapport förhandsgranska``, wait until it serves, save an edited report and
    time until the reload message reaches a browser's websocket and the served page
    shows the new text (what the writer sees after saving)."""
    import queue
    import signal
    import threading
    import urllib.request

    from websockets.sync.client import connect

    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", LC_ALL="C.UTF-8")
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    proc = subprocess.Popen(
        [*rapport_command(), "--katalog", str(project), "förhandsgranska", "--port", str(port)],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put((time.perf_counter(), line.rstrip()))

    threading.Thread(target=read, daemon=True).start()
    started = time.perf_counter()
    try:
        while True:  # ready: the first build is done and the watcher runs
            _, line = lines.get(timeout=max(1.0, timeout - (time.perf_counter() - started)))
            if line.startswith("Väntar på ändringar"):
                break
        result.preview_first = time.perf_counter() - started
        # the watcher is announced before the web server listens
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5).close()
                break
            except OSError:
                if time.perf_counter() - started > timeout:
                    raise
                time.sleep(0.2)
        reports = sorted((project / "docs").glob("rapporter/*/*-*-*.md"))
        path = reports[-2]
        docname = path.relative_to(project / "docs").with_suffix("").as_posix()
        url = f"http://127.0.0.1:{port}/{docname}.html"
        marker = f"Förhandsmätning {time.time_ns()}"
        with connect(f"ws://127.0.0.1:{port}/websocket-reload", open_timeout=30) as ws:
            time.sleep(1.0)  # let the watcher settle after the first build
            text = path.read_text(encoding="utf-8")
            saved = time.perf_counter()
            path.write_text(text.replace("\n- ", f"\n- {marker}. ", 1), encoding="utf-8")
            message = ws.recv(timeout=120)
            signalled = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            shown = marker in response.read().decode("utf-8")
        result.preview_reload = signalled - saved
        if message != "refresh" or not shown:
            result.preview_note = f"meddelande {message!r}, ändringen {'syns' if shown else 'syns inte'} på sidan"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def email_metrics(size: int) -> list | None:
    """The rows of bench/email_bench.py (the e-mail edition, issue 14), if it exists; it
    measures the real seed report and a local mail server, whatever the corpus size."""
    path = Path(__file__).resolve().parent / "email_bench.py"
    if not path.exists():
        return None
    try:
        import email_bench  # type: ignore[import-not-found]

        measure_email = getattr(email_bench, "measure", None)
        if measure_email is None:
            return None
        log(f"{size}: e-postutgåvan (bench/email_bench.py)")
        return list(measure_email())
    except Exception as exc:  # noqa: BLE001 - another module's benchmark must not end the run
        log(f"e-postmätningen hoppades över: {type(exc).__name__}: {exc}")
        return None


def desk_metrics(size: int, base: Path) -> list | None:
    """The rows of bench/desk_bench.py (the writer's desk: start, keystroke to preview, memory)."""
    try:
        import desk_bench  # type: ignore[import-not-found]

        log(f"{size}: skrivbordet (bench/desk_bench.py)")
        return list(desk_bench.measure(size, base / "skrivbord"))
    except Exception as exc:  # noqa: BLE001 - another module's benchmark must not end the run
        log(f"skrivbordsmätningen hoppades över: {type(exc).__name__}: {exc}")
        return None


def _search_stats(doctrees: Path) -> str:
    """Seconds and the index parts (buckets) that rapport.search re-indexed."""
    try:
        stats = json.loads((doctrees / "rapport-search-stats.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "–"
    parts = stats.get("indexed")
    if parts is None:
        return f"{stats.get('seconds', 0):.1f} s (whole site)"
    return f"{stats.get('seconds', 0):.1f} s ({', '.join(parts) or 'none'} of {stats.get('buckets', '?')} parts)"


def browser_metrics(site: Path, doctrees: Path) -> dict | None:
    """First-query transfer and result latency in headless Chromium (issue 5), if available."""
    try:
        import search_metrics  # bench/search_metrics.py, kept by the search module's author

        return search_metrics.measure(site, doctrees)
    except (ImportError, SystemExit, Exception) as exc:  # a missing browser must not end the run
        log(f"sökning i webbläsaren hoppades över: {type(exc).__name__}: {exc}")
        return None


def pdf_timings(outdir: Path) -> tuple[float | None, float | None, int]:
    """(sum of per-report render seconds, bundle seconds, reports from cache) from the
    ``.timings.json`` that the rapportpdf builder writes for this benchmark."""
    path = outdir / ".timings.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None, 0
    renders = data.get("reports") or {}
    return float(sum(renders.values())), float(data.get("bundle", 0.0)), int(data.get("cached", 0))


# -- the table -----------------------------------------------------------------------------


def fmt_s(step: Step | None) -> str:
    if step is None:
        return "–"
    mark = " (fel)" if step.returncode else ""
    return f"{step.seconds:.1f} s (cpu {step.cpu:.1f}){mark}"


def fmt_mb(step: Step | None) -> str:
    return "–" if step is None else f"{step.peak_mb:.0f} MB"


def ratio(a: Step | None, b: Step | None) -> float | None:
    if a is None or b is None or b.value() <= 0 or a.returncode or b.returncode:
        return None
    return a.value() / b.value()


def verdict(values: list[float | None], test) -> str:  # type: ignore[no-untyped-def]
    known = [v for v in values if v is not None]
    if not known:
        return "–"
    return "ja" if all(test(v) for v in known) else "nej"


def table(results: list[SizeResult]) -> str:
    by_size = {r.reports: r for r in results}
    sizes = sorted(by_size)
    header = ["measure", *(f"{n} reports" for n in sizes), "target", "ok?"]
    rows: list[list[str]] = []

    def row(measure: str, cells: list[str], target: str = "", ok: str = "") -> None:
        rows.append([measure, *cells, target, ok])

    def each(fn):  # type: ignore[no-untyped-def]
        return [fn(by_size[n]) for n in sizes]

    row("parse-only floor (`-b dummy`, myst-parser only)", each(lambda r: fmt_s(r.floor)))
    row("full HTML build, serial", each(lambda r: fmt_s(r.full)))
    full_floor = each(lambda r: ratio(r.full, r.floor))
    row("full / floor", [f"{v:.2f}" if v else "–" for v in full_floor], "≤ 2.0", verdict(full_floor, lambda v: v <= 2.0))
    if len(sizes) >= 2:
        small, large = by_size[sizes[0]], by_size[sizes[-1]]
        lin = ratio(large.full, small.full)
        limit = 4.2 * (sizes[-1] / sizes[0]) / 4  # 4.2 for 130 -> 520 (issue 15)
        cells = ["–"] * (len(sizes) - 1) + [f"{lin:.2f}" if lin else "–"]
        row(f"build({sizes[-1]}) / build({sizes[0]})", cells, f"≤ {limit:.1f}", verdict([lin], lambda v: v <= limit))
    row("full HTML build without registry", each(lambda r: fmt_s(r.no_registry)))
    overhead = each(lambda r: (ratio(r.full, r.no_registry) - 1) if ratio(r.full, r.no_registry) else None)
    row(
        "registry overhead (full / without − 1)",
        [f"{v * 100:+.0f} %" if v is not None else "–" for v in overhead],
        "≤ 15 %",
        verdict(overhead, lambda v: v <= 0.15),
    )
    edit = each(lambda r: r.edit.value() if r.edit else None)
    row("incremental, one report edited", each(lambda r: fmt_s(r.edit)), "< 3 s", verdict(edit, lambda v: v < 3))
    row("  HTML pages rewritten", each(lambda r: str(len(r.edit_pages)) if r.edit else "–"))
    add = each(lambda r: r.add.value() if r.add else None)
    row("incremental, one report added", each(lambda r: fmt_s(r.add)), "< 5 s", verdict(add, lambda v: v < 5))
    row("  HTML pages rewritten", each(lambda r: str(len(r.add_pages)) if r.add else "–"))
    row("full HTML build, `-j 2`", each(lambda r: fmt_s(r.parallel)))
    peak = each(lambda r: r.full.peak_mb if r.full else None)
    row("peak memory, HTML serial", each(lambda r: fmt_mb(r.full)), "< 1 GB", verdict(peak, lambda v: v < 1024))
    peak_j = each(lambda r: r.parallel.peak_mb if r.parallel else None)
    row("peak memory, HTML `-j 2` (largest process)", each(lambda r: fmt_mb(r.parallel)), "< 1 GB", verdict(peak_j, lambda v: v < 1024))
    search = each(lambda r: r.search_in_build if r.search_in_build is not None else (r.search.seconds if r.search else None))
    row("search indexing (Pagefind)", [f"{v:.1f} s" if v is not None else "–" for v in search], "≤ 10 s", verdict(search, lambda v: v <= 10))
    if any(r.search_in_build is not None for r in results):
        # the full build includes the indexing; the ratio without it shows the Sphinx part
        # Pagefind reports its own wall time, so this ratio is always on wall clock
        net = each(lambda r: ((r.full.seconds - r.search_in_build) / r.floor.seconds) if r.full and r.floor and r.search_in_build is not None else None)
        row("full / floor, without search indexing (wall)", [f"{v:.2f}" if v else "–" for v in net], "(≤ 2.0)", verdict(net, lambda v: v <= 2.0))
    if any(r.search_browser for r in results):
        kb = each(lambda r: r.search_browser.get("first_query_kb") if r.search_browser else None)
        row("search: first query transfers", [f"{v:.0f} KB" if v is not None else "–" for v in kb], "≤ 300 KB", verdict(kb, lambda v: v <= 300))
        ms = each(lambda r: r.search_browser.get("results_ms") if r.search_browser else None)
        row("search: results visible after last keystroke", [f"{v:.0f} ms" if v is not None else "–" for v in ms], "≤ 500 ms", verdict(ms, lambda v: v <= 500))
    if any(r.pdf_full for r in results):
        row("PDF, full build", each(lambda r: fmt_s(r.pdf_full)))
        row("  sum of per-report renders", each(lambda r: f"{r.pdf_sum:.1f} s" if r.pdf_sum else "–"))
        row("  bundle assembly", each(lambda r: f"{r.pdf_bundle:.1f} s" if r.pdf_bundle is not None else "–"))
        bundle = each(lambda r: (r.pdf_full.seconds / r.pdf_sum) if r.pdf_full and r.pdf_sum else None)
        row("PDF full / sum of per-report renders (wall)", [f"{v:.2f}" if v else "–" for v in bundle], "≤ 1.2", verdict(bundle, lambda v: v <= 1.2))
        row("PDF, incremental after one edit", each(lambda r: fmt_s(r.pdf_edit)))
        row("  PDFs laid out again", each(lambda r: str(r.pdf_edit_rendered) if r.pdf_edit else "–"))
        share = each(lambda r: ratio(r.pdf_edit, r.pdf_full))
        row("PDF incremental / full", [f"{v * 100:.0f} %" if v is not None else "–" for v in share], "≤ 15 %", verdict(share, lambda v: v <= 0.15))
        pdf_peak = each(lambda r: r.pdf_full.peak_mb if r.pdf_full else None)
        row("peak memory, PDF", each(lambda r: fmt_mb(r.pdf_full)), "< 1 GB", verdict(pdf_peak, lambda v: v < 1024))
    if any(r.bygg_full for r in results):
        row("`rapport bygg` from scratch (PDF, HTML, search)", each(lambda r: fmt_s(r.bygg_full)))
        add_bygg = each(lambda r: r.bygg_add.value() if r.bygg_add else None)
        row("`rapport bygg` after adding a report", each(lambda r: fmt_s(r.bygg_add)), "< 8 s", verdict(add_bygg, lambda v: v < 8))
        bygg_peak = each(lambda r: max(r.bygg_full.peak_mb, r.bygg_add.peak_mb) if r.bygg_full and r.bygg_add else None)
        row("peak memory, `rapport bygg` (largest step)", [f"{v:.0f} MB" if v else "–" for v in bygg_peak], "< 1 GB", verdict(bygg_peak, lambda v: v < 1024))
        first = each(lambda r: r.kontroll_first.value() if r.kontroll_first else None)
        row("`rapport kontroll` after the build", each(lambda r: fmt_s(r.kontroll_first)), "< 5 s", verdict(first, lambda v: v < 5))
        again = each(lambda r: r.kontroll_edit.value() if r.kontroll_edit else None)
        row("`rapport kontroll` after editing a report", each(lambda r: fmt_s(r.kontroll_edit)), "< 5 s", verdict(again, lambda v: v < 5))
        row("  findings (after build / after edit)", each(lambda r: "%d / %d" % r.kontroll_findings if r.kontroll_first else "–"))
        kontroll_peak = each(lambda r: max(r.kontroll_first.peak_mb, r.kontroll_edit.peak_mb) if r.kontroll_edit else None)
        row("peak memory, `rapport kontroll`", [f"{v:.0f} MB" if v else "–" for v in kontroll_peak], "< 1 GB", verdict(kontroll_peak, lambda v: v < 1024))
        row("`rapport förhandsgranska`: first build until served (wall)", each(lambda r: f"{r.preview_first:.1f} s" if r.preview_first else "–"))
        reload = each(lambda r: r.preview_reload)
        row("preview: saved edit to reload message (wall)", [f"{v:.1f} s" if v else "–" for v in reload], "< 3 s", verdict(reload, lambda v: v < 3))
    for r in results:
        for name, value, target, ok in r.desk or ():
            row(f"{name} (wall)", ["–"] * (len(sizes) - 1) + [value], target, ok)
    for r in results:
        for name, value, target, ok in r.email or ():
            # bench/email_bench.py's own rows (wall clock), in the largest size's column
            row(f"{name} (wall)", ["–"] * (len(sizes) - 1) + [value], target, ok)

    widths = [max(len(str(line[i])) for line in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |" for line in rows]
    return "\n".join(lines)


def notes(results: list[SizeResult], opts: argparse.Namespace, started: dt.datetime, total: float) -> str:
    out = [
        "",
        f"Times: wall clock (cpu = user + system seconds of the sphinx-build process and the processes it "
        f"waited for: Pagefind, -j workers). The ok? column judges {'CPU time, because the machine was busy with other work' if JUDGE == 'cpu' else 'wall-clock time'} "
        "(--judge auto|wall|cpu); rows marked (wall) always use wall clock.",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs, load average at start "
        f"{LOAD_AT_START:.2f}, at end {os.getloadavg()[0]:.2f}, total {total:.0f} s; Python {sys.version.split()[0]}. "
        "Corpus: bench/corpus.py (fictitious Region Fjällmark; 1,000 decisions and 500 FAQ entries per 520 reports).",
        "Floor: the same Markdown with custom directives rewritten to plain MyST, built with `-b dummy` and "
        "extensions = [\"myst_parser\"] only. Peak memory: ru_maxrss of the sphinx-build child (os.wait4).",
    ]
    known = corpus.known_directives()
    missing = [name for name in ("beslut", "faq") if name not in known]
    if missing:
        out.append(
            f"Registry: the directives {', '.join(missing)} are not loaded by the extension yet; the full corpus "
            "writes those entries as plain text, as the no-registry corpus does."
        )
    if not pagefind_in_build():
        out.append("Search: rapport/search.py not present; Pagefind run by the benchmark over the built HTML.")
    if opts.pdf and not has_builder("rapportpdf"):
        out.append("PDF: the rapportpdf builder does not exist yet; PDF rows skipped.")
    for r in results:
        problems = []
        for name in ("floor", "full", "edit", "add", "parallel", "no_registry", "search", "pdf_full", "pdf_edit",
                     "bygg_full", "bygg_add", "kontroll_first", "kontroll_edit"):
            step = getattr(r, name)
            if step is not None and step.warnings and name != "floor":
                problems.append(f"{name}: {len(step.warnings)} warnings, first: {step.warnings[0][:200]}")
                if step.returncode:
                    problems.append(f"{name}: failed: {step.warnings[-1][:300]}")
        if r.edit:
            out.append(f"{r.reports}: edited {r.edit_doc}; rewritten: {', '.join(_short(r.edit_pages))}")
        if r.add:
            out.append(f"{r.reports}: added {r.add_doc}; rewritten: {', '.join(_short(r.add_pages))}")
        if r.preview_note:
            out.append(f"{r.reports}: preview: {r.preview_note}")
        if r.search_stats:
            out.append(f"{r.reports}: search index parts re-indexed: {r.search_stats}")
        if r.floor is not None and r.floor.warnings:
            out.append(f"{r.reports}: floor build had {len(r.floor.warnings)} warnings (not counted as errors)")
        out += [f"{r.reports}: {p}" for p in problems]
    return "\n".join(out) + "\n"


def _short(pages: list[str], limit: int = 12) -> list[str]:
    names = [p.removesuffix(".html") for p in pages]
    return names if len(names) <= limit else [*names[:limit], f"… ({len(names)} in all)"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kör prestandamätningen på den fiktiva demokorpusen.")
    parser.add_argument("--sizes", default="130,520", help="korpusstorlekar, kommaseparerade (standard 130,520)")
    parser.add_argument("--quick", action="store_true", help="bara 130 rapporter, utan -j 2 och PDF")
    parser.add_argument("--skip-pdf", dest="pdf", action="store_false", help="hoppa över PDF")
    parser.add_argument("--skip-search", dest="search", action="store_false", help="hoppa över sökindex")
    parser.add_argument("--skip-browser", dest="browser", action="store_false", help="hoppa över sökning i webbläsaren")
    parser.add_argument("--skip-parallel", dest="parallel", action="store_false", help="hoppa över -j 2")
    parser.add_argument("--skip-registry", dest="registry", action="store_false", help="hoppa över bygget utan register")
    parser.add_argument("--skip-incremental", dest="incremental", action="store_false", help="hoppa över inkrementella byggen")
    parser.add_argument("--skip-cli", dest="cli", action="store_false", help="hoppa över rapport bygg, kontroll och förhandsgranska")
    parser.add_argument("--skip-email", dest="email", action="store_false", help="hoppa över e-postutgåvan")
    parser.add_argument(
        "--judge",
        choices=("auto", "wall", "cpu"),
        default="auto",
        help="vilken tid ok?-kolumnen bedömer (auto: cpu-tid om datorn är belastad av annat)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/rapport-bench"), help="arbetskatalog")
    parser.add_argument("--keep", action="store_true", help="behåll korpus och utdata i arbetskatalogen")
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "results.md")
    parser.add_argument(
        "--readme", action="store_true", help="skriv också tabellen mellan <!-- bench-table --> i README.md"
    )
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.sizes, opts.pdf, opts.parallel, opts.browser, opts.cli = "130", False, False, False, False
    sizes = [int(s) for s in opts.sizes.split(",") if s.strip()]
    global JUDGE, LOAD_AT_START
    LOAD_AT_START = os.getloadavg()[0]
    busy = LOAD_AT_START > (os.cpu_count() or 1)
    JUDGE = "cpu" if opts.judge == "cpu" or (opts.judge == "auto" and busy) else "wall"

    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    opts.workdir.mkdir(parents=True, exist_ok=True)
    results = [measure(n, opts.workdir, opts) for n in sizes]
    text = "## Benchmark\n\n" + table(results) + "\n" + notes(results, opts, started, time.perf_counter() - t0)
    print(text)
    if opts.output:
        opts.output.write_text(text, encoding="utf-8")
        log(f"tabellen skriven till {opts.output}")
    if opts.readme:
        update_readme(REPO / "README.md", text)
    return 0


def update_readme(readme: Path, text: str) -> None:
    """Replace what stands between the README's bench-table markers (nothing else)."""
    start, end = "<!-- bench-table -->", "<!-- /bench-table -->"
    content = readme.read_text(encoding="utf-8")
    if start not in content or end not in content:
        log(f"README.md saknar markeringarna {start} … {end}; inte uppdaterad")
        return
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    body = text.removeprefix("## Benchmark\n\n").strip()
    readme.write_text(f"{head}{start}\n{body}\n{end}{tail}", encoding="utf-8")
    log("tabellen skriven till README.md")


if __name__ == "__main__":
    sys.exit(main())
