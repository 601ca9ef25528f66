"""Small geometry for the simulator: metres on a local plane around a point (good to a few metres
across a city), bearings, and circles as GeoJSON points with a radius."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON_EQ = 111_320.0

FloatArray = NDArray[np.float64]


def metres(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """East and north offsets in metres of (lat, lon) from (lat0, lon0)."""
    return (lon - lon0) * M_PER_DEG_LON_EQ * math.cos(math.radians(lat0)), (lat - lat0) * M_PER_DEG_LAT


def offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    return lat + north_m / M_PER_DEG_LAT, lon + east_m / (M_PER_DEG_LON_EQ * math.cos(math.radians(lat)))


def distance_m(lat0: float, lon0: float, lat: float, lon: float) -> float:
    east, north = metres(lat0, lon0, lat, lon)
    return math.hypot(east, north)


def segment_distance_m(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in metres from point p to the straight segment a–b (all (lat, lon))."""
    ax, ay = metres(p[0], p[1], a[0], a[1])
    bx, by = metres(p[0], p[1], b[0], b[1])
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return math.hypot(ax + t * dx, ay + t * dy)


def arrays_offset(
    lat: FloatArray, lon: FloatArray, east_m: FloatArray, north_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    return lat + north_m / M_PER_DEG_LAT, lon + east_m / (M_PER_DEG_LON_EQ * np.cos(np.radians(lat)))


def arrays_delta_m(
    lat0: FloatArray, lon0: FloatArray, lat1: FloatArray, lon1: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """East and north metres from (lat0, lon0) to (lat1, lon1), element-wise."""
    return (lon1 - lon0) * M_PER_DEG_LON_EQ * np.cos(np.radians(lat0)), (lat1 - lat0) * M_PER_DEG_LAT


def circle(lat: float, lon: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
