"""Notifications end to end: the workflow's events reach the right people only, by email and
by signed webhooks to a receiver started here, through the database queue and its worker,
with retries and a delivery log."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core import mail

from truceline.followup.services import RequestInput, SubjectInput, request_make
from truceline.notify.models import Attempt, Delivery, Notification, Webhook
from truceline.notify.services import preferences_set, webhook_create
from truceline.testing.incidents import make_incident
from truceline.testing.network import signed_correctly
from truceline.testing.tasks import work

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that answers each POST with the next status of ``script``
    (then 200), keeping what it received."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.got: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = outer.script.pop(0) if outer.script else 200
                outer.got.append({"headers": dict(self.headers), "body": body, "status": status})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict[str, Any]]:
        return [g for g in self.got if g["status"] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture(autouse=True)
def _no_wait(settings: Any) -> None:
    # The receivers here listen on 127.0.0.1, which a deployment refuses (core/outbound.py;
    # test_outbound.py holds the rule with loopback refused).
    settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = True
    settings.TRUCELINE_WEBHOOK_RETRY_SECONDS = 0
    settings.TRUCELINE_WEBHOOK_TIMEOUT = 5


def test_each_event_reaches_its_people_signed_and_by_email(people, receiver) -> None:  # type: ignore[no-untyped-def]
    for name, user in people.items():
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
    secrets = {}
    for name in ("af-liaison", "pk-liaison", "qa-signatory", "tr-monitor"):
        _hook, secrets[name] = webhook_create(actor=people[name], url=receiver.url)

    make_incident(people, "published")  # Pakistan files against Afghanistan, through to the end
    work()
    kinds: dict[str, set[str]] = {}
    for note in Notification.objects.select_related("user"):
        kinds.setdefault(note.user.username, set()).add(note.kind)
    assert kinds["pk-liaison"] >= {"report-triaged", "finding-endorsed", "finding-published"}
    assert kinds["af-liaison"] >= {"allegation-shared", "finding-endorsed", "finding-published"}
    assert "report-triaged" not in kinds["af-liaison"]  # not the filer
    assert kinds["qa-signatory"] == {"vote-awaited"}
    assert "finding-published" in kinds["tr-monitor"]
    assert "finding-published" not in kinds.get("qa-monitor", set())  # who published it
    assert "finding-published" not in kinds.get("tr-signatory", set())  # not among those told

    # every webhook delivery is correctly signed, for the person's own secret
    by_url_owner = {h.pk: h.user.username for h in Webhook.objects.select_related("user")}
    for delivery in Delivery.objects.filter(channel="webhook").select_related("notification"):
        assert delivery.state == "delivered", delivery
    assert len(receiver.delivered()) == Delivery.objects.filter(channel="webhook").count()
    for got in receiver.delivered():
        delivery = Delivery.objects.get(public_id=got["headers"]["Truceline-Delivery"])
        owner = by_url_owner[delivery.webhook_id]
        assert signed_correctly(got, secrets[owner])
        other = "tr-monitor" if owner != "tr-monitor" else "af-liaison"
        assert not signed_correctly(got, secrets[other])
        body = json.loads(got["body"])
        assert body["kind"] == delivery.notification.kind and body["ledger_entry"]
        assert "Mortar" not in got["body"].decode()  # what happened and where: never the record
    # and by email, each to its own person
    sent = {(m.to[0], m.subject) for m in mail.outbox}
    assert Notification.objects.filter(user__username="af-liaison").count() == sum(
        1 for to, _s in sent if to == "af-liaison@example.org"
    )


def test_a_receiver_that_fails_twice_gets_it_on_the_third_try(people, receiver) -> None:  # type: ignore[no-untyped-def]
    _hook, secret = webhook_create(actor=people["af-liaison"], url=receiver.url)
    receiver.script = [500, 503]
    make_incident(people, "under-verification")  # shared with Afghanistan
    work()
    delivery = Delivery.objects.get(channel="webhook", notification__kind="allegation-shared")
    assert delivery.state == "delivered" and delivery.attempts == 3
    log = list(Attempt.objects.filter(delivery=delivery).values_list("ok", "status_code"))
    assert log == [(False, 500), (False, 503), (True, 200)]
    tries = [g for g in receiver.got if g["headers"]["Truceline-Delivery"] == delivery.public_id]
    assert len(tries) == 3 and all(signed_correctly(g, secret) for g in tries)


def test_a_receiver_that_never_answers_is_given_up_on(people, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_WEBHOOK_ATTEMPTS = 3
    webhook_create(actor=people["af-liaison"], url="http://127.0.0.1:9/closed")
    make_incident(people, "under-verification")
    work()
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.state == "failed" and delivery.attempts == 3
    assert all(a.error for a in delivery.log.all())


def test_preferences_turn_a_channel_off(people, receiver) -> None:  # type: ignore[no-untyped-def]
    webhook_create(actor=people["af-liaison"], url=receiver.url)
    preferences_set(
        actor=people["af-liaison"],
        choices={"allegation-shared": {"email": False, "webhook": False}},
    )
    make_incident(people, "under-verification")
    work()
    note = Notification.objects.get(user=people["af-liaison"], kind="allegation-shared")
    assert not note.deliveries.exists() and receiver.got == []  # still listed on the page


def test_reminders_wait_for_their_time_and_check_first(people, receiver) -> None:  # type: ignore[no-untyped-def]
    webhook_create(actor=people["af-liaison"], url=receiver.url)
    incident = make_incident(people, "under-verification")
    work()
    assert not Notification.objects.filter(kind="reply-closing").exists()
    assert incident.reply_due_at is not None
    with time_machine.travel(incident.reply_due_at - dt.timedelta(hours=23)):
        work()
    note = Notification.objects.get(kind="reply-closing")
    assert note.user == people["af-liaison"]
    # a request's deadline passing unanswered tells both parties and the monitors
    made = request_make(
        actor=people["pk-liaison"],
        data=RequestInput(
            to_party="afghanistan",
            kind="hand-over",
            grounds="led the attack",
            deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
            subjects=[SubjectInput("A. Person")],
        ),
    )
    work()
    assert not Notification.objects.filter(kind="request-overdue").exists()
    with time_machine.travel(made.deadline + dt.timedelta(minutes=1)):
        work()
    told = set(
        Notification.objects.filter(kind="request-overdue").values_list("user__username", flat=True)
    )
    assert told == {"pk-liaison", "af-liaison", "qa-monitor", "tr-monitor"}


def test_notifications_never_reach_those_who_may_not_see(people) -> None:  # type: ignore[no-untyped-def]
    from truceline.notify.services import Message, notify

    incident = make_incident(people, "received")  # Afghanistan may not see it yet
    made = notify(
        [people["af-liaison"], people["pk-liaison"]],
        kind="question",
        text=Message("s", "b"),
        obj=incident,
        url="/",
    )
    assert [n.user.username for n in made] == ["pk-liaison"]


def test_the_notifications_page_and_api(people, login, api, receiver) -> None:  # type: ignore[no-untyped-def]
    make_incident(people, "under-verification")
    work()
    page = login("af-liaison").get("/notifications/")
    assert page.status_code == 200
    assert "Allegation against your party" in page.content.decode()
    status, body = api.get("/notifications", as_="af-liaison")
    assert status == 200 and body["items"][0]["kind"] == "allegation-shared"
    assert api.get("/notifications", as_="pk-liaison")[1]["items"][0]["kind"] == "report-triaged"
    status, body = api.post("/webhooks", {"url": "ftp://example.org/x"}, as_="af-liaison")
    assert status == 422 and "url" in body["error"]["fields"]
    status, body = api.post("/webhooks", {"url": receiver.url}, as_="af-liaison")
    assert status == 201 and len(body["secret"]) == 64
    hook = body["id"]
    assert "secret" not in api.get("/webhooks", as_="af-liaison")[1]["items"][0]
    assert api.get(f"/webhooks/{hook}/deliveries", as_="pk-liaison")[0] == 404
    status, prefs = api.post(
        "/notifications/preferences",
        {"choices": {"question": {"email": False, "webhook": True}}},
        as_="af-liaison",
    )
    assert status == 200
    assert {p["kind"]: p["email"] for p in prefs["items"]}["question"] is False
    assert (
        api.post(
            "/notifications/preferences",
            {"choices": {"nope": {"email": True, "webhook": True}}},
            as_="af-liaison",
        )[0]
        == 422
    )
    assert api.post(f"/webhooks/{hook}/revoke", as_="af-liaison")[0] == 200
    assert api.post(f"/webhooks/{hook}/revoke", as_="af-liaison")[0] == 409


def test_every_kind_of_event_reaches_a_receiver_signed(people, receiver) -> None:  # type: ignore[no-untyped-def]
    """One receiver per person; each kind of notification the workflow makes arrives signed
    with the receiver's own secret."""
    from dataclasses import replace

    from truceline.incidents.services import question_ask
    from truceline.reports.services import report_submit
    from truceline.testing.incidents import REPORT

    secrets = {}
    for name in ("pk-liaison", "af-liaison", "tr-monitor", "qa-signatory"):
        _hook, secrets[name] = webhook_create(actor=people[name], url=receiver.url)
    report_submit(actor=people["pk-liaison"], data=replace(REPORT, urgent=True))
    make_incident(people, "inadmissible")
    make_incident(people, "merged")
    shared = make_incident(people, "under-verification")
    question_ask(incident=shared, actor=people["qa-monitor"], party="afghanistan", text="When?")
    make_incident(people, "published")
    work()
    got: dict[str, set[str]] = {}
    for delivery in receiver.delivered():
        d = Delivery.objects.select_related("webhook__user", "notification").get(
            public_id=delivery["headers"]["Truceline-Delivery"]
        )
        owner = d.webhook.user.username
        assert signed_correctly(delivery, secrets[owner])
        got.setdefault(owner, set()).add(json.loads(delivery["body"])["kind"])
    assert "urgent-report" in got["tr-monitor"]
    assert {"report-inadmissible", "report-merged", "report-triaged"} <= got["pk-liaison"]
    assert {"allegation-shared", "question", "finding-endorsed"} <= got["af-liaison"]
    assert "vote-awaited" in got["qa-signatory"]
    assert "finding-published" in got["tr-monitor"]


def test_a_measure_past_its_date_undone_is_announced_to_those_concerned(people) -> None:  # type: ignore[no-untyped-def]
    from truceline.accounts.testing import fresh_code
    from truceline.followup.services import measure_decide, measure_done

    finding = make_incident(people, "published").findings.get(status="published")
    due = dt.date.today() + dt.timedelta(days=3)
    late = measure_decide(
        actor=people["qa-signatory"],
        finding=finding,
        party="afghanistan",
        kind="demand",
        text="Hand over the commanders.",
        due=due,
        code=fresh_code(people["qa-signatory"]),
    )
    done = measure_decide(
        actor=people["tr-signatory"],
        finding=finding,
        party="afghanistan",
        kind="demand",
        text="Close the camp.",
        due=due,
        code=fresh_code(people["tr-signatory"]),
    )
    measure_done(actor=people["qa-monitor"], measure=done, note="Seen closed.")
    work()
    assert not Notification.objects.filter(kind="measure-overdue").exists()
    with time_machine.travel(dt.datetime.combine(due, dt.time(), dt.UTC) + dt.timedelta(days=2)):
        work()
    overdue = Notification.objects.filter(kind="measure-overdue")
    assert {n.object_id for n in overdue} == {late.pk}
    assert {"af-liaison", "qa-monitor", "tr-monitor"} <= {n.user.username for n in overdue}
    assert "pk-liaison" not in {n.user.username for n in overdue}  # not addressed to Pakistan
