"""The reports' answers: a report as each viewer may see it, drafts, the answer to a
submission — their schemas and the builders the API (and the incident's page) call."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.geo.outputs import GeoOut
from truceline.geo.selectors import geo_out
from truceline.incidents.models import State
from truceline.ledger.outputs import ReceiptOut
from truceline.policy import sees_reporter
from truceline.redaction.selectors import SealedReader
from truceline.reports.models import (
    Confidentiality,
    DraftState,
    PlacePrecision,
    Report,
    ReportDraft,
    TimePrecision,
)

Figure = int | list[int]  # a casualty figure: a count, or a range as [low, high]
FOR_THE_FILER = "for the filing party and the mechanism only"


class ReportLocationOut(Schema):
    lat: float
    lon: float
    precision: Annotated[str, one_of(PlacePrecision.values)]
    place: str | None


class ReportVersionOut(Schema):
    number: int
    submitted_at: dt.datetime
    data: dict[str, Any] = Field(description="the report as that version said it (sealed)")


class ReportOut(Schema):
    """A report as this viewer may see it: the accused party never learns who filed it, nor
    from which sources (those fields are then absent)."""

    id: str
    incident: str
    version: int
    submitted_at: dt.datetime
    withdrawn: bool
    category: str
    accused_party: str
    origin: str | None
    occurred_at: dt.datetime
    time_precision: Annotated[str, one_of(TimePrecision.values)]
    location: ReportLocationOut
    narrative: str
    casualties: dict[str, dict[str, Figure]]
    urgent: bool
    confidentiality: Annotated[str, one_of(Confidentiality.values)]
    geo: GeoOut
    filing_party: str | None = Field(None, description=FOR_THE_FILER)
    filing_organisation: str | None = Field(None, description=FOR_THE_FILER)
    filed_by: str | None = Field(None, description=FOR_THE_FILER)
    sources: list[str] | None = Field(None, description=FOR_THE_FILER)
    evidence: list[str] | None = Field(None, description=FOR_THE_FILER)
    versions: list[ReportVersionOut] | None = Field(None, description=FOR_THE_FILER)


class IncidentStateOut(Schema):
    id: str
    state: Annotated[str, one_of(State.values)]


class SubmittedOut(Schema):
    report: ReportOut
    incident: IncidentStateOut
    receipt: ReceiptOut


class DraftOut(Schema):
    id: str
    data: dict[str, Any] = Field(description="the report as written so far")
    revision: int
    state: Annotated[str, one_of(DraftState.values)]
    created_at: dt.datetime
    updated_at: dt.datetime
    report: str | None = Field(description="the report it became, once submitted")


def report_out(report: Report, viewer: Any) -> dict[str, Any]:
    """The report as this viewer may see it: the accused party never learns who filed it
    or from which sources."""
    sealed = SealedReader(viewer, report)
    body: dict[str, Any] = {
        "id": report.id,
        "incident": report.incident_id,
        "version": report.version,
        "submitted_at": report.submitted_at,
        "withdrawn": report.withdrawn,
        "category": report.category_id,
        "accused_party": report.accused_party_id,
        "origin": report.origin_id,
        "occurred_at": report.occurred_at,
        "time_precision": report.time_precision,
        "location": {
            "lat": report.lat,
            "lon": report.lon,
            "precision": report.location_precision,
            "place": report.place_id,
        },
        "narrative": sealed.text("narrative", report.narrative),
        "casualties": report.casualties,
        "urgent": report.urgent,
        "confidentiality": report.confidentiality,
        "geo": geo_out(report, viewer),
    }
    if sees_reporter(viewer, report):
        body |= {
            "filing_party": report.filing_party_id,
            "filing_organisation": report.filing_org_id,
            "filed_by": report.filed_by.username,
            "sources": sealed.text("sources", report.sources),
            "evidence": report.evidence,
            "versions": [
                {
                    "number": v.number,
                    "submitted_at": v.submitted_at,
                    "data": sealed.fields(v.data),
                }
                for v in report.versions.all()
            ],
        }
    return body


def submitted_out(report: Report, viewer: Any, receipt: dict[str, Any]) -> dict[str, Any]:
    incident = report.incident
    return {
        "report": report_out(report, viewer),
        "incident": {"id": incident.id, "state": incident.state},
        "receipt": receipt,
    }


def draft_out(draft: ReportDraft) -> dict[str, Any]:
    return {
        "id": draft.id,
        "data": draft.data,
        "revision": draft.revision,
        "state": draft.state,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "report": draft.report_id,
    }
