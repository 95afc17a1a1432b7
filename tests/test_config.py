"""The typed configuration (rapport.config.RapportConfig): one declaration, one validation.

A setting of the wrong kind in conf.py is one Swedish warning naming the setting and
conf.py, and the build goes on with the default; where the default would build the
wrong thing (the series, the audience) the build stops with Sphinx's ConfigError.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from sphinx.errors import ConfigError

from conftest import warnings_of
from rapport.config import RapportConfig, config_fields, settings

CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "rapport"]
language = "sv"
rapport_search = "sphinx"
{extra}
"""


def project(tmp_path: Path, extra: str) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    ext = str(Path(__file__).resolve().parent.parent / "_ext")
    (src / "conf.py").write_text(CONF.format(ext=ext, extra=extra), encoding="utf-8")
    (src / "index.md").write_text("# Start\n", encoding="utf-8")
    return src


def test_every_setting_is_declared_once_with_type_default_and_rebuild_flag(make_app, tmp_path):
    app = make_app("dummy", srcdir=project(tmp_path, ""))
    names = {f"rapport_{f.name}" for f in config_fields()}
    registered = {name for name in app.config._options if name.startswith("rapport_")}
    # every setting but the e-mail edition's own (rapport.email declares those) is typed here
    assert registered - names == {n for n in registered if n.startswith(("rapport_email_", "rapport_smtp_"))}
    assert names <= registered
    for spec in config_fields():
        registered = app.config._options[f"rapport_{spec.name}"]
        assert registered.rebuild == spec.metadata["rebuild"], spec.name
        assert spec.metadata["validator"](registered.default) is None, spec.name
    assert settings(app.config).values == dataclasses.replace(RapportConfig(), search="sphinx")
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings(app.config).values.preview = True  # type: ignore[misc]


def test_a_wrong_kind_of_value_is_one_swedish_warning_and_the_default_is_used(make_app, tmp_path):
    src = project(tmp_path, 'rapport_pdf_max_pages = "fyra"\nrapport_preview = "ja"\nrapport_today = "igår"')
    app = make_app("dummy", srcdir=src)
    app.build()
    conf = str(src / "conf.py")
    assert [line.replace(conf, "conf.py") for line in warnings_of(app)] == [
        "conf.py:9: WARNING: rapport_today = 'igår' ska vara ett datum på formen ÅÅÅÅ-MM-DD (eller tom); "
        "standardvärdet '' används [rapport.config]",
        "conf.py:8: WARNING: rapport_preview = 'ja' ska vara True eller False; standardvärdet False används "
        "[rapport.config]",
        "conf.py:7: WARNING: rapport_pdf_max_pages = 'fyra' ska vara ett heltal; standardvärdet 4 används "
        "[rapport.config]",
    ]
    assert app.config.rapport_pdf_max_pages == 4 and app.config.rapport_preview is False
    assert settings(app.config).values.pdf_max_pages == 4


def test_a_search_engine_that_does_not_exist_falls_back_to_pagefind(make_app, tmp_path):
    app = make_app("dummy", srcdir=project(tmp_path, 'rapport_search = "google"'))
    assert app.config.rapport_search == "pagefind"
    assert "rapport_search = 'google' ska vara ”pagefind” eller ”sphinx”" in app.warning.getvalue()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("rapport_series = []", "rapport_series = [] ska vara en dict med serierna"),
        ("rapport_audience = 1", "rapport_audience = 1 ska vara en text"),
        ('rapport_default_series = "okand"', "rapport_default_series 'okand' finns inte i rapport_series"),
    ],
)
def test_a_setting_that_would_build_the_wrong_site_stops_the_build(make_app, tmp_path, extra, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        make_app("dummy", srcdir=project(tmp_path, extra))
