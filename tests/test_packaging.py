"""A non-editable install carries everything the build reads besides Python code.

The wheel is built from a copy of the checkout's package files (``pip wheel
--no-build-isolation``, no network) and unpacked into a folder of its own; a small project is then built with that copy of
the package first on the path, so a template or static file missing from the package
data fails here rather than on a machine that ran ``pip install .``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "_ext" / "rapport"

CONF = """
extensions = ["myst_parser", "rapport"]
language = "sv"
rapport_search = "sphinx"
rapport_today = "2025-12-31"
"""
REPORT = """---
sammanstallt: 2025-03-01 09:00
---

# Rapport 1 mars 2025

:::{avsnitt} sammanfattning
- Allt går enligt plan i den påhittade regionen Fjällmark.
:::
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # pip builds in the source folder (build/, *.egg-info): from a copy of what the wheel is
    # made of, so test runs at the same time in one checkout do not build into each other
    source = out / "checkout"
    shutil.copytree(ROOT / "_ext", source / "_ext", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("rapport-*.whl")
    return path


def test_the_wheel_holds_every_file_the_package_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and p.suffix not in (".py", ".pyc", ".po")
        and not any(part.startswith((".", "__pycache__")) for part in p.relative_to(PACKAGE).parts)
    }
    assert data, "the package has data files"
    assert data <= names, sorted(data - names)
    assert {"rapport/pdf/templates/report.html", "rapport/static/rapport.css"} <= names


def test_an_installed_copy_builds_a_site_and_a_pdf(wheel: Path, tmp_path: Path) -> None:
    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    src = tmp_path / "src"
    (src / "rapporter" / "2025").mkdir(parents=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "index.md").write_text("# Start\n\n```{toctree}\nrapporter/2025/index\n```\n", encoding="utf-8")
    (src / "rapporter/2025/index.md").write_text("# 2025\n\n:::{rapportar}\n:::\n", encoding="utf-8")
    (src / "rapporter/2025/2025-03-01.md").write_text(REPORT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(installed)}  # before the checkout's editable install
    for builder in ("rapportpdf", "html"):
        result = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-d", str(tmp_path / "doctrees"),
             "-D", f"rapport_pdf_dir={tmp_path / 'rapportpdf'}", str(src), str(tmp_path / builder)],
            capture_output=True, text=True, check=False, env=env,
        )
        assert result.returncode == 0, result.stderr
        assert str(installed) in subprocess.run(
            [sys.executable, "-c", "import rapport; print(rapport.__file__)"],
            capture_output=True, text=True, check=True, env=env,
        ).stdout
    assert (tmp_path / "rapportpdf" / "rapporter/2025/2025-03-01.pdf").is_file()
    assert (tmp_path / "html" / "_static" / "rapport.css").is_file()
