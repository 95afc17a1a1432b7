"""Every use of a dependency's private API, wrapped in one place.

Each wrapper says why the public API is not enough, and ``tests/test_compat.py`` pins
the private name it relies on, so an upgrade of Sphinx, MyST-Parser, WeasyPrint or
Python that removes it fails that test loudly instead of a build somewhere else.

* :func:`source_parser`: Sphinx's parser registry, reached from a directive (parsing
  phase), which has the environment but not the application.
* :func:`guard_myst_link_targets`: MyST-Parser's ``render_link_unknown`` (parsing
  phase); a link target too long for a file name raises ``OSError`` inside MyST.
* :func:`html_writer_settings`: the docutils settings Sphinx's HTML builder writes with
  (PDF writing phase); the print translator must see the same settings.
* :func:`html5_translator_attributes`: what Sphinx's HTML5 translator reads off its
  builder, which only Sphinx's own HTML builder defines (the PDF and e-mail builders
  write with that translator).
* :func:`myst_renderer`: the MyST renderer behind MyST's mock directive state (parsing
  phase), which MyST's own include mock needs, and the node a directive in Markdown is
  placed in (the entry directives).
* :func:`page_box`: WeasyPrint's laid-out box tree of a page (PDF writing phase), the
  only way to find content wider than the page.
* :func:`swedish_argparse`: ``argparse``'s message lookup (the ``rapport`` command,
  outside Sphinx); only while the command parses its arguments.
* :class:`SubcommandListFormatter`: how ``argparse`` formats one argument's help (the
  ``rapport`` command's ``--help``).
* :func:`write_docname`: how Sphinx resolves and writes one page (writing phase of
  ``rapport kontroll``'s builder, :mod:`rapport.writer.checkcache`, which overrides the
  public ``Builder.write_documents`` and notes each page before it is resolved); Sphinx's
  public API resolves and writes only all pages at once.
* :func:`autobuild_main`: sphinx-autobuild's command with another builder class (the
  live preview's server, :mod:`rapport.writer.preview`); sphinx-autobuild has no option
  for how a rebuild runs.

The ``rapport`` command imports this module for its ``argparse`` wrappers; each other
wrapper imports what it wraps when it is called, so that ``rapport --help`` and a wrong
call do not load MyST-Parser and Sphinx's writers (only :class:`HtmlDocumentBuilder`'s
base class is needed when the module is read).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sphinx.builders import Builder

if TYPE_CHECKING:
    from docutils.frontend import Values
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
    from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer

    original = SphinxRenderer.render_link_unknown
    if getattr(original, "_rapport_guarded", False):
        return

    def render_link_unknown(self: Any, token: Any) -> None:
        try:
            return original(self, token)
        except OSError:
            pass  # raised before MyST added any node, so nothing to undo
        on_os_error(self, token)
        return None

    render_link_unknown._rapport_guarded = True  # type: ignore[attr-defined]
    SphinxRenderer.render_link_unknown = render_link_unknown  # type: ignore[method-assign]


def html_writer_settings(env: BuildEnvironment) -> Values:
    """The settings Sphinx's HTML builder prepares in ``prepare_writing``, from the
    environment's settings and docutils.conf (``sphinx.util.docutils._get_settings``,
    which Sphinx's builders use; docutils' public ``get_default_settings`` knows neither)."""
    from sphinx.util import docutils as sphinx_docutils
    from sphinx.writers.html import HTMLWriter

    return sphinx_docutils._get_settings(HTMLWriter, defaults=env.settings, read_config_files=True)


def html5_translator_attributes(builder: Builder) -> None:
    """Give a builder the attributes Sphinx's ``HTML5Translator`` reads from its builder
    (numbering, image paths, permalinks, the maths renderer's name, the highlighter)."""
    from sphinx.highlighting import PygmentsBridge

    attributes: dict[str, Any] = {
        "secnumbers": {},
        "fignumbers": {},
        "images": {},
        "imgpath": "",
        "dlpath": "",
        "add_permalinks": False,
        "download_support": False,
        "math_renderer_name": "mathjax",  # the reports carry no maths; Sphinx insists on a name
        "highlighter": PygmentsBridge("html", builder.config.pygments_style or "sphinx"),
    }
    for name, value in attributes.items():
        setattr(builder, name, value)


class HtmlDocumentBuilder(Builder):
    """A builder that writes each document with Sphinx's HTML5 translator into a file of
    its own (the PDF and e-mail builders): the translator's builder attributes, Sphinx's
    HTML writer settings, ``<docname>.html`` as a document's address."""

    # HTML so that node visitors registered for "html" (and the aggregate placeholders'
    # handlers) apply to the translator, as they do for Sphinx's own epub builder
    format = "html"
    allow_parallel = False
    supported_image_types = ["image/svg+xml", "image/png", "image/gif", "image/jpeg"]
    supported_remote_images = False

    def init(self) -> None:
        html5_translator_attributes(self)
        self.current_docname = ""

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return quote(docname) + ".html"

    def prepare_writing(self, docnames: Any) -> None:
        self.docsettings = html_writer_settings(self.env)
        self.docsettings.compact_lists = True


def write_docname(builder: Builder, docname: str) -> None:
    """Resolve and write one page as Sphinx's serial writer does
    (``sphinx.builders._write_docname``)."""
    from sphinx import builders as sphinx_builders

    sphinx_builders._write_docname(docname, env=builder.env, builder=builder, tags=builder.tags)


def myst_renderer(state: Any) -> Any:
    """The renderer behind MyST's ``MockState`` (``MockState._renderer``), None for
    another state; MyST's own ``MockIncludeDirective`` takes it as its first argument,
    and its ``current_node`` is where a directive inside Markdown is placed."""
    return getattr(state, "_renderer", None)


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


class SubcommandListFormatter(argparse.HelpFormatter):
    """argparse's help without the bare line naming the subcommands' metavar above their
    list (``kommando``, then the same word again as the list's first line). argparse has
    no option for it; ``_format_action`` is where it formats one argument's help."""

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        if action.nargs == argparse.PARSER:
            text = "\n".join(text.split("\n")[1:])
        return text


def autobuild_main(argv: list[str], builder_class: type) -> int:
    """Run sphinx-autobuild's command with ``builder_class`` for its ``Builder``."""
    # imported here: sphinx-autobuild brings a web server (starlette, uvicorn), which
    # every Sphinx build would otherwise import with this module
    from sphinx_autobuild import __main__ as autobuild

    autobuild.Builder = builder_class
    autobuild.main(argv)
    return 0
