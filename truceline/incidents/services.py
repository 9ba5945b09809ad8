"""Every change to an incident: lock, check policy and state, change, log — one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.errors import Forbidden, IllegalTransition, Invalid
from truceline.evidence.services import evidence_attach
from truceline.incidents.models import (
    OPENED_STATES,
    TRANSITIONS,
    WORKING_STATES,
    Incident,
    Question,
    Response,
    State,
)
from truceline.ledger.models import Event
from truceline.ledger.services import event_append
from truceline.policy import can, may_be_assigned
from truceline.scenario.models import Organisation, OrganisationKind, Scenario


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _step(incident: Incident, action: str) -> str:
    """The state ``action`` leads to from here, or the 409 naming the current state."""
    to = TRANSITIONS.get((incident.state, action))
    if to is None:
        raise IllegalTransition(state=incident.state, action=action)
    return to


def _require(actor: User, action: str, obj: object) -> None:
    if not can(actor, action, obj):  # type: ignore[arg-type]
        raise Forbidden()


def _log(actor: User | None, kind: str, incident: Incident, **payload: object) -> Event:
    return event_append(
        actor=actor,
        kind=kind,
        object_type="incident",
        object_id=incident.id,
        payload={"incident": incident.id, "state": incident.state, **payload},
    )


def incident_triage(*, incident: Incident, actor: User, admissible: bool, reason: str) -> Incident:
    """A monitor rules the incident admissible or not (an inadmissible one needs a reason)."""
    if not admissible and not reason.strip():
        raise Invalid({"reason": [gettext("say why the incident is inadmissible")]})
    with transaction.atomic():
        incident = _locked(incident)
        _require(actor, "triage", incident)
        incident.state = _step(
            incident, "triage-admissible" if admissible else "triage-inadmissible"
        )
        incident.triaged_at = timezone.now()
        incident.inadmissible_reason = "" if admissible else reason.strip()
        incident.save()
        _log(actor, "incident.triaged", incident, admissible=admissible, reason=reason.strip())
    return incident


def incident_assign(*, incident: Incident, actor: User, assignee: User) -> Incident:
    """A monitor assigns the incident to a named monitor (re-assigning is allowed)."""
    if not may_be_assigned(assignee):
        raise Invalid({"assignee": [gettext("only an active monitor can be assigned")]})
    with transaction.atomic():
        incident = _locked(incident)
        _require(actor, "assign", incident)
        if incident.state in {State.MERGED, State.WITHDRAWN, State.INADMISSIBLE, State.PUBLISHED}:
            raise IllegalTransition(state=incident.state, action="assign")
        if incident.assigned_to_id == assignee.pk:
            return incident
        incident.assigned_to = assignee
        incident.save(update_fields=["assigned_to"])
        _log(actor, "incident.assigned", incident, assignee=assignee.username)
    return incident


def incident_merge(*, incident: Incident, actor: User, into: Incident) -> Incident:
    """Fold a duplicate into another incident: its reports move; it stays, marked merged."""
    if incident.pk == into.pk:
        raise Invalid({"into": [gettext("an incident cannot be merged into itself")]})
    with transaction.atomic():
        # Lock both in a fixed order so two opposite merges cannot deadlock.
        locked = {
            i.pk: i
            for i in Incident.objects.select_for_update()
            .filter(pk__in=[incident.pk, into.pk])
            .order_by("pk")
        }
        incident, into = locked[incident.pk], locked[into.pk]
        _require(actor, "merge", incident)
        if into.state not in {State.RECEIVED, State.TRIAGED, State.UNDER_VERIFICATION}:
            raise IllegalTransition(state=into.state, action=gettext("merge into"))
        incident.state = _step(incident, "merge")
        incident.merged_into = into
        incident.filers = ""  # its reports move: it holds none
        incident.save()
        moved = list(incident.reports.values_list("id", flat=True))
        incident.reports.update(incident=into)
        into.urgent = into.urgent or incident.urgent
        orgs = set(into.reports.values_list("filing_org_id", flat=True))
        into.filers = "," + ",".join(sorted(orgs)) + ","
        into.save(update_fields=["urgent", "filers"])
        _log(actor, "incident.merged", incident, into=into.id, reports=sorted(moved))
    return incident


def incident_open(*, incident: Incident, actor: User) -> Incident:
    """Open verification: the accused party sees the substance and its reply window starts."""
    with transaction.atomic():
        incident = _locked(incident)
        _require(actor, "open", incident)
        incident.state = _step(incident, "open")
        scenario = Scenario.objects.get()
        incident.opened_at = timezone.now()
        incident.reply_due_at = incident.opened_at + dt.timedelta(hours=scenario.reply_window_hours)
        incident.save()
        _log(actor, "incident.opened", incident, reply_due_at=incident.reply_due_at)
    return incident


def incident_withdraw_if_empty(*, incident: Incident, actor: User) -> None:
    """Called when a report is withdrawn: an incident left with no live report is withdrawn."""
    incident = _locked(incident)
    if incident.reports.filter(withdrawn=False).exists():
        return
    incident.state = _step(incident, "withdraw")
    incident.save(update_fields=["state"])
    _log(actor, "incident.withdrawn", incident)


def response_submit(
    *, incident: Incident, actor: User, text: str, counter_claims: str = "", evidence: list[str]
) -> Response:
    """The accused party answers; after the reply window the answer is kept, marked late."""
    if not text.strip():
        raise Invalid({"text": [gettext("the answer cannot be empty")]})
    if len(set(evidence)) != len(evidence):
        raise Invalid({"evidence": [gettext("an item is cited twice")]})
    with transaction.atomic():
        incident = _locked(incident)
        _require(actor, "respond", incident)
        if incident.state not in {State.UNDER_VERIFICATION, State.FINDING_DRAFTED}:
            raise IllegalTransition(state=incident.state, action="respond")
        now = timezone.now()
        response = Response.objects.create(
            incident=incident,
            party_id=actor.organisation_id,  # type: ignore[misc]  # a liaison has one
            author=actor,
            text=text.strip(),
            counter_claims=counter_claims.strip(),
            evidence=evidence,
            submitted_at=now,
            late=bool(incident.reply_due_at and now > incident.reply_due_at),
        )
        if evidence:  # the answering party's own uploads, visible where the answer is
            evidence_attach(actor=actor, ids=evidence, citing=response)
        _log(
            actor,
            "incident.response-submitted",
            incident,
            response=response.id,
            party=response.party_id,
            late=response.late,
            text=response.text,
            counter_claims=response.counter_claims,
        )
    return response


def is_open_to_accused(incident: Incident) -> bool:
    return incident.state in OPENED_STATES


def filing_parties(incident: Incident, *, live_only: bool = False) -> set[str]:
    """The parties that filed the incident's reports (monitors' observations aside);
    ``live_only`` leaves out withdrawn reports."""
    reports = incident.reports.filter(filing_org__kind=OrganisationKind.PARTY)
    if live_only:
        reports = reports.filter(withdrawn=False)
    return set(reports.values_list("filing_org_id", flat=True))


def parties_askable(incident: Incident) -> set[str]:
    """The parties a monitor may question: those that filed one of its live reports, and the
    accused party once the incident is open to it."""
    filers = filing_parties(incident, live_only=True)
    if incident.state in OPENED_STATES:
        filers.add(incident.accused_party_id)
    return filers


def question_ask(*, incident: Incident, actor: User, party: str, text: str) -> Question:
    """A monitor asks a party concerned for information; the question goes on the timeline,
    seen by that party and the mechanism only."""
    if not text.strip():
        raise Invalid({"text": [gettext("write the question")]})
    if not Organisation.objects.filter(pk=party, kind=OrganisationKind.PARTY).exists():
        raise Invalid({"party": [gettext("unknown party")]})
    with transaction.atomic():
        incident = _locked(incident)
        _require(actor, "ask", incident)
        if incident.state not in WORKING_STATES:
            raise IllegalTransition(state=incident.state, action="ask")
        if party not in parties_askable(incident):
            raise Invalid({"party": [gettext("this party cannot be asked about this incident")]})
        question = Question.objects.create(
            incident=incident,
            party_id=party,
            asked_by=actor,
            asked_at=timezone.now(),
            text=text.strip(),
        )
        _log(
            actor,
            "incident.question-asked",
            incident,
            question=question.id,
            party=party,
            text=question.text,
        )
    return question


def question_answer(*, question: Question, actor: User, text: str) -> Question:
    """A liaison of the party asked answers, once; the answer goes on the timeline."""
    if not text.strip():
        raise Invalid({"answer": [gettext("write the answer")]})
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        _require(actor, "answer", question)
        if question.answered_at is not None:
            raise IllegalTransition(state="answered", action="answer")
        question.answer = text.strip()
        question.answered_by = actor
        question.answered_at = timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        _log(
            actor,
            "incident.question-answered",
            question.incident,
            question=question.id,
            party=question.party_id,
            text=question.answer,
        )
    return question
