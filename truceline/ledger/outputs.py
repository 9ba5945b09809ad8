"""The ledger's answers: their schemas (the OpenAPI contract) and the builders that make them.

The receipt itself is built by ``selectors.receipt`` (the CLI and the pages hand out the
same one); its shape is declared here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.ledger import selectors
from truceline.ledger.models import KeyPurpose


class LedgerEventOut(Schema):
    """The event as its leaf commits to it (payload as JSON, not text)."""

    seq: int
    time: str = Field(description="as the leaf carries it (RFC 3339, UTC)")
    actor: str
    kind: str
    object_type: str
    object_id: str
    payload: dict[str, Any]


class InclusionOut(Schema):
    size: int = Field(description="the tree size of the checkpoint the proof leads to")
    hashes: list[str] = Field(description="RFC 9162 inclusion proof, base64")


class PromiseOut(Schema):
    checkpoint_within_seconds: int
    fetch: str = Field(description="where to fetch this receipt again, whole")


class ReceiptOut(Schema):
    """What the maker of a ledger entry keeps: the event, its salt and leaf, and — once a
    checkpoint covers it — the inclusion proof and that checkpoint; until then a promise."""

    v: Literal[1]
    origin: str
    event: LedgerEventOut
    salt: str
    index: int
    leaf: str = Field(description="base64 of the exact leaf bytes")
    inclusion: InclusionOut | None
    checkpoint: str | None = Field(description="the C2SP signed note covering the entry")
    log_key: str | None = Field(description="the C2SP verifier key that signed the checkpoint")
    promise: PromiseOut | None


class EntryOut(Schema):
    index: int
    leaf: str = Field(description="base64 of the exact leaf bytes")


class EntriesOut(Schema):
    entries: list[EntryOut]


class ProofOut(Schema):
    hashes: list[str] = Field(description="base64")


class LedgerKeyOut(Schema):
    key_id: str
    name: str
    purpose: Annotated[str, one_of(KeyPurpose.values)]
    organisation: str | None
    vkey: str = Field(description="C2SP verifier key")
    fingerprint: str
    created_at: dt.datetime
    retired_at: dt.datetime | None


class LedgerKeysOut(Schema):
    keys: list[LedgerKeyOut]


class CosignedOut(Schema):
    size: int = Field(description="the size of the checkpoint cosigned")
    witnesses: list[str] = Field(description="the names of the witness keys whose lines counted")


class ReceiptCheckOut(Schema):
    ok: bool
    problems: list[str]
    facts: list[str]


def entries_out(found: list[tuple[int, bytes]]) -> dict[str, Any]:
    return {"entries": [{"index": i, "leaf": selectors.b64(leaf)} for i, leaf in found]}


def proof_out(hashes: list[bytes]) -> dict[str, Any]:
    return {"hashes": [selectors.b64(h) for h in hashes]}


def keys_out() -> dict[str, Any]:
    return {"keys": selectors.public_keys()}


def cosigned_out(made: list[Any]) -> dict[str, Any]:
    return {"size": made[0].checkpoint_id, "witnesses": [c.key.name for c in made]}


def receipt_check_out(problems: list[str], facts: list[str]) -> dict[str, Any]:
    return {"ok": not problems, "problems": problems, "facts": facts}
