"""Commits that need not wait for the disk.

Everything a client is told has happened commits durably (settings: SQLite ``synchronous=FULL``,
PostgreSQL ``synchronous_commit=on``). Some writes are bookkeeping whose loss in a power cut
does no harm, such as an idempotency claim (lost with it: the request, which had not answered)
or a rate counter (lost: a few requests forgiven). Their commits skip the flush. Both databases
keep the log in order, so the next durable commit flushes them too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


@contextlib.contextmanager
def unflushed() -> Iterator[None]:
    """A transaction whose commit returns before it is on disk. Inside another transaction it
    is a savepoint of that one, and as durable as that one."""
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
        return
    if connection.vendor == "sqlite":  # WAL: NORMAL commits are ordered, not flushed
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
        try:
            with transaction.atomic():
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=FULL")
        return
    with transaction.atomic():  # pragma: no cover - the settings allow only these two
        yield
