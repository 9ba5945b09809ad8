"""Geohash cells: the grid incidents are counted in (and clustered by on the map).

A geohash's prefix is its parent cell, so coarser grids are ``substr(cell, 1, k)`` in SQL. The
encoding is the public-domain algorithm (interleaved longitude/latitude bits, base 32); it is
written with numpy so that a million points encode in one call.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"
# Cell size in degrees (lat, lon) for each length: 5 bits a character, longitude first.
PRECISION = 6  # about 1.2 km x 0.6 km: stored on every report and incident
TALLY_PRECISION = 4  # about 39 km x 20 km: the map's counts


def encode_many(lats: npt.ArrayLike, lons: npt.ArrayLike, precision: int = PRECISION) -> list[str]:
    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    bits = precision * 5
    n_lon = (bits + 1) // 2
    n_lat = bits // 2
    # Integer cell indices along each axis, clamped so that 90°/180° fall in the last cell.
    ilon = np.clip(((lon + 180.0) / 360.0 * (1 << n_lon)).astype(np.int64), 0, (1 << n_lon) - 1)
    ilat = np.clip(((lat + 90.0) / 180.0 * (1 << n_lat)).astype(np.int64), 0, (1 << n_lat) - 1)
    code = np.zeros(lat.shape, dtype=np.int64)
    for i in range(bits):  # interleave: even bits from longitude, odd from latitude, MSB first
        axis, n_axis = (ilon, n_lon) if i % 2 == 0 else (ilat, n_lat)
        bit = (axis >> (n_axis - 1 - i // 2)) & 1
        code = (code << 1) | bit
    chars = np.empty((lat.size, precision), dtype="<U1")
    for k in range(precision):
        chars[:, precision - 1 - k] = np.take(list(ALPHABET), (code.ravel() >> (5 * k)) & 31)
    return ["".join(row) for row in chars]


def encode(lat: float, lon: float, precision: int = PRECISION) -> str:
    return encode_many([lat], [lon], precision)[0]


def bounds(cell: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a cell."""
    south, west, north, east = -90.0, -180.0, 90.0, 180.0
    even = True
    for ch in cell:
        value = ALPHABET.index(ch)
        for shift in range(4, -1, -1):
            bit = (value >> shift) & 1
            if even:
                mid = (west + east) / 2
                west, east = (mid, east) if bit else (west, mid)
            else:
                mid = (south + north) / 2
                south, north = (mid, north) if bit else (south, mid)
            even = not even
    return south, west, north, east


def centre(cell: str) -> tuple[float, float]:
    south, west, north, east = bounds(cell)
    return (south + north) / 2, (west + east) / 2
