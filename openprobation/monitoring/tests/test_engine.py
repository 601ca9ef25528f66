"""Ground-truth traces for the rules engine (pure: no database)."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import orjson
import pytest

from openprobation.monitoring.engine import (
    FLAG_DUPLICATE,
    FLAG_INSIDE_EXCLUSION,
    FLAG_LATE,
    FLAG_NO_ASSIGNMENT,
    FLAG_OUTSIDE_INCLUSION,
    AssignmentSpec,
    Engine,
    FixBatch,
    Params,
    ZoneGeometryError,
    ZoneVersionSpec,
    validate_zone_geometry,
)

LON0, LAT0 = 76.9, 43.25  # Almaty
KX = math.cos(math.radians(LAT0)) * 111_320
KY = 110_540.0
T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC).timestamp()  # a Monday, 17:00 in Almaty
PARAMS = Params(debounce_fixes=3, debounce_seconds=60, lost_communication_s=900, no_fix_s=1200)


@pytest.fixture(autouse=True, params=[True, False], ids=["compiled", "numpy"])
def engine_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every ground-truth trace is judged by the compiled kernels and by the NumPy reference."""
    monkeypatch.setattr(Engine, "compiled", request.param)
    return bool(request.param)


def ll(x: float, y: float) -> tuple[float, float]:
    """Metres east/north of the origin → (lon, lat), exactly inverse to the engine's projection."""
    return LON0 + x / KX, LAT0 + y / KY


def circle(
    zone_id: int,
    kind: Any,
    x: float,
    y: float,
    r: float,
    *,
    buffer_m: float = 0,
    windows=(),
    version_id=None,
    valid_from=0.0,
    valid_to=math.inf,
):
    lon, lat = ll(x, y)
    return ZoneVersionSpec(
        zone_id=zone_id,
        version_id=version_id or zone_id * 100,
        kind=kind,
        geometry={"type": "Point", "coordinates": [lon, lat]},
        radius_m=r,
        buffer_m=buffer_m,
        valid_from=valid_from,
        valid_to=valid_to,
        windows=tuple(windows),
    )


def polygon(zone_id: int, kind: Any, points_m, *, buffer_m: float = 0, version_id=None, windows=()):
    ring = [list(ll(x, y)) for x, y in points_m]
    ring.append(ring[0])
    return ZoneVersionSpec(
        zone_id,
        version_id or zone_id * 100,
        kind,
        {"type": "Polygon", "coordinates": [ring]},
        None,
        buffer_m,
        0.0,
        math.inf,
        tuple(windows),
    )


def assignment(*zones, assignment_id=1, device_id=10, tz="Asia/Almaty", installed_at=T0 - 3600, **kw) -> AssignmentSpec:
    return AssignmentSpec(assignment_id, device_id, tz, installed_at, zones=tuple(zones), **kw)


def fixes(points, *, device=10, start=T0, step=30.0, **columns) -> FixBatch:
    """points: (x, y) metres, or None for a message without a valid fix."""
    n = len(points)
    lon = [ll(*p)[0] if p is not None else math.nan for p in points]
    lat = [ll(*p)[1] if p is not None else math.nan for p in points]
    t = [start + i * step for i in range(n)]
    cols = {
        "device": [device] * n,
        "t": t,
        "seq": list(range(n)),
        "lat": lat,
        "lon": lon,
        "accuracy": [5.0] * n,
        "battery": [80] * n,
        "strap": [0] * n,
        "fix": [0 if p is not None else 1 for p in points],
        "received": [x + 1 for x in t],
    }
    cols.update(columns)
    return FixBatch.from_columns(cols)


def key(changes):
    return [(c.assignment_id, c.rule, c.action, round(c.at, 3), c.zone_id) for c in changes]


def run(engine: Engine, batch: FixBatch):
    return engine.evaluate(batch, now=float(batch.t.max()) + 1)


# ---- zones, edges, jitter -------------------------------------------------------------------


def test_jitter_at_inclusion_edge_raises_nothing():
    engine = Engine(PARAMS, [assignment(circle(1, "inclusion", 0, 0, 500))])
    rng = random.Random(1)  # noqa: S311
    # alternating just inside/outside the edge, never three in a row outside and beyond the accuracy
    pts = [(505 + rng.uniform(-3, 3), 0) if i % 2 else (495, 0) for i in range(40)]
    result = run(engine, fixes(pts, accuracy=[12.0] * 40))
    assert result.changes == []


def test_inclusion_exit_confirmed_after_three_fixes_and_closes_on_return():
    engine = Engine(PARAMS, [assignment(circle(1, "inclusion", 0, 0, 500))])
    pts = [(0, 0)] * 3 + [(800, 0)] * 4 + [(0, 0)] * 4
    result = run(engine, fixes(pts, step=10))
    assert [(c.rule, c.action, c.at - T0) for c in result.changes] == [
        ("inclusion_exit", "open", 50.0),
        ("inclusion_exit", "close", 90.0),
    ]
    assert result.flags[3] & FLAG_OUTSIDE_INCLUSION
    assert result.changes[0].zone_id == 1
    assert result.changes[0].details["severity"] == "high"


def test_debounce_by_seconds_with_sparse_fixes():
    engine = Engine(PARAMS, [assignment(circle(1, "inclusion", 0, 0, 500))])
    pts = [(0, 0), (900, 0), (900, 0)]
    result = run(engine, fixes(pts, step=120))
    assert [(c.action, c.at - T0) for c in result.changes] == [("open", 240.0)]


def test_edge_policy_vertex_and_edge_count_inside_for_every_kind():
    square = [(0, 0), (100, 0), (100, 100), (0, 100)]
    for kind in ("inclusion", "exclusion"):
        engine = Engine(Params(debounce_fixes=1), [assignment(polygon(1, kind, square))])
        on_vertex = fixes([(100, 100)], accuracy=[0.0])
        on_edge = fixes([(100, 50)], start=T0 + 60, accuracy=[0.0])
        for batch in (on_vertex, on_edge):
            result = run(engine, batch)
            if kind == "inclusion":
                assert not result.flags[0] & FLAG_OUTSIDE_INCLUSION
            else:
                assert result.flags[0] & FLAG_INSIDE_EXCLUSION
        outside = run(engine, fixes([(100.5, 50)], start=T0 + 120, accuracy=[0.0]))
        assert bool(outside.flags[0] & FLAG_OUTSIDE_INCLUSION) == (kind == "inclusion")
        assert not outside.flags[0] & FLAG_INSIDE_EXCLUSION


def test_polygon_interior_far_and_near_points_agree_with_shapely():
    import shapely  # type: ignore[import-untyped]

    rng = np.random.default_rng(3)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 30))
    radii = rng.uniform(1500, 3000, 30)
    pts = list(zip((radii * np.cos(angles)).tolist(), (radii * np.sin(angles)).tolist(), strict=True))
    engine = Engine(Params(debounce_fixes=1), [assignment(polygon(1, "inclusion", pts))])
    xy = rng.uniform(-3500, 3500, (3000, 2))
    batch = fixes([tuple(p) for p in xy], step=1, accuracy=[0.0] * 3000)
    result = run(engine, batch)
    expected_out = ~shapely.intersects_xy(shapely.Polygon(pts), xy[:, 0], xy[:, 1])
    got_out = (result.flags & FLAG_OUTSIDE_INCLUSION) > 0
    assert (expected_out == got_out).mean() > 0.999  # the projection differs by centimetres


def test_exclusion_accuracy_gives_benefit_of_doubt_and_buffer_widens():
    engine = Engine(Params(debounce_fixes=1), [assignment(circle(1, "exclusion", 0, 0, 100, buffer_m=20))])
    inside_by_10 = run(engine, fixes([(110, 0)], accuracy=[15.0]))
    assert not inside_by_10.flags[0] & FLAG_INSIDE_EXCLUSION
    deep = run(engine, fixes([(50, 0)], start=T0 + 60, accuracy=[15.0]))
    assert deep.flags[0] & FLAG_INSIDE_EXCLUSION
    assert [c.action for c in deep.changes] == ["open"]


def test_path_between_two_sparse_fixes_crossing_an_exclusion_zone():
    for zone in (
        circle(1, "exclusion", 0, 0, 100),
        polygon(1, "exclusion", [(-100, -100), (100, -100), (100, 100), (-100, 100)]),
    ):
        engine = Engine(PARAMS, [assignment(zone)])
        result = run(engine, fixes([(-1000, 0), (1000, 0)], step=300))
        assert [(c.action, c.at - T0, c.details.get("path_crossing")) for c in result.changes] == [
            ("open", 300.0, True),
            ("close", 300.0, True),
        ]
        # a path passing beside the zone raises nothing
        engine = Engine(PARAMS, [assignment(zone)])
        assert run(engine, fixes([(-1000, 300), (1000, 300)], step=300)).changes == []


def test_zone_version_in_force_at_fix_time():
    old = circle(1, "inclusion", 0, 0, 500, version_id=1, valid_to=T0 + 100)
    new = circle(1, "inclusion", 2000, 0, 500, version_id=2, valid_from=T0 + 100)
    engine = Engine(PARAMS, [assignment(old, new)])
    pts = [(0, 0)] * 3 + [(0, 0)] * 4  # the person stays; the zone moves away at T0+100
    result = run(engine, fixes(pts, step=30))
    assert [(c.action, c.version_id, c.at - T0) for c in result.changes] == [("open", 2, 180.0)]


# ---- curfew ---------------------------------------------------------------------------------

CURFEW = ((22 * 60, 24 * 60),)  # Monday 22:00–24:00 local (minute of week)


def almaty(day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo("Asia/Almaty")).timestamp()


def test_curfew_breach_at_window_start_when_already_outside():
    engine = Engine(PARAMS, [assignment(circle(1, "home", 0, 0, 100, windows=CURFEW), installed_at=almaty(2, 0))])
    start = almaty(2, 21, 50)
    result = run(engine, fixes([(1000, 0)] * 30, start=start, step=60))  # outside from 21:50 to 22:19
    opened = [c for c in result.changes if c.rule == "curfew"]
    assert [(c.action, c.at) for c in opened] == [("open", almaty(2, 22))]
    # by the clock alone, in another engine
    engine = Engine(PARAMS, [assignment(circle(1, "home", 0, 0, 100, windows=CURFEW), installed_at=almaty(2, 0))])
    run(engine, fixes([(1000, 0)] * 5, start=start, step=60))
    ticked = [c for c in engine.tick(almaty(2, 22, 0) + 5) if c.rule == "curfew"]
    assert [(c.action, c.at) for c in ticked] == [("open", almaty(2, 22))]
    closed = [c for c in engine.tick(almaty(3, 0, 1)) if c.rule == "curfew"]
    assert [(c.action, c.at) for c in closed] == [("close", almaty(3, 0))]


def test_curfew_with_no_fix_opens_by_clock_and_by_fixes():
    spec = assignment(
        circle(1, "home", 0, 0, 100, windows=CURFEW), installed_at=almaty(2, 0), rules=frozenset({"curfew"})
    )
    engine = Engine(PARAMS, [spec])
    run(engine, fixes([(0, 0)] * 3, start=almaty(2, 21), step=60))
    assert engine.tick(almaty(2, 22, 10)) == []
    ticked = engine.tick(almaty(2, 22, 25))
    assert [(c.rule, c.action, c.at, c.details.get("reason")) for c in ticked] == [
        ("curfew", "open", almaty(2, 22, 20), "no_fix")
    ]
    # the same by messages without a fix, in a second engine
    engine = Engine(PARAMS, [spec])
    run(engine, fixes([(0, 0)] * 3, start=almaty(2, 21), step=60))
    result = run(engine, fixes([None] * 30, start=almaty(2, 22), step=60))
    assert [(c.action, c.at, c.details.get("reason")) for c in result.changes] == [
        ("open", almaty(2, 22, 20), "no_fix")
    ]
    # a valid fix at home clears it
    back = run(engine, fixes([(0, 0)], start=almaty(2, 22, 40)))
    assert [(c.action, c.at) for c in back.changes] == [("close", almaty(2, 22, 40))]


def test_curfew_exception_suspends_it():
    exc = ((almaty(2, 21), almaty(3, 1), None),)
    engine = Engine(
        PARAMS, [assignment(circle(1, "home", 0, 0, 100, windows=CURFEW), installed_at=almaty(2, 0), exceptions=exc)]
    )
    result = run(engine, fixes([(1000, 0)] * 30, start=almaty(2, 21, 50), step=60))
    assert [c for c in result.changes if c.rule == "curfew"] == []


def test_curfew_in_another_time_zone():
    # 22:00 in Aqtobe (UTC+5) is 17:00 UTC; the same UTC trace is before the window in Almaty-less terms
    aqtobe = dt.datetime(2026, 3, 2, 22, 0, tzinfo=ZoneInfo("Asia/Aqtobe")).timestamp()
    engine = Engine(
        PARAMS,
        [assignment(circle(1, "home", 0, 0, 100, windows=CURFEW), tz="Asia/Aqtobe", installed_at=aqtobe - 86400)],
    )
    result = run(engine, fixes([(1000, 0)] * 20, start=aqtobe - 600, step=60))
    assert [(c.action, c.at) for c in result.changes if c.rule == "curfew"] == [("open", aqtobe)]
    # and a zone with daylight saving time: Europe/Berlin, the window is in local time after the change
    berlin = dt.datetime(2026, 3, 30, 22, 0, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()  # Monday after DST
    engine = Engine(
        PARAMS,
        [
            assignment(
                circle(1, "home", 0, 0, 100, windows=CURFEW), tz="Europe/Berlin", installed_at=berlin - 40 * 86400
            )
        ],
    )
    batch = fixes([(1000, 0)] * 10, start=berlin - 20 * 86400, step=60)  # weeks before, to span the change
    late = fixes([(1000, 0)] * 10, start=berlin - 300, step=60, seq=list(range(10, 20)))
    result = run(engine, FixBatch.concat([batch, late]))
    assert [(c.action, c.at) for c in result.changes if c.rule == "curfew" and c.action == "open"][-1] == (
        "open",
        berlin,
    )


# ---- device rules ---------------------------------------------------------------------------


def test_tamper_opens_at_once_and_clears_when_intact():
    engine = Engine(PARAMS, [assignment()])
    result = run(engine, fixes([(0, 0)] * 4, strap=[0, 2, -1, 0]))
    assert [(c.rule, c.action, c.at - T0) for c in result.changes] == [
        ("strap", "open", 30.0),
        ("strap", "close", 90.0),
    ]
    assert result.changes[0].details["severity"] == "critical"


def test_low_battery_with_hysteresis():
    engine = Engine(PARAMS, [assignment()])
    battery = [30, 14, 18, 22, 14, 25, 10]
    charging = [0, 0, 0, 0, 0, 0, 1]
    result = run(engine, fixes([(0, 0)] * 7, battery=battery, charging=charging))
    assert [(c.action, c.at - T0) for c in result.changes if c.rule == "low_battery"] == [
        ("open", 30.0),
        ("close", 150.0),
    ]


def test_lost_communication_by_the_clock_and_cleared_by_next_message():
    engine = Engine(PARAMS, [assignment(installed_at=T0 - 60)])
    run(engine, fixes([(0, 0)] * 2))
    last_receipt = T0 + 30 + 1
    assert engine.tick(last_receipt + 899) == []
    opened = engine.tick(last_receipt + 901)
    assert [(c.rule, c.action, c.at) for c in opened] == [("lost_communication", "open", last_receipt + 900)]
    assert engine.tick(last_receipt + 1000) == []  # one open alert, not repeated
    result = run(engine, fixes([(0, 0)], start=T0 + 2000, seq=[5]))
    assert [(c.rule, c.action) for c in result.changes] == [("lost_communication", "close")]


def test_lost_communication_of_an_assignment_that_never_reported():
    engine = Engine(PARAMS, [assignment(installed_at=T0)])
    assert [(c.rule, c.at) for c in engine.tick(T0 + 1000) if c.rule == "lost_communication"] == [
        ("lost_communication", T0 + 900)
    ]


def test_mqtt_last_will_opens_and_reconnection_closes():
    engine = Engine(PARAMS, [assignment()])
    assert [(c.rule, c.action) for c in engine.device_event(10, "disconnected", T0)] == [("lost_communication", "open")]
    assert engine.export_state([10])[10]["connected"] is False
    assert [(c.rule, c.action) for c in engine.device_event(10, "connected", T0 + 5)] == [
        ("lost_communication", "close")
    ]


def test_no_fix_for_twenty_minutes():
    engine = Engine(PARAMS, [assignment(installed_at=T0 - 60)])
    result = run(engine, fixes([(0, 0)] + [None] * 45, step=30))
    assert [(c.rule, c.action, c.at - T0) for c in result.changes] == [("no_fix", "open", 1200.0)]
    assert engine.tick(T0 + 1400) == []
    result = run(engine, fixes([(0, 0)], start=T0 + 1500, seq=[99]))
    assert [(c.rule, c.action) for c in result.changes] == [("no_fix", "close")]


# ---- victim protection ----------------------------------------------------------------------


def test_victim_zone_with_proximity_distance():
    victim = ZoneVersionSpec(5, 500, "victim", {"type": "Point", "coordinates": list(ll(0, 0))}, None, 0, 0.0)
    engine = Engine(PARAMS, [assignment(victim, proximity_m=300)])
    result = run(engine, fixes([(1000, 0)] * 3 + [(200, 0)] * 3))
    assert [(c.rule, c.action, c.at - T0) for c in result.changes] == [("victim_proximity", "open", 150.0)]


def test_victim_device_two_moving_devices():
    person = assignment(device_id=10, victim_device_id=20, proximity_m=250)
    engine = Engine(PARAMS, [person])
    victim_track = fixes([(0, 0), (0, 0), (0, 0)], device=20, step=60)
    person_track = fixes([(2000, 0), (100, 0), (3000, 0)], device=10, step=60, start=T0 + 10)
    result = run(engine, FixBatch.concat([victim_track, person_track]))
    assert [(c.rule, c.action, c.at - T0) for c in result.changes] == [
        ("victim_proximity", "open", 70.0),
        ("victim_proximity", "close", 130.0),
    ]
    # a victim position more than five minutes old does not count
    engine = Engine(PARAMS, [person])
    result = run(engine, FixBatch.concat([fixes([(0, 0)], device=20), fixes([(10, 0)], device=10, start=T0 + 400)]))
    assert result.changes == []


# ---- order, duplicates, batches, restart ----------------------------------------------------


def scenario():
    home = circle(1, "home", 0, 0, 150, windows=CURFEW)
    incl = polygon(2, "inclusion", [(-4000, -4000), (4000, -4000), (4500, 0), (4000, 4000), (-4000, 4000)])
    excl = circle(3, "exclusion", 2500, 2500, 200)
    spec = assignment(home, incl, excl, installed_at=almaty(2, 0))
    rng = random.Random(7)  # noqa: S311
    pts = []
    for i in range(400):
        phase = i // 40
        base = [(0, 0), (3000, 0), (2500, 2500), (6000, 0), (0, 0), (0, 800)][phase % 6]
        pts.append(None if rng.random() < 0.05 else (base[0] + rng.gauss(0, 20), base[1] + rng.gauss(0, 20)))
    strap = [2 if 120 <= i < 125 else 0 for i in range(400)]
    battery = [max(5, 90 - i // 4) for i in range(400)]
    batch = fixes(
        pts,
        start=almaty(2, 20),
        step=20,
        strap=strap,
        battery=battery,
        accuracy=[rng.uniform(3, 30) for _ in range(400)],
    )
    return spec, batch


def take(batch: FixBatch, idx) -> FixBatch:
    return FixBatch(**{name: getattr(batch, name)[idx] for name in FixBatch.__dataclass_fields__})


def test_scenario_raises_each_rule_once_where_expected():
    spec, batch = scenario()
    changes = run(Engine(PARAMS, [spec]), batch).changes
    rules = {c.rule for c in changes}
    assert {"curfew", "exclusion_entry", "inclusion_exit", "strap", "low_battery"} <= rules


def test_shuffled_and_duplicated_trace_gives_identical_changes():
    spec, batch = scenario()
    expected = key(run(Engine(PARAMS, [spec]), batch).changes)
    rng = np.random.default_rng(11)
    idx = np.concatenate([np.arange(len(batch)), rng.choice(len(batch), 120)])
    rng.shuffle(idx)
    shuffled = take(batch, idx)
    result = run(Engine(PARAMS, [spec]), shuffled)
    assert key(result.changes) == expected
    assert np.count_nonzero(result.flags & FLAG_DUPLICATE) == 120


def test_batch_split_at_arbitrary_points_gives_identical_changes():
    spec, batch = scenario()
    expected = key(run(Engine(PARAMS, [spec]), batch).changes)
    for seed in range(5):
        cuts = sorted(random.Random(seed).sample(range(1, len(batch)), 7))  # noqa: S311
        engine = Engine(PARAMS, [spec])
        got = []
        for a, b in zip([0, *cuts], [*cuts, len(batch)], strict=True):
            got += run(engine, take(batch, np.arange(a, b))).changes
        assert key(got) == expected


def test_restart_from_exported_state_continues_identically():
    spec, batch = scenario()
    expected = key(run(Engine(PARAMS, [spec]), batch).changes)
    first = Engine(PARAMS, [spec])
    got = run(first, take(batch, np.arange(0, 213))).changes
    saved = orjson.loads(orjson.dumps({str(k): v for k, v in first.export_state(first.devices()).items()}))
    second = Engine(PARAMS, [spec])
    second.load_state((int(k), v) for k, v in saved.items())
    got += run(second, take(batch, np.arange(213, len(batch)))).changes
    assert key(got) == expected


def test_open_alert_survives_restart_neither_repeated_nor_forgotten():
    spec = assignment(circle(1, "inclusion", 0, 0, 500))
    first = Engine(PARAMS, [spec])
    assert [c.action for c in run(first, fixes([(900, 0)] * 4)).changes] == ["open"]
    saved = orjson.loads(orjson.dumps({str(k): v for k, v in first.export_state([10]).items()}))
    second = Engine(PARAMS, [spec])
    second.load_state((int(k), v) for k, v in saved.items())
    assert second.open_alerts(10) == first.open_alerts(10)
    assert run(second, fixes([(900, 0)] * 2, start=T0 + 500, seq=[7, 8])).changes == []
    back = run(second, fixes([(0, 0)] * 3, start=T0 + 600, seq=[9, 10, 11])).changes
    assert [(c.rule, c.action) for c in back] == [("inclusion_exit", "close")]


def test_late_fix_is_flagged_and_changes_nothing():
    engine = Engine(PARAMS, [assignment(circle(1, "inclusion", 0, 0, 500))])
    run(engine, fixes([(0, 0)] * 3))
    late = run(engine, fixes([(900, 0)] * 3, start=T0 - 200, seq=[50, 51, 52]))
    assert (late.flags & FLAG_LATE).all()
    assert late.changes == []


def test_fix_without_assignment_is_flagged():
    engine = Engine(PARAMS, [assignment(installed_at=T0 + 1000)])
    result = run(engine, fixes([(0, 0)], strap=[2]))
    assert result.flags[0] & FLAG_NO_ASSIGNMENT
    assert result.assignment_id[0] == -1
    assert result.changes == []


def test_assignment_recompiled_keeps_zone_membership():
    engine = Engine(PARAMS, [assignment(circle(1, "inclusion", 0, 0, 500))])
    run(engine, fixes([(800, 0)] * 2))
    engine.update_assignments([assignment(circle(1, "inclusion", 0, 0, 500, version_id=7))])
    result = run(engine, fixes([(800, 0)], start=T0 + 100, seq=[9]))
    assert [(c.rule, c.action) for c in result.changes] == [("inclusion_exit", "open")]


def test_rules_off_are_not_judged():
    engine = Engine(PARAMS, [assignment(rules=frozenset({"low_battery"}))])
    assert run(engine, fixes([(0, 0)] * 3, strap=[2, 2, 2])).changes == []


@pytest.mark.parametrize(
    ("geometry", "radius", "code"),
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, None, "invalid_polygon"),
        ({"type": "Polygon", "coordinates": [[[70, 40], [80, 40], [80, 45], [70, 40]]]}, None, "too_large"),
        ({"type": "Point", "coordinates": [76.9, 43.2]}, None, "bad_radius"),
        ({"type": "Point", "coordinates": [float("nan"), 43.2]}, 100, "bad_coordinates"),
        ({"type": "LineString", "coordinates": []}, None, "bad_geometry"),
    ],
)
def test_zone_geometry_validation(geometry, radius, code):
    with pytest.raises(ZoneGeometryError) as caught:
        validate_zone_geometry(geometry, radius)
    assert caught.value.code == code


def test_a_stored_zone_that_cannot_be_judged_is_skipped_not_fatal():
    bad = ZoneVersionSpec(
        9,
        900,
        "exclusion",
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
        None,
        0,
        0.0,
    )
    engine = Engine(PARAMS, [assignment(bad, circle(1, "inclusion", 0, 0, 500))])
    assert engine.rejected_versions == {900: "invalid_polygon"}
    assert [c.rule for c in run(engine, fixes([(900, 0)] * 3)).changes] == ["inclusion_exit"]
