"""POST/GET /reports: parse, call the service, shape the answer for the viewer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, Page, PageParams, actor_of, errors, paginate
from truceline.core.errors import Forbidden
from truceline.ledger.selectors import receipt
from truceline.policy import access_draft, access_report, can, visible_to
from truceline.redaction.selectors import seals_read
from truceline.reports.models import DraftState, Report, ReportDraft
from truceline.reports.outputs import (
    DraftOut,
    Figure,
    ReportOut,
    SubmittedOut,
    draft_out,
    report_out,
    submitted_out,
)
from truceline.reports.services import (
    ReportInput,
    draft_discard,
    draft_save,
    report_amend,
    report_submit,
    report_withdraw,
)

router = Router(tags=["reports"])


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


@router.post(
    "/reports",
    response={201: SubmittedOut, **errors(400, 401, 403, 422, 429)},
    auth=Bearer(),
    exclude_unset=True,
    summary="Submit a report (a liaison for its party, a monitor as an own observation)",
)
def reports_submit(request: HttpRequest, payload: ReportIn) -> Status:
    draft = access_draft(request.user, payload.draft) if payload.draft else None
    report, event = report_submit(actor=actor_of(request), data=payload.to_input(), draft=draft)
    return Status(201, submitted_out(report, request.user, receipt(event)))


class ReportFilters(PageParams):
    incident: str | None = None


@router.get(
    "/reports",
    response={200: Page[ReportOut], **errors(401, 422)},
    auth=Bearer(),
    summary="Reports the caller may see",
    exclude_unset=True,
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
    response={200: ReportOut, **errors(401, 404)},
    auth=Bearer(),
    summary="One report, as the caller may see it",
    exclude_unset=True,
)
def reports_get(request: HttpRequest, report_id: str) -> dict[str, Any]:
    return report_out(access_report(request.user, report_id), request.user)


@router.post(
    "/reports/{report_id}/amend",
    response={200: ReportOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Amend before triage: a new version; every version is kept",
    exclude_unset=True,
)
def reports_amend(request: HttpRequest, report_id: str, payload: ReportIn) -> dict[str, Any]:
    report = access_report(request.user, report_id)
    if not can(request.user, "amend", report):
        raise Forbidden()
    report = report_amend(actor=actor_of(request), report=report, data=payload.to_input())
    return report_out(report, request.user)


@router.post(
    "/reports/{report_id}/withdraw",
    response={200: ReportOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Withdraw before triage",
    exclude_unset=True,
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


@router.post(
    "/drafts",
    response={201: DraftOut, **errors(400, 401, 403, 422)},
    auth=Bearer(),
    summary="Save a report draft on the server (private to its author)",
    exclude_unset=True,
)
def drafts_create(request: HttpRequest, payload: DraftIn) -> Status:
    return Status(201, draft_out(draft_save(actor=actor_of(request), data=payload.data)))


@router.get(
    "/drafts",
    response={200: Page[DraftOut], **errors(401, 422)},
    auth=Bearer(),
    summary="The caller's open drafts, latest first",
    exclude_unset=True,
)
def drafts_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    qs = visible_to(request.user, ReportDraft).filter(state=DraftState.OPEN)
    return paginate(qs, filters, draft_out)


@router.get(
    "/drafts/{draft_id}",
    response={200: DraftOut, **errors(401, 404)},
    auth=Bearer(),
    exclude_unset=True,
)
def drafts_get(request: HttpRequest, draft_id: str) -> dict[str, Any]:
    return draft_out(access_draft(request.user, draft_id))


@router.put(
    "/drafts/{draft_id}",
    response={200: DraftOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Save over a draft; a stale revision answers 409 with the current one",
    exclude_unset=True,
)
def drafts_update(request: HttpRequest, draft_id: str, payload: DraftIn) -> dict[str, Any]:
    draft = access_draft(request.user, draft_id)
    draft = draft_save(
        actor=actor_of(request), draft=draft, data=payload.data, revision=payload.revision
    )
    return draft_out(draft)


@router.post(
    "/drafts/{draft_id}/discard",
    response={200: DraftOut, **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
    exclude_unset=True,
)
def drafts_discard(request: HttpRequest, draft_id: str) -> dict[str, Any]:
    draft = access_draft(request.user, draft_id)
    return draft_out(draft_discard(actor=actor_of(request), draft=draft))
