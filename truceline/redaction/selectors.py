"""Reading through the seals: what a viewer sees of a sealed field."""

from __future__ import annotations

from typing import Any

from django.db import models

from truceline.policy import reads_sealed
from truceline.redaction.models import MARK, Seal


def seals_on(target: models.Model) -> list[Seal]:
    return list(Seal.objects.filter(object_type=target._meta.model_name, object_id=str(target.pk)))


def seals_read(viewer: Any, targets: list[Any]) -> None:
    """The seals of a page of objects of one model, read in one query and kept on each object
    for its SealedReader: a list's answer asks the database once, not once per row. Nothing
    is read for the mechanism's own people, who read the originals."""
    if not targets or reads_sealed(viewer):
        return
    found: dict[str, list[Seal]] = {str(t.pk): [] for t in targets}
    kind = targets[0]._meta.model_name
    for seal in Seal.objects.filter(object_type=kind, object_id__in=list(found)):
        found[seal.object_id].append(seal)
    for target in targets:
        target._seals_read = found[str(target.pk)]


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


class SealedReader:
    """One viewer's reading of one object: its seals read once, when first needed (an answer
    that shows several of the object's fields asks the database once)."""

    def __init__(self, viewer: Any, target: models.Model) -> None:
        self.open = reads_sealed(viewer)  # the mechanism's own people read the original
        self.target = target
        self._seals: list[Seal] | None = getattr(target, "_seals_read", None)  # seals_read

    @property
    def seals(self) -> list[Seal]:
        if self._seals is None:
            self._seals = seals_on(self.target)
        return self._seals

    def text(self, field: str, value: Any) -> Any:
        if self.open or not value:
            return value
        return _apply(self.seals, field, value)

    def fields(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.open or not self.seals:
            return data
        return {k: _apply(self.seals, k, v) for k, v in data.items()}


def sealed_text(viewer: Any, target: models.Model, field: str, value: Any) -> Any:
    """``value`` (the field's text, or a version's) as this viewer may read it: the
    mechanism's own people read the original, everyone else "[sealed]" in its place."""
    return SealedReader(viewer, target).text(field, value)


def sealed_fields(viewer: Any, target: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """A dict of field values (a report version's data) with the seals applied."""
    return SealedReader(viewer, target).fields(data)
