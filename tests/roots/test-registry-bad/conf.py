import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "sphinxcontrib.bibtex", "rapport"]
language = "sv"
myst_enable_extensions = ["colon_fence"]
bibtex_bibfiles = ["kallor.bib"]
rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Testrapport",
        "sections": [{"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True}],
    },
}
rapport_today = "2025-12-31"
rapport_search = "sphinx"  # Sphinx's own search: no Pagefind run or site templates needed here
