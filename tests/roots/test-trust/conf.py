import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "rapport"]
language = "sv"
project = "Testserien Fjällmark"
author = "Testavdelningen"
html_theme = "sphinx_book_theme"
myst_enable_extensions = ["colon_fence"]
rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Testrapport Fjällmark",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
            {"key": "atgarder", "label": "Kommunikativa åtgärder", "actions": True},
        ],
    },
}
rapport_today = "2025-12-31"
html_baseurl = "http://127.0.0.1:8000/"
# the real site's local default address, on purpose; the warning about it is the real
# site's business (tests/test_site.py), not this root's
suppress_warnings = ["rapport.base-url"]
# the real site's templates (search page, layout with one h1); found from the package,
# because the tests build copies of this folder elsewhere
import rapport  # noqa: E402

templates_path = [str(Path(rapport.__file__).resolve().parents[2] / "_templates")]
# the real site's navigation settings: a collapsed sidebar down to the year pages, so no
# page's sidebar lists reports (adding one rewrites no other report)
html_theme_options = {"collapse_navbar": True, "show_navbar_depth": 1, "max_navbar_depth": 2, "show_prev_next": False}
