"""Every use of a dependency's private API, wrapped in one place.

Each wrapper says why the public API is not enough, and ``tests/test_compat.py`` pins
the private name it relies on, so an upgrade of Sphinx, MyST-Parser, WeasyPrint or
Python that removes it fails that test loudly instead of a build somewhere else.

* :func:`source_parser`: Sphinx's parser registry, reached from a directive (parsing
  phase), which has the environment but not the application.
* :func:`guard_myst_link_targets`: MyST-Parser's ``render_link_unknown`` (parsing
  phase); a link target too long for a file name raises ``OSError`` inside MyST.
* :func:`page_box`: WeasyPrint's laid-out box tree of a page (PDF writing phase), the
  only way to find content wider than the page.
* :func:`swedish_argparse`: ``argparse``'s message lookup (the ``rapport`` command,
  outside Sphinx); only while the command parses its arguments.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer

if TYPE_CHECKING:
    from docutils.parsers import Parser
    from sphinx.environment import BuildEnvironment


def source_parser(env: BuildEnvironment, filetype: str) -> Parser:
    """A parser for ``filetype`` ("markdown", "restructuredtext") as Sphinx configures it.

    Standing content is parsed once outside the page being read; Sphinx's public
    ``app.registry`` is out of reach from a directive, ``env._registry`` is the same
    object (Sphinx's own directives use it).
    """
    return env._registry.create_source_parser(filetype, config=env.config, env=env)


def guard_myst_link_targets(on_os_error: Callable[[Any, Any], None]) -> None:
    """Make MyST's ``render_link_unknown`` call ``on_os_error(renderer, token)`` instead of
    raising when the link target is too long for the file system (``Path.is_file()``
    raises ``OSError`` for a name over 255 bytes, and the build would end in a traceback).

    Idempotent: the renderer class is patched once per process, not per application.
    """
    original = SphinxRenderer.render_link_unknown
    if getattr(original, "_rapport_guarded", False):
        return

    def render_link_unknown(self: Any, token: Any) -> None:
        try:
            return original(self, token)  # type: ignore[no-any-return]
        except OSError:
            pass  # raised before MyST added any node, so nothing to undo
        on_os_error(self, token)
        return None

    render_link_unknown._rapport_guarded = True  # type: ignore[attr-defined]
    SphinxRenderer.render_link_unknown = render_link_unknown  # type: ignore[method-assign]


def page_box(page: Any) -> Any:
    """The root box of a laid-out WeasyPrint page (``Page._page_box``; WeasyPrint has no
    public access to the box tree, and overflow is only visible there)."""
    return page._page_box


@contextlib.contextmanager
def swedish_argparse(
    translate: Callable[[str], str], translate_plural: Callable[[str, str, int], str]
) -> Iterator[None]:
    """``argparse`` speaks Swedish inside the block.

    argparse looks its texts up through the module-level gettext functions ``_`` and
    ``ngettext`` at call time; replacing those two (and restoring them afterwards, so
    nothing else in the process is affected) gives Swedish help and errors without
    copying argparse's formatting code.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translate, translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
