"""Drafting findings, the guarantors' signed votes, acknowledgement and publication."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts import twofactor
from truceline.accounts.models import User
from truceline.core.canonical import canonical_bytes
from truceline.core.errors import ApiError, Forbidden, IllegalTransition, Invalid
from truceline.findings import keys
from truceline.findings.models import (
    Acknowledgement,
    Decision,
    Finding,
    FindingStatus,
    Reconsideration,
    Vote,
    VoteChoice,
)
from truceline.incidents.models import Incident, State
from truceline.incidents.services import _step, filing_parties
from truceline.ledger.services import event_append
from truceline.policy import can
from truceline.scenario.models import Commitment, Organisation, OrganisationKind, Scenario


@dataclass(frozen=True)
class FindingInput:
    determination: str
    confidence: str
    grade: str
    actor: str
    territory: str | None
    intent: str
    clauses: list[str]
    summary: str
    evidence: list[str]


def _log(actor: User | None, kind: str, finding: Finding, **payload: object) -> None:
    event_append(
        actor=actor,
        kind=kind,
        object_type="finding",
        object_id=finding.id,
        payload={"finding": finding.id, "incident": finding.incident_id, **payload},
    )


def parties_concerned(finding: Finding) -> set[str]:
    """Every filing party, the accused party, and any party named in the attribution."""
    incident = finding.incident
    filers = filing_parties(incident)
    named = {p for p in (finding.attributed_party_id, finding.territory_id) if p}
    return filers | {incident.accused_party_id} | named


def _attributed_party(data: FindingInput) -> str | None:
    """The party the attribution holds responsible, if any: for direct and omission grades,
    the party whose forces or territory it names."""
    if data.grade in {"direct", "omission", "shared"}:
        return data.territory
    return None


def finding_draft(*, incident: Incident, actor: User, data: FindingInput) -> Finding:
    """Create the draft finding, or a revision that supersedes the current one (kept).

    Once a finding is endorsed it cannot be replaced; before that, any revision starts the
    votes again, so that what a guarantor signed is never changed under its signature.
    """
    errors: dict[str, list[str]] = {}
    territory = None
    if data.territory:
        territory = Organisation.objects.filter(
            pk=data.territory, kind=OrganisationKind.PARTY
        ).first()
        if territory is None:
            errors["attribution.territory"] = ["unknown party"]
    if data.grade in {"direct", "omission", "shared"} and not data.territory:
        errors["attribution.territory"] = ["say which party's forces or territory"]
    known = set(Commitment.objects.filter(pk__in=data.clauses).values_list("pk", flat=True))
    for i, clause in enumerate(data.clauses):
        if clause not in known:
            errors[f"clauses[{i}]"] = ["unknown commitment"]
    if not data.summary.strip():
        errors["summary"] = ["summarise the finding"]
    if data.evidence:
        errors["evidence"] = ["unknown evidence id"]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not can(actor, "draft-finding", incident):
            raise Forbidden()
        to = _step(incident, "draft-finding")
        current = incident.findings.filter(
            status__in=[FindingStatus.DRAFT, FindingStatus.ENDORSED, FindingStatus.PUBLISHED]
        ).first()
        if current is not None and current.status != FindingStatus.DRAFT:
            raise IllegalTransition(
                state=incident.state, action=gettext("revise an endorsed finding")
            )
        # After an accepted reconsideration the published finding is already superseded;
        # the new draft continues its line.
        latest = incident.findings.order_by("-revision").first()
        replaces = current
        if current is None and latest is not None and not hasattr(latest, "superseded_by"):
            replaces = latest
        finding = Finding(
            incident=incident,
            revision=(latest.revision + 1) if latest else 1,
            supersedes=replaces,
            drafted_by=actor,
            drafted_at=timezone.now(),
            determination=data.determination,
            confidence=data.confidence,
            grade=data.grade,
            actor=data.actor,
            territory=territory,
            attributed_party_id=_attributed_party(data),
            intent=data.intent,
            clauses=list(data.clauses),
            summary=data.summary.strip(),
            evidence=list(data.evidence),
        )
        body = {
            "finding": finding.id,
            "incident": incident.id,
            "revision": finding.revision,
            "supersedes": replaces.id if replaces else None,
            "determination": finding.determination,
            "confidence": finding.confidence,
            "attribution": {"grade": data.grade, "actor": data.actor, "territory": data.territory},
            "intent": finding.intent,
            "clauses": finding.clauses,
            "summary": finding.summary,
            "evidence": finding.evidence,
        }
        finding.canonical = canonical_bytes(body).decode()
        finding.sha256 = hashlib.sha256(finding.canonical.encode()).hexdigest()
        if current is not None:
            current.status = FindingStatus.SUPERSEDED
            current.save(update_fields=["status"])
            _log(actor, "finding.superseded", current, by=finding.id)
        finding.save()
        incident.state = to
        incident.save(update_fields=["state"])
        _log(actor, "finding.drafted", finding, sha256=finding.sha256, canonical=body)
    return finding


def vote_statement(
    finding: Finding, vote: str, reasons: str, organisation: str, key_id: str
) -> bytes:
    """The exact bytes a guarantor signs."""
    return canonical_bytes(
        {
            "finding_sha256": finding.sha256,
            "vote": vote,
            "reasons": reasons,
            "organisation": organisation,
            "key_id": key_id,
        }
    )


def finding_vote(*, finding: Finding, actor: User, vote: str, reasons: str, code: str) -> Vote:
    """A guarantor's signatory casts its organisation's one vote, signed with its key and a
    fresh code from the signatory's authenticator (``code``), on the web and the API alike.

    The quorum of endorsements makes the finding endorsed and starts the embargo.
    """
    reasons = reasons.strip()
    if vote not in VoteChoice.values:
        raise Invalid({"vote": [gettext("endorse, abstain or dissent")]})
    if vote == VoteChoice.DISSENT and not reasons:
        raise Invalid({"reasons": [gettext("a dissent gives its reasons")]})
    if not can(actor, "vote", finding):
        raise Forbidden(gettext("only a guarantor's signatory votes"))
    if finding.status != FindingStatus.DRAFT:
        raise IllegalTransition(state=finding.incident.state, action="vote")
    twofactor.check_signature_code(actor, code, act="finding.vote")
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if not can(actor, "vote", finding):
            raise Forbidden(gettext("only a guarantor's signatory votes"))
        if finding.status != FindingStatus.DRAFT:
            raise IllegalTransition(state=finding.incident.state, action="vote")
        org = actor.organisation_id
        assert org is not None
        if finding.votes.filter(organisation_id=org).exists():
            raise ApiError(
                "conflict", gettext("your organisation has already voted on this finding")
            )
        key = keys.current_key(org)
        if key is None:
            raise ApiError(
                "conflict", gettext("your organisation has no signing key; ask the secretariat")
            )
        statement = vote_statement(finding, vote, reasons, org, key.key_id)
        cast = Vote.objects.create(
            finding=finding,
            organisation_id=org,
            signer=actor,
            vote=vote,
            reasons=reasons,
            key=key,
            statement=statement.decode(),
            signature=keys.sign(key, statement),
            cast_at=timezone.now(),
        )
        _log(
            actor,
            "finding.voted",
            finding,
            organisation=org,
            vote=vote,
            reasons=reasons,
            key_id=key.key_id,
            signature=cast.signature,
        )
        scenario = Scenario.objects.get()
        endorsements = finding.votes.filter(vote=VoteChoice.ENDORSE).count()
        if endorsements >= scenario.quorum:
            incident = Incident.objects.select_for_update().get(pk=finding.incident_id)
            incident.state = _step(incident, "endorse")
            incident.save(update_fields=["state"])
            finding.status = FindingStatus.ENDORSED
            finding.endorsed_at = cast.cast_at
            finding.embargo_until = cast.cast_at + dt.timedelta(hours=scenario.embargo_hours)
            finding.save()
            _log(None, "finding.endorsed", finding, embargo_until=finding.embargo_until)
    return cast


def quorum_reachable(finding: Finding) -> bool:
    """Whether the guarantors who have not voted could still bring the quorum."""
    scenario = Scenario.objects.get()
    guarantors = Organisation.objects.filter(guarantor=True, retired=False).count()
    votes = list(finding.votes.values_list("vote", flat=True))
    return votes.count(VoteChoice.ENDORSE) + (guarantors - len(votes)) >= scenario.quorum


def vote_verify(vote: Vote) -> bool:
    """Check a vote's signature against the published key, over the finding as it stands."""
    statement = vote_statement(
        vote.finding, vote.vote, vote.reasons, vote.organisation_id, vote.key_id
    )
    return statement.decode() == vote.statement and keys.verify(
        vote.key.public_key, statement, vote.signature
    )


def finding_acknowledge(*, finding: Finding, actor: User) -> Acknowledgement:
    """A party concerned confirms receipt of the endorsed finding (repeating changes nothing)."""
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if not can(actor, "acknowledge", finding):
            raise Forbidden(gettext("only a liaison of a party concerned acknowledges"))
        if finding.status != FindingStatus.ENDORSED:
            raise IllegalTransition(state=finding.incident.state, action="acknowledge")
        existing = finding.acknowledgements.filter(party_id=actor.organisation_id).first()
        if existing is not None:
            return existing
        ack = Acknowledgement.objects.create(
            finding=finding,
            party_id=actor.organisation_id,  # type: ignore[misc]  # a liaison has one
            user=actor,
            at=timezone.now(),
        )
        _log(actor, "finding.acknowledged", finding, party=ack.party_id)
    return ack


def embargo_over(finding: Finding, now: dt.datetime | None = None) -> bool:
    """The embargo ends when its hours run out or every party concerned has acknowledged."""
    moment = now or timezone.now()
    if finding.embargo_until is not None and moment >= finding.embargo_until:
        return True
    acked = set(finding.acknowledgements.values_list("party_id", flat=True))
    return parties_concerned(finding) <= acked


def finding_publish(*, finding: Finding, actor: User) -> Finding:
    """A monitor publishes an endorsed finding once its embargo is over."""
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if not can(actor, "publish", finding):
            raise Forbidden()
        incident = Incident.objects.select_for_update().get(pk=finding.incident_id)
        if finding.status != FindingStatus.ENDORSED:
            raise IllegalTransition(state=incident.state, action="publish")
        if not embargo_over(finding):
            raise ApiError(
                "conflict",
                gettext("the embargo runs until the parties concerned acknowledge or it expires"),
                extra={
                    "embargo_until": finding.embargo_until.isoformat()
                    if finding.embargo_until
                    else None
                },
            )
        now = timezone.now()
        incident.state = _step(incident, "publish")
        incident.published_at = now
        incident.determination = finding.determination
        incident.attributed_party_id = finding.attributed_party_id
        incident.save(update_fields=["state", "published_at", "determination", "attributed_party"])
        finding.status = FindingStatus.PUBLISHED
        finding.published_at = now
        finding.save(update_fields=["status", "published_at"])
        _log(actor, "finding.published", finding)
    return finding


def findings_concerning(party: str) -> Q:
    """Findings whose parties concerned include ``party`` (for the policy's querysets)."""
    return (
        Q(incident__accused_party_id=party)
        | Q(incident__reports__filing_org_id=party)
        | Q(attributed_party_id=party)
        | Q(territory_id=party)
    )


def _requesting_parties(incident: Incident) -> tuple[str, Finding | None, set[str]]:
    """What may be contested now, and by which parties: an inadmissibility ruling by the
    filing parties, a published finding by every party concerned."""
    if incident.state == State.INADMISSIBLE:
        return "inadmissibility", None, filing_parties(incident)
    if incident.state == State.PUBLISHED:
        finding = incident.findings.get(status=FindingStatus.PUBLISHED)
        return "finding", finding, parties_concerned(finding)
    raise IllegalTransition(state=incident.state, action=gettext("request reconsideration"))


def reconsideration_request(*, incident: Incident, actor: User, reasons: str) -> Reconsideration:
    """A party asks the monitors to reconsider an inadmissibility ruling or a published
    finding, with reasons; one pending request per party at a time."""
    if not reasons.strip():
        raise Invalid({"reasons": [gettext("say why the decision should be reconsidered")]})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not can(actor, "reconsider", incident):
            raise Forbidden()
        subject, finding, parties = _requesting_parties(incident)
        if actor.organisation_id not in parties:
            raise Forbidden(gettext("only a party concerned may ask for reconsideration"))
        pending = incident.reconsiderations.filter(
            party_id=actor.organisation_id, decision=Decision.PENDING
        )
        if pending.exists():
            raise ApiError("conflict", gettext("your party already has a request pending on this"))
        request = Reconsideration.objects.create(
            incident=incident,
            party_id=actor.organisation_id,  # type: ignore[misc]  # a liaison has one
            requested_by=actor,
            requested_at=timezone.now(),
            subject=subject,
            finding=finding,
            reasons=reasons.strip(),
        )
        event_append(
            actor=actor,
            kind="incident.reconsideration-requested",
            object_type="incident",
            object_id=incident.id,
            payload={
                "incident": incident.id,
                "reconsideration": request.id,
                "party": request.party_id,
                "subject": subject,
                "finding": finding.id if finding else None,
                "reasons": request.reasons,
            },
        )
    return request


def reconsideration_decide(
    *, request: Reconsideration, actor: User, accept: bool, reasons: str
) -> Reconsideration:
    """A monitor accepts (the ruling is reversed, or verification reopens and the published
    finding is marked superseded, kept and still public) or refuses with reasons."""
    if not reasons.strip():
        raise Invalid({"reasons": [gettext("give the reasons for the decision")]})
    with transaction.atomic():
        request = Reconsideration.objects.select_for_update().get(pk=request.pk)
        if not can(actor, "decide", request):
            raise Forbidden()
        incident = Incident.objects.select_for_update().get(pk=request.incident_id)
        if request.decision != Decision.PENDING:
            raise IllegalTransition(state=request.decision, action="decide")
        now = timezone.now()
        if accept:
            expected = State.INADMISSIBLE if request.subject == "inadmissibility" else None
            if expected is not None and incident.state != expected:
                raise IllegalTransition(state=incident.state, action="reconsider")
            incident.state = _step(incident, "reconsider")
            if request.subject == "inadmissibility":
                incident.inadmissible_reason = ""
            else:
                finding = Finding.objects.select_for_update().get(pk=request.finding_id)
                if finding.status != FindingStatus.PUBLISHED:
                    raise IllegalTransition(state=incident.state, action="reconsider")
                finding.status = FindingStatus.SUPERSEDED
                finding.save(update_fields=["status"])
                _log(actor, "finding.superseded", finding, reconsideration=request.id)
                window = Scenario.objects.get().reply_window_hours
                incident.reply_due_at = now + dt.timedelta(hours=window)
            incident.save()
        request.decision = Decision.ACCEPTED if accept else Decision.REFUSED
        request.decided_by = actor
        request.decided_at = now
        request.decision_reasons = reasons.strip()
        request.save(update_fields=["decision", "decided_by", "decided_at", "decision_reasons"])
        event_append(
            actor=actor,
            kind="incident.reconsidered" if accept else "incident.reconsideration-refused",
            object_type="incident",
            object_id=incident.id,
            payload={
                "incident": incident.id,
                "state": incident.state,
                "reconsideration": request.id,
                "party": request.party_id,
                "reasons": request.decision_reasons,
            },
        )
    return request
