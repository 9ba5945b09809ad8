"""/requests: formal requests between the parties, their answers and what was verified."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import (
    Bearer,
    OptionalBearer,
    Page,
    PageParams,
    actor_of,
    errors,
    paginate,
)
from truceline.core.errors import ApiError, Forbidden, Invalid, NotFound
from truceline.followup import compliance, rounds, selectors, services
from truceline.followup.models import Assessment, Measure, PartyRequest
from truceline.followup.outputs import (
    CellOut,
    ClausesOut,
    GridOut,
    MeasureDecidedOut,
    MeasureOut,
    RequestCountsOut,
    RequestOut,
    RequestWithReceiptOut,
    RoundOut,
    RoundRecordedOut,
    RoundsOut,
    cell_out,
    grid_out,
    items_out,
    measure_out,
    request_out,
    with_receipt,
)
from truceline.ledger.selectors import receipt
from truceline.ledger.services import capture_events
from truceline.policy import (
    access_finding,
    access_measure,
    access_request,
    access_round,
    can,
    visible_to,
)
from truceline.scenario.schema import DecisionKind

router = Router(tags=["requests"])


class SubjectIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    details: str = Field("", max_length=2_000)


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to_party: str = Field(min_length=1, max_length=60)
    kind: Literal["hand-over", "arrest", "control", "expel", "access", "reopen-crossing"]
    subjects: list[SubjectIn] = Field(default_factory=list, max_length=100)
    grounds: str = Field(min_length=1, max_length=20_000)
    deadline: dt.datetime
    commitment: str | None = Field(None, max_length=80)
    place: str | None = Field(None, max_length=60)


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    answer: Literal["accepted", "refused", "partly"]
    reasons: str = Field("", max_length=20_000)


class VerificationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    happened: bool
    on: dt.date
    place: str | None = Field(None, max_length=60)
    subjects: list[Annotated[str, Field(max_length=16)]] = Field(
        default_factory=list, max_length=100, description="the ids of the request's subjects seen"
    )
    notes: str = Field("", max_length=20_000)


@router.post(
    "/requests",
    response={201: RequestWithReceiptOut, **errors(400, 401, 403, 422)},
    auth=Bearer(),
    summary="A party's liaison asks the other party, through the mechanism",
    exclude_unset=True,
)
def requests_make(request: HttpRequest, payload: RequestIn) -> Status:
    data = services.RequestInput(
        to_party=payload.to_party,
        kind=payload.kind,
        grounds=payload.grounds,
        deadline=payload.deadline,
        subjects=[services.SubjectInput(s.name, s.details) for s in payload.subjects],
        commitment=payload.commitment,
        place=payload.place,
    )
    with capture_events() as events:
        made = services.request_make(actor=actor_of(request), data=data)
    body = request_out(made, request.user, list(made.subjects.all()))
    return Status(201, with_receipt(body, receipt(events[0])))


@router.get(
    "/requests",
    response={200: Page[RequestOut], **errors(401, 422)},
    auth=Bearer(),
    summary="Requests made by or to the caller's party (mediators: all); no names",
    exclude_unset=True,
)
def requests_list(request: HttpRequest, q: Query[PageParams]) -> dict[str, Any]:
    found = (
        visible_to(request.user, PartyRequest)
        .select_related("verification")
        .prefetch_related("subjects", "verification__subjects")  # counted, and the seen ones
    )
    return paginate(found, q, lambda r: request_out(r, request.user))


@router.get(
    "/requests/stats",
    response={200: RequestCountsOut, **errors(401)},
    auth=OptionalBearer(),
    summary="For everyone: how many requests of each kind, and how they were answered",
    exclude_unset=True,
)
def requests_stats(request: HttpRequest) -> dict[str, Any]:
    return items_out(selectors.request_counts())


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, **errors(401, 404)},
    auth=Bearer(),
    summary="One request with the names it gives (each reading of names is on the ledger)",
    exclude_unset=True,
)
def requests_get(request: HttpRequest, request_id: str) -> dict[str, Any]:
    found = access_request(request.user, request_id)
    names = services.subjects_read(actor=actor_of(request), request=found)
    return request_out(found, request.user, names)


@router.post(
    "/requests/{request_id}/answer",
    response={200: RequestWithReceiptOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="The party asked answers: accepted, refused or partly (reasons unless accepted)",
    exclude_unset=True,
)
def requests_answer(request: HttpRequest, request_id: str, payload: AnswerIn) -> dict[str, Any]:
    found = access_request(request.user, request_id)
    with capture_events() as events:
        answered = services.request_answer(
            actor=actor_of(request), request=found, answer=payload.answer, reasons=payload.reasons
        )
    return with_receipt(request_out(answered, request.user), receipt(events[0]))


@router.post(
    "/requests/{request_id}/verification",
    response={201: RequestOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Monitors record what they verified happened (e.g. a hand-over at a post)",
    exclude_unset=True,
)
def requests_verify(request: HttpRequest, request_id: str, payload: VerificationIn) -> Status:
    found = access_request(request.user, request_id)
    if not can(request.user, "verify", found):
        raise Forbidden(gettext("only monitors record what they verified"))
    services.request_verify(
        actor=actor_of(request),
        request=found,
        happened=payload.happened,
        on=payload.on,
        place=payload.place,
        subjects=payload.subjects,
        notes=payload.notes,
    )
    found.refresh_from_db()
    return Status(201, request_out(found, request.user))


CODE_DESCRIPTION = "A fresh code from the signatory's authenticator: an act in the guarantor's name"


class SignedIn(Schema):
    """The body of an act in a guarantor's name that carries nothing else: the fresh code."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field("", max_length=10, description=CODE_DESCRIPTION)


class DelegationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    organisation: str = Field(min_length=1, max_length=60)
    head: str = Field("", max_length=200)
    members: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50
    )


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: DecisionKind
    text: str = Field(min_length=1, max_length=5_000)
    commitment: str | None = Field(None, max_length=60, description="the clause it changes")
    title: str = Field("", max_length=200, description="create, amend: the clause's title")
    clause: str = Field("", max_length=20_000, description="create, amend: the clause's text")
    parties: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=10, description="create: the parties it binds"
    )
    date: dt.date | None = None


class RoundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    venue: str = Field(min_length=1, max_length=120)
    starts: dt.date
    ends: dt.date
    mediators: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    delegations: list[DelegationIn] = Field(default_factory=list, max_length=20)
    agenda: list[Annotated[str, Field(max_length=1_000)]] = Field(
        default_factory=list, max_length=50
    )
    summary: str = Field("", max_length=20_000)
    outcome: str = Field("", max_length=20_000)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)


@router.get(
    "/rounds",
    response={200: RoundsOut, **errors(401)},
    auth=OptionalBearer(),
    tags=["agreement"],
    summary="Rounds of talks with delegations, agenda, outcome and decisions "
    "(the public: announced rounds; mediators also those recorded but not yet announced)",
    exclude_unset=True,
)
def rounds_list(request: HttpRequest) -> dict[str, Any]:
    return items_out(selectors.rounds(request.user))


@router.post(
    "/rounds",
    response={201: RoundRecordedOut, **errors(400, 401, 403, 422)},
    auth=Bearer(),
    tags=["agreement"],
    summary="Mediators record a round of talks; its decisions apply when a guarantor announces it",
    exclude_unset=True,
)
def rounds_record(request: HttpRequest, payload: RoundIn) -> Status:
    data = rounds.RoundInput(
        title=payload.title,
        venue=payload.venue,
        starts=payload.starts,
        ends=payload.ends,
        mediators=payload.mediators,
        delegations=[rounds.DelegationInput(**d.model_dump()) for d in payload.delegations],
        agenda=payload.agenda,
        summary=payload.summary,
        outcome=payload.outcome,
        decisions=[rounds.DecisionInput(**d.model_dump()) for d in payload.decisions],
    )
    with capture_events() as events:
        talks = rounds.round_record(actor=actor_of(request), data=data)
    out = selectors.round_out(talks, request.user)
    return Status(201, with_receipt(out, receipt(events[0])))


@router.get(
    "/rounds/{slug}",
    response={200: RoundOut, **errors(401, 404)},
    auth=OptionalBearer(),
    tags=["agreement"],
    summary="One round of talks",
    exclude_unset=True,
)
def rounds_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    return selectors.round_out(access_round(request.user, slug), request.user)


@router.post(
    "/rounds/{slug}/announce",
    response={200: RoundOut, **errors(401, 403, 404, 409, 422)},
    auth=Bearer(),
    tags=["agreement"],
    summary="A guarantor's signatory announces a recorded round: it becomes public and its "
    "decisions create, amend or retire clauses (422 when they no longer apply)",
    exclude_unset=True,
)
def rounds_announce(request: HttpRequest, slug: str, payload: SignedIn) -> dict[str, Any]:
    talks = rounds.round_announce(
        actor=actor_of(request), talks=access_round(request.user, slug), code=payload.code
    )
    return selectors.round_out(talks, request.user)


@router.get(
    "/commitments",
    response={200: ClausesOut, **errors(401)},
    auth=OptionalBearer(),
    tags=["agreement"],
    summary="Commitments (clauses) in force, each with the history of rounds and changes "
    "behind it; retired=true for the clauses retired",
    exclude_unset=True,
)
def commitments_list(request: HttpRequest, retired: bool = False) -> dict[str, Any]:
    return items_out(selectors.commitments(request.user, retired=retired))


class GridParams(Schema):
    model_config = ConfigDict(extra="forbid")
    from_: str | None = Field(None, alias="from", description="first month, YYYY-MM")
    months: int | None = Field(None, description="1 to 12 (default 3, ending this month)")


@router.get(
    "/compliance",
    response={200: GridOut, **errors(401, 422)},
    auth=OptionalBearer(),
    tags=["agreement"],
    summary="The compliance grid: every commitment × party × month, with indicators computed "
    "from the records, the records behind them you may open, and the status",
    exclude_unset=True,
)
def compliance_grid(request: HttpRequest, q: Query[GridParams]) -> dict[str, Any]:
    cols = compliance.period_range(q.from_, q.months)
    return grid_out(cols, compliance.grid(request.user, cols))


class ProposalIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Literal["complied", "partly", "not-complied", "not-assessed"]
    reasons: str = Field(min_length=1, max_length=20_000)


def _cell(request: HttpRequest, commitment: str, party: str, period: str) -> dict[str, Any]:
    from truceline.scenario.models import Commitment

    clause = Commitment.objects.filter(pk=commitment, retired=False).first()
    if clause is None or not clause.parties.filter(pk=party).exists():
        raise NotFound()
    try:
        compliance.month_bounds(period)
    except Invalid as exc:
        raise NotFound() from exc
    data = compliance.grid(request.user, [period])
    for row in data["rows"]:
        if row["commitment"].pk == commitment and row["party"].pk == party:
            return cell_out(commitment, party, row["cells"][0])
    raise NotFound()


@router.get(
    "/compliance/{commitment}/{party}/{period}",
    response={200: CellOut, **errors(401, 404)},
    auth=OptionalBearer(),
    tags=["agreement"],
    summary="One cell of the compliance grid (period YYYY-MM)",
    exclude_unset=True,
)
def compliance_cell(
    request: HttpRequest, commitment: str, party: str, period: str
) -> dict[str, Any]:
    return _cell(request, commitment, party, period)


@router.post(
    "/compliance/{commitment}/{party}/{period}",
    response={200: CellOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    tags=["agreement"],
    summary="Monitors propose a cell's status, with reasons (409 once confirmed)",
    exclude_unset=True,
)
def compliance_propose(
    request: HttpRequest, commitment: str, party: str, period: str, payload: ProposalIn
) -> dict[str, Any]:
    _cell(request, commitment, party, period)
    compliance.assessment_propose(
        actor=actor_of(request),
        commitment=commitment,
        party=party,
        period=period,
        status=payload.status,
        reasons=payload.reasons,
    )
    return _cell(request, commitment, party, period)


@router.post(
    "/compliance/{commitment}/{party}/{period}/confirm",
    response={200: CellOut, **errors(401, 403, 404, 409, 422)},
    auth=Bearer(),
    tags=["agreement"],
    summary="A guarantor's signatory confirms the status the monitors proposed",
    exclude_unset=True,
)
def compliance_confirm(
    request: HttpRequest, commitment: str, party: str, period: str, payload: SignedIn
) -> dict[str, Any]:
    _cell(request, commitment, party, period)
    found = (
        visible_to(request.user, Assessment)
        .filter(commitment_id=commitment, party_id=party, period=period)
        .first()
    )
    if found is None:
        raise ApiError("conflict", gettext("No status has been proposed for this cell."))
    compliance.assessment_confirm(actor=actor_of(request), assessment=found, code=payload.code)
    return _cell(request, commitment, party, period)


class MeasureIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party: str = Field(min_length=1, max_length=60)
    kind: Literal["note", "warning", "demand", "penalty", "referral"]
    text: str = Field(min_length=1, max_length=20_000)
    due: dt.date | None = None
    code: str = Field("", max_length=10, description=CODE_DESCRIPTION)


class DoneIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=20_000)


@router.post(
    "/findings/{finding_id}/measures",
    response={201: MeasureDecidedOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    tags=["measures"],
    summary="A guarantor's signatory decides a measure on a published finding (signed)",
    exclude_unset=True,
)
def measures_decide(request: HttpRequest, finding_id: str, payload: MeasureIn) -> Status:
    finding = access_finding(request.user, finding_id)
    with capture_events() as events:
        measure = services.measure_decide(
            actor=actor_of(request),
            finding=finding,
            party=payload.party,
            kind=payload.kind,
            text=payload.text,
            due=payload.due,
            code=payload.code,
        )
    return Status(201, with_receipt(measure_out(measure), receipt(events[0])))


@router.get(
    "/measures",
    response={200: Page[MeasureOut], **errors(401, 422)},
    auth=OptionalBearer(),
    tags=["measures"],
    summary="Measures: the parties concerned and mediators; everyone once announced",
    exclude_unset=True,
)
def measures_list(request: HttpRequest, q: Query[PageParams]) -> dict[str, Any]:
    return paginate(visible_to(request.user, Measure), q, measure_out)


@router.get(
    "/measures/{measure_id}",
    response={200: MeasureOut, **errors(401, 404)},
    auth=OptionalBearer(),
    tags=["measures"],
    summary="One measure, with the statement and signature to check against GET /keys",
    exclude_unset=True,
)
def measures_get(request: HttpRequest, measure_id: str) -> dict[str, Any]:
    return measure_out(access_measure(request.user, measure_id))


@router.post(
    "/measures/{measure_id}/announce",
    response={200: MeasureOut, **errors(401, 403, 404)},
    auth=Bearer(),
    tags=["measures"],
    summary="Monitors: make the measure public",
    exclude_unset=True,
)
def measures_announce(request: HttpRequest, measure_id: str) -> dict[str, Any]:
    measure = access_measure(request.user, measure_id)
    return measure_out(services.measure_announce(actor=actor_of(request), measure=measure))


@router.post(
    "/measures/{measure_id}/done",
    response={200: MeasureOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    tags=["measures"],
    summary="Monitors: record that the measure was carried out (late if after its date)",
    exclude_unset=True,
)
def measures_done(request: HttpRequest, measure_id: str, payload: DoneIn) -> dict[str, Any]:
    measure = access_measure(request.user, measure_id)
    done = services.measure_done(actor=actor_of(request), measure=measure, note=payload.note)
    return measure_out(done)
