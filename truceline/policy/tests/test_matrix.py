"""The compartment table as a matrix: role × object × state × action, from one table.

Each row names an object (made by a builder below), an action, and for every role whether it
is allowed (Y) or not (.). "view" is checked three ways: can(), membership of visible_to(),
and the access helper's 404. Later issues add their objects' rows and builders here; the last
test fails when a model has a policy rule but no row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction

from truceline.accounts.models import ApiToken, User
from truceline.accounts.services import token_create
from truceline.accounts.testing import fresh_code
from truceline.core.errors import NotFound
from truceline.dashboards.models import CellTally, CellTotal, WeekTally
from truceline.evidence.models import Evidence
from truceline.exchange.models import HistoricEvent, ImportBatch
from truceline.findings.models import Finding, Reconsideration
from truceline.findings.services import (
    FindingInput,
    finding_acknowledge,
    finding_draft,
    finding_publish,
    finding_vote,
    parties_concerned,
    reconsideration_decide,
    reconsideration_request,
)
from truceline.followup.models import Assessment, Measure, PartyRequest
from truceline.geo.models import CrossingChange
from truceline.geo.services import crossing_status_record
from truceline.incidents.models import Incident, Question, Response
from truceline.incidents.services import (
    incident_merge,
    incident_open,
    incident_triage,
    question_ask,
    response_submit,
)
from truceline.ledger.models import Event
from truceline.ledger.services import event_append
from truceline.notify.models import Notification, Webhook
from truceline.notify.services import webhook_create
from truceline.osint import models as osint
from truceline.policy import access, can, visible_to
from truceline.policy.core import _VISIBILITY
from truceline.redaction.models import Seal
from truceline.redaction.services import seal_create
from truceline.reports.models import Report, ReportDraft
from truceline.reports.services import ReportInput, draft_save, report_submit, report_withdraw
from truceline.scenario import models as sm

ROLES = [
    "public",
    "pk-liaison",
    "af-liaison",
    "qa-monitor",
    "tr-monitor",
    "qa-signatory",
    "tr-signatory",
    "admin",
]

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


def _evidence(people: dict[str, User], key: str) -> Evidence:
    """A photo Pakistan uploaded: only uploaded (cited nowhere), or cited in an incident
    under verification at a sharing level, or its public copy (published or not)."""
    import hashlib
    import os
    import tempfile

    from truceline.evidence.services import Received, evidence_receive, evidence_share
    from truceline.evidence.tests.files import png

    data = png()
    handle, name = tempfile.mkstemp()
    os.close(handle)
    Path(name).write_bytes(data)
    sharing = "mechanism" if key in {"uploaded", "mechanism"} else "parties"
    received = Received(Path(name), "p.png", len(data), hashlib.sha256(data).hexdigest())
    (item,) = evidence_receive(actor=people["pk-liaison"], files=[received], sharing=sharing)
    Path(name).unlink()
    if key == "uploaded":
        return item
    state = "published" if key == "public-copy" else "under-verification"
    make_incident(people, state, evidence=(item.id,))
    if key.startswith("public"):
        evidence_share(actor=people["qa-monitor"], item=item, sharing="public")
        return Evidence.objects.get(derived_from=item, kind="public-copy")
    if key.endswith("thumbnail"):
        return Evidence.objects.get(derived_from=item, kind="thumbnail")
    return item


def _request(people: dict[str, User], key: str) -> PartyRequest:
    """Pakistan asks Afghanistan to hand over a named person."""
    from truceline.followup.services import RequestInput, SubjectInput, request_make

    return request_make(
        actor=people["pk-liaison"],
        data=RequestInput(
            to_party="afghanistan",
            kind="hand-over",
            grounds="led the attack",
            deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
            subjects=[SubjectInput("A. Person")],
        ),
    )


def _measure(people: dict[str, User], key: str) -> Measure:
    """Qatar's warning to Afghanistan on a published finding; announced or not."""
    from truceline.followup.services import measure_announce, measure_decide

    finding = make_incident(people, "published").findings.get(status="published")
    measure = measure_decide(
        actor=people["qa-signatory"],
        finding=finding,
        party="afghanistan",
        kind="warning",
        text="A warning.",
        due=None,
        code=fresh_code(people["qa-signatory"]),
    )
    if key == "announced":
        measure = measure_announce(actor=people["qa-monitor"], measure=measure)
    return measure


def _assessment(people: dict[str, User], key: str) -> Assessment:
    """The monitors' proposal for a commitment, party and month; confirmed or not."""
    from truceline.followup.compliance import assessment_confirm, assessment_propose

    proposed = assessment_propose(
        actor=people["qa-monitor"],
        commitment="no-cross-border-fire",
        party="afghanistan",
        period="2025-11",
        status="partly",
        reasons="two confirmed incidents",
    )
    if key == "confirmed":
        signatory = people["qa-signatory"]
        return assessment_confirm(actor=signatory, assessment=proposed, code=fresh_code(signatory))
    return proposed


def _first(model: type[models.Model]) -> Callable[[dict[str, User], str], models.Model]:
    return lambda people, key: model.objects.first()  # type: ignore[return-value]


def _event(people: dict[str, User], key: str | None) -> Event:
    """An event made by the system, or (``event:USER``) by that person: their receipt."""
    actor = people[key] if key else None
    with transaction.atomic():
        return event_append(
            actor=actor, kind="token.created", object_type="t", object_id="1", payload={}
        )


REPORT = ReportInput(
    category="shelling",
    accused_party="afghanistan",
    occurred_at=dt.datetime(2025, 11, 2, 4, 30, tzinfo=dt.UTC),
    time_precision="exact",
    lat=34.1,
    lon=71.1,
    location_precision="near",
    place="torkham",
    narrative="Mortar rounds landed near the post.",
    casualties={},
    origin=None,
    confidentiality="parties",
    urgent=False,
    sources=["post commander"],
    evidence=[],
)
FINDING = FindingInput(
    determination="confirmed-violation",
    confidence="high",
    grade="direct",
    actor="afghan-taliban-forces",
    territory="afghanistan",
    intent="deliberate",
    clauses=["no-cross-border-fire"],
    summary="Shelling from Afghan positions.",
    evidence=[],
)
ORDER = ["received", "triaged", "under-verification", "finding-drafted", "endorsed", "published"]


def make_incident(
    people: dict[str, User],
    state: str,
    confidentiality: str = "parties",
    evidence: tuple[str, ...] = (),
    filer: str = "pk-liaison",
    category: str = "shelling",
) -> Incident:
    """An incident filed by Pakistan (or ``filer``) against Afghanistan, driven by the services
    to ``state``."""
    mon = people["qa-monitor"]
    report, _ = report_submit(
        actor=people[filer],
        data=replace(
            REPORT, confidentiality=confidentiality, evidence=list(evidence), category=category
        ),
    )
    incident = report.incident
    if state == "withdrawn":
        report_withdraw(actor=people["pk-liaison"], report=report)
    elif state == "inadmissible":
        incident_triage(incident=incident, actor=mon, admissible=False, reason="duplicate claim")
    elif state == "merged":
        other, _ = report_submit(actor=people["pk-liaison"], data=REPORT)
        incident_merge(incident=incident, actor=mon, into=other.incident)
    else:
        steps = ORDER[: ORDER.index(state) + 1]
        if "triaged" in steps:
            incident_triage(incident=incident, actor=mon, admissible=True, reason="")
        if "under-verification" in steps:
            incident_open(incident=incident, actor=mon)
        if "finding-drafted" in steps:
            finding_draft(incident=incident, actor=mon, data=FINDING)
        if "endorsed" in steps:
            finding = incident.findings.get()
            for signatory in ("qa-signatory", "tr-signatory"):
                finding_vote(
                    finding=finding,
                    actor=people[signatory],
                    vote="endorse",
                    reasons="",
                    code=fresh_code(people[signatory]),
                )
        if "published" in steps:
            finding = incident.findings.get()
            concerned = parties_concerned(finding)
            for liaison in ("pk-liaison", "af-liaison"):
                if people[liaison].organisation_id in concerned:
                    finding_acknowledge(finding=finding, actor=people[liaison])
            finding_publish(finding=finding, actor=mon)
    incident.refresh_from_db()
    assert incident.state == state
    return incident


def _osint(kind: str) -> models.Model:
    """One ingested article and what the extraction found in it."""
    from truceline.osint.models import Article, Candidate, CandidateGroup, Claim, Feed, Mention
    from truceline.osint.services import Incoming, ingest

    if kind == "feed":
        return Feed.objects.create(
            url="https://feeds.example/rss", added_at=dt.datetime.now(dt.UTC)
        )
    text = (
        "PESHAWAR: Mortars fired from across the border wounded four villagers in Bajaur "
        "district on Tuesday, police said.\n\nThe Foreign Office said on Tuesday that Pakistan "
        "would not tolerate attacks. Torkham remained closed to trade on Tuesday."
    )
    ingest(actor=None, items=[Incoming("Shelling in Bajaur", text, dt.date(2025, 11, 5))])
    model = {
        "article": Article,
        "candidate": Candidate,
        "candidate-group": CandidateGroup,
        "claim": Claim,
        "mention": Mention,
    }[kind]
    obj = model._default_manager.first()
    assert obj is not None, kind
    return obj


def _historic() -> models.Model:
    """One imported UCDP event."""
    batch = ImportBatch.objects.create(
        source="ucdp",
        file_name="ged.csv",
        sha256="0" * 64,
        rows=1,
        imported_at=dt.datetime.now(dt.UTC),
    )
    return HistoricEvent.objects.create(
        source="ucdp",
        source_id="1",
        batch=batch,
        digest="0" * 64,
        event_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 1, 1),
        event_type="State-based conflict",
        country_name="Pakistan",
        lat=34.0,
        lon=71.0,
    )


def _recorded_round(people: dict[str, User]) -> sm.Round:
    """A round the mechanism recorded and no guarantor has announced yet."""
    from truceline.followup.rounds import RoundInput, round_record

    return round_record(
        actor=people["qa-monitor"],
        data=RoundInput(
            title="Talks", venue="Doha", starts=dt.date(2026, 1, 5), ends=dt.date(2026, 1, 6)
        ),
    )


def _reconsidered(people: dict[str, User]) -> Incident:
    """Published, then reopened on Afghanistan's request: its first finding is superseded."""
    incident = make_incident(people, "published")
    request = reconsideration_request(
        incident=incident, actor=people["af-liaison"], reasons="New evidence."
    )
    reconsideration_decide(
        request=request, actor=people["qa-monitor"], accept=True, reasons="Worth a look."
    )
    incident.refresh_from_db()
    return incident


def _finding(people: dict[str, User], status: str) -> Finding:
    if status == "reconsidered":
        return _reconsidered(people).findings.get()
    if status == "superseded":
        incident = make_incident(people, "finding-drafted")
        old = incident.findings.get()
        finding_draft(incident=incident, actor=people["qa-monitor"], data=FINDING)
        old.refresh_from_db()
        return old
    state = {"draft": "finding-drafted", "endorsed": "endorsed", "published": "published"}[status]
    return make_incident(people, state).findings.get()


def _response(people: dict[str, User], state: str) -> Response:
    if state == "reopened":  # answered after a publication: not public until published again
        incident = _reconsidered(people)
        return response_submit(
            incident=incident, actor=people["af-liaison"], text="Still denied.", evidence=[]
        )
    incident = make_incident(people, "under-verification")
    response = response_submit(
        incident=incident, actor=people["af-liaison"], text="Denied.", evidence=[]
    )
    if state == "published":
        mon = people["qa-monitor"]
        finding = finding_draft(incident=incident, actor=mon, data=FINDING)
        for signatory in ("qa-signatory", "tr-signatory"):
            finding_vote(
                finding=finding,
                actor=people[signatory],
                vote="endorse",
                reasons="",
                code=fresh_code(people[signatory]),
            )
        for liaison in ("pk-liaison", "af-liaison"):
            finding_acknowledge(finding=finding, actor=people[liaison])
        finding_publish(finding=finding, actor=mon)
    return response


def _question(people: dict[str, User], party: str) -> Question:
    incident = make_incident(people, "under-verification")
    return question_ask(
        incident=incident, actor=people["qa-monitor"], party=party, text="Which unit fired?"
    )


def _reconsideration(people: dict[str, User], party: str) -> Reconsideration:
    incident = make_incident(people, "inadmissible")
    return reconsideration_request(
        incident=incident, actor=people["pk-liaison"], reasons="It is not a duplicate."
    )


def _seal(people: dict[str, User], key: str) -> Seal:
    report = make_incident(people, "received").reports.get()
    return seal_create(
        actor=people["qa-monitor"],
        target=report,
        field="narrative",
        passage="Mortar",
        reason="test",
    )


def _crossing_change(people: dict[str, User], key: str) -> CrossingChange:
    return crossing_status_record(
        actor=people["qa-monitor"],
        crossing=sm.Place.objects.get(pk="torkham"),
        status="closed",
        audiences=[],
        since=dt.datetime(2025, 10, 12, tzinfo=dt.UTC),
        source="Monitors' visit",
    )


def _tally(model: type[models.Model], incident: Incident) -> models.Model:
    """The count row the incident is counted in (its own, the only incident here)."""
    return model.objects.get(state=incident.state, n=1)  # type: ignore[attr-defined]


BUILDERS: dict[str, Callable[[dict[str, User], str], models.Model]] = {
    "incident": lambda people, state: (
        _reconsidered(people) if state == "reconsidered" else make_incident(people, state)
    ),
    "incident-monitor": lambda people, state: make_incident(people, state, filer="qa-monitor"),
    "question": _question,
    "reconsideration": _reconsideration,
    "seal": _seal,
    "draft": lambda people, key: draft_save(actor=people[key], data={"narrative": "half"}),
    "report": lambda people, state: make_incident(people, state).reports.get(),
    "report-mechanism": lambda people, state: make_incident(
        people, state, "mechanism"
    ).reports.get(),
    "response": _response,
    "finding": _finding,
    "scenario": _first(sm.Scenario),
    "organisation": lambda people, key: sm.Organisation.objects.get(pk=key),
    "category": lambda people, key: sm.Category.objects.get(pk=key),
    "commitment": _first(sm.Commitment),
    "round": lambda people, state: (
        _recorded_round(people) if state else _first(sm.Round)(people, state)
    ),
    "sector": _first(sm.Sector),
    "place": lambda people, key: sm.Place.objects.get(pk=key),
    "actor": _first(sm.Actor),
    "user": lambda people, key: people[key],
    "token": lambda people, key: token_create(actor=None, user=people[key])[0],
    "event": _event,
    "evidence": _evidence,
    "request": _request,
    "measure": _measure,
    "assessment": _assessment,
    "crossing-change": _crossing_change,
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
    "historic-event": lambda people, key: _historic(),
    "import-batch": lambda people, key: _historic().batch,
    **{
        kind: (lambda people, key, kind=kind: _osint(kind))
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
    _event(people, "")
    assert visible_to(monitor, Event).exists()
    monitor.is_active = False
    assert not visible_to(monitor, Event).exists()
    assert visible_to(monitor, User).count() == 0
