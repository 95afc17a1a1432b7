"""The report series' configuration: typed section and series specifications.

Runs at ``config-inited`` (validation) and is read in every later phase. A series is
declared in ``conf.py``::

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

import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sphinx.errors import ConfigError as SphinxConfigError

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


def get_series(config: Config, key: str | None = None) -> SeriesSpec | None:
    """The series ``key`` (default series if ``None``), or ``None`` if unknown."""
    specs: dict[str, SeriesSpec] = config._rapport_series  # set at config-inited
    return specs.get(key or config.rapport_default_series)


def is_report(config: Config, docname: str) -> bool:
    """Whether ``docname`` is a report page (and not, say, a year page)."""
    if docname.rsplit("/", 1)[-1] == "index":
        return False
    return any(fnmatch.fnmatchcase(docname, pattern) for pattern in config.rapport_report_patterns)


def _on_config_inited(app: Sphinx, config: Config) -> None:

    try:
        config._rapport_series = parse_series(config.rapport_series)
    except ConfigError as exc:
        raise SphinxConfigError(f"rapport: {exc}") from None
    if config.rapport_default_series not in config._rapport_series:
        raise SphinxConfigError(
            f"rapport: rapport_default_series {config.rapport_default_series!r} finns inte i rapport_series"
        )
    # MyST's own English "Malformed YAML" would duplicate our Swedish front matter warning.
    if "myst.topmatter" not in config.suppress_warnings:
        config.suppress_warnings = [*config.suppress_warnings, "myst.topmatter"]


DEFAULT_SERIES: dict[str, Any] = {
    "rapport": {
        "title": "Rapport",
        "sections": [{"key": "sammanfattning", "label": "Sammanfattning", "required": True}],
    }
}


def setup(app: Sphinx) -> None:
    app.add_config_value("rapport_series", DEFAULT_SERIES, "env", types=[dict])
    app.add_config_value("rapport_default_series", "rapport", "env", types=[str])
    app.add_config_value("rapport_report_patterns", ["rapporter/*/*"], "env", types=[list])
    app.connect("config-inited", _on_config_inited, priority=400)
