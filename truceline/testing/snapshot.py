"""A change to the database recorded once and replayed: the bundled scenario for every test.

Seven tests in ten ask for the bundled scenario, and loading it through its services (a hundred
rows and as many ledger appends) was the largest part of the suite's time. The first test that asks
loads it for real and records what the load changed, table by table: the rows it inserted and the
rows it updated (the ledger's head). Every later test gets the same rows written back into its own
transaction as plain INSERTs and UPDATEs, rolled back at its end like everything else it does.

A replay happens only onto the state the recording started from (the same number of rows in every
table the load touched, and the updated rows as they were before it), and only later the same
day by the test's clock; anywhere else the load runs for real, and is recorded anew. The
scenario's own tests load it through its services, and never through this.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

Row = tuple[Any, ...]

_JSON_TYPES = {114: "json", 3802: "jsonb"}  # PostgreSQL's type codes


@dataclass
class _Table:
    name: str
    columns: list[str]
    pk: str
    before_count: int
    inserted: list[Row] = field(default_factory=list)
    updated: list[tuple[Row, Row]] = field(default_factory=list)  # (before, after)
    casts: dict[int, str] = field(default_factory=dict)
    sequence: str | None = None

    def marks(self) -> list[str]:
        return [
            f"%s::{self.casts[i]}" if i in self.casts else "%s" for i in range(len(self.columns))
        ]


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return [
            t.name
            for t in connection.introspection.get_table_list(cursor)
            if t.type == "t" and not t.name.startswith("sqlite_")
        ]


def _read(table: str) -> tuple[list[str], str | None, dict[Any, Row], dict[int, str]]:
    """A table's columns, its one-column key (None if it has another kind), its rows by key,
    and the casts its JSON columns need when the rows are written back (PostgreSQL's json and
    jsonb reach Django's cursor as text)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        pks = connection.introspection.get_primary_key_columns(cursor, table) or []
        cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608 (a table name, quoted)
        columns = [d[0] for d in cursor.description]
        casts = {
            i: _JSON_TYPES[d[1]] for i, d in enumerate(cursor.description) if d[1] in _JSON_TYPES
        }
        rows = [
            tuple(
                json.dumps(v) if i in casts and not isinstance(v, str | None) else v
                for i, v in enumerate(r)
            )
            for r in cursor.fetchall()
        ]
    if len(pks) != 1:
        return columns, None, dict(enumerate(rows)), casts
    at = columns.index(pks[0])
    return columns, pks[0], {r[at]: r for r in rows}, casts


class Recording:
    """What one call changed in the database, ready to be written again."""

    def __init__(self, tables: Sequence[_Table]) -> None:
        self.tables = list(tables)
        # the rows carry the times they were written at: they are replayed only into a test whose
        # clock is later the same day (a test that moved its clock back gets a load of its own)
        self.at = timezone.now()

    @classmethod
    def of(cls, change: Callable[[], object]) -> Recording | None:
        """Run `change` and record it; None when it did something a replay cannot repeat."""
        names = _tables()
        before = {name: _read(name) for name in names}
        change()
        tables = []
        for name in _tables():
            columns, pk, rows_after, casts = _read(name)
            old_columns, _, rows_before, _ = before.get(name, (columns, pk, {}, casts))
            if {k: (r) for k, r in rows_after.items()} == {k: (r) for k, r in rows_before.items()}:
                continue
            if pk is None or columns != old_columns or set(rows_before) - set(rows_after):
                return None  # a table without a one-column key, a schema change, or a delete
            table = _Table(name, columns, pk, before_count=len(rows_before), casts=casts)
            for key, row in rows_after.items():
                if key not in rows_before:
                    table.inserted.append(row)
                elif (rows_before[key]) != (row):
                    table.updated.append((rows_before[key], row))
            if table.inserted or table.updated:
                tables.append(table)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for t in tables:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [t.name, t.pk])
                    t.sequence = cursor.fetchone()[0]
        return cls(tables)

    def replay(self) -> bool:
        """Write the recorded change again; False, writing nothing, where it started elsewhere."""
        now = timezone.now()
        if now < self.at or now.date() != self.at.date():
            return False
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for t in self.tables:
                cursor.execute(f"SELECT COUNT(*) FROM {qn(t.name)}")  # noqa: S608
                if cursor.fetchone()[0] != t.before_count:
                    return False
                for before, _after in t.updated:
                    at = t.columns.index(t.pk)
                    cursor.execute(
                        f"SELECT * FROM {qn(t.name)} WHERE {qn(t.pk)} = %s",  # noqa: S608
                        [before[at]],
                    )
                    now = cursor.fetchone()
                    if now is None or (tuple(now)) != (before):
                        return False
            for t in self.tables:
                cols = ", ".join(qn(c) for c in t.columns)
                marks = ", ".join(t.marks())
                if t.inserted:
                    cursor.executemany(
                        f"INSERT INTO {qn(t.name)} ({cols}) VALUES ({marks})",  # noqa: S608
                        t.inserted,
                    )
                at = t.columns.index(t.pk)
                sets = ", ".join(
                    f"{qn(c)} = {m}" for c, m in zip(t.columns, t.marks(), strict=True)
                )
                for _before, after in t.updated:
                    cursor.execute(
                        f"UPDATE {qn(t.name)} SET {sets} WHERE {qn(t.pk)} = %s",  # noqa: S608
                        [*after, after[at]],
                    )
                if t.sequence and t.inserted:
                    cursor.execute(
                        f"SELECT setval(%s, (SELECT MAX({qn(t.pk)}) FROM {qn(t.name)}))",  # noqa: S608
                        [t.sequence],
                    )
        return True
