"""The database side of ``truceline ledger verify`` and ``truceline ledger export``: rows read
with plain cursors in batches (a million events must not become a million model objects)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from truceline.core.canonical import canonical_bytes
from truceline.ledger.leaves import EventRecord, time_text
from truceline.ledger.models import Checkpoint, LedgerKey
from truceline.ledger.selectors import checkpoint_text, public_keys
from truceline.ledger.verify import Key, Report, SignedCheckpoint, verify_rows

BATCH = 5000


def _stream(sql: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            yield from rows


def _event_rows() -> Iterator[EventRecord]:
    sql = (
        "SELECT seq, recorded_at, actor_label, kind, object_type, object_id, payload, salt "
        "FROM ledger_event ORDER BY seq"
    )
    for seq, at, actor, kind, otype, oid, payload, salt in _stream(sql):
        # SQLite's driver answers naive UTC datetimes, PostgreSQL's aware ones
        at = at if timezone.is_aware(at) else at.replace(tzinfo=dt.UTC)
        yield EventRecord(seq, time_text(at), actor, kind, otype, oid, payload, salt)


def _leaves() -> Iterator[tuple[int, bytes]]:
    for index, leaf in _stream('SELECT "index", leaf FROM ledger_entry ORDER BY "index"'):
        yield index, bytes(leaf)


def _keys() -> list[Key]:
    return [Key(k.name, k.purpose, bytes(k.public_key)) for k in LedgerKey.objects.all()]


def verify_database() -> Report:
    with transaction.atomic():  # one snapshot; PostgreSQL's server-side cursors need it
        checkpoints = [
            SignedCheckpoint(c.size, bytes(c.root), c.note) for c in Checkpoint.objects.all()
        ]
        return verify_rows(
            _event_rows(),
            _leaves(),
            _leaves,
            checkpoints,
            _keys(),
            settings.TRUCELINE_LEDGER_ORIGIN,
        )


def export(directory: Path) -> dict[str, int]:
    """The public ledger as files: leaves, checkpoints with cosignatures, public keys."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {"entries": 0, "checkpoints": 0}
    with transaction.atomic():
        with (directory / "entries.jsonl").open("w") as out:
            for index, leaf in _leaves():
                out.write(json.dumps({"index": index, "leaf": base64.b64encode(leaf).decode()}))
                out.write("\n")
                counts["entries"] += 1
        with (directory / "checkpoints.jsonl").open("w") as out:
            for cp in Checkpoint.objects.prefetch_related("cosignatures"):
                lines = [c.line for c in cp.cosignatures.all()]
                out.write(json.dumps({"size": cp.size, "note": cp.note, "cosignatures": lines}))
                out.write("\n")
                counts["checkpoints"] += 1
            latest = Checkpoint.objects.order_by("-size").first()
        manifest = {
            "origin": settings.TRUCELINE_LEDGER_ORIGIN,
            "keys": [
                {k: key[k] for k in ("name", "purpose", "vkey", "fingerprint")}
                for key in public_keys()
            ],
            "latest": checkpoint_text(latest) if latest else None,
        }
        (directory / "ledger.json").write_bytes(canonical_bytes(manifest))
    return counts
