"""Checking a zone's shape and its weekly schedule before it is stored, and turning the schedule into
the minute-of-week intervals the rules engine reads.

Shapes: a GeoJSON Polygon in lon/lat (one outer ring, optionally holes) or a Point with a radius (a
circle). Limits, stated here once: at most ``MAX_VERTICES`` vertices, an area of at most
``MAX_AREA_KM2`` (about a region: a zone larger than that is a typing error, not a restriction),
radius ``MIN_RADIUS_M``..``MAX_RADIUS_M``, buffer 0..``MAX_BUFFER_M``; coordinates finite, within
the earth's ranges and within Kazakhstan's bounding box widened by a degree.

Schedules: ``[{"day": 0-6 (Monday = 0), "start": "HH:MM", "end": "HH:MM"}]`` in the assignment's
local time; an end not after the start crosses midnight (``"22:00"``–``"06:00"``); ``"24:00"`` may
end a window. Overlapping windows are merged.
"""

from __future__ import annotations

import math
import re
from typing import Any

import shapely  # type: ignore[import-untyped]
from django.utils.translation import gettext as _
from shapely import Polygon

from openprobation.core.exceptions import DomainError

MAX_VERTICES = 1000
MAX_AREA_KM2 = 20_000.0
MIN_RADIUS_M = 10.0
MAX_RADIUS_M = 50_000.0
MAX_BUFFER_M = 5_000.0
MAX_WINDOWS = 70
# Kazakhstan's extent (lon 46.5–87.4, lat 40.6–55.4), widened by one degree.
KZ_BOUNDS = (45.4, 39.5, 88.4, 56.5)  # min lon, min lat, max lon, max lat

DAY = 1440
WEEK = 7 * DAY
_TIME = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")

Interval = tuple[int, int]


def _number(value: Any, *, field: str) -> float:
    # bool is an int to Python, a string of (Unicode) digits is not a number to GeoJSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DomainError(_("Coordinates and distances must be numbers."), field=field)
    number = float(value)
    if not math.isfinite(number):
        raise DomainError(_("Coordinates and distances must be finite numbers."), field=field)
    return number


def _position(value: Any, *, in_kazakhstan: bool) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise DomainError(_("A position is a list of two numbers: longitude, latitude."), field="geometry")
    lon = _number(value[0], field="geometry")
    lat = _number(value[1], field="geometry")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise DomainError(
            _("Longitude must be between −180 and 180 and latitude between −90 and 90 (longitude comes first)."),
            field="geometry",
        )
    if in_kazakhstan:
        min_lon, min_lat, max_lon, max_lat = KZ_BOUNDS
        if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
            raise DomainError(
                _("The zone must lie in Kazakhstan (check that longitude comes before latitude)."), field="geometry"
            )
    return lon, lat


def _ring(value: Any, *, in_kazakhstan: bool) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        raise DomainError(_("A polygon's ring is a list of positions."), field="geometry")
    if len(value) > MAX_VERTICES + 1:
        raise DomainError(_("A zone may have at most %(n)s vertices.") % {"n": MAX_VERTICES}, field="geometry")
    points = [_position(p, in_kazakhstan=in_kazakhstan) for p in value]
    if points and points[0] != points[-1]:
        points.append(points[0])  # a ring left open is closed
    if len(set(points)) < 3:
        raise DomainError(_("A polygon needs at least three distinct points."), field="geometry")
    return points


def _area_km2(polygon: Polygon) -> float:
    """Area on a local equirectangular projection: exact enough to tell a district from a country."""
    lat0 = math.radians(polygon.centroid.y)
    kx = 111.320 * math.cos(lat0)
    ky = 110.574
    projected = shapely.transform(polygon, lambda xy: xy * [kx, ky])
    return float(projected.area)


def check_geometry(
    geometry: Any, *, radius_m: Any = None, in_kazakhstan: bool = True
) -> tuple[dict[str, Any], float | None]:
    """A zone's shape as it will be stored (rings closed, numbers as floats) and its radius (a
    circle) or None (a polygon); a ``DomainError`` naming the field says what is wrong."""
    if not isinstance(geometry, dict):
        raise DomainError(_("The geometry must be a GeoJSON Polygon or Point object."), field="geometry")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        lon, lat = _position(coordinates, in_kazakhstan=in_kazakhstan)
        if radius_m is None:
            raise DomainError(_("A circle needs a radius in metres."), field="radius_m")
        radius = _number(radius_m, field="radius_m")
        if not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
            raise DomainError(
                _("The radius must be between %(min)s and %(max)s metres.")
                % {"min": int(MIN_RADIUS_M), "max": int(MAX_RADIUS_M)},
                field="radius_m",
            )
        return {"type": "Point", "coordinates": [lon, lat]}, radius
    if kind != "Polygon":
        raise DomainError(_("The geometry must be a GeoJSON Polygon or Point object."), field="geometry")
    if radius_m is not None:
        raise DomainError(_("Only a circle (a Point) has a radius."), field="radius_m")
    if not isinstance(coordinates, list) or not coordinates:
        raise DomainError(_("A polygon's coordinates are a list of rings."), field="geometry")
    rings = [_ring(ring, in_kazakhstan=in_kazakhstan) for ring in coordinates]
    if sum(len(r) - 1 for r in rings) > MAX_VERTICES:
        raise DomainError(_("A zone may have at most %(n)s vertices.") % {"n": MAX_VERTICES}, field="geometry")
    polygon = Polygon(rings[0], rings[1:])
    if not shapely.is_valid(polygon):
        reason = shapely.is_valid_reason(polygon)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            message = _("The polygon's edges cross each other; draw its outline without crossings.")
        elif "Hole" in reason or "Nested" in reason or "Interior" in reason:
            message = _("A hole of the polygon must lie inside it without touching its outline or another hole.")
        else:
            message = _("The polygon is not valid: %(reason)s.") % {"reason": reason}
        raise DomainError(message, field="geometry")
    area = _area_km2(polygon)
    if area > MAX_AREA_KM2:
        raise DomainError(
            _("The zone is too large (%(area)s km², at most %(max)s km²).")
            % {"area": f"{area:,.0f}", "max": f"{MAX_AREA_KM2:,.0f}"},
            field="geometry",
        )
    if area <= 0:
        raise DomainError(_("The polygon has no area."), field="geometry")
    stored = [[[lon, lat] for lon, lat in ring] for ring in rings]
    return {"type": "Polygon", "coordinates": stored}, None


def check_buffer(value: Any) -> float:
    if value is None:
        return 0.0
    buffer = _number(value, field="buffer_m")
    if not 0 <= buffer <= MAX_BUFFER_M:
        raise DomainError(
            _("The buffer must be between 0 and %(max)s metres.") % {"max": int(MAX_BUFFER_M)}, field="buffer_m"
        )
    return buffer


# --- Weekly windows ----------------------------------------------------------------------------------


def _minutes(value: Any) -> int:
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise DomainError(_("Times are written HH:MM, from 00:00 to 24:00."), field="windows")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes:
        raise DomainError(_("Times are written HH:MM, from 00:00 to 24:00."), field="windows")
    return hours * 60 + minutes


def _merge(intervals: list[Interval]) -> list[Interval]:
    """Merge overlapping or touching intervals within one week (each already inside [0, WEEK))."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _split(start: int, end: int) -> list[Interval]:
    """An interval of minutes from Monday 00:00, possibly past the week's end, as parts inside it."""
    if end <= WEEK:
        return [(start, end)]
    return [(start, WEEK), (0, end - WEEK)]


def windows_intervals(windows: Any) -> list[Interval]:
    """Weekly windows as merged minute-of-week intervals [start, end), a window crossing Sunday
    midnight given as two."""
    if windows is None:
        return []
    if not isinstance(windows, list):
        raise DomainError(_("The schedule is a list of weekly windows."), field="windows")
    if len(windows) > MAX_WINDOWS:
        raise DomainError(_("A schedule may have at most %(n)s windows.") % {"n": MAX_WINDOWS}, field="windows")
    parts: list[Interval] = []
    for window in windows:
        if not isinstance(window, dict) or set(window) - {"day", "start", "end"}:
            raise DomainError(_('Each window is {"day": 0–6, "start": "HH:MM", "end": "HH:MM"}.'), field="windows")
        day = window.get("day")
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise DomainError(_("The day of a window is a number from 0 (Monday) to 6 (Sunday)."), field="windows")
        start, end = _minutes(window.get("start")), _minutes(window.get("end"))
        if start == DAY:
            raise DomainError(_("A window cannot start at 24:00."), field="windows")
        if end <= start:
            end += DAY  # crosses midnight
        parts.extend(_split(day * DAY + start, day * DAY + end))
    return _merge(parts)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_windows(windows: Any) -> list[dict[str, Any]]:
    """The windows as they will be stored: validated, overlaps merged, in weekly order; a window
    longer than a day is cut at midnight."""
    intervals = windows_intervals(windows)
    # Join the part ending at Sunday midnight to the part starting Monday 00:00 (one window across).
    if len(intervals) > 1 and intervals[0][0] == 0 and intervals[-1][1] == WEEK:
        first = intervals.pop(0)
        last = intervals.pop()
        intervals.append((last[0], WEEK + first[1]))
    out: list[dict[str, Any]] = []
    for begin, end in intervals:
        start = begin
        while start < end:
            day = start // DAY
            # A window of at most a day stays whole (crossing midnight); a longer one is cut there.
            piece_end = end if end - start <= DAY else (day + 1) * DAY
            stop = piece_end - day * DAY
            out.append(
                {
                    "day": day % 7,
                    "start": _hhmm(start - day * DAY),
                    "end": "24:00" if stop == DAY else _hhmm(stop % DAY),
                }
            )
            start = piece_end
    return sorted(out, key=lambda w: (w["day"], w["start"]))
