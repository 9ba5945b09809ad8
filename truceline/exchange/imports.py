"""Background history: ACLED and UCDP GED event files, imported apart from the mechanism's
own records (they are what others recorded, mostly before the ceasefire: the baseline).

An import reads and checks the whole file first; any bad row refuses the file, naming each
line, and nothing is written. Rows are keyed by (source, the source's event id) and carry a
digest of their content, so importing the same file again changes nothing, and a corrected
row in a newer release of the file updates its event. Each import that changes anything is
one ledger entry with the file's SHA-256 and the counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from truceline.core.errors import ApiError
from truceline.exchange.models import HistoricEvent, ImportBatch
from truceline.ledger.services import event_append

MAX_ERRORS = 50


class ImportRefused(ApiError):
    """The file was not imported; ``problems`` names each bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid", "The file was not imported: " + "; ".join(problems[:5]))
        self.problems = problems


@dataclass
class Summary:
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def _number(value: str) -> float:
    return float(value.strip())


def _integer(value: str) -> int:
    """'401115', '401115.0' (as in some GED distributions) -> 401115; anything else refused."""
    number = float(value.strip())
    if number != int(number):
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def _date(value: str) -> dt.date:
    """ISO dates, and ACLED's '09 October 2025'."""
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD or 09 October 2025)")


def _ucdp(row: dict[str, str]) -> dict[str, Any]:
    violence = {1: "State-based conflict", 2: "Non-state conflict", 3: "One-sided violence"}
    kind = _integer(row["type_of_violence"])
    if kind not in violence:
        raise ValueError(f"type_of_violence {kind} is not 1, 2 or 3")
    start, end = _date(row["date_start"]), _date(row["date_end"])
    if end < start:
        raise ValueError("date_end is before date_start")
    return {
        "source_id": str(_integer(row["id"])),
        "event_date": start,
        "end_date": end,
        "date_precision": _integer(row["date_prec"]) if row.get("date_prec", "").strip() else 1,
        "event_type": violence[kind],
        "sub_event_type": row.get("conflict_name", "").strip(),
        "actor1": row["side_a"].strip(),
        "actor2": row["side_b"].strip(),
        "country_name": row["country"].strip(),
        "admin1": row.get("adm_1", "").strip(),
        "location": row.get("where_coordinates", "").strip(),
        "lat": _number(row["latitude"]),
        "lon": _number(row["longitude"]),
        "geo_precision": _integer(row["where_prec"]) if row.get("where_prec", "").strip() else 0,
        "fatalities": _integer(row["best"]),
        "notes": row.get("source_headline", "").strip(),
        "reported_by": row.get("source_office", "").strip(),
    }


def _acled(row: dict[str, str]) -> dict[str, Any]:
    day = _date(row["event_date"])
    return {
        "source_id": row["event_id_cnty"].strip(),
        "event_date": day,
        "end_date": day,
        "date_precision": _integer(row["time_precision"])
        if row.get("time_precision", "").strip()
        else 1,
        "event_type": row["event_type"].strip(),
        "sub_event_type": row.get("sub_event_type", "").strip(),
        "actor1": row.get("actor1", "").strip(),
        "actor2": row.get("actor2", "").strip(),
        "country_name": row["country"].strip(),
        "admin1": row.get("admin1", "").strip(),
        "location": row.get("location", "").strip(),
        "lat": _number(row["latitude"]),
        "lon": _number(row["longitude"]),
        "geo_precision": _integer(row["geo_precision"])
        if row.get("geo_precision", "").strip()
        else 0,
        "fatalities": _integer(row["fatalities"]) if row.get("fatalities", "").strip() else 0,
        "notes": row.get("notes", "").strip(),
        "reported_by": row.get("source", "").strip(),
    }


SOURCES: dict[str, tuple[list[str], Callable[[dict[str, str]], dict[str, Any]]]] = {
    "ucdp": (
        [
            "id",
            "type_of_violence",
            "side_a",
            "side_b",
            "country",
            "latitude",
            "longitude",
            "date_start",
            "date_end",
            "best",
        ],
        _ucdp,
    ),
    "acled": (
        [
            "event_id_cnty",
            "event_date",
            "event_type",
            "country",
            "latitude",
            "longitude",
        ],
        _acled,
    ),
}


def _checked(values: dict[str, Any]) -> None:
    if not values["source_id"]:
        raise ValueError("the event id is empty")
    if not -90 <= values["lat"] <= 90 or not -180 <= values["lon"] <= 180:
        raise ValueError("latitude or longitude out of range")
    if values["fatalities"] < 0:
        raise ValueError("a negative number of deaths")
    if not values["event_type"]:
        raise ValueError("the event type is empty")


def parse(
    source: str, text: str, progress: Callable[[int, int], None] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every row as values, or the problems, each naming its line (the header is line 1)."""
    required, convert = SOURCES[source]
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        return [], [f"line 1: missing columns: {', '.join(missing)}"]
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    total = text.count("\n")
    for n, row in enumerate(reader):
        line = reader.line_num
        if None in row:
            problems.append(f"line {line}: more cells than the header has columns")
            continue
        try:
            values = convert({k: v or "" for k, v in row.items()})
            _checked(values)
        except (ValueError, KeyError) as exc:
            problems.append(f"line {line}: {exc}")
        else:
            key = values["source_id"]
            if key in seen:
                problems.append(f"line {line}: event {key} repeats line {seen[key]}")
            seen[key] = line
            rows.append(values)
        if len(problems) >= MAX_ERRORS:
            problems.append(f"(stopped after {MAX_ERRORS} problems)")
            break
        if progress is not None and n % 500 == 0:
            progress(line, total)
    if progress is not None:
        progress(total, total)
    if not rows and not problems:
        problems.append("line 2: no rows")
    return rows, problems


def _digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def import_file(
    *,
    actor: Any,
    source: str,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Import an ACLED or UCDP CSV file whole, or refuse it whole (ImportRefused)."""
    from truceline.geo.derive import derive_many
    from truceline.geo.frame import current_frame

    if source not in SOURCES:
        raise ApiError("invalid", f"source is one of {', '.join(SOURCES)}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused([f"the file is not UTF-8 (byte {exc.start})"]) from exc
    rows, problems = parse(source, text, progress)
    if problems:
        raise ImportRefused(problems)
    geos = derive_many(current_frame(), [r["lat"] for r in rows], [r["lon"] for r in rows])
    summary = Summary(source=source, rows=len(rows))
    with transaction.atomic():
        existing = {
            e.source_id: e
            for e in HistoricEvent.objects.select_for_update().filter(
                source=source, source_id__in=[r["source_id"] for r in rows]
            )
        }
        batch = ImportBatch(
            source=source,
            file_name=path.name[:200],
            sha256=hashlib.sha256(raw).hexdigest(),
            rows=len(rows),
            imported_by=actor if getattr(actor, "pk", None) else None,
            imported_at=timezone.now(),
        )
        new: list[HistoricEvent] = []
        changed: list[HistoricEvent] = []
        for values, geo in zip(rows, geos, strict=True):
            digest = _digest(values)
            current = existing.get(values["source_id"])
            if current is not None and current.digest == digest:
                summary.unchanged += 1
                continue
            event = current or HistoricEvent(source=source, source_id=values["source_id"])
            for name, value in values.items():
                if name != "source_id":
                    setattr(event, name, value)
            event.country = geo.country
            event.border_km = geo.border_km
            event.sector_id = geo.sector
            event.digest = digest
            (changed if current is not None else new).append(event)
        summary.created, summary.updated = len(new), len(changed)
        if not new and not changed:
            return summary
        batch.created, batch.updated, batch.unchanged = (
            summary.created,
            summary.updated,
            summary.unchanged,
        )
        batch.save()
        for event in new + changed:
            event.batch = batch
        HistoricEvent.objects.bulk_create(new, batch_size=1000)
        if changed:
            fields = [
                f.name
                for f in HistoricEvent._meta.concrete_fields
                if f.name not in {"id", "source", "source_id"}
            ]
            HistoricEvent.objects.bulk_update(changed, fields, batch_size=500)
        event_append(
            actor=actor if getattr(actor, "pk", None) else None,
            kind=f"import.{source}",
            object_type="import",
            object_id=str(batch.pk),
            payload={
                "file": batch.file_name,
                "sha256": batch.sha256,
                "rows": batch.rows,
                "created": batch.created,
                "updated": batch.updated,
                "unchanged": batch.unchanged,
            },
        )
    return summary
