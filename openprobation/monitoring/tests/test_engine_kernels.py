"""The compiled kernels give exactly what the NumPy reference gives (pure: no database)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from openprobation.monitoring.engine import AssignmentSpec, Engine, FixBatch, Params, ZoneVersionSpec, warm_up
from openprobation.monitoring.engine import vector as vx
from openprobation.monitoring.engine.zones import judge

LON0, LAT0 = 76.9, 43.25
KX = math.cos(math.radians(LAT0)) * 111_320
KY = 110_540.0
START = 1_772_470_800.0  # 2026-03-02 22:00 Asia/Almaty (Monday)


def star(rng: np.random.Generator, x0: float, y0: float, radius: float, vertices: int) -> dict[str, Any]:
    angles = (np.arange(vertices) + rng.uniform(0, 0.8, vertices)) * (2 * math.pi / vertices)
    radii = radius * rng.uniform(0.5, 1.0, vertices)
    ring = [
        [LON0 + (x0 + float(r * math.cos(a))) / KX, LAT0 + (y0 + float(r * math.sin(a))) / KY]
        for a, r in zip(angles, radii, strict=True)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def point(x: float, y: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [LON0 + x / KX, LAT0 + y / KY]}


def specs(rng: np.random.Generator, count: int) -> list[AssignmentSpec]:
    out = []
    curfew = ((1320, 1440), (1440 + 0, 1440 + 360))  # Monday 22:00 – Tuesday 06:00
    for a in range(count):
        v = 1000 * (a + 1)
        zones = (
            ZoneVersionSpec(v + 1, v + 1, "inclusion", star(rng, 0, 0, 1500, 20), None, 10.0, 0.0),
            ZoneVersionSpec(v + 2, v + 2, "home", point(100, 50), 80.0, 5.0, 0.0, windows=curfew),
            ZoneVersionSpec(v + 3, v + 3, "exclusion", star(rng, 700, -300, 150, 8), None, 0.0, 0.0, START + 3000),
            ZoneVersionSpec(v + 3, v + 4, "exclusion", point(650, -300), 120.0, 10.0, START + 3000),
            ZoneVersionSpec(v + 5, v + 5, "victim", point(-600, 400), None, 0.0, 0.0),
        )
        exceptions = ((START + 4000, START + 5000, None),) if a % 3 == 0 else ()
        victim = 500 + a if a % 4 == 0 else None
        out.append(
            AssignmentSpec(
                a + 1, 100 + a, "Asia/Almaty", START - 600, zones=zones, exceptions=exceptions, victim_device_id=victim
            )
        )
    return out


def trace(rng: np.random.Generator, count: int, n: int) -> FixBatch:
    devices = np.concatenate([100 + np.arange(count), 500 + np.arange(0, count, 4)])
    dev = rng.choice(devices, n)
    t = START + np.sort(rng.uniform(0, 9000, n))
    anchor = rng.choice(np.array([[100, 50], [0, 0], [700, -300], [-600, 400], [1500, 0], [180, 50]]), n)
    r = rng.exponential(60, n)
    a = rng.uniform(0, 2 * math.pi, n)
    x = anchor[:, 0] + r * np.cos(a)
    y = anchor[:, 1] + r * np.sin(a)
    return FixBatch.from_columns(
        {
            "device": dev,
            "t": t,
            "seq": np.where(rng.random(n) < 0.1, -1, np.arange(n)),
            "lon": LON0 + x / KX,
            "lat": LAT0 + y / KY,
            "accuracy": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0, 60, n)),
            "battery": np.where(rng.random(n) < 0.2, -1, rng.integers(5, 100, n)),
            "strap": rng.choice(np.array([-1, 0, 0, 0, 0, 1, 2]), n),
            "fix": rng.choice(np.array([0, 0, 0, 0, 0, 0, 1, 2]), n),
            "charging": rng.choice(np.array([-1, 0, 1]), n),
            "received": t + rng.uniform(0, 5, n),
            "channel": rng.choice(np.array([0, 3]), n),
        }
    )


def _changes(result: Any) -> list[tuple[Any, ...]]:
    return [
        (
            c.assignment_id,
            c.device_id,
            c.rule,
            c.action,
            c.at,
            c.received,
            c.zone_id,
            c.version_id,
            c.lat,
            c.lon,
            dict(c.details),
        )
        for c in result.changes
    ]


@pytest.mark.parametrize("seed", range(8))
def test_compiled_kernels_equal_the_numpy_reference(seed: int) -> None:
    """Random traces over every zone kind, curfew windows, versions, exceptions, a victim's device,
    tamper, battery and fixes without a position, cut into batches (debounce runs spanning them),
    some shuffled and repeated: the same changes, flags, assignments and state, bit for bit."""
    rng = np.random.default_rng(seed)
    count = 12
    assignments = specs(rng, count)
    full = trace(rng, count, 4000)
    params = Params(debounce_fixes=int(rng.integers(1, 5)), debounce_seconds=float(rng.choice([30.0, 120.0, 600.0])))
    cuts = [0, *np.sort(rng.choice(np.arange(1, len(full)), 6, replace=False)).tolist(), len(full)]
    engines = [Engine(params, assignments), Engine(params, assignments)]
    engines[1].compiled = False
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        idx = np.arange(lo, hi)
        if rng.random() < 0.5:
            idx = rng.permutation(np.concatenate([idx, rng.choice(idx, len(idx) // 10)]))
        part = FixBatch(**{k: getattr(full, k)[idx] for k in FixBatch.__dataclass_fields__})
        now = float(full.t[hi - 1])
        fast, ref = (e.evaluate(part, now=now) for e in engines)
        assert _changes(fast) == _changes(ref)
        assert np.array_equal(fast.flags, ref.flags)
        assert np.array_equal(fast.assignment_id, ref.assignment_id)
        assert np.array_equal(fast.changed_devices, ref.changed_devices)
        ticks = [e.tick(now + 1500) for e in engines]
        assert ticks[0] == ticks[1]
    devices = engines[0].devices()
    assert engines[0].export_state(devices) == engines[1].export_state(devices)


def test_compiled_judge_on_vertices_and_edges() -> None:
    """The edge policy holds in the kernels: a fix exactly on a vertex or on an edge is inside."""
    square = [[0.0, 0.0], [400.0, 0.0], [400.0, 400.0], [0.0, 400.0]]
    ring = [[LON0 + x / KX, LAT0 + y / KY] for x, y in square]
    geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    for kind in ("inclusion", "exclusion"):
        zone = ZoneVersionSpec(1, 1, kind, geometry, None, 0.0, 0.0)
        engines = [Engine(Params(debounce_fixes=1), [AssignmentSpec(1, 7, "Asia/Almaty", 0.0, zones=(zone,))])]
        engines.append(Engine(Params(debounce_fixes=1), [AssignmentSpec(1, 7, "Asia/Almaty", 0.0, zones=(zone,))]))
        engines[1].compiled = False
        lon = np.array([p[0] for p in ring] + [(ring[0][0] + ring[1][0]) / 2])
        lat = np.array([p[1] for p in ring] + [ring[0][1]])
        batch = FixBatch.from_columns(
            {"device": np.full(5, 7), "t": 100.0 + np.arange(5), "lon": lon, "lat": lat, "accuracy": np.zeros(5)}
        )
        flags = [e.evaluate(batch, now=200.0).flags for e in engines]
        assert np.array_equal(flags[0], flags[1])
        assert not (flags[0] & (8 if kind == "inclusion" else 0)).any()


def test_a_batch_without_zones_beside_an_assignment_with_zones() -> None:
    """The batch's assignment has no zone while another assignment has one: both paths judge it."""
    zone = ZoneVersionSpec(1, 1, "inclusion", point(0, 0), 100.0, 0.0, 0.0)
    specs = [AssignmentSpec(1, 10, "Asia/Almaty", 0.0, zones=(zone,)), AssignmentSpec(2, 20, "Asia/Almaty", 0.0)]
    batch = FixBatch.from_columns(
        {"device": [20, 20], "t": [100.0, 200.0], "lon": [LON0, LON0], "lat": [LAT0, LAT0], "strap": [0, 1]}
    )
    engines = [Engine(Params(), specs), Engine(Params(), specs)]
    engines[1].compiled = False
    fast, ref = (e.evaluate(batch, now=300.0) for e in engines)
    assert _changes(fast) == _changes(ref)
    assert [(c.rule, c.action) for c in fast.changes] == [("strap", "open")]
    assert np.array_equal(fast.flags, ref.flags)


@pytest.mark.parametrize("seed", range(4))
def test_compiled_group_scans_equal_numpy(seed: int) -> None:
    rng = np.random.default_rng(50 + seed)
    n = int(rng.integers(1, 300))
    start = rng.random(n) < 0.1
    start[0] = True
    mask = rng.random(n) < 0.3
    values = rng.normal(size=n)
    initial = rng.normal(size=n)
    assert np.array_equal(vx.last_index(mask, start, compiled=True), vx.last_index(mask, start))
    assert np.array_equal(vx.fill(values, mask, start, initial, compiled=True), vx.fill(values, mask, start, initial))


def test_warm_up_compiles_every_kernel() -> None:
    """The warm-up judges a trace through every compiled kernel (each has then a signature)."""
    from numba.core.registry import CPUDispatcher

    from openprobation.monitoring.engine import kernels

    assert warm_up() >= 0.0
    for name in kernels.__all__:
        dispatcher = getattr(kernels, name)
        assert isinstance(dispatcher, CPUDispatcher)
        assert dispatcher.signatures, name


@pytest.mark.parametrize("kind", ["inclusion", "home", "exclusion", "victim"])
def test_compiled_judge_at_the_threshold_equals_numpy(kind: str) -> None:
    """Fixes placed at the decision distance (radius + buffer ± accuracy) and a hair either side:
    the kernels' shortcuts (squared distance, box distance) decide exactly as the exact path."""
    rng = np.random.default_rng(9)
    circle = ZoneVersionSpec(1, 1, kind, point(0, 0), 150.0, 7.5, 0.0)  # type: ignore[arg-type]
    box = ZoneVersionSpec(2, 2, kind, star(rng, 3000, 0, 400, 12), None, 7.5, 0.0)  # type: ignore[arg-type]
    engines = [Engine(Params(), [AssignmentSpec(1, 7, "Asia/Almaty", 0.0, zones=(circle, box))])]
    n = 6000
    acc = rng.choice(np.array([0.0, 3.0, 25.0]), n)
    sign = 1.0 if kind in ("inclusion", "home") else -1.0
    hair = rng.choice(np.array([0.0, 1e-9, -1e-9, 1e-6, -1e-6, 2e-6, -2e-6, 1e-3, -1e-3, 0.1, -0.1]), n)
    r = 157.5 + sign * acc + hair
    a = rng.uniform(0, 2 * math.pi, n)
    engine = engines[0]
    tb = engine._t
    bbox = tb.v_bbox[1]  # the polygon's box: fixes beside its right side, at the decision distance
    x = np.where(np.arange(n) % 2 == 0, r * np.cos(a), 3000 + bbox[2] + r - 150.0)
    y = np.where(np.arange(n) % 2 == 0, r * np.sin(a), rng.uniform(bbox[1] - 30, bbox[3] + 30, n))
    pv = np.where(np.arange(n) % 2 == 0, 0, 1).astype(np.int64)
    kinds = tb.v_kind[pv]
    valid = np.ones(n, dtype=bool)
    lon, lat = LON0 + x / KX, LAT0 + y / KY
    fast = judge(engine, pv, kinds, lon=lon, lat=lat, acc=acc, pvalid=valid)
    engine.compiled = False
    ref = judge(engine, pv, kinds, lon=lon, lat=lat, acc=acc, pvalid=valid)
    assert np.array_equal(fast, ref)
    assert 0 < ref.sum() < n  # both sides are represented
