"""Role × state × action, through the services themselves: what each person gets when they
try each step on an incident (or finding) in each state.

Cells: ok (done), 403 (may see, may not do), 404 (may not see), 409 (not in this state),
422 (refused as asked). Each cell is tried inside a savepoint that is rolled back, so every
cell starts from the same incident. The policy rows of test_matrix.py say who may; this table
says what really happens, state by state.

ACTION_TABLE holds every other action a rule decides (the follow-up, evidence, geography,
open-source monitoring, notifications, accounts, the scenario...), named ``<object>.<action>``
(the matrix's object kinds) or, for an action that has no object yet, by its own name
(``report.file``), in state "—" where the object's state plays no part. Its cells are the
policy's answer as the services read it: 404 if ``access`` hides the object, 403 if ``can(...,
any_state=True)`` refuses the person, 409 if ``can`` refuses the state, else ok. Every
service decides by that same call (test_contract.py fails on one that reads a role itself),
and the last tests fail when a registered action has no row here, or a ``can()`` call
anywhere names an action no rule decides.
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
from truceline.policy import access, can, registered_actions
from truceline.testing.builders import (
    make_assessment,
    make_evidence,
    make_finding,
    make_measure,
    make_osint,
    make_question,
    make_reconsideration,
    make_recorded_round,
    make_request,
    make_response,
)
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


ACTION_TABLE = """
# state              action                   public pk-li af-li qa-mo tr-mo qa-si tr-si admin
—                    scenario.change          403    403   403   403   403   403   403   ok
—                    organisation.change      403    403   403   403   403   403   403   ok
—                    category.change          403    403   403   403   403   403   403   ok
—                    commitment.change        403    403   403   403   403   403   403   ok
—                    sector.change            403    403   403   403   403   403   403   ok
—                    place.change             403    403   403   403   403   403   403   ok
—                    actor.change             403    403   403   403   403   403   403   ok
announced            round.change             403    403   403   403   403   403   403   ok
announced            round.announce           403    403   403   403   403   409   409   403
recorded             round.change             404    404   404   403   403   403   403   ok
recorded             round.announce           404    404   404   403   403   ok    ok    403
—                    round.record             403    403   403   ok    ok    ok    ok    ok
—                    user.change              404    403   404   403   403   403   403   ok
—                    token.revoke             404    ok    404   404   404   404   404   ok
—                    token.revoke-many        403    403   403   403   403   403   403   ok
asked                question.answer          404    ok    404   403   403   403   403   403
asked                question.seal            404    403   404   ok    ok    403   403   403
—                    report.file              403    ok    ok    ok    ok    403   403   403
—                    report.draft             403    ok    ok    ok    ok    403   403   403
received             report.amend             404    ok    404   403   403   403   403   403
received             report.withdraw          404    ok    404   403   403   403   403   403
received             report.seal              404    403   404   ok    ok    403   403   403
under-verification   response.seal            404    404   403   ok    ok    403   403   403
draft                finding.decide-measure   404    404   404   403   403   409   409   403
published            finding.decide-measure   403    403   403   403   403   ok    ok    403
—                    request.make             403    ok    ok    403   403   403   403   403
open                 request.answer           404    403   ok    403   403   403   403   403
answered             request.answer           404    403   409   403   403   403   403   403
open                 request.verify           404    403   403   ok    ok    403   403   403
—                    measure.announce         404    403   403   ok    ok    403   403   403
—                    measure.done             404    403   403   ok    ok    403   403   403
—                    assessment.propose       403    403   403   ok    ok    403   403   403
proposed             assessment.confirm       404    403   403   403   403   ok    ok    403
confirmed            assessment.confirm       403    403   403   403   403   409   409   403
—                    crossing.record          403    403   403   ok    ok    403   403   403
—                    crossing-change.record   403    403   403   ok    ok    403   403   403
—                    evidence.upload          403    ok    ok    ok    ok    403   403   403
original             evidence.share           404    403   404   ok    ok    403   403   403
original             evidence.copy            404    403   404   ok    ok    403   403   403
original             evidence.custody         404    ok    404   ok    ok    ok    ok    ok
copy                 evidence.copy            404    403   403   409   409   403   403   403
—                    webhook.revoke           404    ok    404   404   404   404   404   404
—                    osint.ingest             403    403   403   ok    ok    403   403   ok
—                    candidate.accept         404    404   404   ok    ok    403   403   403
—                    candidate.merge          404    404   404   ok    ok    403   403   403
—                    candidate.dismiss        404    404   404   ok    ok    403   403   403
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


def _answered_request(people: dict[str, User]) -> models.Model:
    from truceline.followup.services import request_answer

    return request_answer(
        actor=people["af-liaison"], request=make_request(people, ""), answer="accepted", reasons=""
    )


def _token(people: dict[str, User]) -> models.Model:
    from truceline.accounts.services import token_create

    return token_create(actor=None, user=people["pk-liaison"])[0]


def _webhook(people: dict[str, User]) -> models.Model:
    from truceline.notify.services import webhook_create

    return webhook_create(actor=people["pk-liaison"], url="http://127.0.0.1:9/")[0]


def _crossing_change(people: dict[str, User]) -> models.Model:
    from truceline.testing.builders import make_crossing_change

    return make_crossing_change(people, "")


def _scenario(model_name: str) -> Callable[[dict[str, User]], models.Model]:
    def first(people: dict[str, User]) -> models.Model:
        from truceline.scenario import models as sm

        found = getattr(sm, model_name).objects.first()
        assert found is not None, model_name
        return found  # type: ignore[no-any-return]

    return first


# (object kind, state) -> the object, for the rows of ACTION_TABLE
TARGETS: dict[tuple[str, str], Callable[[dict[str, User]], models.Model]] = {
    **{
        (kind, "—"): _scenario(name)
        for kind, name in {
            "scenario": "Scenario",
            "organisation": "Organisation",
            "category": "Category",
            "commitment": "Commitment",
            "sector": "Sector",
            "place": "Place",
            "actor": "Actor",
        }.items()
    },
    ("round", "announced"): _scenario("Round"),
    ("round", "recorded"): make_recorded_round,
    ("user", "—"): lambda people: people["pk-liaison"],
    ("token", "—"): _token,
    ("question", "asked"): lambda people: make_question(people, "pakistan"),
    ("report", "received"): lambda people: make_incident(people, "received").reports.get(),
    ("response", "under-verification"): lambda people: make_response(people, ""),
    ("finding", "draft"): lambda people: make_finding(people, "draft"),
    ("finding", "published"): lambda people: make_finding(people, "published"),
    ("request", "open"): lambda people: make_request(people, ""),
    ("request", "answered"): _answered_request,
    ("measure", "—"): lambda people: make_measure(people, ""),
    ("assessment", "proposed"): lambda people: make_assessment(people, ""),
    ("assessment", "confirmed"): lambda people: make_assessment(people, "confirmed"),
    ("crossing-change", "—"): _crossing_change,
    ("evidence", "original"): lambda people: make_evidence(people, "mechanism"),
    ("evidence", "copy"): lambda people: make_evidence(people, "parties-thumbnail"),
    ("webhook", "—"): _webhook,
    ("candidate", "—"): lambda people: make_osint("candidate"),
}
# the matrix's object kinds, by model name
KIND_OF_MODEL = {
    "Scenario": "scenario",
    "Organisation": "organisation",
    "Category": "category",
    "Commitment": "commitment",
    "Sector": "sector",
    "Place": "place",
    "Actor": "actor",
    "Round": "round",
    "User": "user",
    "ApiToken": "token",
    "Question": "question",
    "Report": "report",
    "Response": "response",
    "Finding": "finding",
    "Incident": "incident",
    "Reconsideration": "reconsideration",
    "PartyRequest": "request",
    "Measure": "measure",
    "Assessment": "assessment",
    "CrossingChange": "crossing-change",
    "Evidence": "evidence",
    "Webhook": "webhook",
    "Candidate": "candidate",
}


def policy_outcome(viewer: Any, action: str, target: models.Model | None) -> str:
    """The policy's answer, as a service reads it: hidden, not this person, not this state."""
    if target is None:
        return "ok" if can(viewer, action) else "403"
    try:
        access(viewer, type(target), pk=target.pk)
    except ApiError:
        return "404"
    if not can(viewer, action, target, any_state=True):
        return "403"
    return "ok" if can(viewer, action, target) else "409"


def _action_rows() -> list[tuple[str, str, dict[str, str]]]:
    return parse(ACTION_TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action", "expected"), _action_rows(), ids=lambda v: str(v)[:30])
def test_other_actions(
    people: dict[str, User], state: str, action: str, expected: dict[str, str]
) -> None:
    objectless = action in registered_actions()[""]
    if objectless:
        target = None
        name = action
    else:
        kind, _, name = action.partition(".")
        target = TARGETS[(kind, state)](people)
    _check(
        [(state, action, expected)],
        lambda _action, role: policy_outcome(_viewer(people, role), name, target),
    )


def _tabled() -> set[str]:
    """Every action the tables try, as ``<object>.<action>`` or an objectless name."""
    out = {f"incident.{a}" for _s, a, _e in parse(INCIDENT_TABLE)}
    out |= {f"finding.{a}" for _s, a, _e in parse(FINDING_TABLE)}
    if parse(RECONSIDERATION_TABLE):  # accept and refuse are the two answers of "decide"
        out.add("reconsideration.decide")
    return out | {a for _s, a, _e in parse(ACTION_TABLE)}


def test_every_registered_action_is_in_a_table() -> None:
    registered = registered_actions()
    names = set(registered.pop(""))
    for model, actions in registered.items():
        assert model in KIND_OF_MODEL, f"{model} has actions but no object kind here"
        names |= {f"{KIND_OF_MODEL[model]}.{a}" for a in actions}
    missing = sorted(names - _tabled())
    assert not missing, f"actions a rule decides but no table tries: {missing}"
    stale = sorted(_tabled() - names)
    assert not stale, f"rows for actions no rule decides: {stale}"
