"""What the ``rapport`` subcommands outside ``writer/cli.py`` share: exit codes and the
error that ends a command with one Swedish line.

Runs outside Sphinx, in the ``rapport`` command (``rapport skicka`` in
:mod:`rapport.email.send`, ``rapport publicera`` in :mod:`rapport.writer.publish`). In
the core so that a command in any room may use it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """One Swedish line for the writer, and the exit code (``EXIT_USAGE``: a wrong call
    or setting; ``EXIT_FAILED``: the command could not do its work)."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def run(prog: str, command: Callable[[], int]) -> int:
    """``command()``'s exit code; a :class:`CommandError` is shown as ``prog: message``
    on stderr, never as a traceback."""
    try:
        return command()
    except CommandError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return exc.code
