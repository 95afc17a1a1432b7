"""Sphinx extension for recurring situation reports ("Regional rapport ...").

``extensions = ["rapport"]`` in ``conf.py`` loads every concept module below; each one
registers its own directives, stores and event handlers. Module docstrings say which
build phase their code runs in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "0.1.0"

# Order matters only for registration: the domain and config values come first.
MODULES = (
    "config",
    "registry",
    "sections",
    "reports",
    "series",
    "topics",
    "actions",
    "links",
    "feed",
    "html",
    "carryover",
    "guide",
    "pdf",
    "references",
    "decisions",
    "faq",
    "export",
    "overviews",
    "search",
    "audience",
    "safety",
    "accessibility",
    "sources",
    "confine",
    "sourceguard",
    "text",
    "email",
)


def setup(app: Sphinx) -> dict[str, Any]:
    import importlib

    app.require_sphinx("9.0")
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").setup(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
