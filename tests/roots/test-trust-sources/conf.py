"""A small project for the source guard's tests (copied to a temp dir, built with ``rapport bygg``).

The fixture adds the files a repository should not hold: one with a NUL byte, one with
control characters, one with an oversized front matter block.
"""

import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
_ext = Path(__file__).resolve().parents[3] / "_ext"
if (_ext / "rapport").is_dir():
    sys.path.insert(0, str(_ext))

project = "Lägesrapport Fjällmark"
language = "sv"
extensions = ["myst_parser", "rapport"]
exclude_patterns = ["_standard/**", "_delar/**"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
html_theme = "basic"
# as the project sets it: the raw sources are not published
html_copy_source = False
suppress_warnings = ["misc.highlighting_failure", "toc.not_included"]
# a value a {{ }} substitution could reveal if front matter could switch substitutions on
html_context = {"hemlighet": "zqxkonfig"}

rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Lägesrapport Fjällmark",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattning", "required": True},
        ],
    },
}
rapport_report_patterns = ["rapporter/*/*"]
rapport_today = "2025-12-31"
# the Pagefind search page needs the site's own templates; these projects use the basic theme
rapport_search = "sphinx"
