"""/findings: read, vote, acknowledge, publish, verify; /keys: the guarantors' public keys."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import F
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import (
    Bearer,
    OptionalBearer,
    Page,
    PageParams,
    actor_of,
    errors,
    paginate,
)
from truceline.findings import services
from truceline.findings.models import Finding, Reconsideration
from truceline.findings.outputs import (
    FindingOut,
    ReconsiderationOut,
    SigningKeysOut,
    VerifiedOut,
    VotedOut,
    finding_out,
    reconsideration_out,
    signing_keys_out,
    verified_out,
)
from truceline.ledger.selectors import receipt
from truceline.ledger.services import capture_events
from truceline.policy import (
    access_finding,
    access_incident,
    access_reconsideration,
    visible_to,
)

router = Router(tags=["findings"])


class AttributionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    grade: Literal["direct", "omission", "shared", "undetermined", "unfounded"]
    actor: str = Field("", max_length=60)
    territory: str | None = None


class FindingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    determination: Literal[
        "confirmed-violation",
        "likely-violation",
        "not-a-violation",
        "insufficient-evidence",
        "inconclusive",
    ]
    confidence: Literal["high", "medium", "low"]
    attribution: AttributionIn
    intent: Literal["deliberate", "accidental", "unknown"] = "unknown"
    clauses: list[str] = Field(default_factory=list, max_length=20)
    summary: str = Field(min_length=1, max_length=20_000)
    evidence: list[str] = Field(default_factory=list, max_length=50)

    def to_input(self) -> services.FindingInput:
        return services.FindingInput(
            determination=self.determination,
            confidence=self.confidence,
            grade=self.attribution.grade,
            actor=self.attribution.actor,
            territory=self.attribution.territory,
            intent=self.intent,
            clauses=self.clauses,
            summary=self.summary,
            evidence=self.evidence,
        )


class VoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    vote: Literal["endorse", "abstain", "dissent"]
    reasons: str = Field("", max_length=20_000)
    code: str = Field(
        "", max_length=10, description="A fresh code from the signatory's authenticator"
    )


class ReconsiderIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reasons: str = Field(min_length=1, max_length=20_000)


class DecideIn(Schema):
    model_config = ConfigDict(extra="forbid")
    accept: bool
    reasons: str = Field(min_length=1, max_length=20_000)


class FindingFilters(PageParams):
    status: str | None = None


@router.get(
    "/findings",
    response={200: Page[FindingOut], **errors(401, 422)},
    auth=OptionalBearer(),
    summary="Findings the caller may see (anonymous: published ones)",
    exclude_unset=True,
)
def findings_list(request: HttpRequest, filters: Query[FindingFilters]) -> dict[str, Any]:
    qs = visible_to(request.user, Finding).prefetch_related("votes", "acknowledgements")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters, lambda f: finding_out(f, request.user))


@router.get(
    "/findings/{finding_id}",
    response={200: FindingOut, **errors(401, 404)},
    auth=OptionalBearer(),
    exclude_unset=True,
)
def findings_get(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    return finding_out(access_finding(request.user, finding_id), request.user)


@router.get(
    "/findings/{finding_id}/verify",
    response={200: VerifiedOut, **errors(401, 404)},
    auth=OptionalBearer(),
    summary="Check every vote's Ed25519 signature against the published keys",
    exclude_unset=True,
)
def findings_verify(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    return verified_out(access_finding(request.user, finding_id))


@router.post(
    "/findings/{finding_id}/votes",
    response={201: VotedOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="A guarantor's signed vote: endorse, abstain, or dissent with reasons",
    exclude_unset=True,
)
def findings_vote(request: HttpRequest, finding_id: str, payload: VoteIn) -> Status:
    finding = access_finding(request.user, finding_id)
    with capture_events() as events:
        services.finding_vote(
            finding=finding,
            actor=actor_of(request),
            vote=payload.vote,
            reasons=payload.reasons,
            code=payload.code,
        )
    finding.refresh_from_db()
    return Status(201, {**finding_out(finding, request.user), "receipt": receipt(events[0])})


@router.post(
    "/findings/{finding_id}/acknowledge",
    response={200: FindingOut, **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
    summary="A party concerned acknowledges receipt; all of them together end the embargo",
    exclude_unset=True,
)
def findings_acknowledge(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    finding = access_finding(request.user, finding_id)
    services.finding_acknowledge(finding=finding, actor=actor_of(request))
    return finding_out(finding, request.user)


@router.post(
    "/findings/{finding_id}/publish",
    response={200: FindingOut, **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
    summary="Publish after the quorum, once the embargo has ended",
    exclude_unset=True,
)
def findings_publish(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    finding = access_finding(request.user, finding_id)
    finding = services.finding_publish(finding=finding, actor=actor_of(request))
    return finding_out(finding, request.user)


@router.get(
    "/keys",
    response={200: SigningKeysOut, **errors(401)},
    auth=OptionalBearer(),
    summary="The guarantors' Ed25519 public keys (base64, raw 32 bytes) by key id",
    exclude_unset=True,
)
def keys_list(request: HttpRequest) -> dict[str, Any]:
    return signing_keys_out()


@router.post(
    "/incidents/{incident_id}/reconsideration",
    response={201: ReconsiderationOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Ask for reconsideration of an inadmissibility ruling or a published finding",
    exclude_unset=True,
)
def incidents_reconsider(request: HttpRequest, incident_id: str, payload: ReconsiderIn) -> Status:
    incident = access_incident(request.user, incident_id)
    made = services.reconsideration_request(
        incident=incident, actor=actor_of(request), reasons=payload.reasons
    )
    return Status(201, reconsideration_out(made, request.user))


@router.get(
    "/reconsiderations",
    response={200: Page[ReconsiderationOut], **errors(401, 422)},
    auth=Bearer(),
    summary="Reconsideration requests the caller may see; pending first",
    exclude_unset=True,
)
def reconsiderations_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    qs = visible_to(request.user, Reconsideration).select_related("requested_by", "decided_by")
    qs = qs.order_by(F("decided_at").asc(nulls_first=True), "requested_at", "id")
    return paginate(qs, filters, lambda r: reconsideration_out(r, request.user))


@router.post(
    "/reconsiderations/{request_id}/decide",
    response={200: ReconsiderationOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Accept (the incident reopens) or refuse a reconsideration, with reasons",
    exclude_unset=True,
)
def reconsiderations_decide(
    request: HttpRequest, request_id: str, payload: DecideIn
) -> dict[str, Any]:
    made = access_reconsideration(request.user, request_id)
    made = services.reconsideration_decide(
        request=made, actor=actor_of(request), accept=payload.accept, reasons=payload.reasons
    )
    return reconsideration_out(made, request.user)
