"""Schemathesis (Hypothesis underneath) generates requests from the OpenAPI document, valid
and not, for every operation, as a liaison and as a monitor: no answer may be a 500, and
every refusal must come in the error shape."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from truceline.accounts.services import token_create
from truceline.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(autouse=True)
def keep_the_test_connection():  # type: ignore[no-untyped-def]
    """Django closes the connection when a WSGI request ends; Schemathesis calls the WSGI app
    directly, which would close the test's transaction (PostgreSQL). Django's own test client
    disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(people) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {u: token_create(actor=None, user=people[u])[1] for u in ("pk-liaison", "qa-monitor")}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.parametrize("role", ["pk-liaison", "qa-monitor"])
def test_no_server_errors(case, tokens, role) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
