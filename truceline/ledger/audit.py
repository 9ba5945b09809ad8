"""The database side of ``truceline ledger verify`` and ``truceline ledger export``: rows read
with plain cursors in batches (a million events must not become a million model objects)."""

from __future__ import annotations

import base64
import contextlib
import json
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction

from truceline.core.canonical import canonical_bytes
from truceline.ledger import merkle
from truceline.ledger.models import Checkpoint, LedgerKey, LogHead
from truceline.ledger.selectors import checkpoint_text, public_keys
from truceline.ledger.verify import (
    Key,
    Report,
    Row,
    RowCheck,
    SignedCheckpoint,
    check_checkpoints,
    check_rows,
    roots_at,
)

BATCH = 5000


def _stream(sql: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            yield from rows


def _event_rows(first: int = 1, end: int | None = None) -> Iterator[Row]:
    """The rows as the verifier needs them, the time already in the ledger's form
    (``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``, as ``time_text`` writes it) by the database itself."""
    if connection.vendor == "sqlite":  # stored as "YYYY-MM-DD HH:MM:SS[.ffffff]", UTC
        time = "replace(CAST(recorded_at AS TEXT), ' ', 'T') || 'Z'"
    else:
        time = (
            "regexp_replace(to_char(recorded_at AT TIME ZONE 'UTC',"
            " 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '\\.000000$', '') || 'Z'"
        )
    where = f"seq >= {int(first)}" + (f" AND seq < {int(end)}" if end is not None else "")
    yield from _stream(
        f"SELECT seq, {time}, actor_label, kind, object_type, object_id, payload, salt"  # noqa: S608
        f" FROM ledger_event WHERE {where} ORDER BY seq"
    )


def _leaves(first: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
    where = f'"index" >= {int(first)}' + (f' AND "index" < {int(end)}' if end is not None else "")
    sql = f'SELECT "index", leaf FROM ledger_entry WHERE {where} ORDER BY "index"'  # noqa: S608
    for index, leaf in _stream(sql):
        yield index, bytes(leaf)


def _keys() -> list[Key]:
    return [Key(k.name, k.purpose, bytes(k.public_key)) for k in LedgerKey.objects.all()]


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One read snapshot for the rows and the leaves. Django's SQLite transactions begin
    IMMEDIATE (they take the write lock), which would queue the verifier's workers behind
    each other and behind every writer; a read needs only a DEFERRED one."""
    if connection.in_atomic_block or connection.vendor != "sqlite":
        with transaction.atomic():  # PostgreSQL's server-side cursors need one too
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            cursor.execute("ROLLBACK")


def _check_stretch(first: int, end: int | None) -> RowCheck:
    with _snapshot():
        return check_rows(
            _event_rows(first, end), _leaves(first - 1, end and end - 1), _leaves, first, end
        )


def _check_stretch_packed(first: int, end: int | None) -> tuple[bytes, list[str], int]:
    """In a worker process: the same, with the hashes in one bytes object for the pipe."""
    part = _check_stretch(first, end)
    return b"".join(part.hashes), part.problems, part.entries


PARALLEL_FROM = 200_000


def verify_database(workers: int | None = None) -> Report:
    """Every row against its leaf, and the rebuilt tree against every signed checkpoint.

    From ``PARALLEL_FROM`` entries on, stretches of the log are checked by worker processes
    (one per core, at most four), each with its own connection; the tree is built here."""
    n = LogHead.objects.values_list("size", flat=True).get(pk=1)
    checkpoints = [
        SignedCheckpoint(c.size, bytes(c.root), c.note) for c in Checkpoint.objects.all()
    ]
    if workers is None:
        workers = 1 if n < PARALLEL_FROM else min(os.cpu_count() or 1, 4)
    report = Report()
    hashes: list[bytes] = []
    if workers <= 1:
        part = _check_stretch(1, None)
        hashes, report.problems, report.entries = part.hashes, part.problems, part.entries
    else:
        step = -(-n // workers)
        bounds = [(1 + i * step, 1 + (i + 1) * step) for i in range(workers)]
        bounds[-1] = (bounds[-1][0], None)  # type: ignore[assignment]  # the last runs to the end
        connections.close_all()  # each worker opens its own
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.starmap(_check_stretch_packed, bounds)
        for blob, problems, entries in parts:
            hashes.extend(merkle.unpack(blob))
            report.problems.extend(problems)
            report.entries += entries
    roots = roots_at(hashes, [cp.size for cp in checkpoints])
    origin = settings.TRUCELINE_LEDGER_ORIGIN
    report.problems.extend(check_checkpoints(checkpoints, roots, _keys(), origin))
    report.checkpoints = len(checkpoints)
    return report


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
