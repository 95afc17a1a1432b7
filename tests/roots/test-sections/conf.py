import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "rapport"]
language = "sv"
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_standard/**"]
rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Testrapport",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
            {"key": "kommunikation", "label": "Kommunikativ lägesbild", "required": True},
            {"key": "kommentar", "label": "Verksamhetens kommentar"},
            {"key": "talesperson", "label": "Talesperson", "required": True, "standing": "_standard/talesperson.md"},
        ],
    },
    "annan": {
        "title": "Annan serie",
        "sections": [{"key": "kort", "label": "Kort läge", "required": True}],
    },
}
rapport_today = "2025-12-31"
