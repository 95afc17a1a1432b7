import sys
from pathlib import Path

# the repository's _ext when run in place; a copy elsewhere uses the installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "_ext"))
import rapport  # noqa: E402

# what every test project shares: tests/roots/rootconf.py
_shared = Path(rapport.__file__).resolve().parents[2] / "tests" / "roots" / "rootconf.py"
exec(compile(_shared.read_text(encoding="utf-8"), str(_shared), "exec"))

rapport_series = {
    **series(
        "Testrapport",
        summary(),
        section("kommunikation", "Kommunikativ lägesbild"),
        section("kommentar", "Verksamhetens kommentar", False),
        standing("talesperson", "Talesperson"),
    ),
    **series("Annan serie", section("kort", "Kort läge"), key="annan"),
}
exclude_patterns = ["_standard/**"]
rapport_today = "2025-12-31"
