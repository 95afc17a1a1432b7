import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "rapport"]
language = "sv"
project = "Fjällmarks lägesrapport"
author = "Kommunikationsenheten, Region Fjällmark"
myst_enable_extensions = ["colon_fence"]
rapport_default_series = "fjallmark"
rapport_series = {
    "fjallmark": {
        "title": "Lägesrapport Fjällmark",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
        ],
    },
}
rapport_today = "2025-12-31"
rapport_pdf_max_pages = 2
rapport_search = "sphinx"  # no Pagefind run needed here
html_baseurl = "https://rapport.fjallmark.example/"
# the invented region's contacts (tests only)
rapport_contact = {"namn": "Kommunikationsenheten i Fjällmark", "epost": "rapport@fjallmark.example"}
rapport_accessibility_contact = {"epost": "tillganglighet@fjallmark.example", "telefon": "010-000 00 00"}
# the real site's theme and templates (layout, breadcrumbs, menu button); found from the
# package, because the tests build copies of this folder elsewhere
import rapport  # noqa: E402

html_theme = "sphinx_book_theme"
templates_path = [str(Path(rapport.__file__).resolve().parents[2] / "_templates")]
html_theme_options = {"navbar_persistent": [], "show_prev_next": False}
