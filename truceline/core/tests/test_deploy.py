"""Production settings pass Django's deployment checks, and every page carries the headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile

import pytest


@pytest.mark.processes
def test_check_deploy_is_clean_with_production_settings() -> None:
    env = dict(
        os.environ,
        TRUCELINE_HTTPS="1",
        TRUCELINE_DEBUG="0",
        TRUCELINE_SECRET_KEY=secrets.token_urlsafe(64),
        TRUCELINE_DATA_DIR=tempfile.mkdtemp(),
        TRUCELINE_ALLOWED_HOSTS="truceline.example.org",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' need, never production's
    done = subprocess.run(
        [sys.executable, "-m", "truceline", "check", "--deploy", "--fail-level", "DEBUG"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout + done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/map/", "/ledger/", "/signin/"])
def test_pages_carry_a_strict_policy(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200
    policy = dict(
        ([*part.strip().split(" ", 1), ""])[:2]
        for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval, nothing from elsewhere
    assert "unsafe-inline" not in policy["style-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.content and b" onclick=" not in response.content
