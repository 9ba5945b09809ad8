"""The follow-up's answers: requests between the parties, rounds of talks, the commitments
with their history, the compliance grid, measures — their schemas and the builders the API
calls.

``selectors.round_out``, ``selectors.rounds``, ``selectors.commitments`` and
``selectors.request_counts`` build what the pages show as well; their shapes are declared
here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.followup.models import (
    Answer,
    Compliance,
    Measure,
    MeasureKind,
    PartyRequest,
    RequestKind,
    RequestState,
)
from truceline.ledger.outputs import ReceiptOut
from truceline.scenario.outputs import IndicatorOut
from truceline.scenario.schema import DECISION_KINDS

RequestAnswer = Annotated[str, one_of(Answer.values)]
Names = dict[str, str]  # a text by language code
# an object's other texts by language code, then field (the object's own English ones)
Translations = dict[str, dict[str, str | list[str]]]
IN_OTHER_LANGUAGES = "its texts in other languages, by language code then field"


class SubjectOut(Schema):
    id: str
    name: str
    details: str


class VerificationOut(Schema):
    happened: bool
    on: dt.date
    place: str | None
    subjects: list[str] = Field(description="the ids of the request's subjects seen")
    notes: str


class RequestOut(Schema):
    """A request as its parties and the mediators see it; names only when asked for."""

    id: str
    kind: Annotated[str, one_of(RequestKind.values)]
    from_party: str
    to_party: str
    commitment: str | None
    place: str | None
    grounds: str
    deadline: dt.datetime
    made_at: dt.datetime
    state: Annotated[str, one_of(RequestState.values)]
    answer: RequestAnswer | None
    answer_reasons: str | None
    answered_at: dt.datetime | None
    answered_late: bool
    subject_count: int
    verification: VerificationOut | None
    subjects: list[SubjectOut] | None = Field(
        None, description="the names, in the answer about one request (each reading recorded)"
    )


class RequestWithReceiptOut(RequestOut):
    receipt: ReceiptOut


class RequestCountOut(Schema):
    kind: Annotated[str, one_of(RequestKind.values)]
    state: Annotated[str, one_of(RequestState.values)]
    answer: RequestAnswer | None
    count: int


class RequestCountsOut(Schema):
    items: list[RequestCountOut]


class DelegationOut(Schema):
    organisation: str
    head: str = Field(description="empty when not made public")
    members: list[str]


class DecisionOut(Schema):
    kind: Annotated[str, one_of(DECISION_KINDS)]
    text: str
    commitment: str | None = Field(None, description="the clause it changes")
    title: str | None = Field(None, description="create, amend: the clause's title")
    clause: str | None = Field(None, description="create, amend: the clause's text")
    parties: list[str] | None = Field(None, description="create: the parties it binds")
    date: dt.date | None = None
    translations: Translations | None = Field(None, description=IN_OTHER_LANGUAGES)


class RoundOut(Schema):
    slug: str
    title: str
    names: Names = Field(description="the title, by language code")
    translations: Translations = Field(description=IN_OTHER_LANGUAGES)
    venue: str
    starts: dt.date
    ends: dt.date
    mediators: list[str]
    delegations: list[DelegationOut]
    agenda: list[str]
    summary: str
    outcome: str
    decisions: list[DecisionOut]
    announced_at: dt.datetime | None
    recorded: bool = Field(description="recorded through the mechanism (not the scenario file)")
    may_announce: bool = Field(description="whether the caller may announce it")


class RoundRecordedOut(RoundOut):
    receipt: ReceiptOut


class RoundsOut(Schema):
    items: list[RoundOut]


class ClauseChangeOut(Schema):
    date: dt.date
    round: str | None
    round_title: str | None
    round_names: Names | None = Field(None, description="the round's title by language code")
    kind: str
    text: str
    translations: Translations | None = Field(
        None, description=f"a round's decision: {IN_OTHER_LANGUAGES}"
    )
    clause: str
    ledger_entry: int | None = Field(None, description="changes by the scenario file")


class ClauseIndicatorOut(IndicatorOut):
    names: Names | None = Field(None, description="the name, by language code")
    translations: Translations | None = Field(None, description=IN_OTHER_LANGUAGES)


class ClauseOut(Schema):
    """A commitment (clause), with the history of rounds and changes behind it."""

    slug: str
    title: str
    names: Names = Field(description="the title, by language code")
    translations: Translations = Field(description=IN_OTHER_LANGUAGES)
    text: str
    parties: list[str]
    introduced_by: str | None
    indicators: list[ClauseIndicatorOut]
    retired: bool
    history: list[ClauseChangeOut]


class ClausesOut(Schema):
    items: list[ClauseOut]


class IndicatorValueOut(Schema):
    slug: str
    name: str
    value: str | None = Field(description="null: not measured from the records yet")
    of: str = Field(description="what the records are: incidents or requests")
    records: list[str] = Field(description="the ids behind the figure the caller may open")


class CellOut(Schema):
    """One commitment × party × month of the compliance grid."""

    commitment: str
    party: str
    period: str = Field(description="YYYY-MM")
    status: Annotated[str, one_of(Compliance.values)]
    confirmed: bool
    reasons: str | None
    proposed_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    indicators: list[IndicatorValueOut]


class GridOut(Schema):
    periods: list[str]
    items: list[CellOut]


class MeasureOut(Schema):
    id: str
    finding: str
    party: str
    kind: Annotated[str, one_of(MeasureKind.values)]
    text: str
    due: dt.date | None
    organisation: str
    key_id: str
    statement: str = Field(description="the canonical JSON that was signed")
    signature: str = Field(description="Ed25519, base64")
    decided_at: dt.datetime
    announced_at: dt.datetime | None
    done_at: dt.datetime | None
    done_note: str | None
    overdue: bool


class MeasureDecidedOut(MeasureOut):
    receipt: ReceiptOut


def request_out(
    request: PartyRequest, viewer: Any, subjects: list[Any] | None = None
) -> dict[str, Any]:
    """A request as its parties and the mediators see it; names only when asked for (and
    then recorded)."""
    body: dict[str, Any] = {
        "id": request.id,
        "kind": request.kind,
        "from_party": request.from_party_id,
        "to_party": request.to_party_id,
        "commitment": request.commitment_id,
        "place": request.place_id,
        "grounds": request.grounds,
        "deadline": request.deadline,
        "made_at": request.made_at,
        "state": request.state,
        "answer": request.answer or None,
        "answer_reasons": request.answer_reasons or None,
        "answered_at": request.answered_at,
        "answered_late": request.answered_late,
        "subject_count": request.subjects.count(),
        "verification": None,
    }
    if subjects is not None:
        body["subjects"] = [
            {"id": s.public_id, "name": s.name, "details": s.details} for s in subjects
        ]
    verification = getattr(request, "verification", None)
    if verification is not None:
        body["verification"] = {
            "happened": verification.happened,
            "on": verification.on,
            "place": verification.place_id,
            "subjects": [s.public_id for s in verification.subjects.all()],
            "notes": verification.notes,
        }
    return body


def with_receipt(body: dict[str, Any], receipt: dict[str, Any]) -> dict[str, Any]:
    """An answer with the receipt of the ledger entry the act made, last."""
    return {**body, "receipt": receipt}


def items_out(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items}


def cell_out(commitment: str, party: str, cell: dict[str, Any]) -> dict[str, Any]:
    a = cell["assessment"]
    return {
        "commitment": commitment,
        "party": party,
        "period": cell["period"],
        "status": cell["status"],
        "confirmed": bool(a and a.confirmed_at),
        "reasons": a.reasons if a else None,
        "proposed_at": a.proposed_at if a else None,
        "confirmed_at": a.confirmed_at if a else None,
        "indicators": [i.as_dict() for i in cell["indicators"]],
    }


def grid_out(cols: list[str], data: dict[str, Any]) -> dict[str, Any]:
    cells = [
        cell_out(row["commitment"].slug, row["party"].slug, cell)
        for row in data["rows"]
        for cell in row["cells"]
    ]
    return {"periods": cols, "items": cells}


def measure_out(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.id,
        "finding": measure.finding_id,
        "party": measure.party_id,
        "kind": measure.kind,
        "text": measure.text,
        "due": measure.due,
        "organisation": measure.organisation_id,
        "key_id": measure.key_id,
        "statement": measure.statement,
        "signature": measure.signature,
        "decided_at": measure.decided_at,
        "announced_at": measure.announced_at,
        "done_at": measure.done_at,
        "done_note": measure.done_note or None,
        "overdue": measure.overdue,
    }
