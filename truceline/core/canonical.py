"""RFC 8785 (JSON Canonicalization Scheme) for everything that is hashed or signed."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

JSON = None | bool | int | float | str | list["JSON"] | dict[str, "JSON"]


def jsonable(value: Any) -> JSON:
    """Plain JSON values from what services hold: datetimes in UTC ISO 8601, enums by value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in canonical JSON")
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [jsonable(v) for v in value]
    raise TypeError(f"cannot put {type(value).__name__} in canonical JSON")


def canonical_bytes(value: Any) -> bytes:
    """The RFC 8785 bytes of ``value``."""
    return rfc8785.dumps(jsonable(value))
