import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "rapport"]
language = "sv"
project = "Utdataprov Fjällmark"  # the test adds a control character
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
# the real site's templates (search page, layout with one h1); found from the package,
# because the tests build copies of this folder elsewhere
import rapport  # noqa: E402

templates_path = [str(Path(rapport.__file__).resolve().parents[2] / "_templates")]
rapport_pdf_appendices = ["beslutsregister", "faq"]
html_copy_source = False
# values from conf.py never pass the source guard: every output must strip their
# control characters itself (vertical tab, escape)
author = "Testavdelningen\x0b Fjällmark\x1b[31m"
rapport_series["test"]["title"] = "Testrapport\x0b Fjällmark"
