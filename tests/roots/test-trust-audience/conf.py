"""A small project for the audience tests (copied to a temp dir, built with ``rapport bygg``).

Every internal text carries a marker zqxa<n>; the public build must contain none of them.
The fixture adds a symlinked folder and a front matter block longer than 16 kB.
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
exclude_patterns = ["_standard/**", "_delar/**", "_gomt/**"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
html_theme = "basic"
# as the project sets it: the raw sources are not published
html_copy_source = False
suppress_warnings = ["misc.highlighting_failure", "toc.not_included"]

rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Lägesrapport Fjällmark",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattning", "required": True},
            {"key": "talesperson", "label": "Talesperson", "required": True, "standing": "_standard/talesperson.md"},
        ],
    },
}
rapport_report_patterns = ["rapporter/*/*"]
rapport_today = "2025-12-31"
# the Pagefind search page needs the site's own templates; these projects use the basic theme
rapport_search = "sphinx"
