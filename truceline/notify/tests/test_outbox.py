"""The outbox: the event's transaction records one row and computes nothing else; the worker
drains it into notifications written in each recipient's language and zone, exactly once,
whatever crashes in between."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from truceline.ledger.models import Event
from truceline.notify import outbox
from truceline.notify.models import Delivery, Notification, Outbox
from truceline.notify.services import preferences_set
from truceline.reports.services import report_submit
from truceline.testing.incidents import REPORT, make_incident
from truceline.testing.tasks import work

pytestmark = pytest.mark.django_db

URGENT = replace(REPORT, urgent=True)


class Boom(Exception):
    pass


def _drains() -> int:
    return DBTaskResult.objects.filter(task_path="truceline.notify.tasks.drain").count()


def test_the_row_commits_with_the_change_and_nothing_else_is_computed(people) -> None:  # type: ignore[no-untyped-def]
    before = _drains()
    _report, event = report_submit(actor=people["pk-liaison"], data=URGENT)
    row = Outbox.objects.get(event=event)
    assert row.processed_at is None and row.attempts == 0
    assert Outbox.objects.count() == 1  # exactly one row for the event
    # no recipient was looked up, no notification or delivery written in the request
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert _drains() == before + 1  # one drain queued, in the same transaction
    # an event no rule reacts to leaves no row
    preferences_set(actor=people["qa-monitor"], choices={})
    assert Outbox.objects.count() == 1


def test_a_rollback_takes_the_row_with_it(people) -> None:  # type: ignore[no-untyped-def]
    events, drains = Event.objects.count(), _drains()
    with pytest.raises(Boom), transaction.atomic():
        report_submit(actor=people["pk-liaison"], data=URGENT)
        assert Outbox.objects.count() == 1
        raise Boom  # the change fails after its event was appended
    assert Outbox.objects.count() == 0
    assert Event.objects.count() == events and _drains() == drains


def test_draining_twice_delivers_once(people) -> None:  # type: ignore[no-untyped-def]
    for user in people.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    report_submit(actor=people["pk-liaison"], data=URGENT)
    work()
    told = sorted(Notification.objects.values_list("user__username", "kind"))
    assert told == [("qa-monitor", "urgent-report"), ("tr-monitor", "urgent-report")]
    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == ["qa-monitor@example.org", "tr-monitor@example.org"]
    assert Outbox.objects.get().processed_at is not None
    # the row is drained already: draining again, by hand and by a worker, adds nothing
    assert outbox.drain() == outbox.Drained(done=0, failed=0, more=False)
    from truceline.notify.tasks import drain

    drain.enqueue()
    work()
    assert sorted(Notification.objects.values_list("user__username", "kind")) == told
    assert Delivery.objects.count() == 2 and len(mail.outbox) == 2


def test_a_crash_mid_drain_loses_nothing_and_doubles_nothing(people, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    report_submit(actor=people["pk-liaison"], data=URGENT)
    saved = Delivery.save
    calls = {"n": 0}

    def crash_on_the_second(self: Delivery, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the first monitor's notification is written, the second's not
            raise Boom
        saved(self, *args, **kwargs)

    monkeypatch.setattr(Delivery, "save", crash_on_the_second)
    assert outbox.drain() == outbox.Drained(done=0, failed=1, more=False)
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path="truceline.notify.tasks.deliver").exists()
    row = Outbox.objects.get()
    assert row.processed_at is None and row.attempts == 1  # still pending, the failure counted
    assert outbox.retry_after(outbox.Drained(done=0, failed=1, more=False)) is not None

    monkeypatch.setattr(Delivery, "save", saved)
    assert outbox.drain().done == 1
    assert outbox.drain().done == 0
    assert Notification.objects.count() == 2 and Delivery.objects.count() == 2


def test_a_row_that_keeps_failing_is_left_for_an_operator(people, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from truceline.notify import rules

    report_submit(actor=people["pk-liaison"], data=URGENT)

    def broken(event: Event, payload: dict[str, Any]) -> None:
        raise Boom

    monkeypatch.setitem(rules.HANDLERS, "report.submitted", broken)
    for _ in range(outbox.ATTEMPTS):
        assert outbox.drain().failed == 1
    assert outbox.drain() == outbox.Drained(done=0, failed=0, more=False)  # no longer tried
    row = Outbox.objects.get()
    assert row.processed_at is None and row.attempts == outbox.ATTEMPTS  # kept, not dropped


def test_each_recipient_is_written_to_in_their_language_and_zone(people) -> None:  # type: ignore[no-untyped-def]
    languages = {"af-liaison": "ps", "pk-liaison": "ur", "tr-monitor": "tr"}
    for name, code in languages.items():
        people[name].language = code
        people[name].save(update_fields=["language"])
    assert people["af-liaison"].time_zone == "Asia/Kabul"  # from the organisation
    incident = make_incident(people, "under-verification")  # filed by Pakistan, shared
    assert not Notification.objects.exists()  # nothing until the worker drains
    work()
    told = {(n.user.username, n.kind): n for n in Notification.objects.select_related("user")}
    # the right people: the filer hears of the triage, the accused party of the allegation
    assert set(told) == {("pk-liaison", "report-triaged"), ("af-liaison", "allegation-shared")}

    def written(code: str, msgid: str, **values: object) -> str:
        with translation.override(code):
            return gettext(msgid) % values

    shared = told["af-liaison", "allegation-shared"]
    subject = "Allegation against your party: incident %(id)s"
    assert shared.subject == written("ps", subject, id=incident.pk)
    assert shared.subject != written("en", subject, id=incident.pk)
    assert incident.reply_due_at is not None
    kabul = incident.reply_due_at.astimezone(dt.timezone(dt.timedelta(hours=4, minutes=30)))
    utc = incident.reply_due_at.astimezone(dt.UTC)
    due = f"{kabul:%Y-%m-%d %H:%M} UTC+04:30 ({utc:%Y-%m-%d %H:%M} UTC)"
    assert due in shared.body  # the deadline in the reader's zone and in UTC
    triaged = told["pk-liaison", "report-triaged"]
    assert triaged.subject == written("ur", "Your report: incident %(id)s", id=incident.pk)

    # the urgent report reaches both monitors: one in Turkish, one in the default, English
    report, _event = report_submit(actor=people["pk-liaison"], data=URGENT)
    work()
    urgent = {n.user.username: n.subject for n in Notification.objects.filter(kind="urgent-report")}
    opened = report.incident_id
    assert urgent == {
        "tr-monitor": written("tr", "Urgent report %(id)s", id=opened),
        "qa-monitor": f"Urgent report {opened}",
    }
    assert urgent["tr-monitor"] != urgent["qa-monitor"]
