"""Dates in English news text, resolved against the article's publication date.

Rules (docs/osint.md): an overnight span takes its first evening; a weekday is the latest such
day on or before publication; "last week" is the Monday of the previous ISO week (precision
week); "last month", "earlier this month" and a bare month name are the first of that month
(precision month); a span of days takes its first day. A day-month without a year takes the
publication's year, or the year before when that would fall after publication."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?:\s*(?:[-–—/]|and|to|or)\s*[0-3]?\d(?:st|nd|rd|th)?)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "md",
        re.compile(
            r"\b(?:"
            + "|".join(WEEKDAYS)
            + r"),?\s+"
            + _MONTH
            + r"\s+"
            + _DAY
            + _DAY2
            + r"\b"
            + _YEAR,
            re.I,
        ),
    ),
    ("md", re.compile(r"\b" + _MONTH + r"\s+" + _DAY + _DAY2 + r"\b" + _YEAR, re.I)),
    ("dm", re.compile(r"\b" + _DAY + _DAY2 + r"\s+(?:of\s+)?" + _MONTH + r"\b" + _YEAR, re.I)),
    (
        "month",
        re.compile(
            r"\b(?:(?:in|during|since|through|throughout|of|early|mid|late|earlier|end\s+of)"
            r"[\s-]+(?:early\s+|mid-?|late\s+)?)" + _MONTH + r"\b" + _YEAR,
            re.I,
        ),
    ),
    ("monthyear", re.compile(r"\b" + _MONTH + r"\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("weekday", re.compile(r"\b(?P<weekday>" + "|".join(WEEKDAYS) + r")(?:'s)?\b", re.I)),
    ("lastweek", re.compile(r"\blast\s+week(?:'s)?\b", re.I)),
    ("thisweek", re.compile(r"\b(?:earlier\s+)?this\s+week\b", re.I)),
    ("lastmonth", re.compile(r"\blast\s+month(?:'s)?\b", re.I)),
    ("thismonth", re.compile(r"\b(?:earlier|later)\s+this\s+month\b|\bthis\s+month\b", re.I)),
    ("yesterday", re.compile(r"\byesterday\b|\blast\s+night\b", re.I)),
    (
        "today",
        re.compile(
            r"\btoday\b|\bthis\s+morning\b|\btonight\b|\b(?:earlier|later)\s+(?:in\s+the\s+day|today)\b",
            re.I,
        ),
    ),
    ("year", re.compile(r"\b(?:in|since|of|during)\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("lastyear", re.compile(r"\blast\s+year\b", re.I)),
]


@dataclass(frozen=True)
class When:
    date: dt.date
    precision: str  # day | week | month | year
    start: int  # span within the text it was found in
    end: int
    relative: bool  # resolved from a weekday or a phrase, not written as a date


def _year_for(month: int, day: int, published: dt.date) -> int:
    year = published.year
    try:
        if dt.date(year, month, day) > published + dt.timedelta(days=1):
            year -= 1
    except ValueError:
        pass
    return year


@lru_cache(maxsize=4096)
def find_dates(text: str, published: dt.date) -> list[When]:
    """Every date expression in ``text``, in order of appearance, overlapping ones dropped
    (cached: several rules ask of one sentence; callers must not change the list)."""
    found: list[When] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            when = _resolve(kind, m, published)
            if when is not None:
                found.append(When(when[0], when[1], m.start(), m.end(), when[2]))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda w: w.start)


def _resolve(kind: str, m: re.Match[str], published: dt.date) -> tuple[dt.date, str, bool] | None:
    groups = m.groupdict()
    if kind in ("md", "dm"):
        month, day = MONTHS[groups["month"].lower()], int(groups["day"])
        year = int(groups["year"]) if groups.get("year") else _year_for(month, day, published)
        try:
            return dt.date(year, month, day), "day", False
        except ValueError:
            return None
    if kind in ("month", "monthyear"):
        month = MONTHS[groups["month"].lower()]
        if kind == "month" and groups["month"].lower() == "may" and not groups.get("year"):
            return None  # "may" is mostly the verb
        year = int(groups["year"]) if groups.get("year") else _year_for(month, 1, published)
        return dt.date(year, month, 1), "month", False
    if kind == "weekday":
        wanted = WEEKDAYS.index(groups["weekday"].lower())
        back = (published.weekday() - wanted) % 7
        return published - dt.timedelta(days=back), "day", True
    monday = published - dt.timedelta(days=published.weekday())
    if kind == "lastweek":
        return monday - dt.timedelta(days=7), "week", True
    if kind == "thisweek":
        return monday, "week", True
    if kind == "lastmonth":
        first = published.replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=1), "month", True
    if kind == "thismonth":
        return published.replace(day=1), "month", True
    if kind == "yesterday":
        return published - dt.timedelta(days=1), "day", True
    if kind == "today":
        return published, "day", True
    if kind == "year":
        return dt.date(int(groups["year"]), 1, 1), "year", False
    if kind == "lastyear":
        return dt.date(published.year - 1, 1, 1), "year", True
    return None
