"""The writer's desk on the 520-report corpus: start, keystroke to preview, memory (issue 22).

Run alone (``.venv/bin/python bench/desk_bench.py [--reports 520]``) or from
``bench/run.py``, which puts :func:`measure`'s rows into its table. Measures, on a project
folder with the fictitious corpus as ``docs/`` (``bench/corpus.py``):

* desk start to start page: from starting ``rapport skrivbord`` (the real command, a new
  process) until the start page and its list of reports have been answered;
* the preview's first build (the warm builder's full build, in the background: the
  start page does not wait for it);
* keystroke pause to updated preview: Chromium types a word into a report in the editor;
  the time from the last keystroke until the preview frame shows the word, several
  times, median and worst;
* peak memory (VmHWM) of the desk's server process and of its preview builder.

A benchmark, not a test: it prints what it measures and marks missed targets.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

REPO = corpus.REPO
CHROMIUM = "/usr/bin/chromium"


def make_project(src: Path, dest: Path) -> Path:
    """The corpus as a writer's project (as bench/run.py's make_project), and its settings file."""
    from run import make_project as run_make_project  # type: ignore[import-not-found]

    project = run_make_project(src, dest)
    shutil.copy2(REPO / "rapport.toml", project / "rapport.toml")
    return project


def _peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _get(port: int, path: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    body = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    connection.close()
    return response.status, headers, body


def measure_desk(project: Path, edits: int = 5) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rapport.writer.cli", "--katalog", str(project), "skrivbord", "--ingen-webblasare"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    result: dict[str, object] = {}
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = re.search(r"(http://\S+)", line)
        assert url, line
        start_url = url.group(1)
        port = int(re.search(r":(\d+)/", start_url).group(1))  # type: ignore[union-attr]
        status, headers, _ = _get(port, start_url.split(f":{port}", 1)[1])
        cookie = headers["set-cookie"].split(";", 1)[0]
        status, _, _ = _get(port, "/", cookie)
        status_list, _, body = _get(port, "/api/rapporter", cookie)
        result["start"] = time.perf_counter() - started
        assert status == 200 and status_list == 200, body[:200]
        reports = sorted((project / "docs").glob("rapporter/*/*-*-*.md"))
        docname = reports[len(reports) // 2].relative_to(project / "docs").with_suffix("").as_posix()
        times: list[float] = []
        builds: list[float] = []  # the preview builder's own seconds for the same builds
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(start_url)
            page.goto(f"http://127.0.0.1:{port}/rapport/{docname}")
            frame = page.frame_locator("#forhand")
            frame.locator("main h1").wait_for(timeout=900_000)  # the first build, in the background
            result["first_preview"] = time.perf_counter() - started
            for number in range(edits):
                word = f"Mätord{number}x{int(time.time())}"
                page.evaluate("window.deskEditor.goToLine(12)")
                page.keyboard.press("End")
                page.keyboard.type(" " + word, delay=30)
                typed = time.perf_counter()
                frame.get_by_text(word).first.wait_for(timeout=120_000)
                times.append(time.perf_counter() - typed)
                builds.append(float(page.get_attribute("#redigera", "data-bygge") or 0))
                page.wait_for_timeout(500)
            browser.close()
        result["keystroke"] = times
        result["build"] = builds
        result["peak_desk_mb"] = _peak_mb(proc.pid)
        result["peak_builder_mb"] = max((_peak_mb(c) or 0.0 for c in _children(proc.pid)), default=None)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return result


def rows(figures: dict[str, object]) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, ok?) rows for bench/run.py's table."""
    times = [float(t) for t in figures.get("keystroke", [])]  # type: ignore[union-attr]
    start = float(figures["start"])  # type: ignore[arg-type]
    median = statistics.median(times) if times else None
    out = [
        ("skrivbord: start till startsidan", f"{start:.1f} s", "< 5 s", "ja" if start < 5 else "nej"),
        ("skrivbord: förhandsgranskningens första bygge", f"{float(figures['first_preview']):.1f} s", "", ""),  # type: ignore[arg-type]
    ]
    if median is not None:
        out.append(
            (
                f"skrivbord: tangentpaus till uppdaterad förhandsgranskning (median av {len(times)}, värst)",
                f"{median:.2f} s ({max(times):.2f} s)",
                "< 1.5 s",
                "ja" if median < 1.5 else "nej",
            )
        )
    builds = [float(b) for b in figures.get("build", [])]  # type: ignore[union-attr]
    if builds:
        out.append(("  därav Sphinx-bygget (median)", f"{statistics.median(builds):.2f} s", "", ""))
    for key, name in (("peak_desk_mb", "skrivbordets process"), ("peak_builder_mb", "förhandsgranskningens byggare")):
        value = figures.get(key)
        if value:
            out.append((f"skrivbord: toppminne, {name}", f"{float(value):.0f} MB", "< 1 GB", "ja" if float(value) < 1024 else "nej"))  # type: ignore[arg-type]
    return out


def measure(size: int = 520, work: Path | None = None) -> list[tuple[str, str, str, str]]:
    base = work or Path("/tmp/rapport-bench/desk")
    src = base / f"src{size}"
    if not (src / "conf.py").is_file():
        corpus.write_corpus(src, size, "full")
    project = make_project(src, base / "projekt")
    return rows(measure_desk(project))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reports", type=int, default=520)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rapport-bench/desk"))
    args = parser.parse_args(argv)
    for name, value, target, ok in measure(args.reports, args.work):
        print(f"{name}: {value}" + (f" (mål {target}: {ok})" if target else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
