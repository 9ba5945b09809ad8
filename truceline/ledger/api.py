"""/ledger: the public transparency log (RFC 9162 / C2SP encodings), receipts, cosignatures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import OptionalBearer, errors
from truceline.core.errors import ApiError, NotFound
from truceline.ledger import selectors, services
from truceline.ledger.models import Event
from truceline.ledger.verify import check_receipt
from truceline.policy import visible_to

router = Router(tags=["ledger"])

BIG = 2**62


class EntriesQuery(Schema):
    start: int = Field(ge=0, le=BIG)
    end: int = Field(gt=0, le=BIG, description="exclusive")


class InclusionQuery(Schema):
    index: int = Field(ge=0, le=BIG)
    size: int = Field(gt=0, le=BIG)


class ConsistencyQuery(Schema):
    first: int = Field(gt=0, le=BIG)
    second: int = Field(gt=0, le=BIG)


class CosignatureIn(Schema):
    model_config = ConfigDict(extra="forbid")
    checkpoint: str = Field(
        min_length=1, max_length=20_000, description="the checkpoint with your cosignature line"
    )


class ReceiptCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")
    receipt: dict[str, Any]


@router.get(
    "/ledger/checkpoint",
    response={200: str, **errors(404)},
    summary="The latest signed checkpoint (C2SP signed note, text/plain), with cosignatures",
)
def ledger_checkpoint(request: HttpRequest) -> HttpResponse:
    checkpoint = selectors.latest_checkpoint()
    if checkpoint is None:
        raise ApiError("not-found", gettext("No checkpoint yet: the ledger is empty."))
    return HttpResponse(
        selectors.checkpoint_text(checkpoint), content_type="text/plain; charset=utf-8"
    )


@router.get(
    "/ledger/entries",
    response={200: dict[str, Any], **errors(422)},
    summary="Leaves [start, end), at most 1000: base64 of the exact leaf bytes",
)
def ledger_entries(request: HttpRequest, q: Query[EntriesQuery]) -> dict[str, Any]:
    found = selectors.entries(q.start, q.end)
    return {"entries": [{"index": i, "leaf": selectors.b64(leaf)} for i, leaf in found]}


@router.get(
    "/ledger/proof/inclusion",
    response={200: dict[str, Any], **errors(422)},
    summary="RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves",
)
def ledger_inclusion(request: HttpRequest, q: Query[InclusionQuery]) -> dict[str, Any]:
    return {"hashes": [selectors.b64(h) for h in selectors.inclusion_proof(q.index, q.size)]}


@router.get(
    "/ledger/proof/consistency",
    response={200: dict[str, Any], **errors(422)},
    summary="RFC 9162 consistency proof between the trees of `first` and `second` leaves",
)
def ledger_consistency(request: HttpRequest, q: Query[ConsistencyQuery]) -> dict[str, Any]:
    hashes = selectors.consistency_proof(q.first, q.second)
    return {"hashes": [selectors.b64(h) for h in hashes]}


@router.get(
    "/ledger/keys",
    response={200: dict[str, Any], **errors(401)},
    auth=OptionalBearer(),
    summary="The log's and the witnesses' public keys: C2SP verifier keys and fingerprints",
)
def ledger_keys(request: HttpRequest) -> dict[str, Any]:
    return {"keys": selectors.public_keys()}


@router.post(
    "/ledger/cosignatures",
    response={201: dict[str, Any], **errors(400, 409, 413, 422)},
    summary="A witness posts the checkpoint it checked with its cosignature line; the "
    "signature is the credential",
)
def ledger_cosign(request: HttpRequest, payload: CosignatureIn) -> Status:
    made = services.cosignature_submit(payload.checkpoint)
    return Status(
        201,
        {"size": made[0].checkpoint_id, "witnesses": [c.key.name for c in made]},
    )


@router.get(
    "/ledger/receipts/{seq}",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=OptionalBearer(),
    summary="The receipt of one entry, for whoever made it (and the mechanism)",
)
def ledger_receipt(request: HttpRequest, seq: int) -> dict[str, Any]:
    event = visible_to(request.user, Event).filter(seq=seq).first()
    if event is None:
        raise NotFound()
    return selectors.receipt(event)


@router.post(
    "/ledger/check-receipt",
    response={200: dict[str, Any], **errors(400, 413, 422)},
    summary="Check a receipt (the same check as `truceline ledger check-receipt`)",
)
def ledger_receipt_check(request: HttpRequest, payload: ReceiptCheckIn) -> dict[str, Any]:
    problems, facts = check_receipt(payload.receipt, selectors.trusted_log_keys())
    return {"ok": not problems, "problems": problems, "facts": facts}
