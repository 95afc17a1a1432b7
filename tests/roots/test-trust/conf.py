import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

globals().update(site_project("Testserien Fjällmark"))
# the real site's local default address, on purpose; the warning about it is the real
# site's business (tests/test_site.py), not this root's
suppress_warnings = ["rapport.base-url"]
# the real site's navigation settings: a collapsed sidebar down to the year pages, so no
# page's sidebar lists reports (adding one rewrites no other report)
html_theme_options = {"collapse_navbar": True, "show_navbar_depth": 1, "max_navbar_depth": 2, "show_prev_next": False}
