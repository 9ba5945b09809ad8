"""The evidence's answers: an item as each viewer may see it, its chain of custody, uploads —
their schemas, and the builders the API calls.

``selectors.evidence_out`` and ``selectors.custody`` build an item and its trail for the
API and the pages alike; their shapes are declared here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.evidence import chunked
from truceline.evidence.models import ChunkedUpload, Kind, Sharing, UploadState
from truceline.evidence.selectors import custody, evidence_out
from truceline.ledger.outputs import ReceiptOut
from truceline.ledger.selectors import receipt

FOR_ITS_PARTY = "for the uploading party and the mechanism only"
ORIGINALS = "originals, for the uploading party and the mechanism only"


class CopyOut(Schema):
    id: str
    kind: Annotated[str, one_of(Kind.values)]


class EvidenceOut(Schema):
    """An item as this viewer may see it. Its party and the mechanism: the original, its
    name, metadata, sharing and uploader. Anyone else: the copy without metadata they
    receive — its type, size and hash, named by the evidence id — and nothing of the
    original (the fields for its party are then absent)."""

    id: str
    kind: Annotated[str, one_of(Kind.values)]
    content: Literal["original", "copy-without-metadata"] = Field(
        description="what the bytes this viewer downloads are"
    )
    derived_from: str | None = Field(None, description=FOR_ITS_PARTY)
    filename: str | None = Field(description="null while nothing is shared with this viewer")
    media_type: str | None
    size: int | None
    sha256: str | None
    incident: str | None
    uploaded_at: dt.datetime | None = Field(None, description=FOR_ITS_PARTY)
    copies: list[CopyOut]
    metadata: dict[str, Any] | None = Field(None, description=FOR_ITS_PARTY)
    sharing: Annotated[str, one_of(Sharing.values)] | None = Field(None, description=FOR_ITS_PARTY)
    organisation: str | None = Field(None, description=FOR_ITS_PARTY)
    uploaded_by: str | None = Field(
        None, description=f"{FOR_ITS_PARTY}: a name to those who may know it, else a role"
    )
    shared_copy: str | None = Field(None, description=ORIGINALS)
    strippable: bool | None = Field(None, description=ORIGINALS)
    withheld: str | None = Field(None, description=f"{ORIGINALS}: why others receive nothing yet")


class ReceivedOut(Schema):
    """The items received, with the receipts of their ledger entries."""

    items: list[EvidenceOut]
    receipts: list[ReceiptOut]


class CustodyEntryOut(Schema):
    seq: int = Field(description="the ledger entry")
    at: dt.datetime
    by: str = Field(description="a name to those who may know it, else a role")
    what: str
    item: str
    served: str | None = Field(None, description="views and downloads: the item whose bytes")


class CustodyOut(Schema):
    items: list[CustodyEntryOut]


class UploadOut(Schema):
    id: str
    size: int
    offset: int = Field(description="where to send the next chunk")
    state: Annotated[str, one_of(UploadState.values)]
    chunk_max: int


class UploadOffsetOut(Schema):
    id: str
    offset: int


def received_out(items: list[Any], events: list[Any], viewer: Any) -> dict[str, Any]:
    return {
        "items": [evidence_out(i, viewer) for i in items],
        "receipts": [receipt(e) for e in events if e.kind == "evidence.received"],
    }


def custody_out(item: Any, viewer: Any) -> dict[str, Any]:
    return {"items": custody(item, viewer)}


def upload_out(upload: ChunkedUpload) -> dict[str, Any]:
    return {
        "id": upload.id,
        "size": upload.size,
        "offset": upload.offset,
        "state": upload.state,
        "chunk_max": chunked.CHUNK_MAX,
    }


def upload_offset_out(upload: ChunkedUpload, offset: int) -> dict[str, Any]:
    return {"id": upload.id, "offset": offset}
