import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

rapport_default_series = "fjallmark"
rapport_series = series("Lägesrapport Fjällmark", summary(), key="fjallmark")
project = "Fjällmarks lägesrapport"
author = "Kommunikationsenheten, Region Fjällmark"
rapport_today = "2025-12-31"
rapport_pdf_max_pages = 2
rapport_search = "sphinx"  # no Pagefind run needed here
html_baseurl = "https://rapport.fjallmark.example/"
# the invented region's contacts (tests only)
rapport_contact = {"namn": "Kommunikationsenheten i Fjällmark", "epost": "rapport@fjallmark.example"}
rapport_accessibility_contact = {"epost": "tillganglighet@fjallmark.example", "telefon": "010-000 00 00"}
# the real site's theme and templates (layout, breadcrumbs, menu button)
html_theme = "sphinx_book_theme"
templates_path = site_templates()
html_theme_options = {"navbar_persistent": [], "show_prev_next": False}
