"""What the test projects in tests/roots share; each ``test-*/conf.py`` runs this file first.

Executed in the conf.py's own namespace (as test-search runs the real conf.py), not
imported, so every build gets fresh values that its conf.py may change or replace. A
conf.py finds it through the ``rapport`` package, because the tests build copies of
the roots elsewhere. Fictitious content only (the invented region "Fjällmark").
"""

from pathlib import Path

import rapport

extensions = ["myst_parser", "rapport"]
language = "sv"
myst_enable_extensions = ["colon_fence"]
rapport_default_series = "test"


def series(title, *sections, key="test"):
    """``rapport_series`` with one series (``test`` unless told otherwise)."""
    return {key: {"title": title, "sections": list(sections)}}


def section(key, label, required=True, **options):
    """One section of a series: required unless told otherwise, as most are."""
    return {"key": key, "label": label, **({"required": True} if required else {}), **options}


def summary(label="Sammanfattande lägesbild"):
    return section("sammanfattning", label)


def actions(label="Kommunikativa åtgärder", required=False):
    """The section whose list items are actions (the timeline reads them)."""
    return section("atgarder", label, required, actions=True)


def standing(key, label):
    """A required section whose text is the project's standing file ``_standard/<key>.md``."""
    return section(key, label, standing=f"_standard/{key}.md")


def site_templates():
    """The real site's templates (search page, layout with one h1, breadcrumbs, menu
    button), for a project built with the site's theme."""
    return [str(Path(rapport.__file__).resolve().parents[2] / "_templates")]


def site_project(project):
    """The injection and trust projects: built with the real site's theme and templates,
    at the local preview address, one series with actions."""
    return {
        "project": project,
        "author": "Testavdelningen",
        "rapport_series": series("Testrapport Fjällmark", summary(), actions()),
        "rapport_today": "2025-12-31",
        "html_theme": "sphinx_book_theme",
        "templates_path": site_templates(),
        "html_baseurl": "http://127.0.0.1:8000/",
    }


def register_project():
    """The register tests' project; test-registry and test-registry-bad differ only in
    their sources."""
    return {
        "extensions": ["myst_parser", "sphinxcontrib.bibtex", "rapport"],
        "bibtex_bibfiles": ["kallor.bib"],
        "rapport_series": series("Testrapport", summary()),
        "rapport_today": "2025-12-31",
        # Sphinx's own search: no Pagefind run or site templates needed here
        "rapport_search": "sphinx",
    }
