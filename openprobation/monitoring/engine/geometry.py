"""Zone geometry for the engine: each zone version is projected once to a local metric plane and
compiled into flat NumPy tables, so that judging a batch of fixes against their zones is a handful
of array operations.

Projection: equirectangular around the zone's origin (a circle's centre, a polygon's centroid):
``x = (lon - lon0) * cos(lat0) * 111_320``, ``y = (lat - lat0) * 110_540`` — good to a few
centimetres within a city. A fix is projected with the same formula, so a fix given at a zone's
vertex lands exactly on it.

The engine asks one question per (fix, zone version): the signed distance ``sd`` in metres from the
fix to the buffered zone (negative inside, zero on the edge, positive outside). Circles: pure
NumPy. Polygons: a raster of ``GRID``×``GRID`` cells over the bounding box, each holding the signed
distance at its centre, bounds every fix in the box to ±half a cell diagonal, and outside the box the
distance to the box is a lower bound; only the fixes whose decision those bounds leave open are
measured exactly, against the padded table of the polygon's segments (distance to the nearest
segment, inside by the even-odd rule, the edge itself inside).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from numpy.typing import NDArray

M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON = 111_320.0
GRID = 16
EDGE_EPS_M = 1e-6  # a fix closer than a micrometre to the edge is on it
MAX_VERTICES = 2_000
MAX_EXTENT_M = 200_000.0  # a zone larger than this is refused (a region, not a place)

F64 = NDArray[np.float64]


class ZoneGeometryError(ValueError):
    """A zone's geometry the engine cannot judge by; ``code`` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CompiledShape:
    """One zone version's shape in its own metric plane."""

    lon0: float
    lat0: float
    kx: float  # metres per degree of longitude at lat0
    radius: float  # circle radius (0 for a polygon)
    segments: F64 | None  # (S, 4) x1, y1, x2, y2 of every ring; None for a circle
    bbox: tuple[float, float, float, float]  # projected, of the unbuffered shape


def project(lon: Any, lat: Any, lon0: float, lat0: float, kx: float) -> tuple[F64, F64]:
    x = (np.asarray(lon, dtype=np.float64) - lon0) * kx
    y = (np.asarray(lat, dtype=np.float64) - lat0) * M_PER_DEG_LAT
    return x, y


def _finite_pair(value: Any) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) < 2:  # noqa: PLR2004
        raise ZoneGeometryError("bad_coordinates", "A position must be [longitude, latitude].")
    lon, lat = value[0], value[1]
    if (
        isinstance(lon, bool)
        or isinstance(lat, bool)
        or not isinstance(lon, (int, float))
        or not isinstance(lat, (int, float))
    ):
        raise ZoneGeometryError("bad_coordinates", "Coordinates must be numbers.")
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):  # noqa: PLR2004
        raise ZoneGeometryError("bad_coordinates", "Coordinates are out of range.")
    return float(lon), float(lat)


def _rings(geometry: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise ZoneGeometryError("bad_geometry", "A polygon needs at least one ring of coordinates.")
    rings = []
    total = 0
    for ring in coordinates:
        if not isinstance(ring, list):
            raise ZoneGeometryError("bad_geometry", "A polygon's ring must be a list of positions.")
        points = [_finite_pair(p) for p in ring]
        total += len(points)
        if total > MAX_VERTICES:
            raise ZoneGeometryError("too_many_vertices", "The polygon has too many vertices.")
        if len(points) < 4 or points[0] != points[-1]:  # noqa: PLR2004
            raise ZoneGeometryError("bad_ring", "A ring needs at least four positions, the last equal to the first.")
        rings.append(points)
    return rings


def compile_shape(geometry: Mapping[str, Any], radius_m: float | None) -> CompiledShape:
    """Validate and project one zone version's geometry (GeoJSON Point with a radius, or Polygon).
    Raises ZoneGeometryError for what cannot be judged: a self-intersecting or huge polygon, a
    circle without a positive radius, coordinates out of range."""
    kind = geometry.get("type")
    if kind == "Point":
        lon0, lat0 = _finite_pair(geometry.get("coordinates"))
        if radius_m is None or not math.isfinite(radius_m) or radius_m <= 0 or radius_m > MAX_EXTENT_M:
            raise ZoneGeometryError("bad_radius", "A circle needs a radius between 0 and 200 km.")
        kx = math.cos(math.radians(lat0)) * M_PER_DEG_LON
        r = float(radius_m)
        return CompiledShape(lon0, lat0, kx, r, None, (-r, -r, r, r))
    if kind != "Polygon":
        raise ZoneGeometryError("bad_geometry", "A zone is a Point with a radius or a Polygon.")
    rings = _rings(geometry)
    polygon = shapely.Polygon(rings[0], rings[1:])
    if not polygon.is_valid:
        raise ZoneGeometryError("invalid_polygon", "The polygon intersects itself or is otherwise invalid.")
    if polygon.area <= 0:
        raise ZoneGeometryError("invalid_polygon", "The polygon has no area.")
    centroid = polygon.centroid
    lon0, lat0 = float(centroid.x), float(centroid.y)
    kx = math.cos(math.radians(lat0)) * M_PER_DEG_LON
    parts = []
    for ring in rings:
        xs, ys = project([p[0] for p in ring], [p[1] for p in ring], lon0, lat0, kx)
        parts.append(np.stack([xs[:-1], ys[:-1], xs[1:], ys[1:]], axis=1))
    segments = np.concatenate(parts)
    minx, maxx = float(segments[:, 0].min()), float(segments[:, 0].max())
    miny, maxy = float(segments[:, 1].min()), float(segments[:, 1].max())
    if maxx - minx > MAX_EXTENT_M or maxy - miny > MAX_EXTENT_M:
        raise ZoneGeometryError("too_large", "The polygon is too large for a zone (more than 200 km across).")
    return CompiledShape(lon0, lat0, kx, 0.0, segments, (minx, miny, maxx, maxy))


def validate_zone_geometry(geometry: Mapping[str, Any], radius_m: float | None) -> None:
    """What the API calls before saving a zone version: raises ZoneGeometryError with a code."""
    compile_shape(geometry, radius_m)


def polygon_signed_distance(segments: F64, x: F64, y: F64) -> F64:
    """Exact signed distance of points to polygons, row by row. ``segments`` is (N, S, 4): for each
    point the segments of its polygon, padded with zero-length segments at a vertex. Negative
    inside, zero on the edge (within EDGE_EPS_M), positive outside; the even-odd rule for inside."""
    x1, y1, x2, y2 = (segments[:, :, i] for i in range(4))
    px = x[:, None]
    py = y[:, None]
    dx, dy = x2 - x1, y2 - y1
    wx, wy = px - x1, py - y1
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(length2 > 0, (wx * dx + wy * dy) / length2, 0.0)
    cross = dx * wy - dy * wx
    within = (u > 0) & (u < 1)
    length = np.sqrt(length2)
    with np.errstate(invalid="ignore", divide="ignore"):
        perpendicular = np.abs(cross) / np.where(length > 0, length, 1.0)
    end1 = np.hypot(wx, wy)
    end2 = np.hypot(px - x2, py - y2)
    distance = np.where(within, perpendicular, np.minimum(end1, end2)).min(axis=1)
    # even-odd: a horizontal ray to the right crosses the segment
    straddles = (y1 > py) != (y2 > py)
    with np.errstate(invalid="ignore", divide="ignore"):
        x_at = x1 + (py - y1) * dx / np.where(dy != 0, dy, 1.0)
    crossings = np.count_nonzero(straddles & (px < x_at), axis=1)
    inside = (crossings % 2) == 1
    distance = np.where(distance <= EDGE_EPS_M, 0.0, distance)
    return np.where(inside, -distance, distance)


def pad_segments(shapes: Sequence[CompiledShape]) -> F64:
    """The (P, Smax, 4) table of segments of polygons, padded at each polygon's first vertex."""
    smax = max((len(s.segments) for s in shapes if s.segments is not None), default=1)
    table = np.zeros((len(shapes), smax, 4))
    for i, shape in enumerate(shapes):
        seg = shape.segments
        if seg is None:  # pragma: no cover - polygons only
            continue
        table[i, : len(seg)] = seg
        table[i, len(seg) :] = [seg[0, 0], seg[0, 1], seg[0, 0], seg[0, 1]]
    return table


def raster(shapes: Sequence[CompiledShape], segments: F64, grid: int = GRID) -> tuple[F64, F64]:
    """Per polygon the signed distance at each cell centre of a grid×grid raster over its bounding
    box, flattened (P, grid*grid), and the half-diagonal of a cell (P,)."""
    count = len(shapes)
    bbox = np.array([s.bbox for s in shapes]).reshape(count, 4)
    cw = (bbox[:, 2] - bbox[:, 0]) / grid
    ch = (bbox[:, 3] - bbox[:, 1]) / grid
    centres = (np.arange(grid) + 0.5)[None, :]
    cx = bbox[:, 0:1] + centres * cw[:, None]  # (P, grid)
    cy = bbox[:, 1:2] + centres * ch[:, None]
    xs = np.repeat(cx[:, None, :], grid, axis=1).reshape(count, -1)  # row-major: cell (iy, ix)
    ys = np.repeat(cy[:, :, None], grid, axis=2).reshape(count, -1)
    cells = grid * grid
    # GEOS, vectorised over (polygon, cell) pairs: the distance to the boundary, negative inside
    polygons = []
    for i, shape in enumerate(shapes):
        seg = segments[i] if shape.segments is None else shape.segments
        ring = np.concatenate([seg[:, :2], seg[-1:, 2:]])
        polygons.append(
            shapely.Polygon(ring)
            if shape.segments is not None and _single_ring(shape.segments)
            else _rings_polygon(shape.segments)
        )
    array = np.array(polygons, dtype=object)
    shapely.prepare(array)
    geoms = np.repeat(array, cells)
    boundaries = np.repeat(shapely.boundary(array), cells)
    points = shapely.points(xs.ravel(), ys.ravel())
    distance = shapely.distance(boundaries, points)
    inside = shapely.intersects(geoms, points)
    out = np.where(inside, -distance, distance).reshape(count, cells)
    return out, 0.5 * np.hypot(cw, ch)


def _single_ring(segments: F64) -> bool:
    # a single ring closes only at its end: no segment ends where a later one does not start
    return bool(np.all(segments[:-1, 2:] == segments[1:, :2]))


def _rings_polygon(segments: F64 | None) -> Any:
    """A polygon with holes rebuilt from its segments (rings are consecutive runs of segments)."""
    if segments is None:  # pragma: no cover - polygons only
        raise ZoneGeometryError("bad_geometry", "Not a polygon.")
    breaks = np.nonzero(np.any(segments[:-1, 2:] != segments[1:, :2], axis=1))[0] + 1
    rings = [np.concatenate([part[:, :2], part[-1:, 2:]]) for part in np.split(segments, breaks)]
    return shapely.Polygon(rings[0], rings[1:])
