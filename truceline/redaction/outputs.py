"""The seals' answer: a seal with the passage it hides (the mechanism's people only see
seals at all)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema

from truceline.redaction.models import Seal


class SealOut(Schema):
    id: str
    object_type: Literal["report", "response", "question"]
    object_id: str
    field: str
    passage: str | None
    reason: str
    sealed_by: str
    sealed_at: dt.datetime


def seal_out(seal: Seal) -> dict[str, Any]:
    return {
        "id": seal.id,
        "object_type": seal.object_type,
        "object_id": seal.object_id,
        "field": seal.field,
        "passage": seal.passage or None,
        "reason": seal.reason,
        "sealed_by": seal.sealed_by.username,
        "sealed_at": seal.sealed_at,
    }
