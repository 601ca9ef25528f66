"""Zone shapes and weekly schedules: what is accepted, how it is stored, and the clear refusals."""

from __future__ import annotations

import math

import pytest

from openprobation.core.exceptions import DomainError
from openprobation.monitoring.zones import (
    DAY,
    WEEK,
    check_buffer,
    check_geometry,
    check_windows,
    windows_intervals,
)

# A block in Astana (lon, lat).
SQUARE = [[71.40, 51.10], [71.42, 51.10], [71.42, 51.12], [71.40, 51.12], [71.40, 51.10]]


def polygon(*rings: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def refused(geometry, radius_m=None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        check_geometry(geometry, radius_m=radius_m)
    return caught.value


def test_a_polygon_is_stored_with_its_ring_closed():
    stored, radius = check_geometry(polygon(SQUARE[:-1]))
    assert radius is None
    assert stored["coordinates"][0][0] == stored["coordinates"][0][-1] == [71.40, 51.10]
    assert len(stored["coordinates"][0]) == 5


def test_a_polygon_with_a_hole_is_accepted():
    hole = [[71.405, 51.105], [71.41, 51.105], [71.41, 51.11], [71.405, 51.105]]
    stored, _ = check_geometry(polygon(SQUARE, hole))
    assert len(stored["coordinates"]) == 2


def test_a_circle_is_a_point_with_a_radius():
    stored, radius = check_geometry({"type": "Point", "coordinates": [76.95, 43.24]}, radius_m=150)
    assert stored == {"type": "Point", "coordinates": [76.95, 43.24]}
    assert radius == 150.0


def test_a_self_intersecting_bow_tie_is_refused_with_a_clear_message():
    bow_tie = [[71.40, 51.10], [71.42, 51.12], [71.42, 51.10], [71.40, 51.12], [71.40, 51.10]]
    error = refused(polygon(bow_tie))
    assert error.field == "geometry"
    assert "cross" in str(error)


def test_a_polygon_larger_than_a_region_is_refused():
    huge = [[50.0, 45.0], [70.0, 45.0], [70.0, 52.0], [50.0, 52.0]]
    assert "too large" in str(refused(polygon(huge)))


def test_too_many_vertices_are_refused():
    ring = [
        [71.4 + 0.01 * math.cos(2 * math.pi * i / 1200), 51.1 + 0.01 * math.sin(2 * math.pi * i / 1200)]
        for i in range(1200)
    ]
    assert "at most 1000 vertices" in str(refused(polygon(ring)))


@pytest.mark.parametrize(
    "coordinates",
    [
        [[71.4, 51.1], [71.5, 51.1]],  # two points
        [[71.4, 51.1], [71.4, 51.1], [71.4, 51.1], [71.4, 51.1]],  # one point repeated
    ],
)
def test_fewer_than_three_distinct_points_are_refused(coordinates):
    assert "three distinct points" in str(refused(polygon(coordinates)))


@pytest.mark.parametrize(
    "bad",
    [
        [[float("nan"), 51.1], [71.42, 51.1], [71.42, 51.12]],
        [[float("inf"), 51.1], [71.42, 51.1], [71.42, 51.12]],
        [["71.4", 51.1], [71.42, 51.1], [71.42, 51.12]],
        [["٧١", 51.1], [71.42, 51.1], [71.42, 51.12]],  # Arabic-Indic digits
        [[True, 51.1], [71.42, 51.1], [71.42, 51.12]],
        [[[[71.4]]], [71.42, 51.1], [71.42, 51.12]],  # nested junk
        [[71.4, 91.0], [71.42, 51.1], [71.42, 51.12]],  # latitude out of range
        [[51.1, 71.4], [51.1, 71.42], [51.12, 71.42]],  # latitude first: outside Kazakhstan
        [[2.35, 48.85], [2.36, 48.85], [2.36, 48.86]],  # Paris
    ],
)
def test_odd_coordinates_are_refused_naming_the_geometry(bad):
    assert refused(polygon(bad)).field == "geometry"


@pytest.mark.parametrize(
    "geometry",
    [None, "POLYGON((71 51, ...))", [], {"type": "LineString", "coordinates": SQUARE}, {"type": "Polygon"}, {}],
)
def test_what_is_not_a_polygon_or_point_is_refused(geometry):
    assert refused(geometry).field == "geometry"


@pytest.mark.parametrize("radius", [None, 5, 60_000, "100", float("nan"), True])
def test_a_circle_needs_a_sensible_radius(radius):
    assert refused({"type": "Point", "coordinates": [71.4, 51.1]}, radius_m=radius).field == "radius_m"


def test_a_polygon_takes_no_radius():
    assert refused(polygon(SQUARE), radius_m=100).field == "radius_m"


@pytest.mark.parametrize("value", [-1, 5001, "10", float("inf")])
def test_the_buffer_is_0_to_5_km(value):
    with pytest.raises(DomainError):
        check_buffer(value)
    assert check_buffer(None) == 0.0
    assert check_buffer(25) == 25.0


# --- Weekly windows ----------------------------------------------------------------------------------


def test_a_curfew_crossing_midnight_runs_into_the_next_day():
    assert windows_intervals([{"day": 0, "start": "22:00", "end": "06:00"}]) == [(22 * 60, DAY + 6 * 60)]


def test_a_window_crossing_sunday_midnight_is_split_in_two():
    assert windows_intervals([{"day": 6, "start": "22:00", "end": "06:00"}]) == [
        (0, 6 * 60),
        (6 * DAY + 22 * 60, WEEK),
    ]


def test_overlapping_and_touching_windows_are_merged():
    windows = [
        {"day": 1, "start": "20:00", "end": "23:00"},
        {"day": 1, "start": "22:00", "end": "24:00"},
        {"day": 2, "start": "00:00", "end": "06:00"},
    ]
    assert windows_intervals(windows) == [(DAY + 20 * 60, 2 * DAY + 6 * 60)]
    assert check_windows(windows) == [{"day": 1, "start": "20:00", "end": "06:00"}]


def test_stored_windows_read_back_the_same_intervals():
    windows = [{"day": d, "start": "22:00", "end": "06:00"} for d in range(7)]
    stored = check_windows(windows)
    assert windows_intervals(stored) == windows_intervals(windows)
    assert check_windows(stored) == stored


def test_a_whole_day_ends_at_24_00():
    assert check_windows([{"day": 3, "start": "00:00", "end": "24:00"}]) == [
        {"day": 3, "start": "00:00", "end": "24:00"}
    ]


@pytest.mark.parametrize(
    "window",
    [
        {"day": 7, "start": "22:00", "end": "06:00"},
        {"day": "1", "start": "22:00", "end": "06:00"},
        {"day": True, "start": "22:00", "end": "06:00"},
        {"day": 1, "start": "25:00", "end": "06:00"},
        {"day": 1, "start": "24:30", "end": "06:00"},
        {"day": 1, "start": "٢٢:00", "end": "06:00"},
        {"day": 1, "start": "22:00"},
        {"day": 1, "start": "24:00", "end": "06:00"},
        {"day": 1, "start": "22:00", "end": "06:00", "extra": 1},
        "22:00-06:00",
    ],
)
def test_odd_windows_are_refused(window):
    with pytest.raises(DomainError) as caught:
        check_windows([window])
    assert caught.value.field == "windows"


def test_a_home_zone_without_windows_has_no_curfew():
    assert windows_intervals([]) == []
    assert check_windows([]) == []
