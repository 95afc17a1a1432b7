import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "rapport"]
language = "sv"
project = "Testserien"
author = "Testavdelningen"
myst_enable_extensions = ["colon_fence"]
rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Testrapport Fjällmark",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
            {"key": "kommunikation", "label": "Kommunikativ lägesbild"},
        ],
    },
}
rapport_today = "2025-12-31"
rapport_pdf_max_pages = 1
rapport_pdf_appendices = ["beslutsregister", "faq"]
rapport_search = "sphinx"  # the HTML build here only checks the PDF link
