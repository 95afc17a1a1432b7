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
    # every setting, the e-mail edition's and the SMTP server's included, is typed here
    assert registered == names
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


# -- rapport.toml: the writer's settings in a data file ------------------------------------

TOML_CONF = """
import sys
sys.path.insert(0, {ext!r})
from pathlib import Path
from rapport import settingsfile
globals().update(settingsfile.load(Path(__file__).parent))
extensions = ["myst_parser", "rapport"]
language = "sv"
rapport_search = "sphinx"
"""


def toml_project(tmp_path: Path, toml: str) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    ext = str(Path(__file__).resolve().parent.parent / "_ext")
    (src / "conf.py").write_text(TOML_CONF.format(ext=ext), encoding="utf-8")
    (src / "rapport.toml").write_text(toml, encoding="utf-8")
    (src / "index.md").write_text("# Start\n", encoding="utf-8")
    return src


def test_a_wrong_value_in_rapport_toml_is_a_warning_naming_the_file_and_line(make_app, tmp_path):
    src = toml_project(
        tmp_path,
        '# kommentar\n[epost]\navsandare = "Kommunikation"\n\n[smtp]\nport = 99999\nserver = "smtp.example.se"\n'
        '[godkannande]\ngodkannare = ["Anna Alm <anna@example.se>"]\nkravs = true\nokand = 1\n',
    )
    app = make_app("dummy", srcdir=src)
    toml = str(src / "rapport.toml")
    assert sorted(line.replace(toml, "rapport.toml") for line in warnings_of(app)) == [
        "rapport.toml:11: WARNING: okänd inställning ”godkannande.okand” i rapport.toml [rapport.config]",
        "rapport.toml:3: WARNING: epost.avsandare = 'Kommunikation' ska vara en avsändare på en rad, till exempel "
        "”Kommunikation <rapport@example.se>” (eller tom); standardvärdet '' används [rapport.config]",
        "rapport.toml:6: WARNING: smtp.port = 99999 ska vara ett portnummer (1–65535); standardvärdet 587 används "
        "[rapport.config]",
    ]
    values = settings(app.config).values
    assert (values.smtp_host, values.smtp_port, values.email_from) == ("smtp.example.se", 587, "")
    assert values.approvers == ["Anna Alm <anna@example.se>"] and values.signoff_required is True


def test_the_command_line_gets_the_same_typed_settings_without_sphinx(tmp_path):
    from rapport.config import settings_from
    from rapport.writer.cli import load_conf

    src = toml_project(tmp_path, '[smtp]\nsakerhet = "STARTTLS "\ntidsgrans = "lång"\n')
    checked = settings_from(load_conf(src))
    assert checked.values.smtp_security == "starttls"  # normalised as the build does
    assert checked.values.smtp_timeout == 30
    assert [p.refusal() for p in checked.problems] == [
        "rapport.toml:3: smtp.tidsgrans = 'lång' ska vara ett antal sekunder större än 0"
    ]


def test_a_broken_rapport_toml_is_one_swedish_warning_with_the_line(make_app, tmp_path):
    src = toml_project(tmp_path, '[kontakt]\nnamn = Anna\n')
    app = make_app("dummy", srcdir=src)
    assert [line.replace(str(src) + "/", "") for line in warnings_of(app)] == [
        "rapport.toml:2: WARNING: ogiltigt värde (en text ska stå inom citattecken) [rapport.config]"
    ]


def test_the_shipped_project_reads_its_settings_from_rapport_toml_without_a_problem():
    from rapport.config import settings_from
    from rapport.writer.cli import load_conf

    root = Path(__file__).resolve().parent.parent
    checked = settings_from(load_conf(root))
    assert checked.problems == ()
    assert checked.values.settings_file == str(root / "rapport.toml")
    # the project ships no approvers (the source material names none) and says so
    assert checked.values.approvers == [] and checked.values.signoff_required is False
    assert "namnger ingen person" in (root / "rapport.toml").read_text(encoding="utf-8")
    conf = (root / "conf.py").read_text(encoding="utf-8")
    assert not re.search(r"^rapport_(smtp|email|contact)", conf, re.MULTILINE)


def test_writing_rapport_toml_back_keeps_its_comments(tmp_path):
    from rapport import settingsfile

    path = tmp_path / "rapport.toml"
    path.write_text('# överst\n[smtp]\n# servern\nserver = ""  # till exempel\nport = 587\n', encoding="utf-8")
    text = settingsfile.write(path, {"smtp.server": "smtp.example.se", "kontakt": {"namn": "Anna"}})
    assert text.startswith('# överst\n[smtp]\n# servern\nserver = "smtp.example.se"  # till exempel\nport = 587\n')
    path.write_text(text, encoding="utf-8")
    assert settingsfile.current(path) == {"kontakt": {"namn": "Anna"}, "smtp.server": "smtp.example.se", "smtp.port": 587}


# -- one typed path: no module reads a setting off Sphinx's config by itself -----------------

EXT = Path(__file__).resolve().parent.parent / "_ext" / "rapport"
SETTING_NAMES = {f"rapport_{spec.name}" for spec in config_fields()}


def direct_setting_reads(source: str) -> list[tuple[int, str]]:
    """(line, name) of every read of a setting that bypasses the typed path
    (``settings(config).values`` in a build, ``project.settings.values`` in a command): an
    attribute ``x.rapport_<setting>``, ``getattr(x, "rapport_<setting>")``, and conf.py's
    values read as a mapping, ``x.get("rapport_<setting>")`` or ``x["rapport_<setting>"]``."""
    import ast

    def setting_name(node: ast.AST) -> str | None:
        return node.value if isinstance(node, ast.Constant) and node.value in SETTING_NAMES else None

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in SETTING_NAMES:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call) and len(node.args) >= 1:
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr") and len(node.args) >= 2:
                name = setting_name(node.args[1])
            elif isinstance(func, ast.Attribute) and func.attr == "get":
                name = setting_name(node.args[0])
            else:
                name = None
            if name:
                found.append((node.lineno, name))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and (name := setting_name(node.slice)):
            found.append((node.lineno, name))
    return found


def test_the_check_finds_every_kind_of_direct_read_but_not_a_template_key() -> None:
    planted = (
        "def f(app, context, project):\n"
        "    a = app.config.rapport_preview\n"
        "    b = getattr(app.config, 'rapport_pdf_bundle', None)\n"
        "    context['rapport_preview'] = settings(app.config).values.preview\n"
        "    c = project.config.get('rapport_email_log')\n"
        "    d = project.config['rapport_kontroll_tillatna']\n"
        "    e = project.config.get('myst_enable_extensions')\n"
        "    return app.config.rapport_no_such_setting\n"
    )
    assert sorted(direct_setting_reads(planted)) == [
        (2, "rapport_preview"), (3, "rapport_pdf_bundle"), (5, "rapport_email_log"), (6, "rapport_kontroll_tillatna"),
    ]  # fmt: skip


def test_settings_are_read_only_through_the_typed_path() -> None:
    """Only rapport.config, which declares, validates and writes the settings back, touches
    ``config.rapport_*``; every other module reads ``settings(config).values`` in a build or
    ``project.settings.values`` in a command (both RapportConfig), so a value is always the
    validated one of its declared type."""
    found = {
        (path.relative_to(EXT).as_posix(), name)
        for path in sorted(EXT.rglob("*.py"))
        if path.name != "config.py" or path.parent != EXT
        for _, name in direct_setting_reads(path.read_text(encoding="utf-8"))
    }
    # the one exception: rapport skicka looks at the sender as written only to say that it
    # holds a line break (a header injection), after the typed path has refused the value
    assert found == {("email/send.py", "rapport_email_from")}
