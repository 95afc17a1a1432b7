"""A small report project for the ``rapport`` command's tests (copied to a temp dir)."""

import os
import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
_ext = Path(__file__).resolve().parents[3] / "_ext"
if (_ext / "rapport").is_dir():
    sys.path.insert(0, str(_ext))

project = "Testrapporten"
language = "sv"
extensions = ["myst_parser", "rapport"]
exclude_patterns = ["_standard/**"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
html_theme = "basic"
suppress_warnings = ["misc.highlighting_failure"]

rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Testrapporten",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattning", "required": True},
            {"key": "atgarder", "label": "Åtgärder", "required": True, "actions": True},
            {"key": "talesperson", "label": "Talesperson", "required": True, "standing": "_standard/talesperson.md"},
        ],
    },
}
rapport_report_patterns = ["rapporter/*/*"]
rapport_today = "2025-12-31"
rapport_kontroll_tillatna = ["031-00 00 00", "funktion@testregionen.invalid"]
# the Pagefind search page needs the site's own templates; these projects use the basic theme
rapport_search = "sphinx"
