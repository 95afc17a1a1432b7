"""Test project for the e-mail edition, rapport skicka and rapport publicera (fictitious)."""

import os
import sys
from pathlib import Path

# the extension: from the checkout when this folder is in tests/roots, from the installed
# package when a test copies the folder elsewhere
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))

extensions = ["myst_parser", "rapport"]
language = "sv"
project = "Testrapport Fjällmark"
author = "Kommunikationsenheten, Region Fjällmark"
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_standard/**"]
rapport_default_series = "test"
rapport_series = {
    "test": {
        "title": "Testrapport Fjällmark",
        "sections": [
            {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
            {"key": "atgarder", "label": "Kommunikativa åtgärder, urval", "required": True, "actions": True},
            {"key": "om-rapporten", "label": "Om Testrapport Fjällmark", "required": True, "standing": "_standard/om-rapporten.md"},
        ],
    },
}
rapport_today = "2025-06-30"
rapport_search = "sphinx"
html_baseurl = os.environ.get("RAPPORT_BASE_URL", "https://intranat.fjallmark.example/rapport/")

rapport_email_from = "Kommunikationsenheten Fjällmark <rapport@fjallmark.example>"
rapport_email_attach_pdf = os.environ.get("TEST_ATTACH_PDF", "") == "1"
# the public lists' readers are outside the intranet: their links go to the public site
rapport_email_public_base_url = "https://www.fjallmark.example/rapport/"
rapport_smtp_host = "127.0.0.1"
rapport_smtp_port = int(os.environ.get("TEST_SMTP_PORT", "2525"))
rapport_smtp_security = os.environ.get("TEST_SMTP_SECURITY", "starttls")
rapport_smtp_user = os.environ.get("TEST_SMTP_USER", "utskick")
rapport_smtp_cafile = os.environ.get("TEST_SMTP_CAFILE", "")
rapport_smtp_timeout = float(os.environ.get("TEST_SMTP_TIMEOUT", "5"))
