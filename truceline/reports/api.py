"""POST/GET /reports: parse, call the service, shape the answer for the viewer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, PageParams, actor_of, errors, paginate
from truceline.core.errors import Forbidden
from truceline.geo.selectors import geo_out
from truceline.ledger.selectors import receipt
from truceline.policy import access_draft, access_report, can, sees_reporter, visible_to
from truceline.redaction.selectors import SealedReader, seals_read
from truceline.reports.models import DraftState, Report, ReportDraft
from truceline.reports.services import (
    ReportInput,
    draft_discard,
    draft_save,
    report_amend,
    report_submit,
    report_withdraw,
)

router = Router(tags=["reports"])

Figure = int | list[int]


class LocationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    precision: Literal["exact", "near", "district", "province"]
    place: str | None = None


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")
    category: str
    accused_party: str
    occurred_at: dt.datetime
    time_precision: Literal["exact", "day", "week", "month"] = "exact"
    location: LocationIn
    narrative: str = Field(min_length=1, max_length=20_000)
    casualties: dict[str, dict[str, Figure]] = Field(default_factory=dict)
    origin: str | None = None
    confidentiality: Literal["mechanism", "parties", "public"] = "parties"
    urgent: bool = False
    sources: list[str] = Field(default_factory=list, max_length=50)
    evidence: list[str] = Field(default_factory=list, max_length=50)
    draft: str | None = Field(None, description="the draft this report was written in")

    def to_input(self) -> ReportInput:
        return ReportInput(
            category=self.category,
            accused_party=self.accused_party,
            occurred_at=self.occurred_at,
            time_precision=self.time_precision,
            lat=self.location.lat,
            lon=self.location.lon,
            location_precision=self.location.precision,
            place=self.location.place,
            narrative=self.narrative,
            casualties=self.casualties,
            origin=self.origin,
            confidentiality=self.confidentiality,
            urgent=self.urgent,
            sources=self.sources,
            evidence=self.evidence,
        )


class WithdrawIn(Schema):
    reason: str = ""


class SubmittedOut(Schema):
    report: dict[str, Any]
    incident: dict[str, Any]
    receipt: dict[str, Any]


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


@router.post(
    "/reports",
    response={201: SubmittedOut, **errors(400, 401, 403, 422, 429)},
    auth=Bearer(),
    summary="Submit a report (a liaison for its party, a monitor as an own observation)",
)
def reports_submit(request: HttpRequest, payload: ReportIn) -> Status:
    draft = access_draft(request.user, payload.draft) if payload.draft else None
    report, event = report_submit(actor=actor_of(request), data=payload.to_input(), draft=draft)
    incident = report.incident
    return Status(
        201,
        {
            "report": report_out(report, request.user),
            "incident": {"id": incident.id, "state": incident.state},
            "receipt": receipt(event),
        },
    )


class ReportFilters(PageParams):
    incident: str | None = None


@router.get(
    "/reports",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=Bearer(),
    summary="Reports the caller may see",
)
def reports_list(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    qs = (
        visible_to(request.user, Report)
        .select_related("filed_by", "filing_org")  # the filer's kind: a party or a monitor
        .prefetch_related("versions")
    )
    if filters.incident:
        qs = qs.filter(incident_id=filters.incident)
    return paginate(
        qs,
        filters,
        lambda r: report_out(r, request.user),
        prepare=lambda page: seals_read(request.user, page),
    )


@router.get(
    "/reports/{report_id}",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=Bearer(),
    summary="One report, as the caller may see it",
)
def reports_get(request: HttpRequest, report_id: str) -> dict[str, Any]:
    return report_out(access_report(request.user, report_id), request.user)


@router.post(
    "/reports/{report_id}/amend",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Amend before triage: a new version; every version is kept",
)
def reports_amend(request: HttpRequest, report_id: str, payload: ReportIn) -> dict[str, Any]:
    report = access_report(request.user, report_id)
    if not can(request.user, "amend", report):
        raise Forbidden()
    report = report_amend(actor=actor_of(request), report=report, data=payload.to_input())
    return report_out(report, request.user)


@router.post(
    "/reports/{report_id}/withdraw",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Withdraw before triage",
)
def reports_withdraw(request: HttpRequest, report_id: str, payload: WithdrawIn) -> dict[str, Any]:
    report = access_report(request.user, report_id)
    if not can(request.user, "withdraw", report):
        raise Forbidden()
    report = report_withdraw(actor=actor_of(request), report=report, reason=payload.reason)
    return report_out(report, request.user)


class DraftIn(Schema):
    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any] = Field(description="the report as written so far; checked on submit")
    revision: int | None = Field(None, description="the revision this edit started from")


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


@router.post(
    "/drafts",
    response={201: dict[str, Any], **errors(400, 401, 403, 422)},
    auth=Bearer(),
    summary="Save a report draft on the server (private to its author)",
)
def drafts_create(request: HttpRequest, payload: DraftIn) -> Status:
    return Status(201, draft_out(draft_save(actor=actor_of(request), data=payload.data)))


@router.get(
    "/drafts",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=Bearer(),
    summary="The caller's open drafts, latest first",
)
def drafts_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    qs = visible_to(request.user, ReportDraft).filter(state=DraftState.OPEN)
    return paginate(qs, filters, draft_out)


@router.get(
    "/drafts/{draft_id}",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=Bearer(),
)
def drafts_get(request: HttpRequest, draft_id: str) -> dict[str, Any]:
    return draft_out(access_draft(request.user, draft_id))


@router.put(
    "/drafts/{draft_id}",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Save over a draft; a stale revision answers 409 with the current one",
)
def drafts_update(request: HttpRequest, draft_id: str, payload: DraftIn) -> dict[str, Any]:
    draft = access_draft(request.user, draft_id)
    draft = draft_save(
        actor=actor_of(request), draft=draft, data=payload.data, revision=payload.revision
    )
    return draft_out(draft)


@router.post(
    "/drafts/{draft_id}/discard",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
)
def drafts_discard(request: HttpRequest, draft_id: str) -> dict[str, Any]:
    draft = access_draft(request.user, draft_id)
    return draft_out(draft_discard(actor=actor_of(request), draft=draft))
