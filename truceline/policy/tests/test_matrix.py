"""The compartment table as a matrix: role × object × state × action, from one table.

Each row names an object (made by a builder of truceline/testing/builders.py), an action, and
for every role whether it is allowed (Y) or not (.). "view" is checked three ways: can(),
membership of visible_to(), and the access helper's 404. Later issues add their objects' rows
here and their builders there; the last test fails when a model has a policy rule but no row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models

from truceline.accounts.models import ApiToken, User
from truceline.accounts.services import token_create
from truceline.core.errors import NotFound
from truceline.dashboards.models import CellTally, CellTotal, WeekTally
from truceline.evidence.models import Evidence
from truceline.exchange.models import HistoricEvent, ImportBatch
from truceline.findings.models import Finding, Reconsideration
from truceline.followup.models import Assessment, Measure, PartyRequest
from truceline.geo.models import CrossingChange
from truceline.incidents.models import Incident, Question, Response
from truceline.ledger.models import Event
from truceline.notify.models import Notification, Webhook
from truceline.notify.services import webhook_create
from truceline.osint import models as osint
from truceline.policy import access, can, visible_to
from truceline.policy.core import _VISIBILITY
from truceline.redaction.models import Seal
from truceline.reports.models import Report, ReportDraft
from truceline.reports.services import draft_save
from truceline.scenario import models as sm
from truceline.testing.builders import (
    make_assessment,
    make_crossing_change,
    make_event,
    make_evidence,
    make_finding,
    make_historic,
    make_measure,
    make_osint,
    make_question,
    make_reconsideration,
    make_reconsidered,
    make_recorded_round,
    make_request,
    make_response,
    make_seal,
)
from truceline.testing.incidents import make_incident
from truceline.testing.people import ROLES

MATRIX = """
# object                   action   public pk-li af-li qa-mo tr-mo qa-si tr-si admin
scenario                   view     Y      Y     Y     Y     Y     Y     Y     Y
scenario                   change   .      .     .     .     .     .     .     Y
organisation:pakistan      view     Y      Y     Y     Y     Y     Y     Y     Y
organisation:pakistan      change   .      .     .     .     .     .     .     Y
category:shelling          view     Y      Y     Y     Y     Y     Y     Y     Y
commitment                 view     Y      Y     Y     Y     Y     Y     Y     Y
round                      view     Y      Y     Y     Y     Y     Y     Y     Y
round                      announce .      .     .     .     .     .     .     .
round:recorded             view     .      .     .     Y     Y     Y     Y     Y
round:recorded             announce .      .     .     .     .     Y     Y     .
round:recorded             change   .      .     .     .     .     .     .     Y
sector                     view     Y      Y     Y     Y     Y     Y     Y     Y
place:torkham              view     Y      Y     Y     Y     Y     Y     Y     Y
place:torkham              change   .      .     .     .     .     .     .     Y
actor                      view     Y      Y     Y     Y     Y     Y     Y     Y
user:pk-liaison            view     .      Y     .     Y     Y     Y     Y     Y
user:pk-liaison            change   .      .     .     .     .     .     .     Y
user:af-liaison            view     .      .     Y     Y     Y     Y     Y     Y
user:qa-monitor            view     .      .     .     Y     Y     Y     Y     Y
user:admin                 view     .      .     .     Y     Y     Y     Y     Y
token:pk-liaison           view     .      Y     .     .     .     .     .     Y
token:pk-liaison           revoke   .      Y     .     .     .     .     .     Y
token:qa-monitor           view     .      .     .     Y     .     .     .     Y
token:qa-monitor           revoke   .      .     .     Y     .     .     .     Y
event                      view     .      .     .     Y     Y     Y     Y     Y
event:pk-liaison           view     .      Y     .     Y     Y     Y     Y     Y
incident:received          view     .      Y     .     Y     Y     Y     Y     Y
incident:received          triage   .      .     .     Y     Y     .     .     .
incident:received          respond  .      .     .     .     .     .     .     .
incident:triaged           view     .      Y     .     Y     Y     Y     Y     Y
incident:triaged           open     .      .     .     Y     Y     .     .     .
incident:inadmissible      view     .      Y     .     Y     Y     Y     Y     Y
incident:withdrawn         view     .      Y     .     Y     Y     Y     Y     Y
incident:merged            view     .      .     .     Y     Y     Y     Y     Y
incident:under-verification view    .      Y     Y     Y     Y     Y     Y     Y
incident:under-verification respond .      .     Y     .     .     .     .     .
incident:under-verification draft-finding . . .    Y     Y     .     .     .
incident:finding-drafted   view     .      Y     Y     Y     Y     Y     Y     Y
incident:endorsed          view     .      Y     Y     Y     Y     Y     Y     Y
incident:published         view     Y      Y     Y     Y     Y     Y     Y     Y
incident-monitor:received  view     .      .     .     Y     Y     Y     Y     Y
incident-monitor:published view     Y      Y     Y     Y     Y     Y     Y     Y
report:received            view     .      Y     .     Y     Y     Y     Y     Y
report:received            amend    .      Y     .     .     .     .     .     .
report:received            withdraw .      Y     .     .     .     .     .     .
report:under-verification  view     .      Y     Y     Y     Y     Y     Y     Y
report-mechanism:under-verification view . Y   .     Y     Y     Y     Y     Y
report:published           view     .      Y     Y     Y     Y     Y     Y     Y
response:under-verification view    .      .     Y     Y     Y     Y     Y     Y
response:published         view     Y      Y     Y     Y     Y     Y     Y     Y
finding:draft              view     .      .     .     Y     Y     Y     Y     Y
finding:draft              vote     .      .     .     .     .     Y     Y     .
finding:superseded         view     .      .     .     Y     Y     Y     Y     Y
finding:endorsed           view     .      Y     Y     Y     Y     Y     Y     Y
finding:endorsed           acknowledge . Y     Y     .     .     .     .     .
finding:endorsed           publish  .      .     .     Y     Y     .     .     .
finding:published          view     Y      Y     Y     Y     Y     Y     Y     Y
finding:reconsidered       view     Y      Y     Y     Y     Y     Y     Y     Y
incident:received          ask      .      .     .     Y     Y     .     .     .
incident:inadmissible      reconsider .    Y     .     .     .     .     .     .
incident:published         reconsider .    Y     Y     .     .     .     .     .
incident:reconsidered      view     Y      Y     Y     Y     Y     Y     Y     Y
response:reopened          view     .      .     Y     Y     Y     Y     Y     Y
report:under-verification  seal     .      .     .     Y     Y     .     .     .
response:under-verification seal    .      .     .     Y     Y     .     .     .
question:pakistan          view     .      Y     .     Y     Y     Y     Y     Y
question:pakistan          answer   .      Y     .     .     .     .     .     .
question:pakistan          seal     .      .     .     Y     Y     .     .     .
question:afghanistan       view     .      .     Y     Y     Y     Y     Y     Y
question:afghanistan       answer   .      .     Y     .     .     .     .     .
reconsideration:pakistan   view     .      Y     .     Y     Y     Y     Y     Y
reconsideration:pakistan   decide   .      .     .     Y     Y     .     .     .
seal                       view     .      .     .     Y     Y     Y     Y     Y
draft:pk-liaison           view     .      Y     .     .     .     .     .     .
draft:qa-monitor           view     .      .     .     Y     .     .     .     .
evidence:uploaded          view     .      Y     .     Y     Y     Y     Y     Y
evidence:mechanism         view     .      Y     .     Y     Y     Y     Y     Y
evidence:mechanism         share    .      .     .     Y     Y     .     .     .
evidence:parties           view     .      Y     Y     Y     Y     Y     Y     Y
evidence:parties-thumbnail view     .      Y     Y     Y     Y     Y     Y     Y
evidence:public-copy       view     Y      Y     Y     Y     Y     Y     Y     Y
evidence:public-unpublished view    .      Y     Y     Y     Y     Y     Y     Y
request                    view     .      Y     Y     Y     Y     Y     Y     Y
request                    answer   .      .     Y     .     .     .     .     .
request                    verify   .      .     .     Y     Y     .     .     .
measure                    view     .      Y     Y     Y     Y     Y     Y     Y
measure                    announce .      .     .     Y     Y     .     .     .
measure:announced          view     Y      Y     Y     Y     Y     Y     Y     Y
assessment                 view     .      Y     Y     Y     Y     Y     Y     Y
assessment                 confirm  .      .     .     .     .     Y     Y     .
assessment:confirmed       view     Y      Y     Y     Y     Y     Y     Y     Y
crossing-change            view     Y      Y     Y     Y     Y     Y     Y     Y
crossing-change            record   .      .     .     Y     Y     .     .     .
cell-tally:received        view     .      Y     .     Y     Y     Y     Y     Y
cell-tally:under-verification view  .      Y     Y     Y     Y     Y     Y     Y
cell-tally:published       view     Y      Y     Y     Y     Y     Y     Y     Y
cell-total:received        view     .      Y     .     Y     Y     Y     Y     Y
cell-total:published       view     Y      Y     Y     Y     Y     Y     Y     Y
week-tally:received        view     Y      Y     Y     Y     Y     Y     Y     Y
notification:af-liaison    view     .      .     Y     .     .     .     .     .
notification:qa-monitor    view     .      .     .     Y     .     .     .     .
webhook:pk-liaison         view     .      Y     .     .     .     .     .     .
webhook:pk-liaison         revoke   .      Y     .     .     .     .     .     .
historic-event             view     Y      Y     Y     Y     Y     Y     Y     Y
import-batch               view     Y      Y     Y     Y     Y     Y     Y     Y
# open-source monitoring: the mechanism's working file
article                    view     .      .     .     Y     Y     Y     Y     Y
candidate                  view     .      .     .     Y     Y     Y     Y     Y
candidate-group            view     .      .     .     Y     Y     Y     Y     Y
claim                      view     .      .     .     Y     Y     Y     Y     Y
mention                    view     .      .     .     Y     Y     Y     Y     Y
feed                       view     .      .     .     Y     Y     Y     Y     Y
"""


def parse_matrix() -> list[tuple[str, str, dict[str, bool]]]:
    rows = []
    for line in MATRIX.strip().splitlines():
        if line.startswith("#"):
            continue
        obj, action, *cells = line.split()
        cells = [c for c in cells if c in {"Y", "."}]
        assert len(cells) == len(ROLES), line
        rows.append((obj, action, {r: c == "Y" for r, c in zip(ROLES, cells, strict=True)}))
    return rows


def _first(model: type[models.Model]) -> Callable[[dict[str, User], str], models.Model]:
    return lambda people, key: model.objects.first()  # type: ignore[return-value]


def _tally(model: type[models.Model], incident: Incident) -> models.Model:
    """The count row the incident is counted in (its own, the only incident here)."""
    return model.objects.get(state=incident.state, n=1)  # type: ignore[attr-defined]


BUILDERS: dict[str, Callable[[dict[str, User], str], models.Model]] = {
    "incident": lambda people, state: (
        make_reconsidered(people) if state == "reconsidered" else make_incident(people, state)
    ),
    "incident-monitor": lambda people, state: make_incident(people, state, filer="qa-monitor"),
    "question": make_question,
    "reconsideration": make_reconsideration,
    "seal": make_seal,
    "draft": lambda people, key: draft_save(actor=people[key], data={"narrative": "half"}),
    "report": lambda people, state: make_incident(people, state).reports.get(),
    "report-mechanism": lambda people, state: make_incident(
        people, state, "mechanism"
    ).reports.get(),
    "response": make_response,
    "finding": make_finding,
    "scenario": _first(sm.Scenario),
    "organisation": lambda people, key: sm.Organisation.objects.get(pk=key),
    "category": lambda people, key: sm.Category.objects.get(pk=key),
    "commitment": _first(sm.Commitment),
    "round": lambda people, state: (
        make_recorded_round(people) if state else _first(sm.Round)(people, state)
    ),
    "sector": _first(sm.Sector),
    "place": lambda people, key: sm.Place.objects.get(pk=key),
    "actor": _first(sm.Actor),
    "user": lambda people, key: people[key],
    "token": lambda people, key: token_create(actor=None, user=people[key])[0],
    "event": make_event,
    "evidence": make_evidence,
    "request": make_request,
    "measure": make_measure,
    "assessment": make_assessment,
    "crossing-change": make_crossing_change,
    "cell-tally": lambda people, state: _tally(CellTally, make_incident(people, state)),
    "cell-total": lambda people, state: _tally(CellTotal, make_incident(people, state)),
    "week-tally": lambda people, state: _tally(WeekTally, make_incident(people, state)),
    "notification": lambda people, key: Notification.objects.create(
        user=people[key],
        kind="question",
        subject="s",
        body="b",
        object_type="incident",
        object_id="INC-X",
        url="/",
        created_at=dt.datetime.now(dt.UTC),
    ),
    "webhook": lambda people, key: webhook_create(actor=people[key], url="http://127.0.0.1:9/")[0],
    "historic-event": lambda people, key: make_historic(),
    "import-batch": lambda people, key: make_historic().batch,
    **{
        kind: (lambda people, key, kind=kind: make_osint(kind))
        for kind in ("article", "candidate", "candidate-group", "claim", "mention", "feed")
    },
}
MODEL_OF_KIND = {
    "scenario": sm.Scenario,
    "organisation": sm.Organisation,
    "category": sm.Category,
    "commitment": sm.Commitment,
    "round": sm.Round,
    "sector": sm.Sector,
    "place": sm.Place,
    "actor": sm.Actor,
    "user": User,
    "token": ApiToken,
    "event": Event,
    "incident": Incident,
    "incident-monitor": Incident,
    "report": Report,
    "report-mechanism": Report,
    "response": Response,
    "finding": Finding,
    "question": Question,
    "reconsideration": Reconsideration,
    "seal": Seal,
    "draft": ReportDraft,
    "evidence": Evidence,
    "request": PartyRequest,
    "measure": Measure,
    "assessment": Assessment,
    "crossing-change": CrossingChange,
    "cell-tally": CellTally,
    "cell-total": CellTotal,
    "week-tally": WeekTally,
    "notification": Notification,
    "webhook": Webhook,
    "historic-event": HistoricEvent,
    "import-batch": ImportBatch,
    "article": osint.Article,
    "candidate": osint.Candidate,
    "candidate-group": osint.CandidateGroup,
    "claim": osint.Claim,
    "mention": osint.Mention,
    "feed": osint.Feed,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("obj", "action", "expected"), parse_matrix(), ids=lambda v: str(v)[:30])
def test_matrix(people: dict[str, User], obj: str, action: str, expected: dict[str, bool]) -> None:
    kind, _, key = obj.partition(":")
    target = BUILDERS[kind](people, key)
    wrong = []
    for role in ROLES:
        viewer = AnonymousUser() if role == "public" else people[role]
        allowed = can(viewer, action, target)
        if action == "view":
            model = type(target)
            in_queryset = visible_to(viewer, model).filter(pk=target.pk).exists()
            try:
                access(viewer, model, pk=target.pk)
                reachable = True
            except NotFound:
                reachable = False
            if not (allowed == in_queryset == reachable):
                wrong.append(f"{role}: can={allowed} visible_to={in_queryset} access={reachable}")
                continue
        if allowed != expected[role]:
            wrong.append(f"{role}: expected {'Y' if expected[role] else '.'}, got {allowed}")
    assert not wrong, f"{obj} {action}: " + "; ".join(wrong)


def test_every_policed_model_is_in_the_matrix() -> None:
    covered = {MODEL_OF_KIND[obj.partition(":")[0]] for obj, _a, _e in parse_matrix()}
    missing = [m.__name__ for m in _VISIBILITY if m not in covered]
    assert not missing, f"policy rules without matrix rows: {missing}"


@pytest.mark.django_db
def test_inactive_users_are_the_public(people: dict[str, User]) -> None:
    monitor = people["qa-monitor"]
    make_event(people, "")
    assert visible_to(monitor, Event).exists()
    monitor.is_active = False
    assert not visible_to(monitor, Event).exists()
    assert visible_to(monitor, User).count() == 0
