"""Fast bulk inserts for generated and derived rows (synthetic data, tally rebuilds).

Django's ``bulk_create`` compiles SQL for every batch and prepares every value through its
field machinery; for a million rows that is most of the time. Here each value is prepared once
by kind (date-times and JSON by the backend's own adapters, the rest as they are) and the one
statement goes through ``executemany``. No signals fire: callers rebuild what signals keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def _converter(field: models.Field[Any, Any]) -> Any:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    batch: int = 5000,
) -> int:
    """Insert tuples of values for the given field attnames; returns the number inserted."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[n] for n in names]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]
    count = 0
    chunk: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = list(row)
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            chunk.append(values)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def insert_objects(objs: Sequence[models.Model]) -> int:
    """Insert unsaved model instances (primary keys already set) of one model."""
    if not objs:
        return 0
    model = type(objs[0])
    names = [f.attname for f in model._meta.concrete_fields]
    return insert_rows(model, names, ([getattr(o, n) for n in names] for o in objs))
