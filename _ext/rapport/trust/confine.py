"""The build never reads outside the source folder (``docs/``).

Every path a source names is resolved (``os.path.realpath``, so symlinks count where
they lead, not where they stand) and must stay inside the source folder; anything else
is a Swedish warning at its line and nothing is read or copied. Three phases:

``config-inited``
    source files and folders that are symlinks leading out of the source folder are
    added to ``exclude_patterns`` with a warning naming the file (``rapport.source-outside``),
    so Sphinx's discovery (which follows symlinks) never reads them.
parsing
    ``include``, ``literalinclude``, ``raw`` and ``csv-table`` are replaced by
    subclasses that check the file before the original directive reads it
    (``rapport.path-outside``); ``:url:`` options are refused outright, the build
    does not use the network (``rapport.path-url``). MyST runs docutils' ``Include``
    subclasses through its own mock (``myst_parser.mocking.MockIncludeDirective``)
    without calling their ``run``, so the include check is a plain directive that hands
    over to MyST's mock in Markdown and to Sphinx's ``Include`` in reST.
a transform while each document is read
    image nodes (``image``, ``figure``, Markdown ``![](…)``) and download references
    (``{download}``, Markdown links to files) whose file lies outside are replaced by
    their text, before ``doctree-read``, where Sphinx's ``ImageCollector`` and
    ``DownloadFileCollector`` would register the files for copying.

Configuration paths (``html_extra_path``, ``html_static_path``, templates) are the
project's, not the writers', and are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.misc import Raw
from myst_parser.mocking import MockIncludeDirective, MockState
from sphinx import addnodes
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include as SphinxInclude
from sphinx.directives.patches import CSVTable
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective
from sphinx.util.matching import Matcher

from rapport import compat, events
from rapport.messages import located, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment


def inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path``, with every symlink resolved, lies in ``root`` (resolved too)."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _outside_message(name: str, target: str) -> str:
    return (
        f"{name} hänvisar till ”{target}”, som ligger utanför källmappen; "
        "filen läses inte (lägg filen i docs/ och hänvisa dit)"
    )


def _url_message(name: str, url: str) -> str:
    return f"{name} hämtar ”{url}” från nätet; bygget hämtar inget från nätet och läser inte adressen"


class _Confined(SphinxDirective):
    """Mixin: the path checks shared by the confined directives."""

    def _doc_path(self, filename: str) -> str:
        """``filename`` as Sphinx's directives resolve it (absolute = from the source dir)."""
        return self.env.relfn2path(filename, self.env.docname)[1]

    def _source_dir_path(self, filename: str) -> str:
        """``filename`` as docutils' ``raw`` and ``csv-table`` resolve it: from the current
        source file's folder; an absolute path stays absolute."""
        source = self.state.document.current_source or str(self.env.doc2path(self.env.docname))
        return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source)), filename))

    def _refuse(self, subtype: str, message: str) -> list[nodes.Node]:
        warn(subtype, message, self.get_location())
        return []

    def _outside(self, *paths: str) -> bool:
        return any(not inside(path, self.env.srcdir) for path in paths)


class ConfinedInclude(_Confined):
    """``include`` that reads only files inside the source folder."""

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        **SphinxInclude.option_spec,
        # MyST's own options (it adds them to docutils Include subclasses only)
        "relative-images": directives.flag,
        "relative-docs": directives.path,
        "heading-offset": directives.nonnegative_int,
    }

    def run(self) -> list[nodes.Node]:
        argument = "".join(s.strip() for s in self.arguments[0].splitlines())
        # docutils' standard includes (<isonum.txt>) are its own entity tables, not files of a writer
        standard = argument.startswith("<") and argument.endswith(">")
        if not standard and self._outside(self._doc_path(argument)):
            return self._refuse("path-outside", _outside_message("include", argument))
        if isinstance(self.state, MockState):
            return MockIncludeDirective(
                compat.myst_renderer(self.state),
                name=self.name,
                klass=SphinxInclude,
                arguments=self.arguments,
                options=dict(self.options),
                body=list(self.content),
                lineno=self.lineno,
            ).run()
        options = {k: v for k, v in self.options.items() if k in SphinxInclude.option_spec}
        return list(
            SphinxInclude(
                self.name,
                self.arguments,
                options,
                self.content,
                self.lineno,
                self.content_offset,
                self.block_text,
                self.state,
                self.state_machine,
            ).run()
        )


class ConfinedLiteralInclude(LiteralInclude, _Confined):
    """``literalinclude`` (and its ``:diff:`` file) only from inside the source folder."""

    def run(self) -> list[nodes.Node]:
        for name in (self.arguments[0], self.options.get("diff")):
            if name and self._outside(self._doc_path(name)):
                return self._refuse("path-outside", _outside_message("literalinclude", name))
        return super().run()


class _ConfinedFileOption(_Confined):
    """Mixin for docutils' directives that read a ``:file:`` or fetch a ``:url:``."""

    def _refusal(self, name: str, path_of: Callable[[str], str]) -> list[nodes.Node] | None:
        """The refusal of a ``:url:``, or of a ``:file:`` (resolved by ``path_of`` as the
        directive ``name`` resolves it) outside the source folder; None if it may run."""
        if "url" in self.options:
            return self._refuse("path-url", _url_message(name, self.options["url"]))
        if "file" in self.options and self._outside(path_of(self.options["file"])):
            return self._refuse("path-outside", _outside_message(name, self.options["file"]))
        return None


class ConfinedRaw(Raw, _ConfinedFileOption):
    """``raw`` whose ``:file:`` lies inside the source folder; ``:url:`` is refused."""

    def run(self) -> list[nodes.Node]:
        refused = self._refusal("raw", self._source_dir_path)
        return super().run() if refused is None else refused


class ConfinedCSVTable(CSVTable, _ConfinedFileOption):
    """``csv-table`` whose ``:file:`` lies inside the source folder; ``:url:`` is refused."""

    def run(self) -> list[nodes.Node]:
        refused = self._refusal("csv-table", self._csv_path)
        return super().run() if refused is None else refused

    def _csv_path(self, name: str) -> str:
        # what Sphinx's csv-table reads: an absolute path that exists as it is, another
        # absolute path from the source dir, a relative one from the source file's folder
        if name.startswith(("/", os.sep)) and not os.path.exists(name):
            return self._doc_path(name)
        return self._source_dir_path(name)


def _image_path(env: BuildEnvironment, uri: str, docname: str) -> str | None:
    """The file an image URI names as Sphinx's ``ImageCollector`` resolves it; None for
    remote and data URIs (Sphinx copies nothing for them)."""
    if uri.startswith("data:") or "://" in uri:
        return None
    path = env.relfn2path(uri, docname)[1]
    if uri.endswith(os.extsep + "*"):
        return os.path.dirname(path)  # the candidates are looked up in this folder
    return path


class ConfineFiles(SphinxTransform):
    """Images and downloads whose file lies outside the source folder become their text.

    Runs while the document is read, before ``doctree-read`` (where Sphinx's image and
    download collectors register files for copying), for every builder.
    """

    # before DoctreeReadEvent (880), the transform that emits doctree-read
    default_priority = 870

    def apply(self, **kwargs: Any) -> None:
        confine_files(self.env, self.document)


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    # again for what doctree-read handlers (standing sections) insert before the collectors
    confine_files(app.env, doctree)


def confine_files(env: BuildEnvironment, document: nodes.document) -> None:
    """Replace outside images and downloads in ``document`` by their text, with a warning."""
    docname = env.docname
    srcdir = env.srcdir
    for node in list(document.findall(nodes.image)):
        uri = node.get("uri", "")
        path = _image_path(env, uri, docname)
        if path is None or inside(path, srcdir):
            continue
        warn("path-outside", _outside_message("Bilden", uri), located(node))
        alt = node.get("alt", "")
        replacement: nodes.Node = nodes.inline(alt, alt) if alt else nodes.inline()
        target = node.parent
        # a figure without its image, or a link around nothing, is left as its text
        if isinstance(target, nodes.reference) and len(target.children) == 1:
            node = target
            target = node.parent
        node.replace_self(replacement)
    for node in list(document.findall(addnodes.download_reference)):
        target = node.get("reftarget", "")
        if not target or "://" in target:
            continue
        path = env.relfn2path(target, docname)[1]
        if inside(path, srcdir):
            continue
        warn("path-outside", _outside_message("Nedladdningslänken", target), located(node))
        text = node.astext()
        node.replace_self(nodes.inline(text, text))


def _outside_sources(srcdir: Path, matcher: Matcher, suffixes: tuple[str, ...]) -> list[str]:
    """Paths (relative, POSIX) of files and folders in the source dir that are symlinks
    leading out of it, found as Sphinx's discovery walks (``followlinks=True``)."""
    found: list[str] = []
    root = os.path.realpath(srcdir)
    seen = {root}  # a symlink back into the tree would otherwise be walked forever
    for dirpath, dirnames, filenames in os.walk(srcdir, followlinks=True):
        rel_dir = os.path.relpath(dirpath, srcdir)
        kept = []
        for name in sorted(dirnames):
            rel = os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/")
            real = os.path.realpath(os.path.join(dirpath, name))
            if matcher(rel) or real in seen:
                continue
            if not inside(real, root):
                found.append(rel)
            else:
                seen.add(real)
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/")
            # other files (images, downloads) are checked where a source names them
            if name.endswith(suffixes) and not matcher(rel) and not inside(os.path.join(dirpath, name), root):
                found.append(rel)
    return found


def exclude_outside_sources(app: Sphinx, config: Config) -> None:
    matcher = Matcher(list(config.exclude_patterns))
    suffixes = tuple(config.source_suffix) if isinstance(config.source_suffix, dict) else (".rst", ".md")
    for rel in _outside_sources(Path(app.srcdir), matcher, suffixes):
        warn(
            "source-outside",
            f"”{rel}” är en genväg (symbolisk länk) till en plats utanför källmappen och läses inte; "
            "flytta in filen i docs/ i stället",
            # a file: its first line; a folder has no line. A plain docname would make
            # Sphinx look the name up in the environment, which does not exist yet
            f"{Path(app.srcdir) / rel}:1" if os.path.isfile(Path(app.srcdir) / rel) else None,
        )
        config.exclude_patterns = [*config.exclude_patterns, rel, f"{rel}/**"]


def setup(app: Sphinx) -> None:
    app.add_directive("include", ConfinedInclude, override=True)
    app.add_directive("literalinclude", ConfinedLiteralInclude, override=True)
    app.add_directive("raw", ConfinedRaw, override=True)
    app.add_directive("csv-table", ConfinedCSVTable, override=True)
    app.add_transform(ConfineFiles)
    app.connect("doctree-read", _on_doctree_read, priority=events.CONFINE_FILES)
    app.connect("config-inited", exclude_outside_sources, priority=events.CONFIG_CONFINE)
