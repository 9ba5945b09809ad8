"""/seals: a monitor seals a passage; the mechanism lists the seals with their originals."""

from __future__ import annotations

from typing import Any, Literal

from django.db import models
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, Page, PageParams, actor_of, errors, paginate
from truceline.incidents.models import Question, Response
from truceline.policy import access, visible_to
from truceline.redaction.models import Seal
from truceline.redaction.outputs import SealOut, seal_out
from truceline.redaction.services import seal_create
from truceline.reports.models import Report

router = Router(tags=["seals"])
TARGETS: dict[str, type[models.Model]] = {
    "report": Report,
    "response": Response,
    "question": Question,
}


class SealIn(Schema):
    model_config = ConfigDict(extra="forbid")
    object_type: Literal["report", "response", "question"]
    object_id: str = Field(min_length=1, max_length=64)
    field: str = Field(min_length=1, max_length=32)
    passage: str = Field("", max_length=5_000)
    reason: str = Field(min_length=1, max_length=5_000)


class SealFilters(PageParams):
    object_type: str | None = None
    object_id: str | None = None


@router.post(
    "/seals",
    response={201: SealOut, **errors(400, 401, 403, 404, 422)},
    auth=Bearer(),
    summary="Seal a passage (or a whole field) below the mechanism; the original is kept",
    exclude_unset=True,
)
def seals_create(request: HttpRequest, payload: SealIn) -> Status:
    target = access(request.user, TARGETS[payload.object_type], pk=payload.object_id)
    seal = seal_create(
        actor=actor_of(request),
        target=target,
        field=payload.field,
        passage=payload.passage,
        reason=payload.reason,
    )
    return Status(201, seal_out(seal))


@router.get(
    "/seals",
    response={200: Page[SealOut], **errors(401, 422)},
    auth=Bearer(),
    summary="Seals and what they hide (the mechanism's own people only; others see none)",
    exclude_unset=True,
)
def seals_list(request: HttpRequest, filters: Query[SealFilters]) -> dict[str, Any]:
    qs = visible_to(request.user, Seal).select_related("sealed_by")
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    return paginate(qs, filters, seal_out)
