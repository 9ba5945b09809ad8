"""Sealing a passage: the service checks the policy and the passage, records the seal and
its event in one transaction. Nothing is edited: the text stays as it was stored."""

from __future__ import annotations

import hashlib

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.errors import Forbidden, Invalid
from truceline.ledger.services import event_append
from truceline.policy import can
from truceline.redaction.models import SEALABLE, Seal


def _object_type(target: models.Model) -> str:
    return target._meta.model_name or ""


def _texts(target: models.Model, field: str) -> list[str]:
    """Every stored text of the field, every version of a report included."""
    values = [getattr(target, field)]
    if hasattr(target, "versions"):
        values += [version.data.get(field) for version in target.versions.all()]
    texts: list[str] = []
    for value in values:
        texts.extend(value if isinstance(value, list) else [str(value or "")])
    return texts


def seal_create(
    *, actor: User, target: models.Model, field: str, passage: str, reason: str
) -> Seal:
    """Seal ``passage`` of ``target.field`` (the whole field when the passage is empty)."""
    if not can(actor, "seal", target):
        raise Forbidden(gettext("only the mechanism's monitors seal"))
    object_type = _object_type(target)
    errors: dict[str, list[str]] = {}
    if field not in SEALABLE.get(object_type, ()):
        errors["field"] = [f"one of: {', '.join(SEALABLE.get(object_type, ()))}"]
    elif passage and not any(passage in text for text in _texts(target, field)):
        errors["passage"] = ["these words are not in the field"]
    if not reason.strip():
        errors["reason"] = ["say whom or what the seal protects"]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        seal = Seal.objects.create(
            object_type=object_type,
            object_id=str(target.pk),
            field=field,
            passage=passage,
            reason=reason.strip(),
            sealed_by=actor,
            sealed_at=timezone.now(),
        )
        event_append(
            actor=actor,
            kind=f"{object_type}.sealed",
            object_type=object_type,
            object_id=str(target.pk),
            payload={
                "seal": seal.id,
                "field": field,
                "passage_sha256": hashlib.sha256(passage.encode()).hexdigest() if passage else None,
                "reason": seal.reason,
            },
        )
    return seal
