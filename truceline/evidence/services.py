"""Receiving, deriving, sharing and handing out evidence; every handling is a ledger event
(the chain of custody), written in the same transaction as the change it records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.errors import ApiError, Forbidden, Invalid
from truceline.evidence import store
from truceline.evidence.models import Blob, Citation, Evidence, Kind, Sharing
from truceline.evidence.sniff import Refused, Sniffed, sniff, strippable
from truceline.evidence.strip import Stripped, name_for, stripped
from truceline.ledger.services import event_append
from truceline.policy import can

SHARED = (Sharing.PARTIES, Sharing.PUBLIC)


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
    if not can(actor, "evidence.upload"):
        raise Forbidden(gettext("only party liaisons and monitors upload evidence"))
    if sharing not in Sharing.values or sharing == Sharing.PUBLIC:
        raise Invalid(
            {"sharing": [gettext("Choose mechanism or parties; public copies come later.")]}
        )
    if not files:
        raise Invalid({"files": [gettext("Choose at least one file.")]})
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
                organisation_id=cast(str, actor.organisation_id),  # can() required one
                uploaded_at=now,
                sharing=sharing,
            )
            _custody(actor, "received", item, media_type=item.media_type, size=item.size)
            if found.family == "image":
                _derive(actor, item, Kind.THUMBNAIL)
            if sharing in SHARED and strippable(item.media_type):
                _derive(actor, item, Kind.PUBLIC_COPY)
            items.append(item)
    return items


def _store_copy(
    actor: User | None, original: Evidence, kind: str, copy: Stripped, made: str
) -> Evidence:
    """A copy of ``original`` as its own item, named by its own id (never by the original's
    file name), with no metadata of the original; its making is on the chain of custody."""
    blob = _blob(copy.sha256, copy.size, copy.handle)
    item = Evidence(
        kind=kind,
        derived_from=original,
        media_type=copy.media_type,
        size=copy.size,
        sha256=copy.sha256,
        metadata={},
        blob=blob,
        uploaded_by=actor if actor is not None else original.uploaded_by,
        organisation_id=original.organisation_id,
        uploaded_at=timezone.now(),
        sharing=original.sharing,  # unused: a copy is shared as its original is
        incident=original.incident,
    )
    item.filename = name_for(item.id, item.media_type)
    if copy.media_type.startswith("image/"):
        from PIL import Image

        copy.handle.seek(0)
        with Image.open(copy.handle) as image:
            item.metadata = {"width": image.width, "height": image.height}
    item.save(force_insert=True)
    _custody(
        actor, "derived", item, original=original.id, original_sha256=original.sha256, made=made
    )
    return item


def _derive(actor: User | None, original: Evidence, kind: str) -> Evidence:
    """A thumbnail or the copy without metadata, re-encoded from the original's content."""
    with store.storage().open(original.blob.name, "rb") as handle:
        copy = stripped(handle, original.media_type, thumbnail=kind == Kind.THUMBNAIL)
    with copy.handle:
        return _store_copy(actor, original, kind, copy, made="re-encoded from the content")


def stripped_copy(item: Evidence) -> Evidence | None:
    """The copy without metadata of an original (what others receive), if one was made."""
    if item.kind != Kind.ORIGINAL:
        return None
    return item.derived.filter(kind=Kind.PUBLIC_COPY).order_by("uploaded_at").first()


def evidence_share(*, actor: User, item: Evidence, sharing: str) -> Evidence:
    """The mechanism sets an item's sharing level (copies follow their original). Beyond the
    mechanism, others only ever receive the copy without metadata: made here for photos and
    text; of any other type nothing reaches them until a monitor makes one
    (``evidence_copy``). Public copies are shown once the incident is published."""
    if not can(actor, "share", item):
        raise Forbidden(gettext("only monitors change what is shared"))
    if item.kind != Kind.ORIGINAL:
        raise ApiError("conflict", gettext("Sharing is set on the original, not on a copy."))
    if sharing not in Sharing.values:
        raise Invalid({"sharing": [gettext("Unknown sharing level.")]})
    with transaction.atomic():
        item = Evidence.objects.select_for_update().get(pk=item.pk)
        before = item.sharing
        if sharing == before:
            return item
        if sharing in SHARED and strippable(item.media_type) and stripped_copy(item) is None:
            _derive(actor, item, Kind.PUBLIC_COPY)
        item.sharing = sharing
        item.save(update_fields=["sharing"])
        _custody(actor, "sharing-changed", item, before=before, after=sharing)
    return item


def evidence_attach(*, actor: User, ids: list[str], citing: Any) -> list[Evidence]:
    """Called by the report and response services, in their transaction, once the citing
    report or response is saved: the cited items must be the citing organisation's own
    originals, not cited for another incident. ``ids`` is everything ``citing`` cites now:
    an item it cited before and no longer does (an amendment) is marked dropped, and others
    stop reaching it through this object. Each citation and each drop is on the ledger."""
    incident = citing.incident
    side = "report" if citing._meta.model_name == "report" else "response"
    found = {
        e.id: e
        for e in Evidence.objects.select_for_update().filter(
            pk__in=ids, kind=Kind.ORIGINAL, organisation_id=actor.organisation_id
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid({"evidence": [f"unknown evidence id: {', '.join(missing[:5])}"]})
    now = timezone.now()
    held = {c.evidence_id: c for c in Citation.objects.filter(**{side: citing})}
    for item in found.values():
        if item.incident_id not in (None, incident.pk):
            raise Invalid({"evidence": [f"{item.id} is cited for another incident"]})
        if item.incident_id is None:
            item.incident = incident
            item.save(update_fields=["incident"])
            item.derived.update(incident=incident)
        citation = held.get(item.id)
        if citation is None:
            Citation.objects.create(evidence=item, cited_at=now, **{side: citing})
        elif citation.dropped_at is not None:
            Citation.objects.filter(pk=citation.pk).update(dropped_at=None)
        else:
            continue
        _custody(actor, "cited", item, incident=incident.pk, **{side: citing.pk})
    for evidence_id, citation in held.items():
        if evidence_id not in found and citation.dropped_at is None:
            Citation.objects.filter(pk=citation.pk).update(dropped_at=now)
            _custody(actor, "uncited", citation.evidence, **{side: citing.pk})
    return list(found.values())


def evidence_copy(*, actor: User, item: Evidence, received: Received | None) -> Evidence:
    """A monitor makes the copy without metadata that others receive: re-encoded here from
    the original (photos, text), or a file the monitor prepared — itself re-encoded when it
    is a photo or text, kept as sent otherwise (the monitor vouches that it carries no
    metadata). Until then an item of a type not strippable here reaches nobody outside the
    uploading party and the mechanism. One copy per original: it is never replaced."""
    if not can(actor, "copy", item, any_state=True):
        raise Forbidden(gettext("only monitors make the copy others receive"))
    if item.kind != Kind.ORIGINAL:
        raise ApiError("conflict", gettext("A copy is made of the original, not of a copy."))
    found: Sniffed | None = None
    if received is None:
        if not strippable(item.media_type):
            raise Invalid(
                {
                    "file": [
                        gettext(
                            "This type cannot be stripped of its metadata here: send the copy "
                            "you made without metadata."
                        )
                    ]
                }
            )
    else:
        try:
            found = sniff(received.path, received.size)
        except Refused as exc:
            raise Invalid({"file": [str(exc)]}) from exc
    with transaction.atomic():
        item = Evidence.objects.select_for_update().get(pk=item.pk)
        if stripped_copy(item) is not None:
            raise ApiError("conflict", gettext("This item has its copy without metadata already."))
        if received is None or found is None:
            return _derive(actor, item, Kind.PUBLIC_COPY)
        if strippable(found.media_type):
            with received.path.open("rb") as source:
                copy = stripped(source, found.media_type)
            made = "prepared by a monitor, re-encoded from the content"
        else:
            copy = Stripped(
                received.path.open("rb"), received.sha256, received.size, found.media_type
            )
            made = "prepared by a monitor without metadata"
        with copy.handle:
            return _store_copy(actor, item, Kind.PUBLIC_COPY, copy, made=made)


def evidence_handed_out(
    *, actor: User | None, item: Evidence, how: str, served: Evidence | None = None
) -> None:
    """A view or a download, on the chain of custody. ``served`` is the copy handed out in
    the original's place (to anyone outside its party and the mechanism): the entry then
    names that copy and its hash alone, so that the receipt its reader may fetch of their
    own entry carries nothing of the original."""
    who = actor if actor and actor.is_authenticated else None
    with transaction.atomic():
        if served is None or served.pk == item.pk:
            _custody(who, how, item)
            return
        event_append(
            actor=who,
            kind=f"evidence.{how}",
            object_type="evidence",
            object_id=item.id,
            payload={
                "evidence": item.id,
                "served": served.id,
                "sha256": served.sha256,
                "kind": served.kind,
            },
        )
