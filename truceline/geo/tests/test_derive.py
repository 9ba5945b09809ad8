"""Derived geography on known points, against their true country and distance to the border."""

from __future__ import annotations

import pytest

from truceline.geo import grid
from truceline.geo.frame import current_frame, geography
from truceline.geo.services import check_side

pytestmark = pytest.mark.django_db

# (lat, lon), country, distance to the Durand Line in km (low, high), as measured on a map.
KNOWN = {
    "Torkham": ((34.1031, 71.0894), "PK", (0, 5)),
    "Chaman": ((30.9210, 66.4597), "PK", (0, 8)),
    "Kabul": ((34.5553, 69.2075), "AF", (70, 100)),
    "Peshawar": ((34.0151, 71.5249), "PK", (30, 50)),
    "Arabian Sea": ((24.0, 63.0), "", (400, 700)),
}


@pytest.mark.parametrize("name", KNOWN)
def test_known_points(scenario, name):
    (lat, lon), country, (low, high) = KNOWN[name]
    geo = geography(lat, lon)
    assert geo.country == country
    assert geo.border_km is not None and low <= geo.border_km <= high, geo.border_km


def test_torkham_names_its_sector_crossing_and_province(scenario):
    geo = geography(34.1031, 71.0894)
    assert geo.sector == "khyber"
    assert geo.crossing == "torkham" and geo.crossing_km == 0
    assert geo.nearest == "Torkham"
    # GeoNames still files the tribal areas under their pre-2018 name.
    assert geo.province in {"Federally Administered Tribal Areas", "Khyber Pakhtunkhwa"}


def test_sectors_follow_the_border(scenario):
    assert geography(30.95, 66.45).sector == "chaman"
    assert geography(32.99, 70.06).sector == "north-waziristan"  # Miran Shah
    assert geography(35.5, 71.7).sector == "chitral-kunar"


def test_a_point_far_inside_with_no_origin_is_flagged(scenario):
    lahore = geography(31.5204, 74.3587)
    assert lahore.country == "PK"
    flag = check_side(lahore, origin=None)
    assert "inside Pakistan" in flag and "no origin" in flag
    assert check_side(lahore, origin="afghanistan") == ""
    assert check_side(geography(34.1031, 71.0894), origin=None) == ""
    assert "not in either party" in check_side(geography(24.0, 63.0), origin="afghanistan")


def test_geohash_matches_the_published_examples():
    # Examples from the geohash literature: the same point at falling precision.
    assert grid.encode(57.64911, 10.40744, 11) == "u4pruydqqvj"
    assert grid.encode(42.6, -5.6, 5) == "ezs42"
    south, west, north, east = grid.bounds("ezs42")
    assert south <= 42.6 <= north and west <= -5.6 <= east
    assert grid.encode_many([57.64911, 42.6], [10.40744, -5.6], 5) == ["u4pru", "ezs42"]


def test_the_frame_follows_the_scenario(scenario):
    frame = current_frame()
    assert set(frame.party_codes) == {"PK", "AF"}
    assert {c.slug for c in frame.crossings} >= {"torkham", "chaman-spin-boldak"}
