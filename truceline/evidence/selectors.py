"""Reading evidence as a given person may: its shape, its trail, its bytes."""

from __future__ import annotations

from typing import Any

from truceline.evidence.models import Evidence
from truceline.geo.derive import haversine_km
from truceline.ledger.models import Event
from truceline.policy import is_mediator
from truceline.policy.core import organisation_of


def is_owner_side(viewer: Any, item: Evidence) -> bool:
    """The mechanism, or the party that uploaded it (or its original)."""
    return is_mediator(viewer) or organisation_of(viewer) == item.organisation_id


def evidence_out(item: Evidence, viewer: Any) -> dict[str, Any]:
    """An item as this viewer may see it. Another party never learns who uploaded it; the
    public sees a public copy, whose metadata was stripped with the bytes."""
    body: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "derived_from": None,
        "filename": item.filename,
        "media_type": item.media_type,
        "size": item.size,
        "sha256": item.sha256,
        "incident": item.incident_id,
        "uploaded_at": item.uploaded_at,
        "copies": [{"id": c.id, "kind": c.kind} for c in item.derived.order_by("uploaded_at")],
    }
    if is_owner_side(viewer, item):
        body.update(
            derived_from=item.derived_from_id,
            metadata=item.metadata,
            sharing=item.sharing,
            organisation=item.organisation_id,
            uploaded_by=item.uploaded_by.username,
        )
    elif item.kind == "original":
        body.update(metadata=item.metadata, sharing=item.sharing)
    return body


def custody(item: Evidence) -> list[dict[str, Any]]:
    """Every handling of the item, oldest first: the chain of custody."""
    events = Event.objects.filter(object_type="evidence", object_id=item.id).order_by("seq")
    return [
        {"seq": e.seq, "at": e.recorded_at, "by": e.actor_label, "what": e.kind.split(".", 1)[1]}
        for e in events
    ]


def evidence_for_incident(incident: Any, viewer: Any) -> list[dict[str, Any]]:
    """What this viewer may see of an incident's evidence: each original with its
    thumbnail; where only a public copy is visible (the public), that copy."""
    from truceline.evidence.models import Kind
    from truceline.policy import visible_to

    visible = list(visible_to(viewer, Evidence).filter(incident=incident).order_by("uploaded_at"))
    originals = {e.id for e in visible if e.kind == Kind.ORIGINAL}
    shown = []
    for item in visible:
        if item.kind == Kind.ORIGINAL:
            thumb = next(
                (e for e in visible if e.derived_from_id == item.id and e.kind == Kind.THUMBNAIL),
                None,
            )
            shown.append({"item": item, "image": thumb})
        elif item.kind == Kind.PUBLIC_COPY and item.derived_from_id not in originals:
            shown.append({"item": item, "image": item})
    return shown


FAR_KM = 5.0
LONG_HOURS = 24.0


def against_report(item: Evidence) -> dict[str, Any] | None:
    """A photo's own time and place beside those of the report citing it: a suggestion for
    the filer, a flag for the monitor when they are far apart."""
    import datetime as dt

    from truceline.reports.models import Report

    meta = item.metadata or {}
    if item.incident_id is None or not (meta.get("gps") or meta.get("taken_at")):
        return None
    reports = Report.objects.filter(incident_id=item.incident_id).order_by("submitted_at")
    report = next((r for r in reports if item.id in (r.evidence or [])), None)
    if report is None:
        return None
    out: dict[str, Any] = {"report": report.id}
    gps = meta.get("gps")
    if gps and report.lat is not None and report.lon is not None:
        km = float(haversine_km(report.lat, report.lon, gps["lat"], gps["lon"]))
        out.update(distance_km=round(km, 1), far=km > FAR_KM, photo_place=gps)
    taken = meta.get("taken_at")
    if taken:
        try:  # the camera's clock, zone unknown: compared as if UTC, so hours apart is rough
            at = dt.datetime.fromisoformat(taken).replace(tzinfo=dt.UTC)
        except ValueError:
            return out
        hours = abs((report.occurred_at - at).total_seconds()) / 3600
        out.update(hours_apart=round(hours, 1), long_apart=hours > LONG_HOURS, photo_time=taken)
    return out
