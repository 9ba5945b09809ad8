"""The baseline the charts show: what others recorded before the ceasefire."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Sum

from truceline.exchange.models import HistoricEvent
from truceline.policy import visible_to

WEEKS = 52


def baseline(viewer: Any, ceasefire: dt.date, parties: list[Any]) -> dict[str, Any] | None:
    """Per party: imported events (and deaths) a week on average before the ceasefire, on its
    territory and within 50 km of the shared border, over the 52 weeks before it, or, when
    nothing of that year was imported, over the whole span imported. None without history."""
    before = visible_to(viewer, HistoricEvent).filter(event_date__lt=ceasefire)
    start = ceasefire - dt.timedelta(weeks=WEEKS)
    year = before.filter(event_date__gte=start)
    weeks = float(WEEKS)
    end = ceasefire
    if not year.exists():
        span = before.order_by("event_date").values_list("event_date", flat=True)
        first, last = (
            span.first(),
            before.order_by("-event_date").values_list("event_date", flat=True).first(),
        )
        if first is None or last is None:
            return None
        start, end, year = first, last + dt.timedelta(days=1), before
        weeks = max((end - start).days / 7, 1.0)
    rows = []
    for party in parties:
        mine = year.filter(country=party.country_code)
        near = mine.filter(border_km__lte=50)
        total = mine.aggregate(n=Count("id"), dead=Sum("fatalities"))
        rows.append(
            {
                "party": party,
                "events": total["n"],
                "per_week": round(total["n"] / weeks, 2),
                "deaths_per_week": round((total["dead"] or 0) / weeks, 2),
                "border_per_week": round(near.count() / weeks, 2),
            }
        )
    sources = sorted(set(year.values_list("source", flat=True)))
    return {"from": start, "to": end, "rows": rows, "sources": sources}
