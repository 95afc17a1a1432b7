"""Sphinx extension for recurring situation reports ("Regional rapport ...").

``extensions = ["rapport"]`` in ``conf.py`` loads the whole extension. The package is
arranged in rooms (ARCHITECTURE.md at the repository root is the map):

* the core, flat in this folder: the report model (:mod:`~rapport.config`,
  :mod:`~rapport.registry`, :mod:`~rapport.reports`, :mod:`~rapport.sections`,
  :mod:`~rapport.series`, :mod:`~rapport.topics`, :mod:`~rapport.links`), its helpers
  (:mod:`~rapport.dates`, :mod:`~rapport.frontmatter`, :mod:`~rapport.messages`) and
  the extension points (:mod:`~rapport.events`, :mod:`~rapport.cache`);
* :mod:`rapport.trust`: what keeps hostile or broken sources out of every output;
* :mod:`rapport.entries`: decisions, FAQ entries, actions and the references to them;
* :mod:`rapport.pdf`: the PDF builder;
* :mod:`rapport.site`: what only the web site has (search, feed, export, PDF links);
* :mod:`rapport.email`: the e-mail edition;
* :mod:`rapport.writer`: the writer's command ``rapport`` and the writer's guide.

The core imports no room; a room imports the core and the rooms listed before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "0.1.0"


def setup(app: Sphinx) -> dict[str, Any]:
    # imported here, not at the top: ``import rapport.writer.cli`` (the ``rapport``
    # command) must not load Sphinx's whole extension before it needs it
    from rapport import extension

    return extension.setup(app)
