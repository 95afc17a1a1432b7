"""Compiled Jinja templates kept between builds, beside the environment.

Runs at ``builder-inited``. Nothing here changes what a template renders. (The PDF
builder's two small templates are left as they are.)

Sphinx compiles every theme template it uses again in every build: 37 templates, about
0.15 s of an incremental build at 520 reports, the same whether one page or none is
written. Jinja's own :class:`~jinja2.FileSystemBytecodeCache` keeps the compiled code;
each entry carries a checksum of the template's source and Jinja's version, so an
edited template or an upgraded Jinja is compiled again, never served stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemBytecodeCache

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: in the doctree directory
CACHE_DIR = "rapport-jinja"


def bytecode_cache(app: Sphinx) -> FileSystemBytecodeCache:
    folder = Path(app.doctreedir) / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(folder))


def _on_builder_inited(app: Sphinx) -> None:
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if isinstance(environment, Environment) and environment.bytecode_cache is None:
        environment.bytecode_cache = bytecode_cache(app)


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _on_builder_inited)
