"""Test project for the e-mail edition, rapport skicka and rapport publicera (fictitious)."""

import os
import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

rapport_series = series(
    "Testrapport Fjällmark",
    summary(),
    actions("Kommunikativa åtgärder, urval", required=True),
    standing("om-rapporten", "Om Testrapport Fjällmark"),
)
project = "Testrapport Fjällmark"
author = "Kommunikationsenheten, Region Fjällmark"
exclude_patterns = ["_standard/**"]
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
