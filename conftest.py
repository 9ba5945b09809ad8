"""Shared test fixtures: the bundled scenario, one person per role, an API client with tokens."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import translation

from truceline.accounts.models import User
from truceline.accounts.services import token_create, user_create
from truceline.accounts.testing import force_sign_in
from truceline.findings.keys import signing_key_create
from truceline.scenario.models import Organisation
from truceline.scenario.services import scenario_load_file
from truceline.testing.network import Internet, Listener, listeners
from truceline.testing.people import PASSWORD, PEOPLE, totp_code
from truceline.testing.snapshot import Recording

# The suite's own listeners are on 127.0.0.1: outbound requests may reach loopback in tests (the
# tests of that rule, notify/tests/test_outbound.py, turn it off); the servers the tests start
# inherit it from the environment.
os.environ.setdefault("TRUCELINE_OUTBOUND_ALLOW_LOOPBACK", "1")
settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = os.environ["TRUCELINE_OUTBOUND_ALLOW_LOOPBACK"] == "1"
# Every event kind appended is in the ledger's catalogue of kinds (ledger/kinds.py), or the test
# that appends it fails.
settings.TRUCELINE_STRICT_EVENT_KINDS = True

# The suite holds on any day: TRUCELINE_TEST_CLOCK=YYYY-MM-DD runs it with the clock moved to
# that day (and ticking), as CI does for the mechanism's second and fifth years. Tests that
# start servers or other processes cannot move those processes' clocks; they carry the
# `processes` (or `browser`) mark, run on the real day, and are left out of a moved run.
TEST_CLOCK = os.environ.get("TRUCELINE_TEST_CLOCK", "").strip()
if TEST_CLOCK:
    _travel = time_machine.travel(
        dt.datetime.combine(dt.date.fromisoformat(TEST_CLOCK), dt.time(9, 30), dt.UTC), tick=True
    )
    _travel.start()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not TEST_CLOCK:
        return
    kept, left = [], []
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)
        marks = {m.name for m in item.iter_markers()}
        (left if marks & {"browser", "processes"} else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str | None:
    if TEST_CLOCK:
        return f"clock moved to {TEST_CLOCK} (ticking); browser and process tests left out"
    return None


@pytest.fixture(autouse=True)
def _language_put_back() -> Iterator[None]:
    # A request leaves its language active in the thread (the locale middleware activates it and
    # nothing deactivates it): without this, a test that asked for a page in Pashto would have
    # the next test's messages read in Pashto.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _processes_are_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    """With the clock moved, a test that starts a process without the `processes` mark fails
    and names the mark, so that a new one cannot pass on a clock its child does not share."""
    if not TEST_CLOCK:
        yield
        return
    real = subprocess.Popen.__init__

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        argv = args[0] if args else kwargs.get("args", "")
        program = os.path.basename(str(argv[0] if isinstance(argv, list | tuple) else argv))
        # tools a library asks something of (ldconfig for WeasyPrint's fonts) may run
        if program.startswith(("python", "truceline", "chromium", "node", "postgres", "pg_")):
            raise RuntimeError(
                f"{request.node.nodeid} starts a process, whose clock is not moved: "
                "mark it pytest.mark.processes"
            )
        real(self, *args, **kwargs)

    subprocess.Popen.__init__ = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        subprocess.Popen.__init__ = real  # type: ignore[method-assign]


_bundled: list[Recording | None] = [None]


@pytest.fixture
def scenario(db: None) -> None:
    """The bundled scenario: loaded by its services, then replayed (testing/snapshot.py)."""
    if _bundled[0] is not None and _bundled[0].replay():
        return
    path = settings.TRUCELINE_BUNDLED_SCENARIO
    _bundled[0] = Recording.of(lambda: scenario_load_file(actor=None, path=path))


@pytest.fixture(scope="session")
def password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    return make_password(PASSWORD)


@pytest.fixture
def people(scenario: None, password_hash: str) -> dict[str, User]:
    cast = {}
    for name, (org, role) in PEOPLE.items():
        user = user_create(
            actor=None,
            username=name,
            organisation=Organisation.objects.get(pk=org),
            role=role,
            password=None,
        )
        User.objects.filter(pk=user.pk).update(password=password_hash)
        user.refresh_from_db()
        cast[name] = user
    for org in Organisation.objects.filter(guarantor=True):
        signing_key_create(actor=None, organisation=org)
    return cast


class Api:
    """A JSON client for /api/v1/ that signs requests with a user's token."""

    def __init__(self, client: Client, people: dict[str, User]) -> None:
        self.client = client
        self.people = people
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            _t, raw = token_create(actor=None, user=self.people[username])
            self.tokens[username] = raw
        return self.tokens[username]

    def call(
        self,
        method: str,
        path: str,
        as_: str | None = None,
        body: Any = None,
        raw: str | None = None,
    ) -> tuple[int, Any]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token(as_)}"} if as_ else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"content_type": "application/json"} if data is not None else {}
        if data is not None:
            kwargs["data"] = data
        response = getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs, **headers)
        try:
            payload = response.json()
        except ValueError:
            payload = response.content.decode()
        return response.status_code, payload

    def vote(self, finding_id: str, body: dict[str, Any], as_: str) -> tuple[int, Any]:
        """A signatory's vote, signed with a fresh code from their authenticator."""
        code = totp_code(self.people[as_])
        return self.post(f"/findings/{finding_id}/votes", {**body, "code": code}, as_)

    def get(self, path: str, as_: str | None = None) -> tuple[int, Any]:
        return self.call("GET", path, as_)

    def post(self, path: str, body: Any = None, as_: str | None = None) -> tuple[int, Any]:
        return self.call("POST", path, as_, body if body is not None else {})


@pytest.fixture
def api(client: Client, people: dict[str, User]) -> Api:
    return Api(client, people)


@pytest.fixture
def login(client: Client, people: dict[str, User]) -> Callable[[str], Client]:
    """Signed in as the password and (for the mechanism's people) the authenticator would."""

    def as_(username: str) -> Client:
        return force_sign_in(client, people[username])

    return as_


@pytest.fixture
def listen() -> Iterator[Callable[..., Listener]]:
    """HTTP listeners on 127.0.0.1 made on demand (``listen(body)``), shut down after."""
    with listeners() as make:
        yield make


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch) -> Internet:
    """Names that resolve to the addresses a test chooses (the outbound checks see them)."""
    return Internet(monkeypatch)
