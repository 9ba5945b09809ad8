"""Receiving, deriving, sharing and handing out evidence; every handling is a ledger event
(the chain of custody), written in the same transaction as the change it records."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from truceline.accounts.models import Role, User
from truceline.core.errors import ApiError, Forbidden, Invalid
from truceline.evidence import store
from truceline.evidence.models import Blob, Evidence, Kind, Sharing
from truceline.evidence.sniff import Refused, Sniffed, sniff
from truceline.ledger.services import event_append


@dataclass
class Received:
    """A file as the upload handler left it: on disk, hashed, not yet trusted."""

    path: Path
    name: str
    size: int
    sha256: str


def _custody(actor: User | None, kind: str, item: Evidence, **extra: Any) -> None:
    event_append(
        actor=actor,
        kind=f"evidence.{kind}",
        object_type="evidence",
        object_id=item.id,
        payload={"evidence": item.id, "sha256": item.sha256, "kind": item.kind, **extra},
    )


def _blob(sha256: str, size: int, source: Any) -> Blob:
    """The blob of these bytes, stored unless held already (then nothing is written, and
    nothing says so)."""
    blob = Blob.objects.filter(pk=sha256).first()
    held = blob is not None
    blob = blob or Blob(sha256=sha256, size=size, stored_at=timezone.now())
    store.put(blob.name, source)  # writes only when the stored copy is missing
    if not held:
        blob.save(force_insert=True)
    return blob


def evidence_receive(*, actor: User, files: list[Received], sharing: str) -> list[Evidence]:
    """Liaisons and monitors upload; each file is sniffed and refused or kept whole. One bad
    file refuses the whole submission, and nothing of it is kept."""
    if actor.role not in {Role.LIAISON, Role.MONITOR} or actor.organisation_id is None:
        raise Forbidden("only party liaisons and monitors upload evidence")
    if sharing not in Sharing.values or sharing == Sharing.PUBLIC:
        raise Invalid({"sharing": ["Choose mechanism or parties; public copies come later."]})
    if not files:
        raise Invalid({"files": ["Choose at least one file."]})
    sniffed: list[Sniffed] = []
    for n, received in enumerate(files):
        try:
            sniffed.append(sniff(received.path, received.size))
        except Refused as exc:
            raise Invalid({f"files[{n}]": [f"{received.name}: {exc}"]}) from exc
    items = []
    now = timezone.now()
    with transaction.atomic():
        for received, found in zip(files, sniffed, strict=True):
            with received.path.open("rb") as source:
                blob = _blob(received.sha256, received.size, source)
            item = Evidence.objects.create(
                blob=blob,
                filename=Path(received.name).name[:255] or "upload",
                media_type=found.media_type,
                size=received.size,
                sha256=received.sha256,
                metadata=found.metadata,
                uploaded_by=actor,
                organisation_id=actor.organisation_id,
                uploaded_at=now,
                sharing=sharing,
            )
            _custody(actor, "received", item, media_type=item.media_type, size=item.size)
            if found.family == "image":
                _derive(actor, item, Kind.THUMBNAIL)
            items.append(item)
    return items


def _reencode(original: Evidence, thumbnail: bool) -> bytes:
    """A new JPEG or PNG from the pixels alone: no EXIF, no XMP, no GPS, no comments."""
    from PIL import Image, ImageOps

    with store.storage().open(original.blob.name, "rb") as handle, Image.open(handle) as image:
        pixels = ImageOps.exif_transpose(image)
        if thumbnail:
            pixels.thumbnail((320, 320))
        keeps_alpha = pixels.mode in {"RGBA", "LA", "P"}
        clean = Image.new(pixels.mode if keeps_alpha else "RGB", pixels.size)
        clean.paste(pixels.convert(clean.mode))
        out = io.BytesIO()
        if keeps_alpha:
            clean.save(out, "PNG")
        else:
            clean.save(out, "JPEG", quality=85)
        return out.getvalue()


def _derive(actor: User | None, original: Evidence, kind: str) -> Evidence:
    data = _reencode(original, thumbnail=kind == Kind.THUMBNAIL)
    sha = hashlib.sha256(data).hexdigest()
    blob = _blob(sha, len(data), io.BytesIO(data))
    media = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    copy = Evidence.objects.create(
        blob=blob,
        kind=kind,
        derived_from=original,
        filename=f"{Path(original.filename).stem}-{kind}.{media.split('/')[1]}",
        media_type=media,
        size=len(data),
        sha256=sha,
        metadata={"width_of_original": original.metadata.get("width")},
        uploaded_by=original.uploaded_by,
        organisation_id=original.organisation_id,
        uploaded_at=timezone.now(),
        sharing=original.sharing,  # unused: a copy is shared as its original is
        incident=original.incident,
    )
    _custody(actor, "derived", copy, original=original.id, original_sha256=original.sha256)
    return copy


def evidence_share(*, actor: User, item: Evidence, sharing: str) -> Evidence:
    """The mechanism sets an item's sharing level (copies follow their original). Public
    means a copy without metadata is made, and shown once the incident is published; the
    original itself is never public."""
    if actor.role != Role.MONITOR:
        raise Forbidden("only monitors change what is shared")
    if item.kind != Kind.ORIGINAL:
        raise ApiError("conflict", "Sharing is set on the original, not on a copy.")
    if sharing not in Sharing.values:
        raise Invalid({"sharing": ["Unknown sharing level."]})
    if sharing == Sharing.PUBLIC and not item.media_type.startswith("image/"):
        raise Invalid({"sharing": ["Only photos have a public copy so far."]})
    with transaction.atomic():
        item = Evidence.objects.select_for_update().get(pk=item.pk)
        before = item.sharing
        if sharing == before:
            return item
        if sharing == Sharing.PUBLIC and not item.derived.filter(kind=Kind.PUBLIC_COPY).exists():
            _derive(actor, item, Kind.PUBLIC_COPY)
        item.sharing = sharing
        item.save(update_fields=["sharing"])
        _custody(actor, "sharing-changed", item, before=before, after=sharing)
    return item


def evidence_attach(*, actor: User, ids: list[str], incident: Any) -> list[Evidence]:
    """Called by the report and response services, in their transaction: the cited items
    must be the citing organisation's own originals, not cited for another incident."""
    found = {
        e.id: e
        for e in Evidence.objects.select_for_update().filter(
            pk__in=ids, kind=Kind.ORIGINAL, organisation_id=actor.organisation_id
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid({"evidence": [f"unknown evidence id: {', '.join(missing[:5])}"]})
    for item in found.values():
        if item.incident_id not in (None, incident.pk):
            raise Invalid({"evidence": [f"{item.id} is cited for another incident"]})
        if item.incident_id is None:
            item.incident = incident
            item.save(update_fields=["incident"])
            item.derived.update(incident=incident)
            _custody(actor, "cited", item, incident=incident.pk)
    return list(found.values())


def evidence_handed_out(*, actor: User | None, item: Evidence, how: str) -> None:
    """A view or a download, on the chain of custody."""
    with transaction.atomic():
        _custody(actor if actor and actor.is_authenticated else None, how, item)
