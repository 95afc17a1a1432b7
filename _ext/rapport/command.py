"""The one error model of the ``rapport`` command: exit codes, the error that ends a
subcommand with one Swedish line, and what happens to an error nobody expected.

Runs outside Sphinx, in the ``rapport`` command (:mod:`rapport.writer.cli` runs every
subcommand through :func:`run`; ``rapport skicka`` in :mod:`rapport.email.send`,
``rapport publicera`` in :mod:`rapport.writer.publish` and the release commands raise
:class:`CommandError`). In the core so that a command in any room may use it.

Exit codes, the same for every subcommand (README, "Writing a report"):

==  =====================================================================================
0   done
1   findings (``rapport kontroll``), or the command could not do its work (a failed
    build, a refused or failed send)
2   a wrong call, setting or file the writer can fix (an unknown option, a date that is
    not a date, a missing folder, a file that is not UTF-8 or is read-only)
3   a bug: an error the tool did not expect. One Swedish line says so and how to see
    the details: ``RAPPORT_FELSOK=1 rapport ...`` shows the traceback
130 interrupted with Ctrl+C
==  =====================================================================================

No traceback reaches the writer unless asked for with ``RAPPORT_FELSOK=1``, which
shows it for every error, expected or not.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Callable

from sphinx.errors import SphinxError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
#: ``rapport kontroll`` found something: the same code as a command that failed
EXIT_FINDINGS = EXIT_FAILED
#: 128 + SIGINT, as a shell reports a program stopped with Ctrl+C
EXIT_INTERRUPTED = 130
#: set to 1 to see the traceback of any error
DEBUG_ENV = "RAPPORT_FELSOK"


class CommandError(Exception):
    """One Swedish line for the writer, a hint, and the exit code (``EXIT_USAGE``: a
    wrong call, setting or file; ``EXIT_FAILED``: the command could not do its work)."""

    def __init__(self, message: str, code: int = EXIT_FAILED, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint


class UsageError(CommandError):
    """A wrong call, setting or file: exit code 2."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, EXIT_USAGE, hint)


def describe(exc: BaseException) -> CommandError | None:
    """The writer's line for an error the writer can act on (a file that is locked,
    missing or not UTF-8, a project Sphinx cannot read), None for one nobody expected."""
    if isinstance(exc, CommandError):
        return exc
    if isinstance(exc, UnicodeDecodeError):
        return UsageError("En fil är inte sparad som UTF-8", "spara filen med teckenkodningen UTF-8")
    if isinstance(exc, (PermissionError, BlockingIOError)) or (
        isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ETXTBSY)
    ):
        name = getattr(exc, "filename", None) or "en fil"
        return UsageError(
            f"{name} är låst eller skrivskyddad",
            "stäng programmet som har filen öppen eller ändra behörigheten; inget har skrivits över",
        )
    if isinstance(exc, FileNotFoundError):
        return UsageError(f"{exc.filename or 'En fil'} finns inte", "kontrollera sökvägen")
    if isinstance(exc, NotADirectoryError):
        return UsageError(f"{exc.filename} är en fil, inte en mapp", "kontrollera sökvägen")
    if isinstance(exc, OSError):
        return UsageError(f"Fel vid läsning eller skrivning av {exc.filename or 'en fil'}: {exc.strerror}")
    if isinstance(exc, SphinxError):
        return UsageError(f"Sphinx kunde inte läsa projektet: {exc}", "rätta conf.py eller filen som nämns")
    return None


def debugging() -> bool:
    """Whether the writer (or a maintainer) asked for tracebacks: ``RAPPORT_FELSOK=1``."""
    return os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")


def run(
    prog: str,
    command: Callable[[], int],
    *,
    describe: Callable[[BaseException], CommandError | None] = describe,
    prefix: str = "",
) -> int:
    """``command()``'s exit code; every error ends as one line on stderr,
    ``prog: {prefix}message (hint)``, and its code. ``describe`` names the errors the
    writer can act on; anything else is a bug (exit code 3), with a line saying how to
    see the traceback."""
    try:
        return command()
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{prog}: avbrutet.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - never a traceback for the writer, unless asked for
        error = describe(exc)
        if debugging():
            traceback.print_exc(file=sys.stderr)
        if error is None:
            print(f"{prog}: {internal_error(exc)}", file=sys.stderr)
            return EXIT_BUG
        print(f"{prog}: {prefix}{one_line(error)}", file=sys.stderr)
        return error.code


def one_line(error: CommandError) -> str:
    """The writer's line for ``error``: the message, and its hint in brackets."""
    return f"{error} ({error.hint})" if error.hint else str(error)


def internal_error(exc: BaseException, where: str = "Kör kommandot igen") -> str:
    """The line for a bug (exit code 3 on the command line): it says it is the tool's fault,
    not the writer's files, and how to see the details (``RAPPORT_FELSOK=1``)."""
    return (
        f"internt fel ({type(exc).__name__}: {exc}). Det är ett fel i verktyget, inte i dina filer. "
        f"{where} med {DEBUG_ENV}=1 först på raden för att se detaljerna, och skicka dem till den som "
        "förvaltar verktyget."
    )
