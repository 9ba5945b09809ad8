"""Exports of the incidents a person may see, streamed: constant memory at any size.

One row source, ``rows(viewer, filters)``, reads the policy's queryset in chunks as plain
values; each format turns rows into text and the text into chunks of about 64 KiB. The public
and the parties below the mechanism get the point rounded to the scenario's precision and the
coarse geography only, exactly as on every other public surface (``geo.selectors``).

Formats (docs/exports.md): CSV with a second row of HXL hashtags; GeoJSON (RFC 7946); JSON
Lines; and ACLED-compatible CSV (ACLED's columns; event types from the scenario's categories).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from truceline.geo.selectors import public_precision_km, round_point
from truceline.incidents.models import Incident
from truceline.incidents.selectors import filtered
from truceline.policy import sees_exact_location, visible_to

CHUNK = 64 * 1024
BATCH = 2000

# column, HXL hashtag; the geography after the first block is the mechanism's only
COLUMNS: list[tuple[str, str]] = [
    ("id", "#event+id"),
    ("state", "#status+state"),
    ("category", "#event+type"),
    ("accused_party", "#org+accused"),
    ("occurred_at", "#date+occurred"),
    ("urgent", "#indicator+urgent"),
    ("opened_at", "#date+opened"),
    ("published_at", "#date+published"),
    ("determination", "#status+determination"),
    ("attributed_party", "#org+attributed"),
    ("killed", "#affected+killed"),
    ("injured", "#affected+injured"),
    ("lat", "#geo+lat"),
    ("lon", "#geo+lon"),
    ("rounded_to_km", "#meta+precision_km"),
    ("country", "#country+code"),
    ("sector", "#loc+sector"),
]
EXACT_COLUMNS: list[tuple[str, str]] = [
    ("province", "#adm1+name"),
    ("district", "#adm2+name"),
    ("nearest_place", "#loc+name"),
    ("border_km", "#meta+border_km"),
]
FIELDS = [
    "id",
    "state",
    "category_id",
    "accused_party_id",
    "occurred_at",
    "urgent",
    "opened_at",
    "published_at",
    "determination",
    "attributed_party_id",
    "killed",
    "injured",
    "lat",
    "lon",
    "country",
    "sector_id",
    "province",
    "district",
    "nearest_place",
    "border_km",
    "created_at",
]


@dataclass
class Filters:
    state: str | None = None
    category: str | None = None
    party: str | None = None
    sector: str | None = None
    from_: Any = None
    to: Any = None


def filters_from(query: Any) -> Filters:
    """The page's query string as filters; a bad date is a ValueError naming the field."""
    out = Filters()
    for name in ("state", "category", "party", "sector"):
        value = (query.get(name) or "").strip()
        if len(value) > 60:
            raise ValueError(f"{name}: at most 60 characters")
        setattr(out, name, value or None)
    for name, attr in (("from", "from_"), ("to", "to")):
        value = (query.get(name) or "").strip()
        if value:
            try:
                setattr(out, attr, dt.date.fromisoformat(value))
            except ValueError as exc:
                raise ValueError(f"{name}: a date, as YYYY-MM-DD") from exc
    return out


def columns(viewer: Any) -> list[tuple[str, str]]:
    return COLUMNS + (EXACT_COLUMNS if sees_exact_location(viewer) else [])


def rows(viewer: Any, filters: Filters) -> Iterator[dict[str, Any]]:
    """The incidents this viewer may see, oldest first, as flat rows."""
    qs = filtered(visible_to(viewer, Incident), filters)
    exact = sees_exact_location(viewer)
    km = None if exact else public_precision_km()
    for v in qs.order_by("occurred_at", "id").values(*FIELDS).iterator(chunk_size=BATCH):
        lat, lon = v["lat"], v["lon"]
        if lat is not None and lon is not None and not exact:
            lat, lon = round_point(lat, lon, km)
        row = {
            "id": v["id"],
            "state": v["state"],
            "category": v["category_id"],
            "accused_party": v["accused_party_id"],
            "occurred_at": v["occurred_at"].isoformat(),
            "urgent": v["urgent"],
            "opened_at": v["opened_at"].isoformat() if v["opened_at"] else None,
            "published_at": v["published_at"].isoformat() if v["published_at"] else None,
            "determination": v["determination"] or None,
            "attributed_party": v["attributed_party_id"],
            "killed": v["killed"],
            "injured": v["injured"],
            "lat": lat,
            "lon": lon,
            "rounded_to_km": km,
            "country": v["country"] or None,
            "sector": v["sector_id"],
        }
        if exact:
            row.update(
                {
                    "province": v["province"] or None,
                    "district": v["district"] or None,
                    "nearest_place": v["nearest_place"] or None,
                    "border_km": v["border_km"],
                }
            )
        row["_created_at"] = v["created_at"]
        yield row


def chunked(pieces: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


# A text cell a spreadsheet would read as a formula (OWASP, "CSV injection"): one that starts
# with = + - @ (or their full-width forms), also after leading white space, or with a tab or a
# carriage return. Such a cell is written with a single quote before it, which spreadsheets
# take as "text"; numbers, negative ones included, are written as they are.
_FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def cell(value: Any) -> Any:
    """One CSV cell as written: None empty, a formula-like text neutralised, the rest as is."""
    if value is None:
        return ""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in _FORMULA_START or first.isspace():  # most cells stop here
        risky = first in "\t\r\n" or value.lstrip().startswith(_FORMULA_START)
        if risky and not _NUMBER.match(value):  # "-3.5" is a number, not a formula
            return "'" + value
    return value


def csv_lines(
    header: list[str], lines: Iterable[list[Any]], extra: list[str] | None
) -> Iterator[str]:
    """CSV text in pieces, every cell through ``cell``: what the product writes as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([cell(x) for x in header])
    if extra is not None:
        writer.writerow([cell(x) for x in extra])
    for line in lines:
        writer.writerow([cell(x) for x in line])
        if out.tell() >= 8192:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def as_csv(viewer: Any, filters: Filters, *, hxl: bool = True) -> Iterator[bytes]:
    cols = columns(viewer)
    names = [c for c, _tag in cols]
    lines = ([r.get(c) for c in names] for r in rows(viewer, filters))
    return chunked(csv_lines(names, lines, [t for _c, t in cols] if hxl else None))


def as_jsonl(viewer: Any, filters: Filters) -> Iterator[bytes]:
    def lines() -> Iterator[str]:
        for r in rows(viewer, filters):
            r.pop("_created_at")
            yield json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"

    return chunked(lines())


def as_geojson(viewer: Any, filters: Filters) -> Iterator[bytes]:
    """A FeatureCollection; an incident without a place has a null geometry (RFC 7946 §3.2)."""

    def pieces() -> Iterator[str]:
        yield '{"type":"FeatureCollection","features":['
        first = True
        for r in rows(viewer, filters):
            r.pop("_created_at")
            lat, lon = r.pop("lat"), r.pop("lon")
            geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None else None
            feature = {"type": "Feature", "id": r["id"], "geometry": geometry, "properties": r}
            yield ("" if first else ",") + json.dumps(
                feature, ensure_ascii=False, separators=(",", ":")
            )
            first = False
        yield "]}\n"

    return chunked(pieces())


ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]


def as_acled(viewer: Any, filters: Filters) -> Iterator[bytes]:
    """ACLED's columns. An incident is attributed to the party a published finding names, or
    else to the accused party, marked "(alleged)"; the event type is the category's ACLED
    mapping from the scenario; geo_precision is 1 for the exact point, 2 when rounded to
    25 km or less, else 3."""
    from truceline.geo.world import countries
    from truceline.scenario.models import Category, Organisation, Sector

    acled = {
        c.slug: (c.acled_event_type, c.acled_sub_event_type, c.name) for c in Category.objects.all()
    }
    orgs = dict(Organisation.objects.values_list("slug", "name"))
    sectors = dict(Sector.objects.values_list("slug", "name"))
    world = countries()

    def lines() -> Iterator[list[Any]]:
        for r in rows(viewer, filters):
            event_type, sub_type, category_name = acled.get(r["category"], ("", "", ""))
            attributed = r["attributed_party"]
            actor1 = (
                orgs.get(attributed, attributed)
                if attributed
                else f"{orgs.get(r['accused_party'], r['accused_party'])} (alleged)"
            )
            km = r["rounded_to_km"]
            place = world.get(r["country"] or "")
            changed = r["published_at"] or r["_created_at"].isoformat()
            yield [
                r["id"],
                r["occurred_at"][:10],
                r["occurred_at"][:4],
                1,
                "Strategic developments"
                if event_type == "Strategic developments"
                else "Political violence",
                event_type,
                sub_type,
                actor1,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                place.numeric if place else "",
                "",  # ACLED's region: not derived here
                place.name if place else "",
                r.get("province") or "",
                r.get("district") or "",
                "",
                r.get("nearest_place") or sectors.get(r["sector"] or "", ""),
                r["lat"] if r["lat"] is not None else "",
                r["lon"] if r["lon"] is not None else "",
                1 if km is None else 2 if km <= 25 else 3,
                "Truceline monitoring mechanism",
                "Other",
                f"{category_name}; mechanism state: {r['state']}"
                + (f"; determination: {r['determination']}" if r["determination"] else ""),
                r["killed"],
                f"truceline-state={r['state']}",
                _unix(changed),
            ]

    return chunked(csv_lines(ACLED_COLUMNS, lines(), None))


def _unix(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).timestamp())


Maker = Callable[[Any, Filters], Iterator[bytes]]
FORMATS: dict[str, tuple[str, str, Maker]] = {
    "csv": ("text/csv; charset=utf-8", "csv", as_csv),
    "geojson": ("application/geo+json", "geojson", as_geojson),
    "jsonl": ("application/jsonl; charset=utf-8", "jsonl", as_jsonl),
    "acled": ("text/csv; charset=utf-8", "acled.csv", as_acled),
}
