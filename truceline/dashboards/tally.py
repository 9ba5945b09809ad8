"""Keeping the tallies equal to the incidents.

When an incident is saved, what it counted as before (read from the database just before the
write) and what it counts as after (read just after) are compared; a change moves one count from
the old rows to the new, in the saving transaction, with atomic upserts — so concurrent writers
never lose a count. Bulk loads (the synthetic
data generator) skip the signals and call ``rebuild``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr, TruncWeek
from django.db.models.signals import post_save, pre_save

from truceline.core.bulk import insert_rows
from truceline.dashboards.models import CELL_DIMS, WEEK_DIMS, CellTally, WeekTally
from truceline.geo.grid import TALLY_PRECISION
from truceline.incidents.models import Incident

WeekKey = tuple[Any, ...]
CellKey = tuple[Any, ...]
# Columns of Incident a key is made of, as values() names them.
SOURCE = (
    "occurred_at",
    "category_id",
    "accused_party_id",
    "attributed_party_id",
    "determination",
    "state",
    "published_at",
    "filers",
    "cell",
    "sector_id",
    "lat",
    "lon",
    "killed",
    "injured",
)


def week_of(when: dt.datetime) -> dt.date:
    day = when.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def keys(row: dict[str, Any]) -> tuple[WeekKey, CellKey | None]:
    week = week_of(row["occurred_at"])
    public = row["published_at"] is not None
    week_key = (
        week,
        row["category_id"],
        row["accused_party_id"],
        row["attributed_party_id"] or "",
        row["determination"],
        row["state"],
        public,
        row["filers"],
    )
    cell_key = None
    if row["cell"] and row["lat"] is not None:
        cell_key = (
            week,
            row["cell"][:TALLY_PRECISION],
            row["sector_id"] or "",
            row["category_id"],
            row["accused_party_id"],
            row["state"],
            public,
            row["filers"],
        )
    return week_key, cell_key


def _state(pk: str) -> tuple[Any, ...] | None:
    """What the incident counts as, read from the database (None: not there)."""
    row = Incident.objects.filter(pk=pk).values(*SOURCE).first()
    if row is None:
        return None
    week_key, cell_key = keys(row)
    return week_key, cell_key, row["killed"], row["injured"], row["lat"], row["lon"]


def _upsert(table: str, dims: tuple[str, ...], key: tuple[Any, ...], sums: dict[str, Any]) -> None:
    cols = list(dims) + list(sums)
    marks = ", ".join(["%s"] * len(cols))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    # Table and column names come from the models above, never from input.
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(dims)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key, *sums.values()])


def _apply(state: tuple[Any, ...], sign: int) -> None:
    week_key, cell_key, killed, injured, lat, lon = state
    _upsert(
        WeekTally._meta.db_table,
        WEEK_DIMS,
        week_key,
        {"n": sign, "killed": sign * killed, "injured": sign * injured},
    )
    if cell_key is not None:
        _upsert(
            CellTally._meta.db_table,
            CELL_DIMS,
            cell_key,
            {"n": sign, "sum_lat": sign * lat, "sum_lon": sign * lon},
        )


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


def computed(
    rows: Iterable[dict[str, Any]] | None = None,
) -> tuple[dict[WeekKey, list[Any]], dict[CellKey, list[Any]]]:
    """The tallies as they should be, from the incidents themselves."""
    if rows is None:
        rows = Incident.objects.values(*SOURCE).order_by().iterator(chunk_size=20_000)
    weeks: dict[WeekKey, list[Any]] = defaultdict(lambda: [0, 0, 0])
    cells: dict[CellKey, list[Any]] = defaultdict(lambda: [0, 0.0, 0.0])
    for row in rows:
        week_key, cell_key = keys(row)
        w = weeks[week_key]
        w[0] += 1
        w[1] += row["killed"]
        w[2] += row["injured"]
        if cell_key is not None:
            c = cells[cell_key]
            c[0] += 1
            c[1] += row["lat"]
            c[2] += row["lon"]
    return dict(weeks), dict(cells)


def stored() -> tuple[dict[WeekKey, list[Any]], dict[CellKey, list[Any]]]:
    weeks = {
        tuple(r[:-3]): [r[-3], r[-2], r[-1]]
        for r in WeekTally.objects.filter(n__gt=0).values_list(*WEEK_DIMS, "n", "killed", "injured")
    }
    cells = {
        tuple(r[:-3]): [r[-3], r[-2], r[-1]]
        for r in CellTally.objects.filter(n__gt=0).values_list(
            *CELL_DIMS, "n", "sum_lat", "sum_lon"
        )
    }
    return weeks, cells


def differences() -> list[str]:
    """Every key on which the stored tallies and the incidents disagree (empty: all equal)."""
    want_w, want_c = computed()
    have_w, have_c = stored()
    out = []
    for name, want, have in (("week", want_w, have_w), ("cell", want_c, have_c)):
        for key in sorted(set(want) | set(have), key=repr):
            a, b = want.get(key), have.get(key)
            if (
                a is None
                or b is None
                or a[0] != b[0]
                or any(
                    abs(x - y) > 1e-6 * max(1, abs(x)) for x, y in zip(a[1:], b[1:], strict=True)
                )
            ):
                out.append(f"{name} {key}: incidents say {a}, tally says {b}")
    return out


def _aggregated(source: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Both tallies' rows, grouped by the database (weeks in UTC, Monday first)."""
    base = source.objects.order_by().annotate(
        week=TruncWeek("occurred_at", tzinfo=dt.UTC),
        public=ExpressionWrapper(Q(published_at__isnull=False), output_field=BooleanField()),
    )
    weeks = (
        base.annotate(attributed=Coalesce("attributed_party_id", Value("")))
        .values_list(
            "week",
            "category_id",
            "accused_party_id",
            "attributed",
            "determination",
            "state",
            "public",
            "filers",
        )
        .annotate(Count("pk"), Sum("killed"), Sum("injured"))
    )
    cells = (
        base.filter(lat__isnull=False)
        .exclude(cell="")
        .annotate(
            cell4=Substr("cell", 1, TALLY_PRECISION), sector_or=Coalesce("sector_id", Value(""))
        )
        .values_list(
            "week",
            "cell4",
            "sector_or",
            "category_id",
            "accused_party_id",
            "state",
            "public",
            "filers",
        )
        .annotate(Count("pk"), Sum("lat"), Sum("lon"))
    )

    def day(row: tuple[Any, ...]) -> tuple[Any, ...]:
        week = row[0].date() if isinstance(row[0], dt.datetime) else row[0]
        return (week, *row[1:])

    return [day(r) for r in weeks], [day(r) for r in cells]


def rebuild(models: tuple[Any, Any, Any] | None = None) -> int:
    """Recount everything from the incidents; returns the number of incidents counted.
    ``models`` (incident, week tally, cell tally) lets a migration pass its historical ones."""
    source, week_model, cell_model = models or (Incident, WeekTally, CellTally)
    weeks, cells = _aggregated(source)
    with transaction.atomic():
        week_model.objects.all().delete()
        cell_model.objects.all().delete()
        insert_rows(week_model, [*WEEK_DIMS, "n", "killed", "injured"], weeks)
        insert_rows(cell_model, [*CELL_DIMS, "n", "sum_lat", "sum_lon"], cells)
    return sum(r[-3] for r in weeks)
