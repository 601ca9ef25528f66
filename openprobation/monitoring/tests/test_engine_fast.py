"""The engine's fast paths give exactly what the general paths give (pure: no database)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from openprobation.monitoring.engine import AssignmentSpec, Engine, FixBatch, Params, ZoneVersionSpec
from openprobation.monitoring.engine.batch import duplicates, order_of
from openprobation.monitoring.engine.compiled import PolygonCache
from openprobation.monitoring.engine.geometry import (
    ZoneGeometryError,
    compile_rings,
    compile_shape,
    plain_ring,
    polygon_signed_distance,
    raster,
    ring_table,
)

LON0, LAT0 = 76.9, 43.25
KX = math.cos(math.radians(LAT0)) * 111_320
KY = 110_540.0


def star(rng: np.random.Generator, lon0: float, lat0: float, radius: float, vertices: int) -> list[list[float]]:
    angles = (np.arange(vertices) + rng.uniform(0, 0.8, vertices)) * (2 * math.pi / vertices)
    radii = radius * rng.uniform(0.5, 1.0, vertices)
    ring = [
        [lon0 + float(r * math.cos(a)) / KX, lat0 + float(r * math.sin(a)) / KY]
        for a, r in zip(angles, radii, strict=True)
    ]
    return [*ring, ring[0]]


def polygon(ring: list[Any]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


def test_rings_compiled_together_equal_one_by_one() -> None:
    rng = np.random.default_rng(7)
    rings = [
        star(rng, LON0 + i * 0.01, LAT0, float(rng.uniform(100, 5000)), int(rng.integers(3, 60))) for i in range(40)
    ]
    rings.append([[76.9, 43.2], [76.91, 43.21], [76.91, 43.2], [76.9, 43.21], [76.9, 43.2]])  # a bow tie
    rings.append([[70.0, 43.0], [75.0, 43.0], [75.0, 44.0], [70.0, 43.0]])  # too large
    plain = [plain_ring(polygon(r)) for r in rings]
    assert all(p is not None for p in plain)
    coords, offsets, ok = ring_table([p for p in plain if p is not None])
    assert ok.all()
    together = compile_rings([coords[offsets[j] : offsets[j + 1]] for j in range(len(rings))])
    for ring, fast in zip(rings, together, strict=True):
        try:
            one = compile_shape(polygon(ring), None)
        except ZoneGeometryError as error:
            assert isinstance(fast, ZoneGeometryError)
            assert fast.code == error.code
            continue
        assert not isinstance(fast, ZoneGeometryError)
        assert (fast.lon0, fast.lat0, fast.kx, fast.bbox) == (one.lon0, one.lat0, one.kx, one.bbox)
        assert fast.segments is not None and one.segments is not None
        assert np.array_equal(fast.segments, one.segments)


@pytest.mark.parametrize(
    "ring",
    [
        [[76.9, 43.2], [76.91, 43.2], [76.91, True], [76.9, 43.2]],  # a boolean
        [[76.9, 43.2], [76.91, 43.2], [76.91, "43.21"], [76.9, 43.2]],  # a string
        [[76.9, 43.2, 5.0], [76.91, 43.2, 5.0], [76.91, 43.21, 5.0], [76.9, 43.2, 5.0]],  # altitudes
        [[76.9, 43.2], [76.91, 43.2], [76.91, 43.21]],  # too short
    ],
)
def test_rings_not_plain_go_the_careful_way(ring: list[Any]) -> None:
    assert plain_ring(polygon(ring)) is None


def test_ring_table_flags_open_or_out_of_range_rings() -> None:
    good = [[76.9, 43.2], [76.91, 43.2], [76.91, 43.21], [76.9, 43.2]]
    open_ring = [[76.9, 43.2], [76.91, 43.2], [76.91, 43.21], [76.9, 43.21]]
    far = [[76.9, 43.2], [190.0, 43.2], [76.91, 43.21], [76.9, 43.2]]
    _, _, ok = ring_table([good, open_ring, far])
    assert ok.tolist() == [True, False, False]


def test_raster_bounds_the_exact_signed_distance() -> None:
    rng = np.random.default_rng(11)
    shapes = [
        compile_shape(polygon(star(rng, LON0, LAT0, float(rng.uniform(50, 20_000)), int(rng.integers(3, 80)))), None)
        for _ in range(25)
    ]
    grid = 16
    values, half = raster(shapes, grid)
    for k, shape in enumerate(shapes):
        assert shape.segments is not None
        minx, miny, maxx, maxy = shape.bbox
        x = rng.uniform(minx, maxx, 400)
        y = rng.uniform(miny, maxy, 400)
        exact = polygon_signed_distance(np.repeat(shape.segments[None], len(x), axis=0), x, y)
        cx = np.clip(((x - minx) / ((maxx - minx) / grid)).astype(int), 0, grid - 1)
        cy = np.clip(((y - miny) / ((maxy - miny) / grid)).astype(int), 0, grid - 1)
        centre = values[k, cy * grid + cx]
        assert (np.abs(exact - centre) <= half[k]).all()


def _spec(assignment_id: int, device_id: int, ring: list[Any], version_id: int) -> AssignmentSpec:
    zone = ZoneVersionSpec(version_id, version_id, "inclusion", polygon(ring), None, 5.0, 0.0)
    return AssignmentSpec(assignment_id, device_id, "Asia/Almaty", 0.0, zones=(zone,))


def test_versions_of_one_geometry_share_the_compiled_shape_and_judge_alike() -> None:
    rng = np.random.default_rng(3)
    ring = star(rng, LON0, LAT0, 1500, 24)
    engine = Engine(Params(debounce_fixes=1), [_spec(1, 10, ring, 101), _spec(2, 20, ring, 202)])
    assert isinstance(engine._cache[101], PolygonCache)
    assert engine._cache[101] is engine._cache[202]
    n = 2_000
    x, y = rng.uniform(-2000, 2000, n), rng.uniform(-2000, 2000, n)
    cols = {"lon": LON0 + x / KX, "lat": LAT0 + y / KY, "accuracy": rng.uniform(0, 30, n), "seq": np.arange(n)}
    t = 1000.0 + np.arange(n)
    a = engine.evaluate(FixBatch.from_columns({**cols, "device": np.full(n, 10), "t": t}), now=t[-1])
    b = engine.evaluate(FixBatch.from_columns({**cols, "device": np.full(n, 20), "t": t}), now=t[-1])
    assert np.array_equal(a.flags, b.flags)
    assert [(c.rule, c.action, c.at) for c in a.changes] == [(c.rule, c.action, c.at) for c in b.changes]


def _reference_duplicates(dev: np.ndarray, t: np.ndarray, seq: np.ndarray) -> np.ndarray:
    seen: set[tuple[int, bool, float]] = set()
    out = np.zeros(len(dev), dtype=bool)
    for i, (d, ti, s) in enumerate(zip(dev.tolist(), t.tolist(), seq.tolist(), strict=True)):
        key = (d, s < 0, ti if s < 0 else s)
        out[i] = key in seen
        seen.add(key)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_duplicate_fast_path_equals_the_general_path(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    dev = rng.integers(0, 8, n)
    t = rng.integers(0, 60, n).astype(np.float64)
    if seed % 3 == 0:  # seqs rising with time per device: the fast path
        seq = (t * 10 + dev).astype(np.int64)
        keep = np.unique(np.stack([dev, seq]), axis=1, return_index=True)[1]
        dev, t, seq = dev[keep], t[keep], seq[keep]
    else:
        seq = np.where(rng.random(n) < 0.2, -1, rng.integers(0, 50, n))
    order = np.lexsort((seq, t, dev))
    dev, t, seq = dev[order], t[order], seq[order]
    assert np.array_equal(duplicates(dev, t, seq), _reference_duplicates(dev, t, seq))


@pytest.mark.parametrize("seed", range(12))
def test_batch_order_fast_path_equals_lexsort(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 500))
    dev = rng.integers(0, 12, n)
    t = rng.integers(0, 40, n).astype(np.float64)
    seq = np.where(rng.random(n) < 0.1, -1, rng.integers(0, 30, n))
    if seed % 2 == 0:  # a receiver's batch: runs of devices, each in time order
        pre = np.lexsort((seq, t))
        dev, t, seq = dev[pre], t[pre], seq[pre]
    batch = FixBatch.from_columns({"device": dev, "t": t, "seq": seq})
    expected = np.lexsort((batch.seq, batch.t, batch.device))
    assert np.array_equal(order_of(batch), expected)


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_batches_split_anywhere_give_the_same_changes(seed: int) -> None:
    """The sort fast path (batches in order) and the general path (shuffled) agree, with debounce
    runs spanning batches."""
    rng = np.random.default_rng(200 + seed)
    ring = star(rng, LON0, LAT0, 800, 16)
    specs = [_spec(a, 10 + a, ring, 100 + a) for a in range(1, 6)]
    n = 3_000
    dev = 11 + rng.integers(0, 5, n)
    t = 1000.0 + np.sort(rng.uniform(0, 20_000, n))
    r = np.where(rng.random(n) < 0.5, 700.0, 900.0) + rng.normal(0, 40, n)
    a = rng.uniform(0, 2 * math.pi, n)
    cols = {
        "device": dev,
        "t": t,
        "seq": np.arange(n),
        "lon": LON0 + r * np.cos(a) / KX,
        "lat": LAT0 + r * np.sin(a) / KY,
        "accuracy": rng.uniform(0, 20, n),
        "received": t + 1,
    }
    ordered = FixBatch.from_columns(cols)
    cuts = np.sort(rng.choice(np.arange(1, n), 4, replace=False)).tolist()

    def run(shuffle: bool) -> list[tuple[Any, ...]]:
        engine = Engine(Params(debounce_fixes=3, debounce_seconds=120), specs)
        out = []
        for lo, hi in zip([0, *cuts], [*cuts, n], strict=True):
            idx = np.arange(lo, hi)
            if shuffle:
                idx = rng.permutation(idx)
            part = FixBatch(**{k: getattr(ordered, k)[idx] for k in FixBatch.__dataclass_fields__})
            out += [
                (c.assignment_id, c.rule, c.action, c.at) for c in engine.evaluate(part, now=float(t[hi - 1])).changes
            ]
        return sorted(out)

    assert run(False) == run(True)
