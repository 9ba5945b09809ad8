"""Idempotency-Key on create requests: a retry gets the first answer and creates nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import RequestFactory
from django.utils import timezone

from truceline.idempotency.middleware import fingerprint, parse_key
from truceline.idempotency.models import IdempotencyKey
from truceline.reports.models import Report
from truceline.testing.story import REPORT

pytestmark = pytest.mark.django_db


def post(api, path, body, as_, key, **extra):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(as_)}", "HTTP_IDEMPOTENCY_KEY": key}
    return api.client.post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers, **extra
    )


def test_a_retry_gets_the_first_answer_and_creates_nothing(api) -> None:  # type: ignore[no-untyped-def]
    first = post(api, "/reports", REPORT, "pk-liaison", '"k-1"')
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    again = post(api, "/reports", REPORT, "pk-liaison", '"k-1"')
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Report.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api) -> None:  # type: ignore[no-untyped-def]
    assert post(api, "/reports", REPORT, "pk-liaison", "k-2").status_code == 201
    other = post(api, "/reports", {**REPORT, "narrative": "Something else."}, "pk-liaison", "k-2")
    assert other.status_code == 422 and other.json()["error"]["code"] == "key-reused"
    elsewhere = post(api, "/incidents/INC-00000000/triage", REPORT, "pk-liaison", "k-2")
    assert elsewhere.status_code == 422
    assert Report.objects.count() == 1


def test_keys_belong_to_their_client(api) -> None:  # type: ignore[no-untyped-def]
    mine = post(api, "/reports", REPORT, "pk-liaison", "shared-key")
    body = {**REPORT, "accused_party": "pakistan", "origin": "pakistan"}
    theirs = post(api, "/reports", body, "af-liaison", "shared-key")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert theirs.json()["report"]["id"] != mine.json()["report"]["id"]
    assert theirs.json()["report"]["filed_by"] == "af-liaison"
    assert Report.objects.count() == 2


def test_a_retry_while_the_first_runs_is_409(api, people) -> None:  # type: ignore[no-untyped-def]
    # The state a first attempt is in while it runs: the key claimed, no answer yet.
    _claim(people, "k-3", attempt="alive", started_at=timezone.now())
    response = post(api, "/reports", REPORT, "pk-liaison", "k-3")
    assert response.status_code == 409 and response.json()["error"]["code"] == "in-flight"
    assert Report.objects.count() == 0


def test_a_claim_left_by_a_dead_attempt_is_taken_over_after_the_lease(  # type: ignore[no-untyped-def]
    api, people, settings
) -> None:
    settings.TRUCELINE_IDEMPOTENCY_LEASE = 5
    _claim(people, "k-4", attempt="dead", started_at=timezone.now() - dt.timedelta(seconds=6))
    response = post(api, "/reports", REPORT, "pk-liaison", "k-4")
    assert response.status_code == 201 and Report.objects.count() == 1
    row = IdempotencyKey.objects.get(key="k-4")
    assert row.attempt != "dead" and row.status == 201
    assert post(api, "/reports", REPORT, "pk-liaison", "k-4")["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def _claim(people, key, **fields):  # type: ignore[no-untyped-def]
    """A key as a first attempt leaves it while it runs (or after it died): no answer yet."""
    IdempotencyKey.objects.create(
        client=people["pk-liaison"],
        key=key,
        fingerprint=_print_of(REPORT),
        method="POST",
        path="/api/v1/reports",
        **fields,
    )


def _print_of(body):  # type: ignore[no-untyped-def]
    """The fingerprint the server computes for a POST of ``body`` to /reports."""
    made = RequestFactory().post("/api/v1/reports", json.dumps(body), "application/json")
    return fingerprint(made)


def test_refusals_are_kept_too_and_server_errors_are_not(api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bad = post(api, "/reports", {**REPORT, "narrative": ""}, "pk-liaison", "k-5")
    assert bad.status_code == 422
    assert (
        post(api, "/reports", {**REPORT, "narrative": ""}, "pk-liaison", "k-5")[
            "Idempotent-Replayed"
        ]
        == "true"
    )
    from truceline.reports import api as reports_api

    real = reports_api.report_submit

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        real(**kwargs)  # the report is made, then the request fails: it must not stay
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reports_api, "report_submit", broken)
    failed = post(api, "/reports", REPORT, "pk-liaison", "k-6")
    assert failed.status_code == 500
    assert not IdempotencyKey.objects.filter(key="k-6").exists()
    monkeypatch.undo()
    assert post(api, "/reports", REPORT, "pk-liaison", "k-6").status_code == 201
    assert Report.objects.count() == 1


def test_bad_keys_and_strangers(api) -> None:  # type: ignore[no-untyped-def]
    assert post(api, "/reports", REPORT, "pk-liaison", "").status_code == 400
    assert post(api, "/reports", REPORT, "pk-liaison", "x" * 256).status_code == 400
    assert post(api, "/reports", REPORT, "pk-liaison", "tab\there").status_code == 400
    stranger = api.client.post(
        "/api/v1/reports",
        json.dumps(REPORT),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-7",
    )
    assert stranger.status_code == 401
    assert not IdempotencyKey.objects.exists() and Report.objects.count() == 0
    assert parse_key('"abc"') == parse_key("abc") == "abc"
    assert parse_key('"a"b"') is None


def test_an_upload_retried_is_one_item(api) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from truceline.evidence.models import Evidence

    def upload():  # type: ignore[no-untyped-def]
        return api.client.post(
            "/api/v1/evidence",
            {"files": [SimpleUploadedFile("note.txt", b"seen at the post", "text/plain")]},
            HTTP_AUTHORIZATION=f"Bearer {api.token('pk-liaison')}",
            HTTP_IDEMPOTENCY_KEY="up-1",
        )

    first, again = upload(), upload()
    assert first.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and Evidence.objects.count() == 1


def test_expired_keys_are_forgotten_by_the_worker(  # type: ignore[no-untyped-def]
    api, people, settings, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    from truceline.testing.tasks import work

    settings.TRUCELINE_IDEMPOTENCY_DAYS = 7
    assert post(api, "/reports", REPORT, "pk-liaison", "old").status_code == 201
    IdempotencyKey.objects.filter(key="old").update(
        started_at=timezone.now() - dt.timedelta(days=8)
    )
    _claim(people, "abandoned", attempt="dead", started_at=timezone.now() - dt.timedelta(days=9))
    assert post(api, "/reports", REPORT, "pk-liaison", "recent").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        work()
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"recent"}
    assert Report.objects.count() == 2  # what the requests made stays
    # the next prune waits in the queue, once, however many workers start
    work()
    waiting = DBTaskResult.objects.filter(task_path__endswith="prune_keys", status="READY")
    assert waiting.count() == 1
    # forgotten: the old key is a new request now
    again = post(api, "/reports", REPORT, "pk-liaison", "old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
