"""Role × state × action, through the services themselves: what each person gets when they
try each step on an incident (or finding) in each state.

Cells: ok (done), 403 (may see, may not do), 404 (may not see), 409 (not in this state),
422 (refused as asked). Each cell is tried inside a savepoint that is rolled back, so every
cell starts from the same incident. The policy rows of test_matrix.py say who may; this table
says what really happens, state by state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction

from truceline.accounts.models import User
from truceline.accounts.testing import fresh_code
from truceline.core.errors import ApiError
from truceline.findings import services as fs
from truceline.findings.models import Finding, Reconsideration
from truceline.incidents import services as inc
from truceline.incidents.models import Incident
from truceline.policy import access
from truceline.testing.builders import make_finding, make_reconsideration
from truceline.testing.incidents import FINDING, make_incident
from truceline.testing.people import ROLES

INCIDENT_TABLE = """
# state              action        public pk-li af-li qa-mo tr-mo qa-si tr-si admin
received             triage        404   403   404   ok    ok    403   403   403
received             assign        404   403   404   ok    ok    403   403   403
received             merge         404   403   404   ok    ok    403   403   403
received             open          404   403   404   409   409   403   403   403
received             ask           404   403   404   ok    ok    403   403   403
received             respond       404   403   404   403   403   403   403   403
received             draft-finding 404   403   404   409   409   403   403   403
received             reconsider    404   409   404   403   403   403   403   403
triaged              triage        404   403   404   409   409   403   403   403
triaged              assign        404   403   404   ok    ok    403   403   403
triaged              merge         404   403   404   ok    ok    403   403   403
triaged              open          404   403   404   ok    ok    403   403   403
triaged              ask           404   403   404   ok    ok    403   403   403
triaged              respond       404   403   404   403   403   403   403   403
triaged              draft-finding 404   403   404   409   409   403   403   403
triaged              reconsider    404   409   404   403   403   403   403   403
inadmissible         triage        404   403   404   409   409   403   403   403
inadmissible         assign        404   403   404   409   409   403   403   403
inadmissible         merge         404   403   404   409   409   403   403   403
inadmissible         open          404   403   404   409   409   403   403   403
inadmissible         ask           404   403   404   409   409   403   403   403
inadmissible         respond       404   403   404   403   403   403   403   403
inadmissible         draft-finding 404   403   404   409   409   403   403   403
inadmissible         reconsider    404   ok    404   403   403   403   403   403
withdrawn            triage        404   403   404   409   409   403   403   403
withdrawn            assign        404   403   404   409   409   403   403   403
withdrawn            merge         404   403   404   409   409   403   403   403
withdrawn            open          404   403   404   409   409   403   403   403
withdrawn            ask           404   403   404   409   409   403   403   403
withdrawn            respond       404   403   404   403   403   403   403   403
withdrawn            draft-finding 404   403   404   409   409   403   403   403
withdrawn            reconsider    404   409   404   403   403   403   403   403
merged               triage        404   404   404   409   409   403   403   403
merged               assign        404   404   404   409   409   403   403   403
merged               merge         404   404   404   409   409   403   403   403
merged               open          404   404   404   409   409   403   403   403
merged               ask           404   404   404   409   409   403   403   403
merged               respond       404   404   404   403   403   403   403   403
merged               draft-finding 404   404   404   409   409   403   403   403
merged               reconsider    404   404   404   403   403   403   403   403
under-verification   triage        404   403   403   409   409   403   403   403
under-verification   assign        404   403   403   ok    ok    403   403   403
under-verification   merge         404   403   403   409   409   403   403   403
under-verification   open          404   403   403   409   409   403   403   403
under-verification   ask           404   403   403   ok    ok    403   403   403
under-verification   respond       404   403   ok    403   403   403   403   403
under-verification   draft-finding 404   403   403   ok    ok    403   403   403
under-verification   reconsider    404   409   409   403   403   403   403   403
finding-drafted      triage        404   403   403   409   409   403   403   403
finding-drafted      assign        404   403   403   ok    ok    403   403   403
finding-drafted      merge         404   403   403   409   409   403   403   403
finding-drafted      open          404   403   403   409   409   403   403   403
finding-drafted      ask           404   403   403   ok    ok    403   403   403
finding-drafted      respond       404   403   ok    403   403   403   403   403
finding-drafted      draft-finding 404   403   403   ok    ok    403   403   403
finding-drafted      reconsider    404   409   409   403   403   403   403   403
endorsed             triage        404   403   403   409   409   403   403   403
endorsed             assign        404   403   403   ok    ok    403   403   403
endorsed             merge         404   403   403   409   409   403   403   403
endorsed             open          404   403   403   409   409   403   403   403
endorsed             ask           404   403   403   409   409   403   403   403
endorsed             respond       404   403   409   403   403   403   403   403
endorsed             draft-finding 404   403   403   409   409   403   403   403
endorsed             reconsider    404   409   409   403   403   403   403   403
published            triage        403   403   403   409   409   403   403   403
published            assign        403   403   403   409   409   403   403   403
published            merge         403   403   403   409   409   403   403   403
published            open          403   403   403   409   409   403   403   403
published            ask           403   403   403   409   409   403   403   403
published            respond       403   403   409   403   403   403   403   403
published            draft-finding 403   403   403   409   409   403   403   403
published            reconsider    403   ok    ok    403   403   403   403   403
"""

FINDING_TABLE = """
# status             action        public pk-li af-li qa-mo tr-mo qa-si tr-si admin
draft                vote          404    404   404   403   403   ok    ok    403
draft                acknowledge   404    404   404   403   403   403   403   403
draft                publish       404    404   404   409   409   403   403   403
endorsed             vote          404    403   403   403   403   409   409   403
endorsed             acknowledge   404    ok    ok    403   403   403   403   403
endorsed             publish       404    403   403   ok    ok    403   403   403
published            vote          403    403   403   403   403   409   409   403
published            acknowledge   403    409   409   403   403   403   403   403
published            publish       403    403   403   409   409   403   403   403
superseded           vote          404    404   404   403   403   409   409   403
superseded           acknowledge   404    404   404   403   403   403   403   403
superseded           publish       404    404   404   409   409   403   403   403
"""

RECONSIDERATION_TABLE = """
# decision           action        public pk-li af-li qa-mo tr-mo qa-si tr-si admin
pending              accept        404    403   404   ok    ok    403   403   403
pending              refuse        404    403   404   ok    ok    403   403   403
refused              accept        404    403   404   409   409   403   403   403
"""


def parse(table: str) -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        state, action, *cells = line.split()
        assert len(cells) == len(ROLES), line
        rows.append((state, action, dict(zip(ROLES, cells, strict=True))))
    return rows


class _Undo(Exception):
    """Raised after a successful try, to roll its savepoint back."""


def outcome(viewer: Any, model: type[models.Model], pk: str, act: Callable[[Any], object]) -> str:
    try:
        with transaction.atomic():
            obj = access(viewer, model, pk=pk)
            act(obj)
            raise _Undo
    except _Undo:
        return "ok"
    except ApiError as exc:
        return {"not-found": "404", "forbidden": "403", "invalid": "422"}.get(exc.code, "409")


def _incident_actions(people: dict[str, User], other: Incident) -> dict[str, Callable[..., Any]]:
    return {
        "triage": lambda i, u: inc.incident_triage(incident=i, actor=u, admissible=True, reason=""),
        "assign": lambda i, u: inc.incident_assign(
            incident=i, actor=u, assignee=people["tr-monitor"]
        ),
        "merge": lambda i, u: inc.incident_merge(incident=i, actor=u, into=other),
        "open": lambda i, u: inc.incident_open(incident=i, actor=u),
        "respond": lambda i, u: inc.response_submit(incident=i, actor=u, text="No.", evidence=[]),
        "draft-finding": lambda i, u: fs.finding_draft(incident=i, actor=u, data=FINDING),
        "ask": lambda i, u: inc.question_ask(incident=i, actor=u, party="pakistan", text="?"),
        "reconsider": lambda i, u: fs.reconsideration_request(incident=i, actor=u, reasons="r"),
    }


def _viewer(people: dict[str, User], role: str) -> Any:
    return AnonymousUser() if role == "public" else people[role]


def _check(rows: list[tuple[str, str, dict[str, str]]], run: Callable[[str, str], str]) -> None:
    wrong = []
    for state, action, expected in rows:
        for role, want in expected.items():
            got = run(action, role)
            if got != want:
                wrong.append(f"{state} {action} as {role}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


STATES = sorted({state for state, _a, _e in parse(INCIDENT_TABLE)})


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_incident_steps(people: dict[str, User], state: str) -> None:
    incident = make_incident(people, state)
    other = make_incident(people, "received")
    actions = _incident_actions(people, other)
    rows = [row for row in parse(INCIDENT_TABLE) if row[0] == state]
    _check(
        rows,
        lambda action, role: outcome(
            _viewer(people, role),
            Incident,
            incident.pk,
            lambda i: actions[action](i, _viewer(people, role)),
        ),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "endorsed", "published", "superseded"])
def test_finding_steps(people: dict[str, User], status: str) -> None:
    finding = make_finding(people, status)
    actions: dict[str, Callable[..., Any]] = {
        "vote": lambda f, u: fs.finding_vote(
            finding=f, actor=u, vote="endorse", reasons="", code=fresh_code(u)
        ),
        "acknowledge": lambda f, u: fs.finding_acknowledge(finding=f, actor=u),
        "publish": lambda f, u: fs.finding_publish(finding=f, actor=u),
    }
    if status == "endorsed":  # both parties have acknowledged: the embargo is over
        for liaison in ("pk-liaison", "af-liaison"):
            fs.finding_acknowledge(finding=finding, actor=people[liaison])
    rows = [row for row in parse(FINDING_TABLE) if row[0] == status]
    _check(
        rows,
        lambda action, role: outcome(
            _viewer(people, role),
            Finding,
            finding.pk,
            lambda f: actions[action](f, _viewer(people, role)),
        ),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["pending", "refused"])
def test_reconsideration_steps(people: dict[str, User], decision: str) -> None:
    request = make_reconsideration(people, "pakistan")
    if decision == "refused":
        fs.reconsideration_decide(
            request=request, actor=people["qa-monitor"], accept=False, reasons="No."
        )

    def decide(accept: bool) -> Callable[..., Any]:
        return lambda r, u: fs.reconsideration_decide(
            request=r, actor=u, accept=accept, reasons="Because."
        )

    actions = {"accept": decide(True), "refuse": decide(False)}
    rows = [row for row in parse(RECONSIDERATION_TABLE) if row[0] == decision]
    _check(
        rows,
        lambda action, role: outcome(
            _viewer(people, role),
            Reconsideration,
            request.pk,
            lambda r: actions[action](r, _viewer(people, role)),
        ),
    )
