import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

project = "Skrivguidetest"
language = "sv"
extensions = ["myst_parser", "rapport"]
myst_enable_extensions = ["colon_fence"]
html_theme = "basic"
rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Testrapporten",
        "sections": [{"key": "sammanfattning", "label": "Sammanfattning", "required": True}],
    },
}
# the Pagefind search page needs the site's own templates; these projects use the basic theme
rapport_search = "sphinx"
