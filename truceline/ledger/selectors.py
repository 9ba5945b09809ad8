"""Reading the ledger: leaves, roots, proofs, checkpoints with their cosignatures, receipts.

Every root and proof reads O(log n) stored subtree hashes in one query (``merkle`` says which).
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from truceline.core.errors import ApiError
from truceline.ledger import merkle
from truceline.ledger.keys import vkey_of
from truceline.ledger.models import Checkpoint, Entry, Event, LedgerKey, LogHead
from truceline.ledger.services import checkpoint_timely, record_of

ENTRIES_PAGE = 1000


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def size() -> int:
    return LogHead.objects.values_list("size", flat=True).get(pk=1)


def nodes(ids: set[int]) -> dict[int, bytes]:
    if not ids:
        return {}
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, hash FROM ledger_node WHERE id IN ({marks})", list(ids))  # noqa: S608
        return {nid: bytes(h) for nid, h in cursor.fetchall()}


def _resolve(ranges: list[tuple[int, int]]) -> list[bytes]:
    found = nodes(merkle.range_ids(ranges))
    return merkle.resolve(ranges, found)


def root_at(tree_size: int) -> bytes:
    return _resolve([(0, tree_size)])[0] if tree_size else merkle.EMPTY_ROOT


def _check_size(tree_size: int) -> None:
    if not 0 < tree_size <= size():
        raise ApiError(
            "invalid",
            gettext("The tree has no such size."),
            fields={"size": [gettext("out of range")]},
        )


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    _check_size(tree_size)
    if not 0 <= index < tree_size:
        raise ApiError("invalid", gettext("No leaf at that index in a tree of that size."))
    return _resolve(merkle.inclusion_ranges(index, tree_size))


def consistency_proof(first: int, second: int) -> list[bytes]:
    _check_size(second)
    if not 0 < first <= second:
        raise ApiError("invalid", gettext("Consistency needs 0 < first <= second."))
    return _resolve(merkle.consistency_ranges(first, second))


def entries(start: int, end: int) -> list[tuple[int, bytes]]:
    """Leaves [start, end), at most a page of them (RFC 9162 lets a log answer fewer)."""
    end = min(end, start + ENTRIES_PAGE, size())
    if not 0 <= start < end:
        raise ApiError("invalid", gettext("Need 0 <= start < end <= the tree size."))
    rows = Entry.objects.filter(index__gte=start, index__lt=end).order_by("index")
    return [(e.index, bytes(e.leaf)) for e in rows]


def latest_checkpoint() -> Checkpoint | None:
    checkpoint_timely()
    return Checkpoint.objects.select_related("key").order_by("-size").first()


def checkpoint_text(checkpoint: Checkpoint) -> str:
    """The signed note with the witnesses' cosignature lines after the log's."""
    lines = [c.line + "\n" for c in checkpoint.cosignatures.order_by("received_at")]
    return checkpoint.note + "".join(lines)


def public_keys() -> list[dict[str, Any]]:
    from truceline.ledger import notes

    return [
        {
            "key_id": key.key_id,
            "name": key.name,
            "purpose": key.purpose,
            "organisation": key.organisation_id,
            "vkey": vkey_of(key),
            "fingerprint": notes.fingerprint(bytes(key.public_key)),
            "created_at": key.created_at,
            "retired_at": key.retired_at,
        }
        for key in LedgerKey.objects.order_by("created_at")
    ]


def trusted_log_keys() -> list[str]:
    """The verifier keys of the log's own keys, current and retired: what this server's
    receipt checks trust."""
    return [vkey_of(k) for k in LedgerKey.objects.filter(purpose="log").order_by("created_at")]


def receipt(event: Event) -> dict[str, Any]:
    """What the filer keeps: the event, its salt, its leaf and — once a checkpoint covers
    it — the inclusion proof and that checkpoint. Until then, a promise: the checkpoint comes
    within ``TRUCELINE_CHECKPOINT_SECONDS``, and this receipt can be fetched again whole."""
    record = record_of(event)
    index = event.seq - 1
    checkpoint = latest_checkpoint()
    out: dict[str, Any] = {
        "v": 1,
        "origin": settings.TRUCELINE_LEDGER_ORIGIN,
        "event": record.as_json(),
        "salt": record.salt,
        "index": index,
        "leaf": b64(record.leaf()),
        "inclusion": None,
        "checkpoint": None,
        "log_key": None,
        "promise": None,
    }
    if checkpoint is not None and checkpoint.size > index:
        out["inclusion"] = {
            "size": checkpoint.size,
            "hashes": [b64(h) for h in inclusion_proof(index, checkpoint.size)],
        }
        out["checkpoint"] = checkpoint.note
        out["log_key"] = vkey_of(checkpoint.key)
    else:
        waited = timezone.now() - event.recorded_at
        out["promise"] = {
            "checkpoint_within_seconds": max(
                0, settings.TRUCELINE_CHECKPOINT_SECONDS - int(waited.total_seconds())
            ),
            "fetch": f"/api/v1/ledger/receipts/{event.seq}",
        }
    return out


def _vote_keys() -> list[dict[str, Any]]:
    """The guarantors' vote-signing keys (the findings app's), published beside the ledger's."""
    from truceline.findings.models import SigningKey  # findings builds on the ledger
    from truceline.ledger import notes

    return [
        {
            "name": key.key_id,
            "organisation": key.organisation.name,
            "fingerprint": notes.fingerprint(base64.b64decode(key.public_key)),
            "created_at": key.created_at,
            "retired_at": key.retired_at,
        }
        for key in SigningKey.objects.select_related("organisation").order_by("created_at")
    ]


def portal() -> dict[str, Any]:
    """What the public portal shows: the latest checkpoint, who cosigned which size, the
    keys with their fingerprints, and every split view ever reported."""
    from truceline.ledger.models import Cosignature, KeyPurpose, SplitView

    checkpoint = latest_checkpoint()
    keys = public_keys()
    witnesses = []
    for key in LedgerKey.objects.filter(purpose=KeyPurpose.WITNESS).select_related("organisation"):
        last = Cosignature.objects.filter(key=key).order_by("-checkpoint__size").first()
        witnesses.append({"key": key, "last": last})
    return {
        "vote_keys": _vote_keys(),
        "checkpoint": checkpoint,
        "checkpoint_text": checkpoint_text(checkpoint) if checkpoint else "",
        "cosignatures": list(checkpoint.cosignatures.select_related("key")) if checkpoint else [],
        "size": size(),
        "keys": keys,
        "trusted": trusted_log_keys(),
        "witnesses": witnesses,
        "split_views": list(SplitView.objects.select_related("reported_by")),
    }
