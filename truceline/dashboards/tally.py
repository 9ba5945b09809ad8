"""Keeping the tallies equal to the incidents.

When an incident is saved, what it counted as before (read from the database just before the
write) and what it counts as after (read just after) are compared; a change moves one count from
the old rows to the new, in the saving transaction, with atomic upserts — so concurrent writers
never lose a count. Bulk loads (the synthetic data generator, the upgrade migration) skip the
signals and call ``rebuild``; ``differences`` compares every table with the incidents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr, TruncWeek
from django.db.models.signals import post_save, pre_save

from truceline.core.bulk import insert_rows
from truceline.dashboards.models import (
    CELL_DIMS,
    TOTAL_DIMS,
    WEEK_DIMS,
    CellTally,
    CellTotal,
    WeekTally,
)
from truceline.geo.grid import TALLY_PRECISION
from truceline.incidents.models import Incident

Key = tuple[Any, ...]
# Columns of Incident the keys are made of, as values() names them.
SOURCE = (
    "occurred_at",
    "category_id",
    "accused_party_id",
    "attributed_party_id",
    "determination",
    "state",
    "published_at",
    "filers",
    "geo_flag",
    "cell",
    "sector_id",
    "lat",
    "lon",
    "killed",
    "injured",
)


@dataclass(frozen=True)
class Table:
    model: Any
    dims: tuple[str, ...]
    sums: tuple[str, ...]  # counted with n, from the incident's own columns
    located: bool  # only incidents with a place count here


TABLES = (
    Table(WeekTally, WEEK_DIMS, ("killed", "injured"), located=False),
    Table(CellTally, CELL_DIMS, ("lat", "lon"), located=True),
    Table(CellTotal, TOTAL_DIMS, ("lat", "lon"), located=True),
)
SUM_COLUMNS = {"killed": "killed", "injured": "injured", "lat": "sum_lat", "lon": "sum_lon"}


def week_of(when: dt.datetime) -> dt.date:
    day = when.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def _dims(row: dict[str, Any]) -> dict[str, Any]:
    """Every dimension any table splits by, from one incident's columns."""
    return {
        "week": week_of(row["occurred_at"]),
        "category": row["category_id"],
        "accused": row["accused_party_id"],
        "attributed": row["attributed_party_id"] or "",
        "determination": row["determination"],
        "state": row["state"],
        "public": row["published_at"] is not None,
        "filers": row["filers"],
        "flagged": bool(row["geo_flag"]),
        "cell": (row["cell"] or "")[:TALLY_PRECISION],
        "sector": row["sector_id"] or "",
    }


def keys(row: dict[str, Any]) -> list[Key | None]:
    """The key the incident counts under in each table (None: it does not count there)."""
    dims = _dims(row)
    located = bool(row["cell"]) and row["lat"] is not None
    return [tuple(dims[d] for d in t.dims) if located or not t.located else None for t in TABLES]


def _sums(row: dict[str, Any], table: Table) -> list[Any]:
    return [row[s] for s in table.sums]


def _state(pk: str) -> dict[str, Any] | None:
    """The incident's counting columns, read from the database (None: not there)."""
    return Incident.objects.filter(pk=pk).values(*SOURCE).first()


def _upsert(table: Table, key: Key, sign: int, sums: list[Any]) -> None:
    name = table.model._meta.db_table
    measures = {
        "n": sign,
        **{SUM_COLUMNS[s]: sign * v for s, v in zip(table.sums, sums, strict=True)},
    }
    cols = list(table.dims) + list(measures)
    marks = ", ".join(["%s"] * len(cols))
    updates = ", ".join(f"{c} = {name}.{c} + excluded.{c}" for c in measures)
    # Table and column names come from the models above, never from input.
    sql = (
        f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(table.dims)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key, *measures.values()])


def _apply(row: dict[str, Any], sign: int) -> None:
    for table, key in zip(TABLES, keys(row), strict=True):
        if key is not None:
            _upsert(table, key, sign, _sums(row, table))


def _before(sender: type, instance: Incident, raw: bool = False, **kwargs: Any) -> None:
    adding = instance._state.adding
    instance._tally_before = None if raw or adding else _state(instance.pk)  # type: ignore[attr-defined]


def _after(sender: type, instance: Incident, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    old = getattr(instance, "_tally_before", None)
    new = _state(instance.pk)
    if old == new:
        return
    with transaction.atomic():
        if old is not None:
            _apply(old, -1)
        if new is not None:
            _apply(new, +1)


def connect() -> None:
    pre_save.connect(_before, sender=Incident, dispatch_uid="tally-before")
    post_save.connect(_after, sender=Incident, dispatch_uid="tally-after")


def computed(rows: Iterable[dict[str, Any]] | None = None) -> list[dict[Key, list[Any]]]:
    """Each table as it should be, counted in Python from the incidents themselves."""
    if rows is None:
        rows = Incident.objects.values(*SOURCE).order_by().iterator(chunk_size=20_000)
    out: list[dict[Key, list[Any]]] = [defaultdict(lambda: [0, 0, 0]) for _ in TABLES]
    for row in rows:
        for table, counts, key in zip(TABLES, out, keys(row), strict=True):
            if key is not None:
                entry = counts[key]
                entry[0] += 1
                for i, value in enumerate(_sums(row, table), start=1):
                    entry[i] += value
    return [dict(c) for c in out]


def stored() -> list[dict[Key, list[Any]]]:
    out = []
    for table in TABLES:
        measures = ["n", *(SUM_COLUMNS[s] for s in table.sums)]
        rows = table.model.objects.filter(n__gt=0).values_list(*table.dims, *measures)
        out.append({tuple(r[: len(table.dims)]): list(r[len(table.dims) :]) for r in rows})
    return out


def _differs(a: list[Any] | None, b: list[Any] | None) -> bool:
    if a is None or b is None or a[0] != b[0]:
        return True
    return any(abs(x - y) > 1e-6 * max(1, abs(x)) for x, y in zip(a[1:], b[1:], strict=True))


def differences() -> list[str]:
    """Every key on which a stored tally and the incidents disagree (empty: all equal)."""
    out = []
    for table, want, have in zip(TABLES, computed(), stored(), strict=True):
        for key in sorted(set(want) | set(have), key=repr):
            a, b = want.get(key), have.get(key)
            if _differs(a, b):
                out.append(f"{table.model.__name__} {key}: incidents say {a}, tally says {b}")
    return out


def _aggregated(source: Any, table: Table) -> list[tuple[Any, ...]]:
    """One table's rows, grouped by the database (weeks in UTC, Monday first)."""
    qs = source.objects.order_by().annotate(
        week=TruncWeek("occurred_at", tzinfo=dt.UTC),
        public=ExpressionWrapper(Q(published_at__isnull=False), output_field=BooleanField()),
        flagged=ExpressionWrapper(~Q(geo_flag=""), output_field=BooleanField()),
        attributed=Coalesce("attributed_party_id", Value("")),
        cell4=Substr("cell", 1, TALLY_PRECISION),
        sector_or=Coalesce("sector_id", Value("")),
    )
    if table.located:
        qs = qs.filter(lat__isnull=False).exclude(cell="")
    names = {
        "category": "category_id",
        "accused": "accused_party_id",
        "cell": "cell4",
        "sector": "sector_or",
    }
    rows = qs.values_list(*(names.get(d, d) for d in table.dims)).annotate(
        Count("pk"), *(Sum(s) for s in table.sums)
    )
    if "week" not in table.dims:
        return list(rows)
    i = table.dims.index("week")
    return [
        (*r[:i], r[i].date() if isinstance(r[i], dt.datetime) else r[i], *r[i + 1 :]) for r in rows
    ]


def rebuild(models: tuple[Any, ...] | None = None) -> int:
    """Recount everything from the incidents; returns the number of incidents counted.
    ``models`` (incident, then one model per table) lets a migration pass its historical ones."""
    source, *targets = models or (Incident, *(t.model for t in TABLES))
    counted = 0
    with transaction.atomic():
        for table, model in zip(TABLES, targets, strict=True):
            rows = _aggregated(source, table)
            model.objects.all().delete()
            measures = ["n", *(SUM_COLUMNS[s] for s in table.sums)]
            insert_rows(model, [*table.dims, *measures], rows)
            if table.model is WeekTally:
                counted = sum(r[len(table.dims)] for r in rows)
    return counted
