"""Template filters for times: ``{{ value|moment }}`` renders a ``<time>`` in the active zone
(the signed-in user's; UTC for everyone else) with its offset, e.g. "2026-12-04 08:47
UTC+05:00"; ``{{ value|moment_utc }}`` adds the same instant in UTC, for the moments parties in
different zones must agree on (deadlines, reply windows, embargoes). Both are template
builtins. A time rendered without them is refused by web/tests/test_moments.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from truceline.core import moments

register = template.Library()


def _time(value: dt.datetime, text: str) -> SafeString:
    iso = value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    # isolated left to right: inside right-to-left text the date and its zone keep their order
    return format_html('<time datetime="{}" dir="ltr">{}</time>', iso, text)


@register.filter
def moment(value: Any, seconds: str = "") -> Any:
    """The instant in the reader's zone, with the zone; "—" for nothing."""
    if not isinstance(value, dt.datetime):
        return value if value not in (None, "") else "—"
    return _time(value, moments.shown(value, seconds == "seconds"))


@register.filter
def moment_utc(value: Any) -> Any:
    """The instant in the reader's zone and, where that is not UTC, in UTC too."""
    if not isinstance(value, dt.datetime):
        return value if value not in (None, "") else "—"
    local = moments.shown(value)
    if local.endswith(" UTC"):
        return _time(value, local)
    return _time(value, f"{local} ({value.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC)")


@register.simple_tag
def current_zone() -> str:
    return moments.current_zone()
