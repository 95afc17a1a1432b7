"""What an index is made from: its parts, their pages and record pages (no Sphinx here).

Pagefind has no incremental mode: it reads every page it is given. A single index of
the whole site took 5 s at 520 reports after every saved edit. The site is therefore
indexed in parts, each a Pagefind bundle of its own, which the browser merges with
Pagefind's multisite support (``mergeIndex``): one part per span of years (the years'
reports and the decisions, FAQ entries and actions dated then) and one for the other
pages (archive, registers, topics, timeline, the writer's guide). The newest years are
the primary bundle in ``pagefind/`` (the one whose ``pagefind.js`` the browser loads),
the others are in ``pagefind/<part>/``, listed in ``pagefind/rapport-index.json``.

:class:`IndexPlan` is made in the HTML build (:mod:`rapport.site.search.collect`) and
carried out by :mod:`rapport.site.search.indexer`, in the build or, for the live
preview, in a process of its own: it is plain data, written to a JSON file for that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: the part of the pages that are not reports (and of the writer's guide)
BUCKET_PAGES = "sidor"


@dataclass
class PartPlan:
    """One part of the index: the pages and record pages it indexes."""

    name: str
    #: (path in the site, file of the written page, whether its words are suggestions)
    pages: list[tuple[str, str, bool]] = field(default_factory=list)
    #: record pages: (staged file name, HTML)
    records: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class IndexPlan:
    """Everything an index run needs; paths are absolute."""

    site: str  # the HTML output folder
    doctreedir: str  # where the staging folders and the state are kept
    primary: str  # the part in pagefind/ itself
    parts: dict[str, PartPlan]
    records: int  # how many record pages, for the build's statistics
    executable: str = ""  # Pagefind; "" when it is missing
    guide: str = ""  # the writer's guide's type, left out of results unless chosen

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> IndexPlan:
        data = json.loads(text)
        parts = {
            name: PartPlan(
                name,
                [(r, f, bool(w)) for r, f, w in part["pages"]],
                [(n, h) for n, h in part["records"]],
            )
            for name, part in data.pop("parts").items()
        }
        return cls(parts=parts, **data)

    @property
    def site_path(self) -> Path:
        return Path(self.site)

    @property
    def doctree_path(self) -> Path:
        return Path(self.doctreedir)


def year_bucket(year: int, span: int = 10) -> str:
    """``2023`` -> ``2020-2029`` (``2023`` for one year a part): fixed spans, so a year
    never changes part.

    Years per part: ``rapport_search_years_per_part``, by default a decade. A query
    loads one chunk of the word index (about 25 KB) from every part: one part per year
    took the first query at 520 reports to 530 KB, five-year parts to 299 KB, over or
    at the 300 KB it may cost; decades keep it near 285 KB. An edit re-indexes the
    report's decade and the pages that list it (about 1 s at one report a week).
    """
    span = max(1, span)
    start = year - year % span
    return str(start) if span == 1 else f"{start}-{start + span - 1}"


def primary_of(names: Iterable[str]) -> str:
    """The primary part among ``names``: the newest years (the pages' part when no page
    or record has a year)."""
    years = [n for n in names if n and n != BUCKET_PAGES]
    return max(years) if years else BUCKET_PAGES
