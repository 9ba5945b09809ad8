"""/findings: read, vote, acknowledge, publish, verify; /keys: the guarantors' public keys."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import F
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, OptionalBearer, PageParams, actor_of, errors, paginate
from truceline.findings import services
from truceline.findings.models import Finding, Reconsideration, SigningKey
from truceline.ledger.selectors import receipt
from truceline.ledger.services import capture_events
from truceline.policy import (
    access_finding,
    access_incident,
    access_reconsideration,
    is_mediator,
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


def reconsideration_out(r: Reconsideration, viewer: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": r.id,
        "incident": r.incident_id,
        "party": r.party_id,
        "subject": r.subject,
        "finding": r.finding_id,
        "reasons": r.reasons,
        "requested_at": r.requested_at,
        "decision": r.decision,
        "decided_at": r.decided_at,
        "decision_reasons": r.decision_reasons or None,
    }
    if is_mediator(viewer):
        body["requested_by"] = r.requested_by.username
        body["decided_by"] = r.decided_by.username if r.decided_by else None
    return body


def finding_out(finding: Finding, viewer: Any) -> dict[str, Any]:
    return {
        "id": finding.id,
        "incident": finding.incident_id,
        "revision": finding.revision,
        "status": finding.status,
        "supersedes": finding.supersedes_id,
        "determination": finding.determination,
        "confidence": finding.confidence,
        "attribution": {
            "grade": finding.grade,
            "actor": finding.actor,
            "territory": finding.territory_id,
        },
        "intent": finding.intent,
        "clauses": finding.clauses,
        "summary": finding.summary,
        "evidence": finding.evidence,
        "sha256": finding.sha256,
        "canonical": finding.canonical,
        "drafted_at": finding.drafted_at,
        "endorsed_at": finding.endorsed_at,
        "embargo_until": finding.embargo_until,
        "published_at": finding.published_at,
        "votes": [
            {
                "organisation": v.organisation_id,
                "vote": v.vote,
                "reasons": v.reasons,
                "key_id": v.key_id,
                "statement": v.statement,
                "signature": v.signature,
                "cast_at": v.cast_at,
            }
            for v in finding.votes.all()
        ],
        "acknowledgements": [
            {"party": a.party_id, "at": a.at} for a in finding.acknowledgements.all()
        ],
    }


class FindingFilters(PageParams):
    status: str | None = None


@router.get(
    "/findings",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=OptionalBearer(),
    summary="Findings the caller may see (anonymous: published ones)",
)
def findings_list(request: HttpRequest, filters: Query[FindingFilters]) -> dict[str, Any]:
    qs = visible_to(request.user, Finding).prefetch_related("votes", "acknowledgements")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters, lambda f: finding_out(f, request.user))


@router.get(
    "/findings/{finding_id}",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=OptionalBearer(),
)
def findings_get(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    return finding_out(access_finding(request.user, finding_id), request.user)


@router.get(
    "/findings/{finding_id}/verify",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=OptionalBearer(),
    summary="Check every vote's Ed25519 signature against the published keys",
)
def findings_verify(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    finding = access_finding(request.user, finding_id)
    votes = [
        {"organisation": v.organisation_id, "key_id": v.key_id, "valid": services.vote_verify(v)}
        for v in finding.votes.select_related("key", "finding")
    ]
    return {
        "finding": finding.id,
        "sha256": finding.sha256,
        "votes": votes,
        "valid": all(v["valid"] for v in votes),
    }


@router.post(
    "/findings/{finding_id}/votes",
    response={201: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="A guarantor's signed vote: endorse, abstain, or dissent with reasons",
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
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
    summary="A party concerned acknowledges receipt; all of them together end the embargo",
)
def findings_acknowledge(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    finding = access_finding(request.user, finding_id)
    services.finding_acknowledge(finding=finding, actor=actor_of(request))
    return finding_out(finding, request.user)


@router.post(
    "/findings/{finding_id}/publish",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
    summary="Publish after the quorum, once the embargo has ended",
)
def findings_publish(request: HttpRequest, finding_id: str) -> dict[str, Any]:
    finding = access_finding(request.user, finding_id)
    finding = services.finding_publish(finding=finding, actor=actor_of(request))
    return finding_out(finding, request.user)


@router.get(
    "/keys",
    response={200: dict[str, Any], **errors(401)},
    auth=OptionalBearer(),
    summary="The guarantors' Ed25519 public keys (base64, raw 32 bytes) by key id",
)
def keys_list(request: HttpRequest) -> dict[str, Any]:
    return {
        "items": [
            {
                "key_id": k.key_id,
                "organisation": k.organisation_id,
                "public_key": k.public_key,
                "created_at": k.created_at,
                "retired_at": k.retired_at,
            }
            for k in SigningKey.objects.order_by("created_at")
        ]
    }


@router.post(
    "/incidents/{incident_id}/reconsideration",
    response={201: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Ask for reconsideration of an inadmissibility ruling or a published finding",
)
def incidents_reconsider(request: HttpRequest, incident_id: str, payload: ReconsiderIn) -> Status:
    incident = access_incident(request.user, incident_id)
    made = services.reconsideration_request(
        incident=incident, actor=actor_of(request), reasons=payload.reasons
    )
    return Status(201, reconsideration_out(made, request.user))


@router.get(
    "/reconsiderations",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=Bearer(),
    summary="Reconsideration requests the caller may see; pending first",
)
def reconsiderations_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    qs = visible_to(request.user, Reconsideration).select_related("requested_by", "decided_by")
    qs = qs.order_by(F("decided_at").asc(nulls_first=True), "requested_at", "id")
    return paginate(qs, filters, lambda r: reconsideration_out(r, request.user))


@router.post(
    "/reconsiderations/{request_id}/decide",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Accept (the incident reopens) or refuse a reconsideration, with reasons",
)
def reconsiderations_decide(
    request: HttpRequest, request_id: str, payload: DecideIn
) -> dict[str, Any]:
    made = access_reconsideration(request.user, request_id)
    made = services.reconsideration_decide(
        request=made, actor=actor_of(request), accept=payload.accept, reasons=payload.reasons
    )
    return reconsideration_out(made, request.user)
