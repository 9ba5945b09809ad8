"""Times as people read them: in the reader's zone, always with the zone said (the template
filters are in web/templatetags/moments.py; forms name the zone they read with current_zone)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def zone_label(value: dt.datetime) -> str:
    """ "UTC", or the offset from it: "UTC+05:00", "UTC+04:30", "UTC-03:00"."""
    offset = value.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def shown(value: dt.datetime, seconds: bool = False) -> str:
    """The instant in the active zone, with the zone: "2026-12-04 08:47 UTC+05:00"."""
    local = timezone.localtime(value)
    stamp = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{stamp} {zone_label(local)}"


def current_zone() -> str:
    """The zone forms read times in, as a label: "UTC+05:00, Asia/Karachi", or "UTC"."""
    now = timezone.localtime()
    name = timezone.get_current_timezone_name()
    label = zone_label(now)
    return label if name in ("UTC", label) else f"{label}, {name}"
