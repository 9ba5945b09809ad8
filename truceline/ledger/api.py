"""/ledger: the public transparency log (RFC 9162 / C2SP encodings), receipts, cosignatures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import OptionalBearer, errors, file_answer
from truceline.core.errors import ApiError, NotFound
from truceline.ledger import selectors, services
from truceline.ledger.models import Event
from truceline.ledger.outputs import (
    CosignedOut,
    EntriesOut,
    LedgerKeysOut,
    ProofOut,
    ReceiptCheckOut,
    ReceiptOut,
    cosigned_out,
    entries_out,
    keys_out,
    proof_out,
    receipt_check_out,
)
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
    response={200: None, **errors(404)},
    summary="The latest signed checkpoint (C2SP signed note, text/plain), with cosignatures",
    openapi_extra=file_answer("The signed note", "text/plain"),
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
    response={200: EntriesOut, **errors(422)},
    summary="Leaves [start, end), at most 1000: base64 of the exact leaf bytes",
    exclude_unset=True,
)
def ledger_entries(request: HttpRequest, q: Query[EntriesQuery]) -> dict[str, Any]:
    return entries_out(selectors.entries(q.start, q.end))


@router.get(
    "/ledger/proof/inclusion",
    response={200: ProofOut, **errors(422)},
    summary="RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves",
    exclude_unset=True,
)
def ledger_inclusion(request: HttpRequest, q: Query[InclusionQuery]) -> dict[str, Any]:
    return proof_out(selectors.inclusion_proof(q.index, q.size))


@router.get(
    "/ledger/proof/consistency",
    response={200: ProofOut, **errors(422)},
    summary="RFC 9162 consistency proof between the trees of `first` and `second` leaves",
    exclude_unset=True,
)
def ledger_consistency(request: HttpRequest, q: Query[ConsistencyQuery]) -> dict[str, Any]:
    return proof_out(selectors.consistency_proof(q.first, q.second))


@router.get(
    "/ledger/keys",
    response={200: LedgerKeysOut, **errors(401)},
    auth=OptionalBearer(),
    summary="The log's and the witnesses' public keys: C2SP verifier keys and fingerprints",
    exclude_unset=True,
)
def ledger_keys(request: HttpRequest) -> dict[str, Any]:
    return keys_out()


@router.post(
    "/ledger/cosignatures",
    response={201: CosignedOut, **errors(400, 409, 413, 422)},
    summary="A witness posts the checkpoint it checked with its cosignature line; the "
    "signature is the credential",
    exclude_unset=True,
)
def ledger_cosign(request: HttpRequest, payload: CosignatureIn) -> Status:
    return Status(201, cosigned_out(services.cosignature_submit(payload.checkpoint)))


@router.get(
    "/ledger/receipts/{seq}",
    response={200: ReceiptOut, **errors(401, 404)},
    auth=OptionalBearer(),
    summary="The receipt of one entry, for whoever made it (and the mechanism)",
    exclude_unset=True,
)
def ledger_receipt(request: HttpRequest, seq: int) -> dict[str, Any]:
    event = visible_to(request.user, Event).filter(seq=seq).first()
    if event is None:
        raise NotFound()
    return selectors.receipt(event)


@router.post(
    "/ledger/check-receipt",
    response={200: ReceiptCheckOut, **errors(400, 413, 422)},
    summary="Check a receipt (the same check as `truceline ledger check-receipt`)",
    exclude_unset=True,
)
def ledger_receipt_check(request: HttpRequest, payload: ReceiptCheckIn) -> dict[str, Any]:
    return receipt_check_out(*check_receipt(payload.receipt, selectors.trusted_log_keys()))
