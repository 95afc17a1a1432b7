"""A small project for the source guard's tests (copied to a temp dir, built with ``rapport bygg``).

The fixture adds the files a repository should not hold: one with a NUL byte, one with
control characters, one with an oversized front matter block.
"""

import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

rapport_series = series("Lägesrapport Fjällmark", summary("Sammanfattning"))
project = "Lägesrapport Fjällmark"
exclude_patterns = ["_standard/**", "_delar/**"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
html_theme = "basic"
# as the project sets it: the raw sources are not published
html_copy_source = False
suppress_warnings = ["misc.highlighting_failure", "toc.not_included"]
# a value a {{ }} substitution could reveal if front matter could switch substitutions on
html_context = {"hemlighet": "zqxkonfig"}
rapport_report_patterns = ["rapporter/*/*"]
rapport_today = "2025-12-31"
# the Pagefind search page needs the site's own templates; these projects use the basic theme
rapport_search = "sphinx"
