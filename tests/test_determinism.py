"""Determinism: serial, -j 2 and incremental builds give the same outputs as a clean build.

The incremental build follows a sequence of edits on tests/roots/test-trust (add a
report, change one, delete one, add a decision and remove it again); its outputs are
compared with a clean serial build and a clean ``-j 2`` build of the final state: every
HTML page, Pagefind's index (the decompressed fragments), the JSON export, the feed,
the sitemap and the PDFs' text. Allowed differences, listed here and nowhere else:

* PDF CreationDate/ModDate and XMP dates are not compared (only pdftotext's text is);
* Pagefind's file names carry content hashes and are not compared, their content is.
"""

from __future__ import annotations

import difflib
import gzip
import shutil
from pathlib import Path

import pytest

from trusttools import build, copy_root, pdftotext

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas"),
]

NEW_REPORT = """---
sammanstallt: 2025-04-04 09:00
amnen: [Alfa]
---

# Rapport 4 april

:::{avsnitt} sammanfattning
- En ny rapport om {beslut}`P-1`.
:::
"""

DECISION = """
:::{beslut} P-2
:datum: 2025-04-01
:organ: Nämnd A
:titel: Tillfälligt beslut
:status: planerat
Beslutet tas bort igen.
:::
"""


def snapshot(builddir: Path) -> dict[str, str]:
    """Every compared output as text, keyed by a stable name."""
    html = builddir / "html"
    result = {}
    for path in sorted(html.rglob("*")):
        if not path.is_file() or "pagefind" in path.parts or "_static" in path.parts:
            continue
        if path.suffix in (".html", ".json", ".atom", ".xml"):
            result[str(path.relative_to(html))] = path.read_text("utf-8")
    fragments = sorted(
        gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in (html / "pagefind/fragment").iterdir()
    )
    result["pagefind fragments"] = "\n".join(fragments)
    pdfdir = builddir / "rapportpdf"
    for path in sorted(pdfdir.rglob("*.pdf")):
        if ".cache" not in path.parts:
            result[str(path.relative_to(builddir))] = pdftotext(path)
    return result


def site(src: Path, builddir: Path, parallel: int = 0) -> list[str]:
    options = dict(rapport_pdf_dir=str(builddir / "rapportpdf"))
    warnings = build(src, builddir, "rapportpdf", parallel=parallel, **options).warnings
    warnings += build(src, builddir, "html", parallel=parallel, **options).warnings
    return warnings


def test_serial_parallel_and_incremental_builds_agree(tmp_path: Path) -> None:
    src = copy_root("trust", tmp_path)
    inc = tmp_path / "inkrementell"
    reports = src / "rapporter/2025"
    assert site(src, inc) == []

    (reports / "2025-04-04.md").write_text(NEW_REPORT, "utf-8")  # add a report
    assert site(src, inc) == []
    changed = reports / "2025-03-21.md"  # change one
    changed.write_text(changed.read_text("utf-8").replace("utan internt innehåll", "med ändrad text"), "utf-8")
    assert site(src, inc) == []
    (reports / "2025-02-14.md").unlink()  # delete one
    assert site(src, inc) == []
    register = src / "beslutsregister.md"
    original = register.read_text("utf-8")
    register.write_text(original + DECISION, "utf-8")  # add a decision ...
    assert site(src, inc) == []
    assert "Tillfälligt beslut" in (inc / "html/beslutsregister.html").read_text("utf-8")
    register.write_text(original, "utf-8")  # ... and remove it
    assert site(src, inc) == []

    clean = tmp_path / "ren"
    assert site(src, clean) == []
    parallel = tmp_path / "parallell"
    assert site(src, parallel, parallel=2) == []

    expected = snapshot(clean)
    assert "rapporter/2025/2025-04-04.html" in expected and "rapporter/2025/2025-02-14.html" not in expected
    assert "med ändrad text" in expected["rapporter/2025/2025-03-21.html"]
    for name, other in (("-j 2", snapshot(parallel)), ("inkrementell", snapshot(inc))):
        assert sorted(other) == sorted(expected), name
        differing = [key for key in expected if other[key] != expected[key]]
        first = "\n".join(
            difflib.unified_diff(expected[differing[0]].splitlines(), other[differing[0]].splitlines(), lineterm="", n=1)
        ) if differing else ""
        assert differing == [], f"{name}: {differing}\n{first[:3000]}"
