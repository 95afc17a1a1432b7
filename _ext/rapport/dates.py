"""Swedish date handling: parsing front matter values and formatting in house style.

Pure functions, used in every build phase and by the ``rapport`` command. House style
follows DIGG's web guidelines: "25 september 2025" in running text and "kl. 8.30" for
times; ISO dates (2025-09-25) only where space is short.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

# "2025-09-25 08:30", "2025-09-25T08:30", "2025-09-25 8.30", "2025-09-25 kl. 8.30",
# "2025-09-25 klockan 08:30" (the seed's own spelling) and a bare date.
_DATETIME_RE = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:(?:\s+|T)(?:(?:kl\.?|klockan)\s*)?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::\d{2})?)?\s*$",
    re.IGNORECASE,
)


class DateError(ValueError):
    """A date or time that cannot be read; the message is Swedish and writer-facing."""


def parse_date(value: str) -> dt.date:
    """Parse an ISO date (``2025-09-25``) or raise :class:`DateError`."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise DateError(f"”{text}” är inte ett datum på formen ÅÅÅÅ-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DateError(f"”{text}” är inget giltigt datum") from None


def parse_datetime(value: str) -> tuple[dt.datetime, bool]:
    """Parse a compile timestamp; return it and whether a time of day was given."""
    text = str(value).strip()
    match = _DATETIME_RE.match(text)
    if not match:
        raise DateError(f"”{text}” är inte en tidpunkt på formen ÅÅÅÅ-MM-DD TT:MM")
    day = parse_date(match["date"])
    if match["h"] is None:
        return dt.datetime(day.year, day.month, day.day), False
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        raise DateError(f"”{text}” har ett ogiltigt klockslag")
    return dt.datetime(day.year, day.month, day.day, hour, minute), True


def format_date(day: dt.date) -> str:
    """``25 september 2025`` (no leading zero, month in lower case)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_time(moment: dt.datetime | dt.time) -> str:
    """``kl. 8.30``: hour without leading zero, a point between hour and minute."""
    return f"kl. {moment.hour}.{moment.minute:02d}"


def format_datetime(moment: dt.datetime, has_time: bool = True) -> str:
    """``25 september 2025 kl. 8.30``."""
    text = format_date(moment.date())
    if has_time:
        text += " " + format_time(moment)
    return text
