"""Audiences: content marked internal is left out of the public build altogether.

``rapport_audience = "internt"`` (the default, ``make site``) builds the intranet site:
internal content is shown with a visible label "Internt". ``rapport_audience = "publik"``
(``make site-publik``) builds the public site, in which internal content appears
nowhere: not in the HTML, the search index, the JSON export, the feed, the sitemap or
the PDFs. That is only dependable if internal content never enters the build at all,
so it is dropped as early as possible:

``config-inited``
    the source tree is scanned for pages whose front matter says ``internt: true``;
    in the public build they are added to ``exclude_patterns``, so Sphinx never reads
    them: they are not in ``found_docs``, no toctree, archive, register, feed or
    sitemap can list them and no builder writes them. Changing the flag changes
    ``exclude_patterns``, which makes Sphinx re-read everything (a config change), so
    incremental builds stay consistent.
parsing
    ``:::{internt}`` returns no nodes in the public build and does not even parse its
    content, so decisions, FAQ entries and actions inside it are never registered.
    In the internal build it renders its content in a labelled box.
``doctree-read``
    a whole internal page gets the label under its title (internal build).
``build-finished``
    the public build removes output files a former public version of an internal page
    left behind, and every build removes the output of deleted sources (Sphinx does not
    delete the output of documents that disappeared), before the search index is built
    from the output folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from . import frontmatter
from .messages import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

INTERNAL = "internt"
PUBLIC = "publik"
AUDIENCES = (INTERNAL, PUBLIC)
#: the front matter key marking a whole page as internal
PAGE_KEYS = ("internt",)
LABEL = "Internt"
CLASS = "rapport-internt"
LABEL_CLASS = "rapport-internt-etikett"
#: where the public PDFs go unless rapport_pdf_dir is set: never the internal PDFs' folder
PUBLIC_PDF_DIR = "_build/publik/pdf"
_FENCE_RE = re.compile(r"^\s*(:{3,})\s*(\{[^}]*\})?")


def is_public(config: Config) -> bool:
    return config.rapport_audience == PUBLIC


def label_node() -> nodes.paragraph:
    para = nodes.paragraph("", "", classes=[LABEL_CLASS])
    para += nodes.strong(LABEL, LABEL)
    return para


class InternalDirective(SphinxDirective):
    """``internt``: content for the intranet only."""

    has_content = True
    required_arguments = 0
    optional_arguments = 0
    option_spec: ClassVar[dict] = {}

    def run(self) -> list[nodes.Node]:
        self._check_fences()
        if is_public(self.config):
            # not parsed at all: nothing inside reaches a registry, an index or a builder
            return []
        children = self.parse_content_to_nodes(allow_section_headings=True)
        if any(isinstance(child, nodes.section) for child in children):
            # whole report sections (avsnitt) stay sections, so the report's section checks
            # and the table of contents still find them; each carries the label
            result: list[nodes.Node] = []
            loose = nodes.container(classes=[CLASS])
            for child in children:
                if isinstance(child, nodes.section):
                    if len(loose):
                        result.append(self._boxed(list(loose.children)))
                        loose = nodes.container(classes=[CLASS])
                    child["classes"].append(CLASS)
                    at = 1 if len(child) and isinstance(child[0], nodes.title) else 0
                    child.insert(at, label_node())
                    result.append(child)
                else:
                    loose += child
            if len(loose):
                result.append(self._boxed(list(loose.children)))
            return result
        return [self._boxed(children)]

    def _check_fences(self) -> None:
        """Warn when the block was closed by the closing fence of a directive inside it.

        Colon fences do not nest by themselves: in ``:::{internt}`` the ``:::`` that closes
        an inner ``:::{beslut}`` closes the internal block too, and everything after it
        would be public. The content then ends inside an unclosed inner directive.
        """
        open_fences: list[int] = []
        opened_at = 0
        for offset, line in enumerate(self.content):
            match = _FENCE_RE.match(line)
            if not match:
                continue
            if match.group(2):
                if not open_fences:
                    opened_at = offset
                open_fences.append(len(match.group(1)))
            elif open_fences and len(match.group(1)) >= open_fences[-1]:
                open_fences.pop()
        if open_fences:
            # the block has no options: its content starts on the line after the opening fence
            line = self.lineno + 1 + opened_at
            warn(
                "internal-fence",
                "Blocket internt avslutas för tidigt: det inre direktivet avslutas med samma antal "
                "kolon som internt, så texten efter det blir inte intern. Skriv internt med fler "
                "kolon än direktiven inuti, till exempel ::::{internt} … ::::",
                (self.env.docname, line),
            )

    def _boxed(self, children: list[nodes.Node]) -> nodes.container:
        box = nodes.container(classes=[CLASS])
        self.set_source_info(box)
        box += label_node()
        box.extend(children)
        return box


# -- whole internal pages ------------------------------------------------------------------


def _glob_escape(path: str) -> str:
    # Sphinx's exclude patterns treat *, ? and [ specially
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in path)


def internal_pages(srcdir: str | os.PathLike[str], suffixes: list[str]) -> list[str]:
    """Source paths (relative, with ``/``) of pages whose front matter says ``internt: true``."""
    root = Path(srcdir)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_build")))
        for filename in sorted(filenames):
            if not filename.endswith(tuple(suffixes)):
                continue
            path = Path(dirpath, filename)
            try:
                # utf-8-sig like Sphinx: a byte order mark must not hide "internt: true"
                with open(path, encoding="utf-8-sig", errors="replace") as handle:
                    head = handle.read(16384)
            except OSError:
                continue
            if not head.startswith(("---", ":")):
                continue
            fm = frontmatter.read(head, str(path))
            value, _ = frontmatter.lookup(fm, *PAGE_KEYS)
            if frontmatter.as_bool(value):
                found.append(path.relative_to(root).as_posix())
    return found


def _on_config_inited(app: Sphinx, config: Config) -> None:
    from sphinx.errors import ConfigError

    audience = str(config.rapport_audience).strip().lower()
    if audience not in AUDIENCES:
        # a misspelt audience must not silently build the internal site as "public"
        raise ConfigError(
            f"rapport: rapport_audience ska vara ”{INTERNAL}” eller ”{PUBLIC}”, inte ”{config.rapport_audience}”"
        )
    config.rapport_audience = audience
    # MyST registers ".md" after config-inited, so the usual suffixes are always looked at
    suffixes = sorted({".md", ".rst", *config.source_suffix, *app.registry.source_suffix})
    pages = internal_pages(app.srcdir, suffixes)
    config._rapport_internal_pages = pages
    if audience == PUBLIC:
        # every suffix: Sphinx checks a toctree entry of a missing page against the
        # patterns with the default suffix, and must see it as excluded, not missing
        config.exclude_patterns = [
            *config.exclude_patterns,
            *(_glob_escape(_docname(p) + suffix) for p in pages for suffix in suffixes),
        ]
        # the HTML builder would copy each page's source, internal blocks included
        config.html_copy_source = False
        # a toctree that lists an internal page is expected, not a writer's mistake
        if "toc.excluded" not in config.suppress_warnings:
            config.suppress_warnings = [*config.suppress_warnings, "toc.excluded"]
        if getattr(config, "rapport_pdf_dir", None) == "_build/pdf":
            # the HTML build copies rapport_pdf_dir into the site: never the internal PDFs
            config.rapport_pdf_dir = PUBLIC_PDF_DIR


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Internal build: a whole internal page shows the label under its title."""
    if is_public(app.config):
        return
    meta = app.env.metadata.get(app.env.docname, {})
    if not frontmatter.as_bool(str(meta.get("internt", ""))):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, label_node())
        return
    at = 1 if len(section) and isinstance(section[0], nodes.title) else 0
    section.insert(at, label_node())
    section["classes"].append(CLASS)


def _docname(path: str) -> str:
    return path.rsplit(".", 1)[0]


def _remove_stale_outputs(app: Sphinx, exception: Exception | None) -> None:
    """Public build: delete what an earlier build wrote for a page that is now internal."""
    if exception is not None or not is_public(app.config):
        return
    out = Path(app.outdir)
    for path in getattr(app.config, "_rapport_internal_pages", []):
        docname = _docname(path)
        candidates = [out / f"{docname}.pdf", out / "pdf" / f"{docname}.pdf"]
        try:
            candidates.append(out / app.builder.get_target_uri(docname))
        except Exception:  # noqa: BLE001 - builders without target URIs
            pass
        candidates.append(out / ".cache" / (docname.replace("/", "__") + ".json"))
        for candidate in candidates:
            if candidate.is_file():
                candidate.unlink()


PAGES_FILE = ".rapport-sidor"


def _remove_vanished_pages(app: Sphinx, exception: Exception | None) -> None:
    """Every build: delete the output of documents that were deleted since the last build.

    Sphinx leaves ``rapporter/2025/x.html`` behind when ``x.md`` is deleted; the page
    would stay reachable and Pagefind would index it. The folder remembers which
    documents it holds (``.rapport-sidor``), so the deletion works whichever builder
    (PDF or HTML) noticed that the source was removed.
    """
    if exception is not None or app.builder.name not in ("html", "dirhtml", "rapportpdf"):
        return
    out = Path(app.outdir)
    record = out / PAGES_FILE
    current = sorted(app.env.found_docs)
    try:
        previous = record.read_text(encoding="utf-8").split()
    except OSError:
        previous = []
    for docname in sorted(set(previous) - set(current)):
        candidates = [out / f"{docname}.pdf", out / "pdf" / f"{docname}.pdf"]
        if app.builder.name != "rapportpdf":
            candidates.append(out / app.builder.get_target_uri(docname))
        for candidate in candidates:
            if candidate.is_file():
                candidate.unlink()
    record.write_text("\n".join(current) + "\n", encoding="utf-8")


def _remove_stale_pdf_copies(app: Sphinx, exception: Exception | None) -> None:
    """After the PDF copy into the site (pdf.py, priority 500): the copy of a stale PDF."""
    _remove_stale_outputs(app, exception)


def setup(app: Sphinx) -> None:
    app.add_config_value("rapport_audience", INTERNAL, "env", types=[str])
    app.add_directive("internt", InternalDirective)
    # after rapport.config (400) and before the PDF module reads rapport_pdf_dir
    app.connect("config-inited", _on_config_inited, priority=450)
    app.connect("doctree-read", _on_doctree_read, priority=450)
    # before the search index (which indexes the output folder) ...
    app.connect("build-finished", _remove_stale_outputs, priority=100)
    app.connect("build-finished", _remove_vanished_pages, priority=100)
    # ... and again after the PDFs were copied into the site
    app.connect("build-finished", _remove_stale_pdf_copies, priority=900)

