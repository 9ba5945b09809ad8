"""Which ledger events notify whom, and the reminders they schedule.

The rules run in the worker, when it drains the outbox (``outbox.py``): an event of a kind in
``HANDLERS`` left one outbox row in its transaction, and nothing else was computed there.
Each rule names its recipients and what to tell them (msgids and values, a
``services.Message``); ``services.notify`` keeps only those who may see the object (the
compartment policy decides, not the rule), so a notification never tells anyone of something
they could not open, and writes each in its reader's language and zone. Reminders (a reply
window closing, a deadline passing) are tasks scheduled for their time, which check the state
then and say nothing if it is settled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from truceline.accounts.models import Role, User
from truceline.ledger.models import Event
from truceline.notify import services, tasks
from truceline.notify.models import Kind
from truceline.notify.services import Message
from truceline.policy import audience


def _people(*, role: str, organisations: set[str] | None = None) -> list[User]:
    return list(audience(role, organisations))


def _liaisons(organisations: set[str]) -> list[User]:
    return _people(role=Role.LIAISON, organisations={o for o in organisations if o})


def _incident_url(incident_id: str) -> str:
    return reverse("incidents:detail", args=[incident_id])


def on_event(event: Event, payload: dict[str, Any]) -> None:
    handler = HANDLERS.get(event.kind)
    if handler is not None:
        handler(event, payload)


def _report_submitted(event: Event, payload: dict[str, Any]) -> None:
    from truceline.incidents.models import Incident

    incident = Incident.objects.filter(pk=payload.get("incident")).first()
    if incident is None or not incident.urgent:
        return
    services.notify(
        _people(role=Role.MONITOR),
        kind=Kind.URGENT_REPORT,
        text=Message(
            gettext_noop("Urgent report %(id)s"),
            gettext_noop("An urgent report opened incident %(id)s. Triage it now."),
            {"id": incident.pk},
        ),
        obj=incident,
        url=_incident_url(incident.pk),
        event=event,
    )


def _report_filers(incident_id: str) -> list[User]:
    from truceline.reports.models import Report

    ids = Report.objects.filter(incident_id=incident_id).values("filed_by_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _incident_triaged(event: Event, payload: dict[str, Any]) -> None:
    from truceline.incidents.models import Incident

    incident = Incident.objects.get(pk=event.object_id)
    admissible = payload.get("admissible")
    kind = Kind.REPORT_TRIAGED if admissible else Kind.REPORT_INADMISSIBLE
    body = (
        gettext_noop("Incident %(id)s was ruled admissible; the monitors will verify it.")
        if admissible
        else gettext_noop("Incident %(id)s was ruled inadmissible. The reason is on its page.")
    )
    services.notify(
        _report_filers(incident.pk),
        kind=kind,
        text=Message(gettext_noop("Your report: incident %(id)s"), body, {"id": incident.pk}),
        obj=incident,
        url=_incident_url(incident.pk),
        event=event,
    )


def _incident_merged(event: Event, payload: dict[str, Any]) -> None:
    from truceline.incidents.models import Incident

    into = Incident.objects.get(pk=payload["into"])
    services.notify(
        _report_filers(into.pk),
        kind=Kind.REPORT_MERGED,
        text=Message(
            gettext_noop("Your report: merged into incident %(id)s"),
            gettext_noop("Incident %(old)s was merged into incident %(id)s; follow it there."),
            {"old": event.object_id, "id": into.pk},
        ),
        obj=into,
        url=_incident_url(into.pk),
        event=event,
    )


def _question_asked(event: Event, payload: dict[str, Any]) -> None:
    from truceline.incidents.models import Question

    question = Question.objects.select_related("incident").get(pk=payload["question"])
    services.notify(
        _liaisons({question.party_id}),
        kind=Kind.QUESTION,
        text=Message(
            gettext_noop("A question on incident %(id)s"),
            gettext_noop("The monitors ask your party about incident %(id)s. Answer on its page."),
            {"id": question.incident_id},
        ),
        obj=question.incident,
        url=_incident_url(question.incident_id),
        event=event,
    )


def _incident_opened(event: Event, payload: dict[str, Any]) -> None:
    from truceline.incidents.models import Incident

    incident = Incident.objects.get(pk=event.object_id)
    services.notify(
        _liaisons({incident.accused_party_id}),
        kind=Kind.ALLEGATION_SHARED,
        text=Message(
            gettext_noop("Allegation against your party: incident %(id)s"),
            # the reply's deadline in the reader's zone and in UTC
            gettext_noop("The allegation is shared with your party; reply by %(due)s."),
            {"id": incident.pk, "due": incident.reply_due_at or "—"},
        ),
        obj=incident,
        url=_incident_url(incident.pk),
        event=event,
    )
    if incident.reply_due_at is not None:
        tasks.remind_reply.using(run_after=incident.reply_due_at - dt.timedelta(hours=24)).enqueue(
            incident.pk, incident.reply_due_at.isoformat()
        )


def _finding_drafted(event: Event, payload: dict[str, Any]) -> None:
    from truceline.findings.models import Finding

    finding = Finding.objects.get(pk=event.object_id)
    services.notify(
        _people(role=Role.SIGNATORY),
        kind=Kind.VOTE_AWAITED,
        text=Message(
            gettext_noop("Finding %(id)s awaits your vote"),
            gettext_noop(
                "A finding on incident %(incident)s is drafted; your organisation's vote is due."
            ),
            {"id": finding.pk, "incident": finding.incident_id},
        ),
        obj=finding,
        url=_incident_url(finding.incident_id),
        event=event,
    )


def _finding_endorsed(event: Event, payload: dict[str, Any]) -> None:
    from truceline.findings.models import Finding
    from truceline.findings.services import parties_concerned

    finding = Finding.objects.select_related("incident").get(pk=event.object_id)
    services.notify(
        _liaisons(parties_concerned(finding)),
        kind=Kind.FINDING_ENDORSED,
        text=Message(
            gettext_noop("Finding %(id)s endorsed"),
            gettext_noop(
                "The guarantors endorsed the finding on incident %(incident)s. It is published "
                "after the embargo or once every party concerned acknowledges it."
            ),
            {"id": finding.pk, "incident": finding.incident_id},
        ),
        obj=finding,
        url=_incident_url(finding.incident_id),
        event=event,
    )


def _finding_published(event: Event, payload: dict[str, Any]) -> None:
    from truceline.findings.models import Finding
    from truceline.findings.services import parties_concerned

    finding = Finding.objects.select_related("incident").get(pk=event.object_id)
    services.notify(
        _liaisons(parties_concerned(finding)) + _people(role=Role.MONITOR),
        kind=Kind.FINDING_PUBLISHED,
        text=Message(
            gettext_noop("Finding %(id)s published"),
            gettext_noop("The finding on incident %(incident)s is public."),
            {"id": finding.pk, "incident": finding.incident_id},
        ),
        obj=finding,
        url=_incident_url(finding.incident_id),
        event=event,
    )


def _request_made(event: Event, payload: dict[str, Any]) -> None:
    from truceline.followup.models import PartyRequest

    request = PartyRequest.objects.get(pk=event.object_id)
    tasks.check_request.using(run_after=request.deadline).enqueue(request.pk)


def _measure_decided(event: Event, payload: dict[str, Any]) -> None:
    from truceline.followup.models import Measure

    measure = Measure.objects.get(pk=event.object_id)
    if measure.due is not None:
        after = dt.datetime.combine(measure.due + dt.timedelta(days=1), dt.time(), dt.UTC)
        tasks.check_measure.using(run_after=after).enqueue(measure.pk)


HANDLERS = {
    "report.submitted": _report_submitted,
    "incident.triaged": _incident_triaged,
    "incident.merged": _incident_merged,
    "incident.question-asked": _question_asked,
    "incident.opened": _incident_opened,
    "finding.drafted": _finding_drafted,
    "finding.endorsed": _finding_endorsed,
    "finding.published": _finding_published,
    "request.made": _request_made,
    "measure.decided": _measure_decided,
}
