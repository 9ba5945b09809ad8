"""The background tasks: the outbox's drain, deliveries with their retries, and the reminders
the rules schedule.

Run by ``truceline worker`` (django-tasks' database worker). A failed webhook delivery is
tried again after TRUCELINE_WEBHOOK_RETRY_SECONDS, doubling each time, up to
TRUCELINE_WEBHOOK_ATTEMPTS tries in all; each try is in the delivery log.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task


@task()
def drain() -> str:
    """Work the outbox: each event's notifications and reminders (outbox.drain)."""
    from truceline.notify import outbox

    drained = outbox.drain()
    again = outbox.retry_after(drained)
    if again is not None:
        drain.using(run_after=again).enqueue()
    return f"{drained.done} drained, {drained.failed} failed"


@task()
def deliver(delivery_id: int) -> str:
    from truceline.notify.models import Delivery
    from truceline.notify.services import attempt

    done = attempt(delivery_id)
    if done is False:
        tries = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
        wait = settings.TRUCELINE_WEBHOOK_RETRY_SECONDS * 2 ** (tries - 1)
        deliver.using(run_after=timezone.now() + dt.timedelta(seconds=wait)).enqueue(delivery_id)
        return "retrying"
    return "delivered" if done else "failed"


@task()
def remind_reply(incident_id: str, due: str) -> str:
    """24 hours before the reply window closes: remind the accused party, unless it replied
    or the window moved (another reminder is scheduled for the new one)."""
    from django.urls import reverse
    from django.utils.translation import gettext_noop

    from truceline.incidents.models import Incident
    from truceline.notify.models import Kind
    from truceline.notify.rules import _liaisons
    from truceline.notify.services import Message, notify

    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None or incident.reply_due_at is None:
        return "gone"
    if incident.reply_due_at.isoformat() != due or incident.reply_due_at <= timezone.now():
        return "moved"
    if incident.responses.filter(party_id=incident.accused_party_id).exists():
        return "answered"
    notify(
        _liaisons({incident.accused_party_id}),
        kind=Kind.REPLY_CLOSING,
        text=Message(
            gettext_noop("Reply due within 24 hours: incident %(id)s"),
            # the moment in the reader's zone and in UTC
            gettext_noop("Your party's reply window on incident %(id)s closes at %(due)s."),
            {"id": incident.pk, "due": incident.reply_due_at},
        ),
        obj=incident,
        url=reverse("incidents:detail", args=[incident.pk]),
    )
    return "reminded"


@task()
def check_request(request_id: str) -> str:
    """At a request's deadline: if unanswered, tell both parties and the monitors."""
    from django.urls import reverse
    from django.utils.translation import gettext_noop

    from truceline.accounts.models import Role
    from truceline.followup.models import PartyRequest, RequestState
    from truceline.notify.models import Kind
    from truceline.notify.rules import _liaisons, _people
    from truceline.notify.services import Message, notify

    request = PartyRequest.objects.filter(pk=request_id).first()
    if request is None or request.state != RequestState.OPEN:
        return "settled"
    if request.deadline > timezone.now():
        return "early"
    notify(
        _liaisons({request.from_party_id, request.to_party_id}) + _people(role=Role.MONITOR),
        kind=Kind.REQUEST_OVERDUE,
        text=Message(
            gettext_noop("Request %(id)s is overdue"),
            gettext_noop("The deadline of request %(id)s passed without an answer."),
            {"id": request.pk},
        ),
        obj=request,
        url=reverse("followup:request", args=[request.pk]),
    )
    return "overdue"


@task()
def check_measure(measure_id: str) -> str:
    """The day after a measure's date: if not done, tell the party and the mechanism."""
    from django.urls import reverse
    from django.utils.translation import gettext_noop

    from truceline.accounts.models import Role
    from truceline.followup.models import Measure, MeasureKind
    from truceline.notify.models import Kind
    from truceline.notify.rules import _liaisons, _people
    from truceline.notify.services import Message, notify

    measure = Measure.objects.filter(pk=measure_id).first()
    if measure is None or not measure.overdue:
        return "settled"
    notify(
        _liaisons({measure.party_id}) + _people(role=Role.MONITOR) + _people(role=Role.SIGNATORY),
        kind=Kind.MEASURE_OVERDUE,
        text=Message(
            gettext_noop("Measure %(id)s is overdue"),
            gettext_noop(
                "The %(kind)s decided on %(when)s was due by %(due)s and is not recorded done."
            ),
            {
                "id": measure.pk,
                # the label, read in each recipient's language when written to them
                "kind": MeasureKind(measure.kind).label,
                "when": f"{measure.decided_at:%Y-%m-%d}",
                "due": f"{measure.due:%Y-%m-%d}",
            },
        ),
        obj=measure,
        url=reverse("incidents:detail", args=[measure.finding.incident_id]),
    )
    return "overdue"
