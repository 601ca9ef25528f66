"""The simulator's cities and traces: real places inside their city, deterministic traces at human
speeds, curfews kept except where a violation is scripted, and a ground truth that matches the
trace (no pure mocks: the checks are geometric, on the generated fixes)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import numpy as np
import pytest
import shapely  # type: ignore[import-untyped]

from openprobation.monitoring.simulator import geo
from openprobation.monitoring.simulator.cities import CITIES
from openprobation.monitoring.simulator.traces import (
    BATTERY_CLEAR_PCT,
    EXCLUSION_RADIUS_M,
    HOME_RADIUS_M,
    KINDS,
    LOW_BATTERY_PCT,
    Scripted,
    Simulation,
    draw_people,
    owntracks,
)

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
START = dt.datetime(2026, 11, 30, 0, 0, tzinfo=ALMATY).timestamp()  # a Monday, local midnight


def _polygon(city):
    return shapely.Polygon([(lon, lat) for lat, lon in city.boundary])


def _simulation(n=300, *, seed=11, violations=0.1, days=3):
    cities = list(CITIES.values())
    people = draw_people(seed, [cities[i % len(cities)] for i in range(n)])
    return Simulation(people, seed=seed, start=START, days=days, violations=violations)


def _day_fixes(sim, interval=60.0, days=2):
    device, t = sim.schedule(interval=interval, start=START, end=START + days * 86_400)
    return sim.fixes(device, t)


def _distance_to(fixes, points):
    east, north = geo.arrays_delta_m(points[:, 0], points[:, 1], fixes.lat, fixes.lon)
    return np.hypot(east, north)


@pytest.mark.parametrize("key", sorted(CITIES))
def test_every_street_point_and_forbidden_place_lies_inside_its_city(key):
    city = CITIES[key]
    polygon = _polygon(city)
    assert polygon.is_valid and 12 <= len(city.boundary) <= 40
    assert 25 <= len(city.points) <= 40
    for place in (*city.points, *city.forbidden):
        assert polygon.contains(shapely.Point(place.lon, place.lat)), place.name
    ring = city.boundary_geojson()["coordinates"][0]
    assert ring[0] == ring[-1]


def test_the_same_seed_gives_the_same_trace_and_another_seed_another():
    a, b, c = _simulation(50, seed=3), _simulation(50, seed=3), _simulation(50, seed=4)
    fa, fb, fc = _day_fixes(a, 300, 1), _day_fixes(b, 300, 1), _day_fixes(c, 300, 1)
    assert np.array_equal(fa.lat, fb.lat) and np.array_equal(fa.battery, fb.battery)
    assert not np.array_equal(fa.lat, fc.lat)
    assert a.ground_truth(start=START, end=START + 3 * 86_400) == b.ground_truth(start=START, end=START + 3 * 86_400)


def test_a_fix_is_the_same_whether_delivered_alone_shuffled_or_repeated():
    sim = _simulation(40)
    device, t = sim.schedule(interval=120, start=START + 8 * 3600, end=START + 10 * 3600)
    whole = sim.fixes(device, t)
    order = np.random.default_rng(5).permutation(len(t))
    twice = np.concatenate([order, order[:50]])
    shuffled = sim.fixes(device[twice], t[twice])
    for name in ("lat", "lon", "accuracy", "battery", "seq", "strap", "fix"):
        assert np.array_equal(getattr(shuffled, name), getattr(whole, name)[twice]), name


def test_schedule_spreads_devices_over_the_interval_and_splits_without_gaps_or_repeats():
    sim = _simulation(30)
    device, t = sim.schedule(interval=15, start=START, end=START + 60)
    assert np.bincount(device).tolist() == [4] * 30
    assert len(set(((t - START) % 15).tolist())) == 15  # 30 devices over 15 whole seconds
    a_dev, a_t = sim.schedule(interval=15, start=START + 7.5, end=START + 31, origin=START)
    b_dev, b_t = sim.schedule(interval=15, start=START + 31, end=START + 60, origin=START)
    whole = set(zip(device.tolist(), t.tolist(), strict=True))
    split = list(zip(np.concatenate([a_dev, b_dev]).tolist(), np.concatenate([a_t, b_t]).tolist(), strict=True))
    assert len(split) == len(set(split))
    assert set(split) == {(d, x) for d, x in whole if x >= START + 7.5}


def test_people_move_at_walking_bus_or_car_speeds_and_seq_increases():
    sim = _simulation(60)
    for device in range(60):
        trace = sim.trace(device, start=START, end=START + 86_400, interval=30)
        true = np.array([sim.position_at(device, x) for x in trace.t.tolist()])
        east, north = geo.arrays_delta_m(true[:-1, 0], true[:-1, 1], true[1:, 0], true[1:, 1])
        speed_kmh = np.hypot(east, north) / 30 * 3.6
        assert speed_kmh.max() <= 41, device
        assert np.all(np.diff(trace.seq) > 0)
        assert trace.accuracy.min() >= 5 and trace.accuracy.max() <= 40
        assert trace.speed.max() < 60


def test_curfew_is_kept_except_where_a_breach_is_scripted():
    sim = _simulation(300, violations=0.1)
    fixes = _day_fixes(sim, interval=120, days=2)
    homes = np.array([p.home for p in sim.people])[fixes.device]
    local_hour = np.array([dt.datetime.fromtimestamp(x, ALMATY).hour for x in fixes.t.tolist()])
    in_window = (local_hour >= 22) | (local_hour < 6)
    away = _distance_to(fixes, homes) > HOME_RADIUS_M
    breaches = [e for e in sim.ground_truth(start=START, end=START + 2 * 86_400) if e.kind == "curfew"]
    assert breaches, "a 10 % rate over 600 person-days scripts some curfew breaches"
    scripted = np.zeros(len(fixes), dtype=bool)
    for e in breaches:
        during = (fixes.device == e.device) & (fixes.t >= e.start) & (fixes.t < e.end)
        scripted |= during
        assert away[during & (fixes.t < e.end - 600)].all(), e  # out until close to the return home
    assert not (in_window & away & ~scripted).any()
    for e in breaches:
        local = dt.datetime.fromtimestamp(e.start, ALMATY)
        assert (local.hour, local.minute) == (22, 0)


def test_exclusion_places_and_the_city_edge_are_crossed_only_when_scripted():
    sim = _simulation(300, violations=0.1)
    fixes = _day_fixes(sim, interval=60, days=2)
    truth = sim.ground_truth(start=START, end=START + 2 * 86_400)
    excl = np.array([p.exclusion if p.exclusion else (np.nan, np.nan) for p in sim.people])[fixes.device]
    inside_excl = np.nan_to_num(_distance_to(fixes, excl), nan=1e9) < EXCLUSION_RADIUS_M
    polygons = {key: _polygon(city) for key, city in CITIES.items()}
    keys = np.array([p.city.key for p in sim.people])[fixes.device]
    outside_city = np.zeros(len(fixes), dtype=bool)
    for key, polygon in polygons.items():
        mine = keys == key
        outside_city[mine] = ~shapely.contains_xy(polygon, fixes.lon[mine], fixes.lat[mine])

    def during(kind):
        mask = np.zeros(len(fixes), dtype=bool)
        events = [e for e in truth if e.kind == kind]
        for e in events:
            window = (fixes.device == e.device) & (fixes.t >= e.start - 1800) & (fixes.t < e.end + 1800)
            mask |= window
            at_place = (fixes.device == e.device) & (fixes.t >= e.start) & (fixes.t < e.end)
            expected = inside_excl if kind == "exclusion_entry" else outside_city
            assert expected[at_place].all(), e
        return mask, events

    excl_window, excl_events = during("exclusion_entry")
    out_window, out_events = during("inclusion_exit")
    assert excl_events and out_events
    assert not (inside_excl & ~excl_window).any()
    assert not (outside_city & ~out_window).any()


def test_tamper_battery_and_signal_loss_match_the_ground_truth():
    sim = _simulation(300, violations=0.15)
    fixes = _day_fixes(sim, interval=30, days=2)
    truth = sim.ground_truth(start=START, end=START + 2 * 86_400)
    kinds = {e.kind for e in truth}
    assert {"strap", "low_battery", "lost_communication"} <= kinds
    tampered = np.zeros(len(fixes), dtype=bool)
    for e in truth:
        mine = fixes.device == e.device
        during = mine & (fixes.t >= e.start) & (fixes.t < e.end)
        if e.kind == "strap":
            tampered |= during
            assert set(fixes.strap[during].tolist()) <= {1, 2} and during.any()
        elif e.kind == "low_battery":
            levels = fixes.battery[during]  # from the low mark until charging lifts it past the clear mark
            assert levels[0] <= LOW_BATTERY_PCT + 1 and (levels <= BATTERY_CLEAR_PCT).all()
            assert (
                fixes.battery[mine & (fixes.t < e.start - 3600) & (fixes.t > e.start - 6 * 3600)] > LOW_BATTERY_PCT
            ).all()
        elif e.kind == "lost_communication":
            assert fixes.held[during].all() and e.end - e.start >= 20 * 60
    assert (fixes.strap[~tampered] == 0).all()
    # Ordinary gaps are short (store and forward without a lost-communication alert).
    assert fixes.battery.min() >= 1 and fixes.battery.max() <= 100
    assert fixes.charging[(fixes.battery < 100) & fixes.charging].size > 0


def test_violations_follow_the_rate_and_none_without_it():
    assert _simulation(200, violations=0.0).ground_truth(start=START, end=START + 3 * 86_400) == []
    truth = _simulation(400, violations=0.1).ground_truth(start=START, end=START + 3 * 86_400)
    assert 0.06 * 1200 < len(truth) < 0.14 * 1200
    assert {e.kind for e in truth} <= set(KINDS)


def test_messages_have_the_owntracks_shape_with_the_monitoring_fields():
    sim = _simulation(20)
    fixes = sim.trace(3, start=START + 9 * 3600, end=START + 9.2 * 3600, interval=30)
    messages = owntracks(fixes)
    assert len(messages) == len(fixes)
    for m in messages:
        assert m["_type"] == "location" and m["t"] == "p"
        assert set(m) == {
            "_type",
            "t",
            "tst",
            "lat",
            "lon",
            "acc",
            "batt",
            "vel",
            "cog",
            "seq",
            "strap",
            "fix",
            "charging",
        }
        assert isinstance(m["tst"], int) and isinstance(m["seq"], int) and isinstance(m["charging"], bool)
        assert m["strap"] in {"intact", "opened", "cut"} and m["fix"] in {"valid", "none", "last_known"}
        assert -90 <= m["lat"] <= 90 and -180 <= m["lon"] <= 180 and 0 <= m["batt"] <= 100 and 0 <= m["cog"] < 360
    json.dumps(messages, allow_nan=False)


def test_a_strap_opening_can_be_scripted_on_a_day_without_another_event():
    sim = _simulation(n=20, violations=0.0, days=2)
    at = START + 13 * 3600 + 17
    free = next(i for i in range(20) if not sim.gap_start[i, 0] <= at + 300)  # no signal gap then
    assert sim.script_strap(free, at=at, minutes=4)
    assert not sim.script_strap(free, at=at + 3600, minutes=4)  # that day has its event now
    assert not sim.script_strap(free, at=START + 10 * 86_400, minutes=4)  # outside the simulated days
    t = at + np.arange(-60, 300, 15.0)
    fixes = sim.fixes(np.full(len(t), free), t)
    opened = fixes.strap != 0
    assert np.array_equal(opened, (t >= at) & (t < at + 240)) and not fixes.held.any()
    assert sim.ground_truth(start=at - 1, end=at + 1) == [Scripted(free, "strap", at, at + 240)]
    # The route is the day's own: the same positions as without the event.
    plain = _simulation(n=20, violations=0.0, days=2).fixes(np.full(len(t), free), t)
    assert np.array_equal(plain.lat, fixes.lat) and np.array_equal(plain.lon, fixes.lon)
