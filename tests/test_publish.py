"""``rapport publicera``: atomic publishing of the built site, and ``--återställ``.

The test project (tests/roots/test-email, fictitious) is built once into a copy's
``_build/html`` with a real base URL; a second build with another page text gives a
second version. Every comparison is by the SHA-256 of every file, so "byte for byte"
is what is checked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import sphinx_build

from rapport.writer.cli import main
from rapport.writer import publish

ROOT = Path(__file__).resolve().parent / "roots" / "test-email"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _build(project: Path, base: str) -> None:
    sphinx_build(project, "html", project / "_build/html", project / "_build/doctrees", env={**os.environ, "RAPPORT_BASE_URL": base})


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two built versions of the site (A and B), kept as folders to publish from."""
    tmp = tmp_path_factory.mktemp("publicera")
    project = tmp / "projekt"
    shutil.copytree(ROOT, project)
    _build(project, "https://intranat.fjallmark.example/rapport/")
    shutil.copytree(project / "_build/html", tmp / "A")
    report = project / "docs/rapporter/2025/2025-03-06.md"
    report.write_text(report.read_text(encoding="utf-8").replace("enligt plan", "enligt den nya planen"), encoding="utf-8")
    _build(project, "https://intranat.fjallmark.example/rapport/")
    shutil.copytree(project / "_build/html", tmp / "B")
    _build(project, "http://127.0.0.1:8000/")
    shutil.copytree(project / "_build/html", tmp / "lokal")
    return {"tmp": tmp, "project": project}


def site(versions: dict[str, Any], name: str, project: Path) -> Path:
    """``project`` with version ``name`` as its _build/html."""
    html = project / "_build" / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.copytree(versions["tmp"] / name, html)
    return project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "projekt"
    shutil.copytree(ROOT, folder)
    return folder


def publicera(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--katalog", str(project), "publicera", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def without_marker(hashes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in hashes.items() if k != publish.MARKER}


def test_publish_then_restore_byte_for_byte(versions: dict[str, Any], project: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    target = tmp_path / "www" / "rapport"
    target.parent.mkdir()
    site(versions, "A", project)
    code, out, err = publicera(project, capsys, str(target))
    assert code == 0, err
    first = tree_hashes(target)
    assert without_marker(first) == tree_hashes(versions["tmp"] / "A")
    assert out.startswith(f"Publicerat: {len(first) - 1} filer i {target} (adress https://intranat.fjallmark.example/rapport/).")

    site(versions, "B", project)
    code, out, err = publicera(project, capsys, str(target))
    assert code == 0 and "Den tidigare versionen är sparad" in out
    second = tree_hashes(target)
    assert without_marker(second) == tree_hashes(versions["tmp"] / "B")
    assert "enligt den nya planen" in (target / "rapporter/2025/2025-03-06.html").read_text(encoding="utf-8")

    code, out, err = publicera(project, capsys, "--återställ", str(target))
    assert code == 0, err
    assert out.startswith(f"Återställt: {target} visar åter versionen från ")
    assert tree_hashes(target) == first  # every file, the marker included
    # and back again: --aterstall (without å) is the same flag
    code, out, err = publicera(project, capsys, "--aterstall", str(target))
    assert code == 0 and tree_hashes(target) == second


def published_a_ready_b(versions: dict[str, Any], project: Path, target: Path, capsys) -> dict[str, str]:  # noqa: ANN001
    """Publish version A to ``target``, then build version B (put it in ``project``); the
    hashes of A as published."""
    site(versions, "A", project)
    assert publicera(project, capsys, str(target))[0] == 0
    published = tree_hashes(target)
    site(versions, "B", project)
    return published


def before_each_copy(monkeypatch, before: Callable[[Path, Path], None]) -> None:  # noqa: ANN001
    """``rapport publicera`` calls ``before(source, dest)`` before it copies each file."""
    real_copy = publish.copy_file

    def copy(source: Path, dest: Path) -> None:
        before(source, dest)
        real_copy(source, dest)

    monkeypatch.setattr(publish, "copy_file", copy)


def test_an_interrupted_copy_leaves_the_old_site(versions: dict[str, Any], project: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    target = tmp_path / "rapport"
    before = published_a_ready_b(versions, project, target, capsys)
    copied = []

    def fail_at_the_sixth(source: Path, dest: Path) -> None:
        if len(copied) == 5:
            raise OSError(28, "No space left on device", str(dest))
        copied.append(source)

    before_each_copy(monkeypatch, fail_at_the_sixth)
    code, out, err = publicera(project, capsys, str(target))
    assert code == 1
    assert err.startswith("rapport publicera: Publiceringen avbröts: No space left on device (")
    assert err.rstrip().endswith(f"Den tidigare webbplatsen i {target} är orörd")
    assert "Traceback" not in err
    assert len(copied) == 5
    assert tree_hashes(target) == before
    # no half-made folder is left beside the target (only the lock file of rapport publicera)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".rapport.las", "projekt", "rapport"]


def test_readers_never_see_a_missing_or_mixed_site(versions: dict[str, Any], project: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """While the new version is copied, the target is the complete old version."""
    target = tmp_path / "rapport"
    old = published_a_ready_b(versions, project, target, capsys)
    seen = []
    before_each_copy(monkeypatch, lambda source, dest: seen.append(tree_hashes(target) == old))
    assert publicera(project, capsys, str(target))[0] == 0
    assert seen and all(seen)
    assert without_marker(tree_hashes(target)) == tree_hashes(versions["tmp"] / "B")


def test_local_base_url_is_refused(versions: dict[str, Any], project: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    site(versions, "lokal", project)
    code, out, err = publicera(project, capsys, str(tmp_path / "rapport"))
    assert code == 2
    assert err.startswith(
        "rapport publicera: Webbplatsen är byggd med den lokala förhandsadressen http://127.0.0.1:8000/, så flödet, "
    )
    assert not (tmp_path / "rapport").exists()


def test_a_foreign_folder_is_not_replaced(versions: dict[str, Any], project: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    target = tmp_path / "annat"
    target.mkdir()
    (target / "viktigt.txt").write_text("rör inte", encoding="utf-8")
    site(versions, "A", project)
    code, out, err = publicera(project, capsys, str(target))
    assert code == 2
    assert "innehåller redan annat än en webbplats som rapport publicera har lagt dit" in err
    assert sorted(p.name for p in target.iterdir()) == ["viktigt.txt"]


def test_nothing_to_restore_or_publish(project: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, out, err = publicera(project, capsys, "--återställ", str(tmp_path / "rapport"))
    assert (code, err) == (2, f"rapport publicera: Det finns ingen tidigare version av {tmp_path / 'rapport'} att återställa\n")
    code, out, err = publicera(project, capsys, str(tmp_path / "rapport"))
    assert code == 2
    assert err == f"rapport publicera: Det finns ingen byggd webbplats i {project / '_build/html'}: kör rapport bygg först\n"


def test_without_an_atomic_exchange_the_swap_still_completes(versions: dict[str, Any], project: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """A file system without renameat2 exchange (some network shares): two renames."""
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    target = tmp_path / "rapport"
    first = published_a_ready_b(versions, project, target, capsys)
    assert publicera(project, capsys, str(target))[0] == 0
    assert publicera(project, capsys, "--återställ", str(target))[0] == 0
    assert tree_hashes(target) == first


def test_one_publish_at_a_time(versions: dict[str, Any], project: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    import fcntl

    target = tmp_path / "rapport"
    site(versions, "A", project)
    with open(tmp_path / ".rapport.las", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # another publish is running
        code, out, err = publicera(project, capsys, str(target))
        assert (code, err) == (
            1,
            f"rapport publicera: En annan publicering till {target} pågår redan; vänta tills den är klar och försök igen\n",
        )
        assert not target.exists()
    assert publicera(project, capsys, str(target))[0] == 0
