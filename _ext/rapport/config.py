"""Every ``rapport_*`` setting, typed and validated in one place, and the report series.

Runs at ``config-inited`` (validation) and is read in every later phase. The settings
are declared once, in :class:`RapportConfig` (the pattern of MyST-Parser's
``MdParserConfig``): each field is a setting without its ``rapport_`` prefix, with its
default, its type, a validator and Sphinx's rebuild flag in the field's metadata.
:func:`setup` registers them with Sphinx from there, and :func:`_on_config_inited`
checks them all: a value of the wrong kind is a Swedish warning naming the setting
(``rapport.config``) and the default is used, except where building with the default
would build the wrong thing (the series, the audience): that stops the build with a
Sphinx ``ConfigError``. The e-mail and SMTP settings, the sign-off and the site address
are fields here too.

The settings a writer changes live in ``rapport.toml`` (:mod:`rapport.settingsfile`),
which ``conf.py`` reads; a wrong value there is a warning naming ``rapport.toml`` and the
line. The ``rapport`` command, which runs without Sphinx, gets the same typed and
validated values from :func:`settings_from` (conf.py's namespace in, the same checks).

A series is declared in ``conf.py``::

    rapport_series = {
        "samordning-vim": {
            "title": "Regional rapport Samordning vårdinformationsmiljö",
            "sections": [
                {"key": "sammanfattning", "label": "Sammanfattande lägesbild", "required": True},
                {"key": "talesperson", "label": "Talesperson", "standing": "_standard/talesperson.md"},
            ],
        },
    }
    rapport_default_series = "samordning-vim"

The set of sections, their labels, their order and which are required all live there,
so another series can define its own.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sphinx.errors import ConfigError as SphinxConfigError

from rapport import events, settingsfile
from rapport.messages import warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


class ConfigError(ValueError):
    """Raised for an invalid ``rapport_series``; reported as a Sphinx config error."""


@dataclass(frozen=True)
class SectionSpec:
    key: str  # the directive argument and the stable HTML anchor
    label: str  # the heading the reader sees
    required: bool = False
    standing: str | None = None  # path (relative to the source dir) of the standing content
    actions: bool = False  # list items are communication actions (date, channel, link)


@dataclass(frozen=True)
class SeriesSpec:
    key: str
    title: str
    sections: tuple[SectionSpec, ...]

    def section(self, key: str) -> SectionSpec | None:
        for spec in self.sections:
            if spec.key == key:
                return spec
        return None

    def position(self, key: str) -> int:
        for index, spec in enumerate(self.sections):
            if spec.key == key:
                return index
        return -1

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.sections)


_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _parse_section(series: str, raw: Any, index: int) -> SectionSpec:
    where = f"rapport_series[{series!r}]['sections'][{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} ska vara en dict")
    key, label = raw.get("key"), raw.get("label")
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ConfigError(f"{where}: 'key' ska vara gemena bokstäver a-z, siffror och bindestreck")
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"{where}: 'label' saknas")
    unknown = set(raw) - {"key", "label", "required", "standing", "actions"}
    if unknown:
        raise ConfigError(f"{where}: okända nycklar {sorted(unknown)}")
    standing = raw.get("standing")
    if standing is not None and not isinstance(standing, str):
        raise ConfigError(f"{where}: 'standing' ska vara en sökväg")
    return SectionSpec(key, label.strip(), bool(raw.get("required", False)), standing, bool(raw.get("actions", False)))


def parse_series(raw: Any) -> dict[str, SeriesSpec]:
    """Validate ``rapport_series`` and turn it into typed records."""
    if not isinstance(raw, dict) or not raw:
        raise ConfigError("rapport_series ska vara en dict med minst en serie")
    result: dict[str, SeriesSpec] = {}
    for key, body in raw.items():
        if not isinstance(body, dict):
            raise ConfigError(f"rapport_series[{key!r}] ska vara en dict")
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ConfigError(f"rapport_series[{key!r}]: 'title' saknas")
        sections = tuple(_parse_section(key, s, i) for i, s in enumerate(body.get("sections", [])))
        if not sections:
            raise ConfigError(f"rapport_series[{key!r}]: 'sections' saknas")
        keys = [s.key for s in sections]
        if len(set(keys)) != len(keys):
            raise ConfigError(f"rapport_series[{key!r}]: samma avsnitt förekommer flera gånger")
        result[key] = SeriesSpec(key, title.strip(), sections)
    return result


#: conf.py's default ``html_baseurl``: the local preview, not an address to publish at
LOCAL_BASE_URL = "http://127.0.0.1:8000/"


def is_local_address(url: str) -> bool:
    """Whether ``url`` points at this computer (the preview), not at a published site."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def published_base_url(config: Config) -> str:
    """``html_baseurl`` if it is an address to publish at, else "" (empty or the preview)."""
    base = config.html_baseurl or ""
    return "" if not base or is_local_address(base) else base


def get_series(config: Config, key: str | None = None) -> SeriesSpec | None:
    """The series ``key`` (default series if ``None``), or ``None`` if unknown."""
    return settings(config).series.get(key or config.rapport_default_series)


def is_report(config: Config, docname: str) -> bool:
    """Whether ``docname`` is a report page (and not, say, a year page)."""
    if docname.rsplit("/", 1)[-1] == "index":
        return False
    return any(fnmatch.fnmatchcase(docname, pattern) for pattern in config.rapport_report_patterns)


DEFAULT_SERIES: dict[str, Any] = {
    "rapport": {
        "title": "Rapport",
        "sections": [{"key": "sammanfattning", "label": "Sammanfattning", "required": True}],
    }
}

#: the candidate font families of the PDFs, first complete one wins; Debian packages
#: fonts-liberation (metric-compatible with Arial, which the source documents use) and
#: fonts-dejavu-core
DEFAULT_FONTS: list[dict[str, str]] = [
    {
        "family": "Liberation Sans",
        "regular": "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "bold": "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "italic": "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf",
        "bolditalic": "/usr/share/fonts/truetype/liberation/LiberationSans-BoldItalic.ttf",
    },
    {
        "family": "DejaVu Sans",
        "regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "italic": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
        "bolditalic": "/usr/share/fonts/truetype/dejavu/DejaVuSans-BoldOblique.ttf",
    },
]


# -- validators: each returns what is wrong (Swedish, after "ska vara") or None ------------

Validator = Callable[[Any], "str | None"]


def _of(kind: type, described: str) -> Validator:
    def check(value: Any) -> str | None:
        # True is an int to Python, not a number of pages to a writer
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return None
        return described

    return check


def _list_of(kind: type, described: str) -> Validator:
    def check(value: Any) -> str | None:
        if isinstance(value, (list, tuple)) and all(isinstance(item, kind) for item in value):
            return None
        return described

    return check


def _choice(*choices: str) -> Validator:
    def check(value: Any) -> str | None:
        return None if value in choices else " eller ".join(f"”{c}”" for c in choices)

    return check


def _iso_date_or_empty(value: Any) -> str | None:
    if value == "":
        return None
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return "ett datum på formen ÅÅÅÅ-MM-DD (eller tom)"
    return None if isinstance(value, str) else "ett datum på formen ÅÅÅÅ-MM-DD (eller tom)"


#: the keys a contact may have (``rapport_contact``, ``rapport_accessibility_contact``)
CONTACT_KEYS = ("namn", "epost", "telefon", "webbadress")


def _contact_or_none(value: Any) -> str | None:
    described = "None eller en dict med texterna " + ", ".join(CONTACT_KEYS)
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(CONTACT_KEYS):
        return described
    return None if all(isinstance(v, str) for v in value.values()) else described


def _url_or_empty(value: Any) -> str | None:
    described = "en webbadress som börjar med https:// eller http:// (eller tom)"
    if value == "":
        return None
    if not isinstance(value, str) or any(c in value for c in "\r\n \t"):
        return described
    parts = urlsplit(value)
    return None if parts.scheme in ("http", "https") and parts.hostname else described


_ADDRESS_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def is_address(value: str) -> bool:
    """Whether ``value`` is one address, with or without a name ("Namn <a@b.se>")."""
    if not value.strip() or any(c in value for c in "\r\n\0"):
        return False
    _, address = parseaddr(value)
    return bool(_ADDRESS_RE.match(address)) and value.count("@") == 1


def _address_or_empty(value: Any) -> str | None:
    if value == "" or (isinstance(value, str) and is_address(value)):
        return None
    return "en avsändare på en rad, till exempel ”Kommunikation <rapport@example.se>” (eller tom)"


def _addresses(value: Any) -> str | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) and is_address(v) for v in value):
        return None
    return "en lista av adresser på formen ”Namn <adress@example.se>”"


def _port(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536
    return None if ok else "ett portnummer (1–65535)"


def _seconds(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    return None if ok else "ett antal sekunder större än 0"


def _outside_docs(value: Any) -> str | None:
    described = "en sökväg i projektmappen utanför docs/ (den publiceras aldrig)"
    if not isinstance(value, str) or not value.strip() or os.path.isabs(value):
        return described
    first = Path(value).parts[0] if Path(value).parts else ""
    return described if first in ("docs", "..") else None


def _audience(value: Any) -> str | None:
    if not isinstance(value, str):
        return "en text"
    return None if value in ("internt", "publik") else f"”internt” eller ”publik”, inte ”{value}”"


def _normal_word(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


_TEXT = _of(str, "en text")
_FLAG = _of(bool, "True eller False")
_NUMBER = _of(int, "ett heltal")
_NAMES = _list_of(str, "en lista av texter")


def setting(
    default: Any,
    rebuild: str,
    validator: Validator,
    *,
    fatal: bool = False,
    doc: str = "",
    normalize: Callable[[Any], Any] | None = None,
) -> Any:
    """A field of :class:`RapportConfig`: default, Sphinx's rebuild flag ("env": pages
    must be read again, "html": written again, "": neither), validator, whether a
    wrong value stops the build (``fatal``) instead of falling back to the default, and
    what the value is made of before it is checked (``normalize``)."""
    metadata = {"rebuild": rebuild, "validator": validator, "fatal": fatal, "doc": doc, "normalize": normalize}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: _copy(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


@dataclass(frozen=True)
class RapportConfig:
    """The extension's settings; ``rapport_<field>`` in ``conf.py`` or ``-D``."""

    series: dict[str, Any] = setting(
        DEFAULT_SERIES, "env", _of(dict, "en dict med serierna"), fatal=True, doc="the report series"
    )
    default_series: str = setting("rapport", "env", _TEXT, fatal=True, doc="key of the series a report belongs to")
    report_patterns: list[str] = setting(["rapporter/*/*"], "env", _NAMES, doc="docname patterns of reports")
    today: str = setting("", "env", _iso_date_or_empty, doc="publication day (ISO); empty: today")
    preview: bool = setting(False, "env", _FLAG, doc="show drafts and future reports")
    audience: str = setting(
        "internt",
        "env",
        _audience,
        fatal=True,
        doc="internt or publik (rapport.trust.audience)",
        normalize=_normal_word,
    )
    allow_raw_html: bool = setting(False, "env", _FLAG, doc="let raw HTML through (rapport.trust.safety)")
    search: str = setting("pagefind", "html", _choice("pagefind", "sphinx"), doc="the site's search engine")
    search_years_per_part: int = setting(
        10, "html", _NUMBER, doc="years of reports per part of the search index (rapport.site.search)"
    )
    search_guide: str = setting(
        "skrivguide",
        "html",
        _TEXT,
        doc="folder of the writer's guide: out of search results unless the reader picks it",
    )
    accessibility_page: str = setting("tillganglighet", "html", _TEXT, doc="docname of the accessibility statement")
    # None: the project shows no contact; {} (or no name, e-mail, phone or web address):
    # one is expected but missing, and the build says so (rapport.site.readers)
    # "env": the accessibility statement falls back to it while it is read
    contact: dict[str, str] | None = setting(None, "env", _contact_or_none, doc="the series' contact on report pages")
    accessibility_contact: dict[str, str] | None = setting(
        None, "env", _contact_or_none, doc="where readers report accessibility problems (else rapport_contact)"
    )
    kontroll_tillatna: list[str] = setting([], "", _NAMES, doc="numbers and addresses rapport kontroll allows")
    # PDFs: "" rebuild, choosing a variant or a date range must not invalidate the environment
    pdf_variant: str = setting("pdf/ua-1", "", _TEXT, doc="pdf/ua-1, pdf/a-2a or pdf/a-3a")
    pdf_dir: str = setting("_build/pdf", "", _TEXT, doc="where the HTML build finds the PDFs (from conf.py)")
    pdf_from: str = setting("", "", _TEXT, doc="first day of the bundle (ISO)")
    pdf_to: str = setting("", "", _TEXT, doc="last day of the bundle (ISO)")
    pdf_bundle: str = setting("samlingsvolym", "", _TEXT, doc="file name of the bundle")
    pdf_appendices: list[str] = setting(["beslutsregister", "faq"], "", _NAMES, doc="pages appended to the bundle")
    pdf_max_pages: int = setting(4, "", _NUMBER, doc="pages a report should fit on")
    pdf_max_columns: int = setting(6, "", _NUMBER, doc="table columns that fit a page")
    pdf_workers: int = setting(0, "", _NUMBER, doc="processes laying out PDFs; 0: one per CPU (at most 4) or -j")
    pdf_fonts: list[dict[str, str]] = setting(DEFAULT_FONTS, "", _list_of(dict, "en lista av dict"), doc="fonts")
    # -- from rapport.toml (rapport.settingsfile); "" rebuild: none changes what a page says
    site_url: str = setting("", "", _url_or_empty, doc="the published site's address (conf.py: html_baseurl)")
    settings_file: str = setting("", "", _TEXT, doc="the rapport.toml conf.py read (set by settingsfile.load)")
    settings_error: str = setting("", "", _TEXT, doc="why rapport.toml could not be read (settingsfile.load)")
    email_from: str = setting("", "", _address_or_empty, doc="the e-mail edition's sender")
    email_attach_pdf: bool = setting(False, "", _FLAG, doc="attach the report's PDF to the e-mail")
    email_public_base_url: str = setting("", "", _url_or_empty, doc="public lists' links; empty: html_baseurl")
    email_lists: str = setting("utskick/listor.txt", "", _outside_docs, doc="the distribution lists file")
    email_log: str = setting("utskick/skicklogg.jsonl", "", _outside_docs, doc="the send log")
    smtp_host: str = setting("", "", _TEXT, doc="the SMTP server")
    smtp_port: int = setting(587, "", _port, doc="587 with starttls, 465 with tls")
    smtp_security: str = setting("starttls", "", _choice("starttls", "tls", "none"), normalize=_normal_word)
    smtp_user: str = setting("", "", _TEXT, doc="empty: no login; the password is never a setting")
    smtp_cafile: str = setting("", "", _TEXT, doc="the organisation's CA certificate")
    smtp_timeout: float = setting(30, "", _seconds, doc="seconds to wait for the SMTP server")
    approvers: list[str] = setting([], "", _addresses, doc="who approves a report: 'Namn <adress>'")
    signoff_required: bool = setting(False, "", _FLAG, doc="sending and publishing need an approved version")


def config_fields() -> tuple[Field[Any], ...]:
    return fields(RapportConfig)


@dataclass(frozen=True)
class Settings:
    """What :func:`_on_config_inited` made of the configuration, for every later phase."""

    values: RapportConfig
    series: dict[str, SeriesSpec]
    confdir: str  # relative paths in settings (rapport_pdf_dir) are relative to conf.py


def settings(config: Config) -> Settings:
    """The validated settings (set at ``config-inited``; one attribute, never pickled)."""
    return config._rapport


def _default(spec: Field[Any]) -> Any:
    factory = spec.default_factory
    return factory() if callable(factory) else spec.default


#: where the public PDFs go unless rapport_pdf_dir is set: never the internal PDFs' folder
PUBLIC_PDF_DIR = "_build/publik/pdf"


def _setting_line(conf: str, name: str) -> str | None:
    """``conf.py:12`` where ``name`` is assigned, or ``None`` (a ``-D`` override)."""
    try:
        with open(conf, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if re.match(rf"^{name}\s*(:[^=]*)?=", line):
                    return f"{conf}:{number}"
    except OSError:
        pass
    return None


@dataclass(frozen=True)
class Problem:
    """A setting that is wrong: the Swedish message, where, and whether it stops the build."""

    name: str  # rapport_...
    message: str  # what the build warns (with the default it uses instead)
    location: str | None
    fatal: bool
    text: str = ""  # what is wrong, without the default: a command's refusal

    def refusal(self) -> str:
        """One line for a command that refuses to work with this value: file:line: what."""
        where = ""
        if self.location:
            path, _, line = self.location.rpartition(":")
            where = f"{os.path.basename(path)}:{line}: " if line.isdigit() else f"{os.path.basename(self.location)}: "
        return where + (self.text or self.message)


def _where(name: str, settings_file: str, conf: str) -> tuple[str, str | None]:
    """How the writer knows the setting (its rapport.toml key, else its name) and where."""
    entry = settingsfile.BY_SETTING.get(name.removeprefix("rapport_"))
    if entry is not None and settings_file:
        line = settingsfile.line_of(settings_file, entry.key)
        if line is not None:
            return entry.key, f"{settings_file}:{line}"
    return name, _setting_line(conf, name)


def check_values(get: Callable[[str], Any], conf: str) -> tuple[dict[str, Any], list[Problem]]:
    """Every field's value from ``get("rapport_x")``, checked; wrong ones replaced by the
    default (or, where fatal, kept and named in a fatal problem)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    settings_file = str(get("rapport_settings_file") or "")
    for spec in config_fields():
        name = f"rapport_{spec.name}"
        value = get(name)
        if spec.metadata["normalize"] is not None:
            value = spec.metadata["normalize"](value)
        problem = spec.metadata["validator"](value)
        if problem is not None:
            shown, location = _where(name, settings_file, conf)
            # a problem that names the wrong value itself ("…, inte ”x”") needs no "= x"
            text = f"{shown} ska vara {problem}" if ", inte ”" in problem else f"{shown} = {value!r} ska vara {problem}"
            message = text
            if not spec.metadata["fatal"]:
                value = _default(spec)
                message += f"; standardvärdet {value!r} används"
            problems.append(Problem(name, message, location, bool(spec.metadata["fatal"]), text))
        values[spec.name] = value
    if values["settings_error"]:
        # "rapport.toml:2: what": the file's full path as the location, like every other warning
        line, _, what = values["settings_error"].partition(": ")
        where = os.path.join(os.path.dirname(settings_file), line) if settings_file else line
        problems.append(Problem("rapport_settings_file", what, where, False, what))
    elif settings_file:
        for key, line in settingsfile.unknown_keys(settings_file):
            where = f"{settings_file}:{line}" if line else settings_file
            problems.append(Problem("rapport_settings_file", f"okänd inställning ”{key}” i rapport.toml", where, False))
    if values["audience"] == "publik" and values["pdf_dir"] == "_build/pdf":
        # the HTML build copies rapport_pdf_dir into the site: never the internal PDFs
        values["pdf_dir"] = PUBLIC_PDF_DIR
    return values, problems


def _validate(app: Sphinx, config: Config) -> RapportConfig:
    conf = os.path.join(app.confdir, "conf.py")
    values, problems = check_values(lambda name: getattr(config, name), conf)
    for problem in problems:
        if problem.fatal:
            raise SphinxConfigError(f"rapport: {problem.message}")
        warn("config", problem.message, problem.location)
    raw_site_url = config.rapport_site_url
    if values["site_url"] != raw_site_url and config.html_baseurl == raw_site_url:
        config.html_baseurl = LOCAL_BASE_URL  # an address that is not one is not linked to
    for name, value in values.items():
        # the attribute and the frozen copy agree: code not yet reading settings() sees the checked value
        if getattr(config, f"rapport_{name}") != value:
            setattr(config, f"rapport_{name}", value)
    return RapportConfig(**values)


@dataclass(frozen=True)
class CommandSettings:
    """The typed settings for the ``rapport`` command and the desk (no Sphinx app)."""

    values: RapportConfig
    series: dict[str, SeriesSpec]
    problems: tuple[Problem, ...]

    def problem(self, *names: str) -> Problem | None:
        """The first problem with one of the settings ``names`` (``rapport_smtp_port``, ...)."""
        return next((p for p in self.problems if p.name in names or p.fatal), None)


def settings_from(namespace: Mapping[str, Any], confdir: Path | str | None = None) -> CommandSettings:
    """conf.py's values (``rapport.writer.cli.load_conf``) checked as ``config-inited``
    checks them, for code that runs without Sphinx: the same types, defaults, messages."""
    defaults = {f"rapport_{spec.name}": _default(spec) for spec in config_fields()}
    if confdir is None and namespace.get("rapport_settings_file"):
        confdir = Path(str(namespace["rapport_settings_file"])).parent  # rapport.toml is beside conf.py
    conf = os.path.join(str(confdir), "conf.py") if confdir is not None else "conf.py"
    values, problems = check_values(lambda name: namespace.get(name, defaults[name]), conf)
    try:
        series = parse_series(values["series"])
    except ConfigError as exc:
        series = {}
        problems.append(Problem("rapport_series", str(exc), _setting_line(conf, "rapport_series"), True))
    return CommandSettings(RapportConfig(**values), series, tuple(problems))


def _on_config_inited(app: Sphinx, config: Config) -> None:
    values = _validate(app, config)
    try:
        series = parse_series(values.series)
    except ConfigError as exc:
        raise SphinxConfigError(f"rapport: {exc}") from None
    if values.default_series not in series:
        raise SphinxConfigError(
            f"rapport: rapport_default_series {values.default_series!r} finns inte i rapport_series"
        )
    config._rapport = Settings(values, series, str(app.confdir))
    # MyST's own English "Malformed YAML" would duplicate our Swedish front matter warning.
    if "myst.topmatter" not in config.suppress_warnings:
        config.suppress_warnings = [*config.suppress_warnings, "myst.topmatter"]


def setup(app: Sphinx) -> None:
    for spec in config_fields():
        default = _default(spec)
        # a None default (a setting that is off unless given) takes any type; the validator checks it
        types = [type(default)] if default is not None else []
        if type(default) is int:
            types = [int, float]  # the validator says what is wrong, in Swedish
        app.add_config_value(f"rapport_{spec.name}", default, spec.metadata["rebuild"], types=types)
    app.connect("config-inited", _on_config_inited, priority=events.CONFIG)
