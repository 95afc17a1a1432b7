"""A small project for the audience tests (copied to a temp dir, built with ``rapport bygg``).

Every internal text carries a marker zqxa<n>; the public build must contain none of them.
The fixture adds a symlinked folder and a front matter block longer than 16 kB.
"""

import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

rapport_series = series("Lägesrapport Fjällmark", summary("Sammanfattning"), standing("talesperson", "Talesperson"))
project = "Lägesrapport Fjällmark"
exclude_patterns = ["_standard/**", "_delar/**", "_gomt/**"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
html_theme = "basic"
# as the project sets it: the raw sources are not published
html_copy_source = False
suppress_warnings = ["misc.highlighting_failure", "toc.not_included"]
rapport_report_patterns = ["rapporter/*/*"]
rapport_today = "2025-12-31"
# the Pagefind search page needs the site's own templates; these projects use the basic theme
rapport_search = "sphinx"
