"""Reading through the seals: what a viewer sees of a sealed field."""

from __future__ import annotations

from typing import Any

from django.db import models

from truceline.policy import is_mediator
from truceline.redaction.models import MARK, Seal


def seals_on(target: models.Model) -> list[Seal]:
    return list(Seal.objects.filter(object_type=target._meta.model_name, object_id=str(target.pk)))


def _apply(seals: list[Seal], field: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_apply(seals, field, v) for v in value]
    if not isinstance(value, str) or not value:
        return value
    for seal in seals:
        if seal.field != field:
            continue
        if not seal.passage:
            return MARK
        value = value.replace(seal.passage, MARK)
    return value


def sealed_text(viewer: Any, target: models.Model, field: str, value: Any) -> Any:
    """``value`` (the field's text, or a version's) as this viewer may read it: the
    mechanism's own people read the original, everyone else "[sealed]" in its place."""
    if is_mediator(viewer) or not value:
        return value
    return _apply(seals_on(target), field, value)


def sealed_fields(viewer: Any, target: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """A dict of field values (a report version's data) with the seals applied."""
    if is_mediator(viewer):
        return data
    seals = seals_on(target)
    if not seals:
        return data
    return {k: _apply(seals, k, v) for k, v in data.items()}
