"""One error model for every ``rapport`` subcommand (rapport.command).

Exit codes: 0 done, 1 findings or failed, 2 usage, 3 a bug, 130 Ctrl+C. A bug is one
Swedish line that says how to see the details; ``RAPPORT_FELSOK=1`` shows the traceback.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from rapport import command
from rapport.writer import cli

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "projekt"
    shutil.copytree(ROOTS / "test-cli", dest)
    return dest


def _failing(exc: BaseException):
    def run(project, args):
        raise exc

    return run


def _run(project: Path, capsys, monkeypatch, exc: BaseException) -> tuple[int, str]:
    monkeypatch.setitem(cli.COMMANDS, "bygg", _failing(exc))
    code = cli.main(["--katalog", str(project), "bygg"])
    return code, capsys.readouterr().err


def test_a_bug_is_exit_code_3_and_one_swedish_line_saying_how_to_see_more(project, capsys, monkeypatch):
    monkeypatch.delenv(command.DEBUG_ENV, raising=False)
    code, err = _run(project, capsys, monkeypatch, KeyError("saknas"))
    assert code == command.EXIT_BUG == 3
    assert err == (
        "rapport: internt fel (KeyError: 'saknas'). Det är ett fel i verktyget, inte i dina filer. Kör kommandot "
        "igen med RAPPORT_FELSOK=1 först på raden för att se detaljerna, och skicka dem till den som förvaltar "
        "verktyget.\n"
    )


def test_rapport_felsok_shows_the_traceback(project, capsys, monkeypatch):
    monkeypatch.setenv(command.DEBUG_ENV, "1")
    code, err = _run(project, capsys, monkeypatch, KeyError("saknas"))
    assert code == 3
    assert err.startswith("Traceback (most recent call last):\n")
    assert "KeyError: 'saknas'\n" in err and err.endswith("till den som förvaltar verktyget.\n")
    # and for an error the writer can act on too, with the same one line at the end
    code, err = _run(project, capsys, monkeypatch, command.UsageError("Mappen finns inte", "ange en annan"))
    assert code == 2 and "Traceback" in err and err.endswith("rapport: fel: Mappen finns inte (ange en annan)\n")


@pytest.mark.parametrize(
    ("exc", "code", "line"),
    [
        (command.UsageError("Serien ”x” finns inte"), 2, "rapport: fel: Serien ”x” finns inte\n"),
        (command.CommandError("Bygget misslyckades", command.EXIT_FAILED), 1, "rapport: fel: Bygget misslyckades\n"),
        (
            PermissionError(13, "Permission denied", "docs/a.md"),
            2,
            "rapport: fel: docs/a.md är låst eller skrivskyddad (stäng programmet som har filen öppen eller ändra "
            "behörigheten; inget har skrivits över)\n",
        ),
        (KeyboardInterrupt(), 130, "rapport: avbrutet.\n"),
    ],
)
def test_expected_errors_keep_their_codes_and_one_line(project, capsys, monkeypatch, exc, code, line):
    monkeypatch.delenv(command.DEBUG_ENV, raising=False)
    assert _run(project, capsys, monkeypatch, exc) == (code, line)


def test_every_subcommand_carries_its_command_and_the_table_is_not_changed():
    before = dict(cli.COMMANDS)
    parser = cli.build_parser()
    # the table holds the CLI's own commands; the rooms' commands live on their parsers
    assert cli.COMMANDS == before
    assert set(cli.COMMANDS) == {"ny", "kontroll", "förhandsgranska", "forhandsgranska", "bygg"}
    (subcommands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    names = set(subcommands.choices)
    assert {"ny", "kontroll", "förhandsgranska", "bygg", "publicera", "skicka", "skrivbord"} <= names
    for name, sub in subcommands.choices.items():
        assert callable(sub.get_default("command")), name


def test_the_desk_refuses_with_the_same_lines(monkeypatch, capsys):
    """The desk's panels show the command line's lines: an error the writer can act on with
    its hint, a bug as the tool's own fault with how to see the details."""
    from rapport.writer.desk.state import refusal

    monkeypatch.delenv(command.DEBUG_ENV, raising=False)
    assert refusal(command.UsageError("Mappen finns inte", "ange en annan")) == "Mappen finns inte (ange en annan)"
    assert refusal(PermissionError(13, "Permission denied", "docs/a.md")) == (
        "docs/a.md är låst eller skrivskyddad (stäng programmet som har filen öppen eller ändra behörigheten; "
        "inget har skrivits över)"
    )
    assert refusal(KeyError("saknas")) == (
        "internt fel (KeyError: 'saknas'). Det är ett fel i verktyget, inte i dina filer. Starta skrivbordet "
        "igen med RAPPORT_FELSOK=1 först på raden för att se detaljerna, och skicka dem till den som förvaltar "
        "verktyget."
    )
    assert capsys.readouterr().err == ""
    # RAPPORT_FELSOK=1: the traceback goes to the terminal the desk runs in, the panel keeps its line
    monkeypatch.setenv(command.DEBUG_ENV, "1")
    try:
        raise KeyError("saknas")
    except KeyError as exc:
        assert refusal(exc).startswith("internt fel (KeyError: 'saknas').")
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n") and err.endswith("KeyError: 'saknas'\n")


def test_help_names_the_exit_codes_and_how_to_see_a_bugs_details(capsys):
    assert cli.main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "Statuskoder (samma för alla kommandon): 0 klart, 1 fynd eller misslyckat, 2 fel i anropet eller i en fil, "
        "3 internt fel i verktyget (RAPPORT_FELSOK=1 först på raden visar detaljerna), 130 avbrutet." in text
    )
