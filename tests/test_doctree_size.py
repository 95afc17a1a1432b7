"""Pickled doctrees stay small: no node points at another document (and its environment).

Standing content is parsed once into a document of its own and copied into every
report; docutils' ``copy()`` keeps ``_document``, so a copy could drag that document,
its settings and ``settings.env`` (the whole environment) into every report's pickle.
Found by the benchmark: 1.3-3.7 MB per report doctree at 520 reports instead of ~17 kB.
"""

from __future__ import annotations

from docutils import nodes
from trusttools import root_fixture

#: the build test_sections reads too (conftest.built_root)
built = root_fixture("sections")


def test_report_doctree_nodes_belong_to_the_report(built) -> None:
    app = built
    with_standing = 0
    for docname in sorted(app.env.found_docs):
        doctree = app.env.get_doctree(docname)
        if any(s.get("rapport_standing") for s in doctree.findall(nodes.section)):
            with_standing += 1
        foreign = [n for n in doctree.findall() if n._document is not None and n._document is not doctree]
        assert foreign == [], docname
        # and the pickle Sphinx wrote carries no environment
        data = (app.doctreedir / f"{docname}.doctree").read_bytes()
        assert b"BuildEnvironment" not in data, docname
    assert with_standing, "some report of the root should show standing content"
