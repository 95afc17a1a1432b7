"""Search test project: a small, clearly fictitious report series ("Region Fjällmark").

Runs the repository's own conf.py (theme, templates, MyST settings, the series) and
overrides only what the invented content needs, so the browser test exercises the
site's real search markup. Region Fjällmark, its bodies and systems do not exist.
"""

from pathlib import Path as _Path


def _repo() -> _Path:
    # in the repository: tests/roots/test-search; Sphinx's test fixtures build a copy
    # elsewhere, with the repository's _ext on sys.path (tests/conftest.py)
    for parent in _Path(__file__).resolve().parents:
        if (parent / "_ext" / "rapport").is_dir() and (parent / "conf.py").is_file():
            return parent
    import rapport

    return _Path(rapport.__file__).resolve().parents[2]


_REPO_CONF = _repo() / "conf.py"
_ns = {"__file__": str(_REPO_CONF), "__name__": "conf"}
exec(compile(_REPO_CONF.read_text(encoding="utf-8"), str(_REPO_CONF), "exec"), _ns)
globals().update({k: v for k, v in _ns.items() if not k.startswith("__")})
del _ns

project = "Region Fjällmark – fiktiv testdata"
html_title = "Region Fjällmark (fiktiv testdata)"
rapport_today = "2025-12-31"
bibtex_bibfiles = ["kallor.bib"]
# the invented region's published address and contact, so the build has nothing to warn about
html_baseurl = "https://rapport.fjallmark.example/"
rapport_contact = {"namn": "Kommunikationsstaben, Region Fjällmark", "epost": "rapport@fjallmark.example"}
