"""Site search: Pagefind's index of the built HTML, with facets, dates and deep links.

Why Pagefind and not Sphinx's own search: Sphinx's ``searchindex.js`` holds the whole
index and every page of the theme loads it before the first query (it grows with the
archive), while Pagefind loads only the index chunks a query needs, stems Swedish
(it reads ``<html lang="sv">``) and offers filters and sorting. The measured figures are
in ``bench/search_metrics.py`` and the README.

One module per concept:

* :mod:`~rapport.site.search.markup`: the pages marked up for Pagefind
  (``builder-inited``, a post-transform, ``html-page-context``);
* :mod:`~rapport.site.search.collect`: which pages and records (offered by their rooms
  through ``rapport-search-records``) go into which part of the index;
* :mod:`~rapport.site.search.plan`: that plan as plain data;
* :mod:`~rapport.site.search.indexing`: the build's handlers (``write-started``,
  ``build-finished``);
* :mod:`~rapport.site.search.indexer`: carrying out a plan (staging, Pagefind, the list
  of parts), in the build or in the preview's indexer process
  (:mod:`~rapport.site.search.background`);
* :mod:`~rapport.site.search.staging`, :mod:`~rapport.site.search.pagefind`,
  :mod:`~rapport.site.search.bundle`, :mod:`~rapport.site.search.canonical` (a
  byte-identical index), :mod:`~rapport.site.search.words` ("Menade du …?").

The search interface (``static/rapport-search.js``) is a small Swedish UI on Pagefind's
JavaScript API, loaded from the site itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    # imported here: the preview's indexer process (python -m rapport.site.search.indexer)
    # imports this package and needs neither Sphinx nor these modules
    from rapport.site.search import indexing, markup

    app.add_post_transform(markup.HeadingAnchors)
    app.connect("builder-inited", markup.on_builder_inited)
    app.connect("builder-inited", indexing.on_builder_inited)
    app.connect("html-page-context", markup.on_html_page_context)
    app.connect("write-started", indexing.on_write_started)
    app.connect("build-finished", indexing.on_build_finished)
