"""The findings' answers: a finding with its votes, the check of its signatures, the
guarantors' keys, reconsiderations — their schemas and the builders the API calls."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.findings import services
from truceline.findings.models import (
    Confidence,
    Decision,
    Determination,
    Finding,
    FindingStatus,
    Grade,
    Intent,
    Reconsideration,
    SigningKey,
    VoteChoice,
)
from truceline.ledger.outputs import ReceiptOut
from truceline.policy import sees_mechanism

FOR_THE_MECHANISM = "the mechanism's people only"


class AttributionOut(Schema):
    grade: Annotated[str, one_of(Grade.values)]
    actor: str
    territory: str | None


class VoteOut(Schema):
    organisation: str
    vote: Annotated[str, one_of(VoteChoice.values)]
    reasons: str
    key_id: str
    statement: str = Field(description="the canonical JSON that was signed")
    signature: str = Field(description="Ed25519, base64")
    cast_at: dt.datetime


class AcknowledgementOut(Schema):
    party: str
    at: dt.datetime


class FindingOut(Schema):
    id: str
    incident: str
    revision: int
    status: Annotated[str, one_of(FindingStatus.values)]
    supersedes: str | None
    determination: Annotated[str, one_of(Determination.values)]
    confidence: Annotated[str, one_of(Confidence.values)]
    attribution: AttributionOut
    intent: Annotated[str, one_of(Intent.values)]
    clauses: list[str]
    summary: str
    evidence: list[str]
    sha256: str
    canonical: str = Field(description="RFC 8785 JSON that the guarantors sign")
    drafted_at: dt.datetime
    endorsed_at: dt.datetime | None
    embargo_until: dt.datetime | None
    published_at: dt.datetime | None
    votes: list[VoteOut]
    acknowledgements: list[AcknowledgementOut]


class VotedOut(FindingOut):
    """The finding after the vote, with the receipt of the vote's ledger entry."""

    receipt: ReceiptOut


class VoteCheckOut(Schema):
    organisation: str
    key_id: str
    valid: bool


class VerifiedOut(Schema):
    finding: str
    sha256: str
    votes: list[VoteCheckOut]
    valid: bool = Field(description="every vote's signature checks")


class SigningKeyOut(Schema):
    key_id: str
    organisation: str
    public_key: str = Field(description="raw 32 bytes, base64")
    created_at: dt.datetime
    retired_at: dt.datetime | None


class SigningKeysOut(Schema):
    items: list[SigningKeyOut]


class ReconsiderationOut(Schema):
    id: str
    incident: str
    party: str
    subject: Literal["inadmissibility", "finding"]
    finding: str | None
    reasons: str
    requested_at: dt.datetime
    decision: Annotated[str, one_of(Decision.values)]
    decided_at: dt.datetime | None
    decision_reasons: str | None
    requested_by: str | None = Field(None, description=FOR_THE_MECHANISM)
    decided_by: str | None = Field(None, description=FOR_THE_MECHANISM)


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
    if sees_mechanism(viewer):
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


def verified_out(finding: Finding) -> dict[str, Any]:
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


def signing_keys_out() -> dict[str, Any]:
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
