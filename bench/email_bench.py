"""Benchmark of the e-mail edition and ``rapport skicka`` (issue 14); prints a table.

Run with ``.venv/bin/python bench/email_bench.py`` (``bench/run.py`` can call
:func:`measure` and add the rows to its table). Two figures, each with its target:

* building the e-mail edition of one report: the real seed report in ``docs/``, read
  once into an environment, then the ``rapportepost`` builder's work for that report
  (resolve the doctree, HTML and text parts, css-inline, MIME) timed in-process, median
  of several runs; the whole ``sphinx-build -b rapportepost <file>`` on the warm
  environment is shown next to it (it includes Python and Sphinx start-up);
* sending one report to 500 addresses through a local aiosmtpd server (STARTTLS and
  AUTH, as in the tests): ``rapport skicka`` as a child process, wall clock including
  the edition build with fresh doctrees, and its peak memory (``ru_maxrss`` of the child
  and the processes it waited for, ``os.wait4``). The same run with 100 addresses shows
  that memory does not grow with the list (each message is made, sent and dropped).

The addresses are fictitious (Region Fjällmark, ``.example`` domains).
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "_ext"))
sys.path.insert(0, str(REPO / "tests"))

SEED_REPORT = "rapporter/2025/2025-09-25"


def edition_seconds(work: Path, repeats: int = 15) -> tuple[float, float]:
    """(median in-process seconds for one report, warm sphinx-build seconds)."""
    from sphinx.application import Sphinx

    os.environ["RAPPORT_BASE_URL"] = "https://intranat.example/rapport/"
    doctrees, out = work / "doctrees", work / "epost"
    app = Sphinx(
        str(REPO / "docs"), str(REPO), str(out), str(doctrees), "rapportepost",
        confoverrides={"rapport_pdf_dir": str(work / "pdf"), "rapport_email_from": "Rapport <rapport@example.se>"},
        status=None, warning=io.StringIO(), freshenv=True,
    )  # fmt: skip
    app.build(force_all=True)
    builder = app.builder
    builder.prepare_writing({SEED_REPORT})
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        doctree = app.env.get_and_resolve_doctree(SEED_REPORT, builder)
        builder.write_doc(SEED_REPORT, doctree)
        times.append(time.perf_counter() - started)
    assert (out / f"{SEED_REPORT}.eml").is_file()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "rapportepost", "-q", "-c", str(REPO), "-d", str(doctrees),
         "-D", f"rapport_pdf_dir={work / 'pdf'}", str(REPO / "docs"), str(out), str(REPO / "docs" / f"{SEED_REPORT}.md")],
        check=True, capture_output=True,
    )  # fmt: skip
    return statistics.median(times), time.perf_counter() - started


def send_run(work: Path, count: int) -> tuple[float, float, int, int]:
    """(wall seconds, peak MB, exit code, messages the server accepted) for ``count`` addresses."""
    import smtptools

    class Counter(smtptools.Recorder):
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
            self.attempts += 1
            return "250 2.0.0 OK"

    folder = work / f"send-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    project = smtptools.copy_project(folder)
    lines = ["[alla] internt"] + [f"mottagare{n:04d}@fjallmark.example" for n in range(count)]
    (project / "utskick" / "listor.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ca, cafile = smtptools.make_ca(folder)
    counter = Counter()  # counts, keeps nothing: the bench measures the sender's memory
    server = smtptools.SmtpServer(cafile, ca, counter)
    server.start()
    env = {
        **{k: v for k, v in os.environ.items() if k != "RAPPORT_BASE_URL"},
        "TEST_SMTP_PORT": str(server.port),
        "TEST_SMTP_CAFILE": str(cafile),
        "RAPPORT_SMTP_LOSENORD": smtptools.PASSWORD,
    }
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "rapport.writer.cli", "--katalog", str(project), "skicka", "2025-03-06", "--lista", "alla"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    finally:
        server.stop()
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), counter.attempts


def measure() -> list[tuple[str, str, str, str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="rapport-epost-bench-") as tmp:
        work = Path(tmp)
        one, warm = edition_seconds(work)
        rows.append(("e-post: en rapports utgåva (i processen, median)", f"{one * 1000:.0f} ms", "< 1 s", "ja" if one < 1 else "nej"))
        rows.append(("e-post: sphinx-build -b rapportepost <fil>, varm miljö", f"{warm:.1f} s", "", ""))
        for count in (100, 500):
            seconds, peak, code, accepted = send_run(work, count)
            ok = code == 0 and accepted == count
            target = "< 30 s" if count == 500 else ""
            verdict = ("ja" if seconds < 30 and ok else "nej") if count == 500 else ("" if ok else "fel")
            rows.append((f"rapport skicka till {count} adresser (med bygget)", f"{seconds:.1f} s", target, verdict))
            rows.append((f"  toppminne, {count} adresser", f"{peak:.0f} MB", "begränsat", ""))
            rows.append((f"  meddelanden mottagna av servern", f"{accepted} av {count}", "", "" if ok else "fel"))
    return rows


def main() -> int:
    rows = measure()
    width = max(len(r[0]) for r in rows)
    print(f"| {'mått'.ljust(width)} | värde        | mål       | ok? |")
    print(f"|{'-' * (width + 2)}|--------------|-----------|-----|")
    for name, value, target, ok in rows:
        print(f"| {name.ljust(width)} | {value.ljust(12)} | {target.ljust(9)} | {ok.ljust(3)} |")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU, load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
