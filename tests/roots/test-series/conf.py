# A small fictitious series ("Region Exempelby") for the archive, timeline and topic tests.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "rapport"]
language = "sv"
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_standard/**"]
html_baseurl = "https://rapporter.exempelby.invalid/"
rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Lägesrapport Exempelby",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
            {"key": "atgarder", "label": "Kommunikativa åtgärder, urval", "actions": True},
        ],
    },
}
rapport_today = "2025-06-30"
