"""The live preview's server: sphinx-autobuild, with rebuilds that start warm.

Runs outside Sphinx, as the process ``rapport förhandsgranska`` starts
(``python -m rapport.writer.preview`` with sphinx-autobuild's arguments). sphinx-autobuild
runs every rebuild as a new ``python -m sphinx`` process, in a process it forks from the
server for each change; at 520 reports the new interpreter's imports (Sphinx, MyST, the
theme, this extension, about 0.5 to 1 s) were a fifth of the writer's wait after each
save. Here the server imports them once, and a rebuild calls Sphinx's ``build_main`` in
the forked process, which has them already. Everything else is a fresh build as before:
the environment is read from disk, nothing is shared between two rebuilds.

A change to the extension's own code (``_ext``) needs new imports: that rebuild runs as
a new process, as sphinx-autobuild does it.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from sphinx.cmd.build import build_main
from sphinx_autobuild.build import Builder
from sphinx_autobuild.utils import show_message

import rapport
from rapport import compat
from rapport.writer.build import warm_imports

# imported for what they cost, as rapport bygg does: every rebuild's process is forked from this one
warm_imports()

#: the folder of the extension's code; a change there is not seen by warm imports
_CODE = Path(rapport.__file__).resolve().parent


def _needs_new_imports(changed_paths: Sequence[Path]) -> bool:
    return any(path.suffix == ".py" and _CODE in path.resolve().parents for path in changed_paths)


def _shown(path: Path) -> str:
    """A changed file as sphinx-autobuild names it: relative to where it runs, if inside."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


class WarmBuilder(Builder):
    """sphinx-autobuild's builder, building in the process it runs in (forked per change)."""

    def __call__(self, *, changed_paths: Sequence[Path]) -> None:
        if _needs_new_imports(changed_paths):
            super().__call__(changed_paths=changed_paths)
            return
        # the same messages as sphinx-autobuild's own builder: rapport förhandsgranska
        # turns them into Swedish
        shown = [_shown(path) for path in changed_paths[:5] if path.exists()]
        if shown:
            show_message(f"Detected changes ({', '.join(shown)})")
        if changed_paths:
            show_message("Rebuilding...")
        code = build_main(list(self.sphinx_args))
        sys.stdout.flush()
        if code:
            print(f"Sphinx exited with exit code: {code}", flush=True)
        show_message(f"Serving on {self.uri}")
        if not changed_paths:
            # The first build runs in this server process, whose every rebuild is a fork
            # of it. What the build left behind (the environment, every doctree, in
            # reference cycles) stayed in the heap, and each rebuild's garbage collector
            # walked it, copying page after page of it into the fork: the first save
            # after a full first build at 520 reports took 4.4 s to rebuild, the same
            # build alone 2.6 s. Collected once here, and the rest frozen out of the
            # collector's reach (gc.freeze, as the gc docs advise before forking).
            gc.collect()
            gc.freeze()


def main(argv: list[str]) -> int:
    return compat.autobuild_main(argv, WarmBuilder)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
