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
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sphinxrun import run_sphinx

from rapport import command
from rapport.writer import publish

ROOT = Path(__file__).resolve().parent / "roots" / "test-email"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _build(project: Path, base: str) -> None:
    """The site built as a writer's ``python -m sphinx`` would, in this process (sphinxrun)."""
    result = run_sphinx(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(project), "-d", str(project / "_build/doctrees"),
         str(project / "docs"), str(project / "_build/html")],
        env={**os.environ, "RAPPORT_BASE_URL": base},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two built versions of the site (A and B), kept as folders to publish from."""
    tmp = tmp_path_factory.mktemp("publicera")
    project = tmp / "projekt"
    shutil.copytree(ROOT, project)
    _build(project, "https://intranat.fjallmark.example/rapport/")
    shutil.copytree(project / "_build/html", tmp / "A")
    report = project / "docs/rapporter/2025/2025-03-06.md"
    report.write_text(
        report.read_text(encoding="utf-8").replace("enligt plan", "enligt den nya planen"), encoding="utf-8"
    )
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
    """``rapport publicera [--återställ] MÅL`` as the command runs the publishing module
    (the release gate in front of it is tested with the release)."""
    *flags, target = args

    def run() -> int:
        if flags:
            print(publish.restore(Path(target)))
        else:
            print(publish.publish(project / "_build" / "html", Path(target)))
        return 0

    code = command.run("rapport publicera", run)
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
    assert out.startswith(
        f"Publicerat: {len(first) - 1} filer i {target} (adress https://intranat.fjallmark.example/rapport/)."
    )

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


def test_an_interrupted_copy_leaves_the_old_site(
    versions: dict[str, Any], project: Path, tmp_path: Path, capsys, monkeypatch
) -> None:  # noqa: ANN001
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
    # no half-made folder is left (only the lock file and the previous version, in the private folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [publish.PRIVATE, "projekt", "rapport"]
    assert sorted(p.name for p in (tmp_path / publish.PRIVATE).iterdir()) == ["rapport.las"]


def test_readers_never_see_a_missing_or_mixed_site(
    versions: dict[str, Any], project: Path, tmp_path: Path, capsys, monkeypatch
) -> None:  # noqa: ANN001
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
    assert (code, err) == (
        2,
        f"rapport publicera: Det finns ingen tidigare version av {tmp_path / 'rapport'} att återställa\n",
    )
    code, out, err = publicera(project, capsys, str(tmp_path / "rapport"))
    assert code == 2
    assert (
        err
        == f"rapport publicera: Det finns ingen byggd webbplats i {project / '_build/html'}: kör rapport bygg först\n"
    )


def test_without_an_atomic_exchange_the_swap_still_completes(
    versions: dict[str, Any], project: Path, tmp_path: Path, capsys, monkeypatch
) -> None:  # noqa: ANN001
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
    (tmp_path / publish.PRIVATE).mkdir(mode=0o700)
    with open(tmp_path / publish.PRIVATE / "rapport.las", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # another publish is running
        code, out, err = publicera(project, capsys, str(target))
        assert (code, err) == (
            1,
            f"rapport publicera: En annan publicering till {target} pågår redan; vänta tills den är klar och försök igen\n",
        )
        assert not target.exists()
    assert publicera(project, capsys, str(target))[0] == 0


# -- where the site may go, and what a killed publish left -----------------------------


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            "projekt/_build/html/webb",
            "rapport publicera: {named} ligger i byggmappen {build}, som skrivs om vid varje bygge; "
            "ange en mapp utanför projektet\n",
        ),
        (
            "projekt/_build",
            "rapport publicera: {named} ligger i byggmappen {build}, som skrivs om vid varje bygge; "
            "ange en mapp utanför projektet\n",
        ),
        (
            "projekt",
            "rapport publicera: {named} innehåller byggmappen {build}; publiceringen skulle flytta själva bygget. "
            "Ange en mapp utanför projektet\n",
        ),
        (
            ".",
            "rapport publicera: {named} innehåller byggmappen {build}; publiceringen skulle flytta själva bygget. "
            "Ange en mapp utanför projektet\n",
        ),
    ],
)
def test_a_target_in_or_around_the_build_folder_is_refused(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,
    where: str,
    message: str,  # noqa: ANN001
) -> None:
    site(versions, "A", project)
    before = tree_hashes(project)
    named = Path(os.path.abspath(tmp_path / where))
    code, out, err = publicera(project, capsys, str(named))
    assert (code, out) == (2, "")
    assert err == message.format(named=named, build=project / "_build")
    assert tree_hashes(project) == before


def test_a_symbolic_link_is_published_where_it_points(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    real = tmp_path / "data" / "rapport-v3"
    real.mkdir(parents=True)
    (tmp_path / "www").mkdir()
    link = tmp_path / "www" / "rapport"
    link.symlink_to(real)
    site(versions, "A", project)
    code, out, err = publicera(project, capsys, str(link))
    assert code == 0, err
    assert out.startswith(f"Publicerat: {len(tree_hashes(real)) - 1} filer i {real} (via länken {link}) (adress ")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert without_marker(tree_hashes(real)) == tree_hashes(versions["tmp"] / "A")
    site(versions, "B", project)
    assert publicera(project, capsys, str(link))[0] == 0
    # the previous version is kept beside the folder the link names, never in the served one
    assert (real.parent / publish.PRIVATE / "rapport-v3.tidigare" / publish.MARKER).is_file()
    assert sorted(p.name for p in (tmp_path / "www").iterdir()) == ["rapport"]
    assert publicera(project, capsys, "--återställ", str(link))[0] == 0
    assert without_marker(tree_hashes(link)) == tree_hashes(versions["tmp"] / "A")


def test_a_broken_link_is_refused(project: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    link = tmp_path / "rapport"
    link.symlink_to(tmp_path / "finns-inte")
    code, out, err = publicera(project, capsys, str(link))
    assert (code, err) == (2, f"rapport publicera: {link} är en trasig länk; ta bort den eller ange en annan mapp\n")


def test_the_previous_version_is_kept_where_the_parent_folder_does_not_show_it(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    """A web server serving the target's parent folder sees the site and one folder it
    cannot open (mode 0700): the previous version is inside it."""
    www = tmp_path / "www"
    www.mkdir()
    target = www / "rapport"
    first = published_a_ready_b(versions, project, target, capsys)
    seen_during_copy: list[list[str]] = []
    before_each_copy_once = publish.copy_file

    def copy(source: Path, dest: Path) -> None:
        if not seen_during_copy:
            seen_during_copy.append(sorted(p.name for p in www.iterdir()))
        before_each_copy_once(source, dest)

    publish.copy_file = copy  # type: ignore[assignment]
    try:
        assert publicera(project, capsys, str(target))[0] == 0
    finally:
        publish.copy_file = before_each_copy_once  # type: ignore[assignment]
    private = www / publish.PRIVATE
    assert sorted(p.name for p in www.iterdir()) == [publish.PRIVATE, "rapport"]
    assert seen_during_copy == [[publish.PRIVATE, "rapport"]]  # the copy is made in the private folder too
    assert private.stat().st_mode & 0o777 == 0o700
    assert tree_hashes(private / "rapport.tidigare") == first


def test_a_private_folder_that_is_a_link_is_refused(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    elsewhere = tmp_path / "annanstans"
    elsewhere.mkdir()
    (tmp_path / publish.PRIVATE).symlink_to(elsewhere)
    site(versions, "A", project)
    code, out, err = publicera(project, capsys, str(tmp_path / "rapport"))
    assert (code, err) == (
        2,
        f"rapport publicera: {tmp_path / publish.PRIVATE} är inte en mapp som rapport publicera har gjort; "
        "ta bort den (inget har ändrats)\n",
    )
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "rapport").exists()


def test_what_a_killed_publish_left_is_tidied_up(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    target = tmp_path / "rapport"
    first = published_a_ready_b(versions, project, target, capsys)
    private = tmp_path / publish.PRIVATE
    # killed mid-copy (its folder in the private place), and an older version's leftovers beside
    (private / "rapport.ny-99999" / "rapporter").mkdir(parents=True)
    (tmp_path / ".rapport.ny-12345").mkdir()
    # killed between the two renames of a swap without exchange: the old site is aside
    os.rename(target, private / "rapport.tidigare")
    code, out, err = publicera(project, capsys, str(target))
    assert code == 0, err
    assert out.startswith(
        f"Lade tillbaka den tidigare webbplatsen i {target} efter en avbruten publicering. "
        "Tog bort 2 halvkopierade mappar från en avbruten publicering. Publicerat: "
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [publish.PRIVATE, "projekt", "rapport"]
    assert sorted(p.name for p in private.iterdir()) == ["rapport.las", "rapport.tidigare"]
    assert tree_hashes(private / "rapport.tidigare") == first
    assert without_marker(tree_hashes(target)) == tree_hashes(versions["tmp"] / "B")


def test_the_previous_version_where_older_versions_kept_it_is_moved(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    target = tmp_path / "rapport"
    first = published_a_ready_b(versions, project, target, capsys)
    assert publicera(project, capsys, str(target))[0] == 0
    second = tree_hashes(target)
    os.rename(tmp_path / publish.PRIVATE / "rapport.tidigare", tmp_path / ".rapport.tidigare")
    code, out, err = publicera(project, capsys, "--återställ", str(target))
    assert code == 0, err
    assert out.startswith(f"Flyttade den tidigare versionen från {tmp_path / '.rapport.tidigare'} till ")
    assert tree_hashes(target) == first
    assert tree_hashes(tmp_path / publish.PRIVATE / "rapport.tidigare") == second
    assert not (tmp_path / ".rapport.tidigare").exists()


def test_the_gate_runs_before_anything_is_copied(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    target = tmp_path / "rapport"
    first = published_a_ready_b(versions, project, target, capsys)
    calls: list[bool] = []

    def gate() -> None:
        calls.append(any((tmp_path / publish.PRIVATE).glob("rapport.ny-*")))
        raise publish.PublishError("Rapporten är inte godkänd; inget har publicerats")

    with pytest.raises(publish.PublishError, match="inte godkänd"):
        publish.publish(project / "_build/html", target, gate=gate)
    assert calls == [False]
    assert tree_hashes(target) == first
    # a target refused on its own is refused before the gate is asked
    with pytest.raises(publish.PublishError, match="ligger i byggmappen"):
        publish.publish(project / "_build/html", project / "_build/ut", gate=gate)
    assert calls == [False]
    publish.publish(project / "_build/html", target, gate=lambda: None)
    assert without_marker(tree_hashes(target)) == tree_hashes(versions["tmp"] / "B")


def test_a_refusal_is_one_line_whatever_the_folder_is_called(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    target = tmp_path / "rap\nport\u2028x"
    target.write_text("en fil", encoding="utf-8")
    site(versions, "A", project)
    code, out, err = publicera(project, capsys, str(target))
    assert (code, out) == (2, "")
    assert err == f"rapport publicera: {tmp_path}/rap\\x0aport\\u2028x är en fil, inte en mapp\n"
    target.unlink()
    target.mkdir()
    code, out, err = publicera(project, capsys, str(target))
    assert code == 0 and out.count("\n") == 1 and "rap\\x0aport" in out


def test_a_link_out_of_the_build_is_never_published(
    versions: dict[str, Any],
    project: Path,
    tmp_path: Path,
    capsys,  # noqa: ANN001
) -> None:
    target = tmp_path / "rapport"
    first = published_a_ready_b(versions, project, target, capsys)
    secret = tmp_path / "hemligt.txt"
    secret.write_text("privat", encoding="utf-8")
    (project / "_build/html/_static/hemligt.txt").symlink_to(secret)
    code, out, err = publicera(project, capsys, str(target))
    assert (code, out) == (2, "")
    assert err == (
        f"rapport publicera: _static/hemligt.txt i den byggda webbplatsen är en länk till {secret}, utanför "
        f"{project / '_build/html'}; ta bort länken och bygg om (inget har publicerats)\n"
    )
    assert tree_hashes(target) == first
    assert sorted(p.name for p in (tmp_path / publish.PRIVATE).iterdir()) == ["rapport.las"]
    # a link within the build is published as what it points to
    (project / "_build/html/_static/hemligt.txt").unlink()
    (project / "_build/html/_static/kopia.html").symlink_to(project / "_build/html/index.html")
    assert publicera(project, capsys, str(target))[0] == 0
    assert not (target / "_static/kopia.html").is_symlink()
    assert (target / "_static/kopia.html").read_bytes() == (target / "index.html").read_bytes()
