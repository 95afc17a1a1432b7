"""A small report project for the ``rapport`` command's tests (copied to a temp dir)."""

import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

rapport_series = series(
    "Testrapporten",
    summary("Sammanfattning"),
    actions("Åtgärder", required=True),
    standing("talesperson", "Talesperson"),
)
project = "Testrapporten"
exclude_patterns = ["_standard/**"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
html_theme = "basic"
suppress_warnings = ["misc.highlighting_failure"]
rapport_report_patterns = ["rapporter/*/*"]
rapport_today = "2025-12-31"
rapport_kontroll_tillatna = ["031-00 00 00", "funktion@testregionen.invalid"]
# the Pagefind search page needs the site's own templates; these projects use the basic theme
rapport_search = "sphinx"
