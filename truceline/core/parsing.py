"""Reading values out of submitted forms without letting a malformed one become a 500.

Django's own parsers answer ``None`` for text that does not look like a value, but raise
``ValueError`` for text that looks like one and is impossible (``2025-13-45T10:00``), and
``int()`` accepts numbers no database column holds. The views' forms read through these.
"""

from __future__ import annotations

import datetime as dt

from django.utils.dateparse import parse_datetime

BIGINT_MAX = 2**63 - 1


def datetime_or_none(value: str | None) -> dt.datetime | None:
    """A date and time, or None for anything that is not one (impossible dates included)."""
    try:
        return parse_datetime(value or "")
    except ValueError:
        return None


def id_or_none(value: str | None) -> int | None:
    """A positive integer a 64-bit key can hold, or None."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= BIGINT_MAX else None
