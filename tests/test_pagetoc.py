"""The on-page contents (rapport.site.pagetoc) give the theme's markup without its
per-page BeautifulSoup parse: compared with pydata-sphinx-theme's own function on the
toc shapes Sphinx writes, and on the built site."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from pydata_sphinx_theme.toctree import add_toctree_functions

from rapport.site.pagetoc import page_toc_html

TITLE_AND_SECTIONS = (
    '<ul>\n<li><a class="reference internal" href="#">Rapport 2 januari 2020</a><ul>\n'
    '<li><a class="reference internal" href="#lagesbild">Sammanfattande lägesbild</a></li>\n'
    '<li><a class="reference internal" href="#beslut">Beslut &amp; <code class="docutils literal notranslate">'
    '<span class="pre">kod</span></code></a><ul>\n'
    '<li><a class="reference internal" href="#detalj">Detalj</a><ul>\n'
    '<li><a class="reference internal" href="#djup">Djup</a></li>\n</ul>\n</li>\n</ul>\n</li>\n'
    "</ul>\n</li>\n</ul>\n"
)
TITLE_ONLY = '<ul>\n<li><a class="reference internal" href="#">Bara en rubrik</a></li>\n</ul>\n'
SEVERAL_TOP = (
    '<ul>\n<li><a class="reference internal" href="#a">A</a><ul>\n'
    '<li><a class="reference internal" href="#a1">A1</a></li>\n</ul>\n</li>\n'
    '<li><a class="reference internal" href="#b">B</a></li>\n</ul>\n'
)
WITH_CLASS = '<ul class="simple">\n<li><a class="reference internal" href="#">T</a><ul>\n<li><a class="reference internal" href="#s">S</a></li>\n</ul>\n</li>\n</ul>\n'


def theirs(toc: str, level: int) -> str:
    context = {"toc": toc, "theme_show_toc_level": level}
    add_toctree_functions(None, "sida", "page.html", context, None)  # type: ignore[arg-type]
    return str(context["generate_toc_html"]())


def norm(markup: str) -> str:
    return str(BeautifulSoup(markup, "html.parser")).strip()


@pytest.mark.parametrize("toc", [TITLE_AND_SECTIONS, TITLE_ONLY, SEVERAL_TOP, WITH_CLASS, ""])
@pytest.mark.parametrize("level", [1, 2, 3])
def test_same_markup_as_the_theme(toc: str, level: int) -> None:
    assert norm(page_toc_html(toc, level)) == norm(theirs(toc, level))


def test_title_sections_are_the_contents_with_the_theme_classes() -> None:
    out = BeautifulSoup(page_toc_html(TITLE_AND_SECTIONS, 2), "html.parser")
    top = out.find("ul")
    assert top["class"] == ["pst-show_toc_level", "nav", "section-nav", "flex-column"]
    items = top.find_all("li", recursive=False)
    assert [li.a.get_text() for li in items] == ["Sammanfattande lägesbild", "Beslut & kod"]
    assert items[0]["class"] == ["toc-h2", "nav-item", "toc-entry"]
    assert items[0].a["class"] == ["reference", "internal", "nav-link"]
    # the fourth level is deeper than show_toc_level + 1: shown only when scrolled to
    deepest = out.find("a", href="#djup").find_parent("ul")
    assert deepest["class"] == ["nav", "section-nav", "flex-column"]
    assert page_toc_html(TITLE_ONLY, 2) == ""
