"""The web site's own outputs: what only the HTML builders write.

The extension's stylesheet (:mod:`~rapport.site.html`), the accessibility statement link
(:mod:`~rapport.site.accessibility`), the search index (:mod:`~rapport.site.search`), the
Atom feed and sitemap (:mod:`~rapport.site.feed`), the JSON export
(:mod:`~rapport.site.export`) and the links to the PDFs
(:mod:`~rapport.site.pdflinks`). Every handler here checks that the builder is a web
builder. Imports the core, :mod:`rapport.trust`, :mod:`rapport.entries` and
:mod:`rapport.pdf`.
"""
