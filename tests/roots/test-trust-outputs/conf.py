import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

globals().update(site_project("Utdataprov Fjällmark"))  # the test adds a control character
rapport_pdf_appendices = ["beslutsregister", "faq"]
html_copy_source = False
# values from conf.py never pass the source guard: every output must strip their
# control characters itself (vertical tab, escape)
author = "Testavdelningen\x0b Fjällmark\x1b[31m"
rapport_series["test"]["title"] = "Testrapport\x0b Fjällmark"
