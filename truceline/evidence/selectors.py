"""Reading evidence as a given person may: its shape, its trail, its bytes."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truceline.evidence.models import Citation, Evidence, Kind, Sharing
from truceline.evidence.services import stripped_copy
from truceline.evidence.sniff import strippable
from truceline.evidence.strip import name_for
from truceline.geo.derive import haversine_km
from truceline.ledger.models import Event
from truceline.policy import visible_to
from truceline.policy.evidence import knows_people, sees_original

ROLE_NOUNS = {
    "liaison": gettext_lazy("liaison"),
    "monitor": gettext_lazy("monitor"),
    "signatory": gettext_lazy("signatory"),
    "admin": gettext_lazy("secretariat"),
}


def person_label(person: Any) -> str:
    """A person as someone who may not know their name sees them: "Pakistan's liaison"."""
    if person is None:
        return _("the system")
    role = str(ROLE_NOUNS.get(person.role, _("officer")))
    if person.organisation_id is None:
        return _("the mechanism's %(role)s") % {"role": role}
    return _("%(organisation)s's %(role)s") % {
        "organisation": person.organisation.name,
        "role": role,
    }


def served(item: Evidence, viewer: Any) -> Evidence | None:
    """The item whose bytes this viewer receives for ``item``: the original for its party and
    the mechanism; for anyone else its copy without metadata (a copy is served as itself)."""
    if item.kind != Kind.ORIGINAL or sees_original(viewer, item):
        return item
    return _stripped(item)


def evidence_page_read(viewer: Any, items: list[Evidence]) -> None:
    """What ``evidence_out`` reads of each item, read for a whole page at once and kept on the
    items (a list's answer asks the database three times, not three times per row): the
    copies of each that this viewer may see, each original's copy without metadata, and which
    of the uploaders the viewer may know by name."""
    if not items:
        return
    ids = [item.id for item in items]
    copies: dict[str, list[Evidence]] = {i: [] for i in ids}
    for copy in (
        visible_to(viewer, Evidence).filter(derived_from__in=ids).order_by("uploaded_at", "pk")
    ):
        copies[copy.derived_from_id].append(copy)  # type: ignore[index]
    stripped: dict[str, Evidence] = {}
    for copy in Evidence.objects.filter(derived_from__in=ids, kind=Kind.PUBLIC_COPY).order_by(
        "uploaded_at", "pk"
    ):
        stripped.setdefault(copy.derived_from_id, copy)  # type: ignore[arg-type]
    uploaders = {item.uploaded_by_id for item in items if item.uploaded_by_id is not None}
    known = set(knows_people(viewer).filter(pk__in=uploaders).values_list("pk", flat=True))
    for item in items:
        item._copies_read = copies[item.id]  # type: ignore[attr-defined]
        item._stripped_read = stripped.get(item.id)  # type: ignore[attr-defined]
        item._known_read = known  # type: ignore[attr-defined]


def _stripped(item: Evidence) -> Evidence | None:
    """``stripped_copy``, from what evidence_page_read kept when it did."""
    if item.kind != Kind.ORIGINAL:
        return None
    if hasattr(item, "_stripped_read"):
        return item._stripped_read  # type: ignore[no-any-return]
    return stripped_copy(item)


def download_name(item: Evidence, viewer: Any, bytes_of: Evidence) -> str:
    """The original's own name to its party and the mechanism; the evidence id otherwise
    (and for every copy)."""
    if item.kind == Kind.ORIGINAL and sees_original(viewer, item):
        return item.filename
    return name_for(item.id, bytes_of.media_type)


def withheld(item: Evidence) -> str | None:
    """Why an original shared beyond the mechanism does not reach others yet, if it does not."""
    if item.kind != Kind.ORIGINAL or item.sharing not in {Sharing.PARTIES, Sharing.PUBLIC}:
        return None
    if _stripped(item) is not None:
        return None
    if strippable(item.media_type):
        return _("Not shared yet: its copy without metadata has not been made.")
    return _(
        "Not shared yet: a file of this type (%(type)s) cannot be stripped of its metadata "
        "here, so nobody outside the uploading party and the mechanism receives anything until "
        "a monitor makes a copy without metadata."
    ) % {"type": item.media_type}


def evidence_out(item: Evidence, viewer: Any) -> dict[str, Any]:
    """An item as this viewer may see it. Its party and the mechanism: the original, its name,
    metadata, sharing and uploader. Anyone else: the copy without metadata they receive —
    its type, size and hash, named by the evidence id — and nothing of the original."""
    copies = getattr(item, "_copies_read", None)  # evidence_page_read
    if copies is None:
        copies = visible_to(viewer, Evidence).filter(derived_from=item).order_by("uploaded_at")
    copies_out = [{"id": c.id, "kind": c.kind} for c in copies]
    if sees_original(viewer, item):
        copy = _stripped(item)
        body: dict[str, Any] = {
            "id": item.id,
            "kind": item.kind,
            "content": "original" if item.kind == Kind.ORIGINAL else "copy-without-metadata",
            "derived_from": item.derived_from_id,
            "filename": download_name(item, viewer, item),
            "media_type": item.media_type,
            "size": item.size,
            "sha256": item.sha256,
            "incident": item.incident_id,
            "uploaded_at": item.uploaded_at,
            "copies": copies_out,
            "metadata": item.metadata,
            "sharing": item.sharing,
            "organisation": item.organisation_id,
            "uploaded_by": _known(viewer, item.uploaded_by, getattr(item, "_known_read", None)),
        }
        if item.kind == Kind.ORIGINAL:
            body["shared_copy"] = copy.id if copy is not None else None
            body["strippable"] = strippable(item.media_type)
            body["withheld"] = withheld(item)
        return body
    bytes_of = served(item, viewer)  # the policy shows no original without its copy
    return {
        "id": item.id,
        "kind": item.kind,
        "content": "copy-without-metadata",
        "filename": name_for(item.id, bytes_of.media_type) if bytes_of else None,
        "media_type": bytes_of.media_type if bytes_of else None,
        "size": bytes_of.size if bytes_of else None,
        "sha256": bytes_of.sha256 if bytes_of else None,
        "incident": item.incident_id,
        "copies": copies_out,
    }


def _known(viewer: Any, person: Any, known: set[int] | None = None) -> str:
    if person is not None:
        if known is not None:
            may = person.pk in known
        else:
            may = knows_people(viewer).filter(pk=person.pk).exists()
        if may:
            return str(person.get_username())
    return person_label(person)


def custody(item: Evidence, viewer: Any) -> list[dict[str, Any]]:
    """Every handling of the item and of the copies made from it, oldest first: the chain of
    custody. People are named only to those who may know them (their own party, the
    mechanism); to anyone else they are "Pakistan's liaison", "Qatar's monitor"."""
    ids = [item.id, *item.derived.values_list("id", flat=True)]
    events = list(
        Event.objects.filter(object_type="evidence", object_id__in=ids)
        .select_related("actor__organisation")
        .order_by("seq")
    )
    actors = {e.actor_id for e in events if e.actor_id is not None}
    known = set(knows_people(viewer).filter(pk__in=actors).values_list("pk", flat=True))
    out = []
    for e in events:
        by = e.actor_label if e.actor_id in known else person_label(e.actor)
        entry: dict[str, Any] = {
            "seq": e.seq,
            "at": e.recorded_at,
            "by": by,
            "what": e.kind.split(".", 1)[1],
            "item": e.object_id,
        }
        if e.kind in {"evidence.viewed", "evidence.downloaded"}:
            payload = json.loads(e.payload)
            if "served" in payload:
                entry["served"] = payload["served"]
        out.append(entry)
    return out


def evidence_for_incident(incident: Any, viewer: Any) -> list[dict[str, Any]]:
    """What this viewer may see of the evidence cited by an incident's reports and
    responses: each original with its thumbnail; where only a copy without metadata is
    visible (the public), that copy. Shaped as ``evidence_out`` shapes it for the viewer."""
    cited = Citation.objects.filter(
        Q(report__incident=incident) | Q(response__incident=incident)
    ).values("evidence_id")
    visible = list(
        visible_to(viewer, Evidence)
        .filter(Q(pk__in=cited) | Q(derived_from_id__in=cited))
        .order_by("uploaded_at")
    )
    originals = {e.id for e in visible if e.kind == Kind.ORIGINAL}
    shown = []
    for item in visible:
        if item.kind == Kind.ORIGINAL:
            thumb = next(
                (e for e in visible if e.derived_from_id == item.id and e.kind == Kind.THUMBNAIL),
                None,
            )
            image = thumb.id if thumb is not None else None
        elif item.kind == Kind.PUBLIC_COPY and item.derived_from_id not in originals:
            image = item.id if item.media_type.startswith("image/") else None
        else:
            continue
        out = evidence_out(item, viewer)
        out["label"] = (
            item.get_kind_display() if out["content"] == "original" else _("Copy without metadata")
        )
        shown.append({**out, "image": image})
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
