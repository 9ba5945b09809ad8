"""Derived geography for reports filed before it existed, the counting columns of incidents,
and the first tallies. Runs once on an upgraded database; a new one has nothing to fill."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forward(apps: Any, schema_editor: Any) -> None:
    from truceline.dashboards import tally
    from truceline.geo.derive import derive_many
    from truceline.geo.frame import frame_of
    from truceline.geo.services import LOCATION_FIELDS, check_side, fill

    Organisation = apps.get_model("scenario", "Organisation")
    Place = apps.get_model("scenario", "Place")
    Report = apps.get_model("reports", "Report")
    Incident = apps.get_model("incidents", "Incident")
    Finding = apps.get_model("findings", "Finding")
    reports = list(Report.objects.order_by("submitted_at", "id"))
    if not reports:
        return
    parties = Organisation.objects.filter(kind="party").exclude(country_code="")
    codes = dict(parties.values_list("country_code", "name"))
    frame = frame_of(Organisation, apps.get_model("scenario", "Sector"), Place)
    geos = derive_many(frame, [r.lat for r in reports], [r.lon for r in reports])
    for report, geo in zip(reports, geos):
        fill(report, geo, flag=check_side(geo, origin=report.origin_id, codes=codes))
    Report.objects.bulk_update(reports, [f for f in LOCATION_FIELDS if f not in ("lat", "lon")])
    by_incident: dict[str, list[Any]] = {}
    for report in reports:
        by_incident.setdefault(report.incident_id, []).append(report)
    published = {
        f.incident_id: f
        for f in Finding.objects.filter(published_at__isnull=False).order_by("published_at")
    }
    incidents = list(Incident.objects.all())
    for incident in incidents:
        own = by_incident.get(incident.pk, [])
        if own:
            first = own[0]
            for field in LOCATION_FIELDS:
                setattr(incident, field, getattr(first, field))
            for kind in ("killed", "injured"):
                groups = (first.casualties or {}).get(kind, {})
                setattr(incident, kind, sum(low for low, _high in groups.values()))
        orgs = sorted({r.filing_org_id for r in own})
        incident.filers = "," + ",".join(orgs) + "," if orgs else ""
        finding = published.get(incident.pk)
        if finding is not None:
            incident.determination = finding.determination
            incident.attributed_party_id = finding.attributed_party_id
    fields = [*LOCATION_FIELDS, "killed", "injured", "filers", "determination", "attributed_party"]
    Incident.objects.bulk_update(incidents, fields)
    tally.rebuild(
        (
            Incident,
            apps.get_model("dashboards", "WeekTally"),
            apps.get_model("dashboards", "CellTally"),
            apps.get_model("dashboards", "CellTotal"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("reports", "0003_report_border_km_report_cell_report_country_and_more"),
        ("incidents", "0003_incident_attributed_party_incident_border_km_and_more"),
        ("findings", "0003_reconsideration"),
        ("scenario", "0001_initial"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
