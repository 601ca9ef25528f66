"""`make bench`, electronic monitoring part one: rules-engine throughput.

A seeded set of subjects (default 10,000) in Almaty, Astana and Shymkent, each with three zones: an
inclusion polygon of 12–40 vertices around a city district, a home circle with a 22:00–06:00 curfew
every night, and an exclusion circle or small polygon. Believable fixes every 30 s per subject from
21:00 local time: mostly at home or at work with GPS jitter (some across the home's edge), errands
inside the district, a small share of violations (leaving the district, entering the exclusion
zone), some tamper, low battery and fixes without a position.

Measured in the same run and printed side by side:
- ``Engine.evaluate`` (its per-fix loops in compiled kernels, warmed up before) over the whole trace in batches (default 2,000,000 fixes in batches of 50,000),
  debounce, state and alert changes included — target ≥ 1,200,000 fixes/s;
- the baseline: a per-fix Python loop over prepared Shapely geometries computing the same three zone
  judgements (accuracy and buffer included) on a sample (default 50,000 fixes), scaled — target: the
  engine ≥ 20× faster;
- the engine's memory (RSS growth while it is built and fed) per 10,000 devices, and the time of
  ``tick`` and of ``export_state`` for every device;
- ``update_assignments`` of one assignment among them (a zone's new version: a wider buffer, or a
  moved polygon), beside a full compile of every assignment (shapes cached) — what any update cost
  before only the changed assignments were compiled.

Run: ``.venv/bin/python bench/em_engine.py [--subjects 10000] [--fixes 2000000] [--batch 50000]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openprobation.monitoring.engine import (  # noqa: E402
    AssignmentSpec,
    Engine,
    FixBatch,
    Params,
    ZoneVersionSpec,
    warm_up,
)

TARGET_FIXES_S = 1_200_000
TARGET_RATIO = 20.0
KY = 110_540.0

# District centres on real streets (lat, lon)
PLACES = {
    "Almaty": [
        (43.2380, 76.9450),  # Abai Ave / Nauryzbai Batyr St
        (43.2567, 76.9286),  # Tole Bi St / Baitursynuly St
        (43.2220, 76.8512),  # Sain St / Abai Ave
        (43.2615, 76.9565),  # Zhibek Zholy St / Dostyk Ave
        (43.2031, 76.8930),  # Al-Farabi Ave / Navoi St
        (43.2750, 76.9000),  # Raiymbek Ave / Seifullin Ave
    ],
    "Astana": [
        (51.1280, 71.4304),  # Kabanbai Batyr Ave
        (51.1694, 71.4491),  # Respublika Ave / Abai Ave
        (51.1480, 71.4120),  # Turan Ave
        (51.1830, 71.4050),  # Pobedy Ave
    ],
    "Shymkent": [
        (42.3170, 69.5960),  # Tauke Khan Ave
        (42.3400, 69.6050),  # Respublika Ave
        (42.3000, 69.6200),  # Baidibek Bi Ave
    ],
}


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _engine_bytes(engine: Engine) -> int:
    """What the engine holds in NumPy: compiled tables, device and zone state, cached rasters."""
    from openprobation.monitoring.engine.compiled import PolygonCache

    total = 0
    for f in dataclasses.fields(engine._t):
        value = getattr(engine._t, f.name)
        if isinstance(value, np.ndarray):
            total += value.nbytes
    for grow in (engine._devs, engine._zones):
        total += sum(col.nbytes for col in grow.cols.values())
    shared = {id(entry): entry for entry in engine._cache.values()}  # versions may share a shape
    for entry in shared.values():
        if isinstance(entry, PolygonCache):
            total += entry.raster.nbytes if entry.raster is not None else 0
            total += entry.shape.segments.nbytes if entry.shape.segments is not None else 0
    total += engine._open_m.nbytes
    return total


def _circle(lon: float, lat: float, r: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _star(lon0: float, lat0: float, radius: float, vertices: int, rng: np.random.Generator) -> list[list[float]]:
    angles = (np.arange(vertices) + rng.uniform(0, 0.8, vertices)) * (2 * math.pi / vertices)
    radii = radius * rng.uniform(0.7, 1.0, vertices)
    kx = math.cos(math.radians(lat0)) * 111_320
    ring = [
        [lon0 + float(r * math.cos(a)) / kx, lat0 + float(r * math.sin(a)) / KY]
        for a, r in zip(angles, radii, strict=True)
    ]
    ring.append(ring[0])
    return ring


def build_subjects(count: int, seed: int, start: float) -> tuple[list[AssignmentSpec], dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    cities = list(PLACES)
    specs: list[AssignmentSpec] = []
    info: dict[str, list[float]] = {
        k: []
        for k in (
            "home_lon",
            "home_lat",
            "work_lon",
            "work_lat",
            "ex_lon",
            "ex_lat",
            "kx",
            "centre_lon",
            "centre_lat",
            "radius",
        )
    }
    curfew = []
    for day in range(7):
        curfew.append((day * 1440 + 22 * 60, day * 1440 + 1440))
        curfew.append((day * 1440, day * 1440 + 6 * 60))
    for s in range(count):
        city = cities[s % len(cities)]
        lat_c, lon_c = PLACES[city][rng.integers(len(PLACES[city]))]
        kx = math.cos(math.radians(lat_c)) * 111_320
        lon_c += rng.normal(0, 1500) / kx
        lat_c += rng.normal(0, 1500) / KY
        radius = float(rng.uniform(2500, 5000))
        ring = _star(lon_c, lat_c, radius, int(rng.integers(12, 41)), rng)
        home = (lon_c + rng.normal(0, 600) / kx, lat_c + rng.normal(0, 600) / KY)
        work = (lon_c + rng.normal(0, 1200) / kx, lat_c + rng.normal(0, 1200) / KY)
        ex_angle = rng.uniform(0, 2 * math.pi)
        ex_d = rng.uniform(1000, 2000)
        ex = (home[0] + ex_d * math.cos(ex_angle) / kx, home[1] + ex_d * math.sin(ex_angle) / KY)
        zid = s * 3
        zones = [
            ZoneVersionSpec(zid + 1, zid + 1, "inclusion", {"type": "Polygon", "coordinates": [ring]}, None, 0.0, 0.0),
            ZoneVersionSpec(
                zid + 2,
                zid + 2,
                "home",
                _circle(*home, 0),
                float(rng.uniform(60, 150)),
                20.0,
                0.0,
                math.inf,
                tuple(curfew),
            ),
        ]
        if s % 2:
            zones.append(
                ZoneVersionSpec(zid + 3, zid + 3, "exclusion", _circle(*ex, 0), float(rng.uniform(100, 300)), 10.0, 0.0)
            )
        else:
            small = _star(ex[0], ex[1], 200, 6, rng)
            zones.append(
                ZoneVersionSpec(
                    zid + 3, zid + 3, "exclusion", {"type": "Polygon", "coordinates": [small]}, None, 10.0, 0.0
                )
            )
        specs.append(AssignmentSpec(s + 1, 100_000 + s, "Asia/Almaty", start - 86_400, zones=tuple(zones)))
        for k, v in zip(info, (*home, *work, *ex, kx, lon_c, lat_c, radius), strict=True):
            info[k].append(v)
    return specs, {k: np.array(v) for k, v in info.items()}


def make_trace(info: dict[str, np.ndarray], total: int, start: float, seed: int) -> FixBatch:
    """Fixes for every subject every 30 s, in time order, as one set of columns."""
    rng = np.random.default_rng(seed + 1)
    subjects = len(info["kx"])
    steps = math.ceil(total / subjects)
    s = np.tile(np.arange(subjects), steps)[:total]
    k = np.repeat(np.arange(steps), subjects)[:total]
    t = start + k * 30.0 + (s % 30)
    block = (k // 120) * 7919 + s * 31
    mode = (np.sin(block * 12.9898) * 43758.5453) % 1.0  # a hash per subject and hour
    kx = info["kx"][s]
    lon = np.where(mode < 0.55, info["home_lon"][s], info["work_lon"][s])
    lat = np.where(mode < 0.55, info["home_lat"][s], info["work_lat"][s])
    errand = (mode >= 0.85) & (mode < 0.97)
    angle = rng.uniform(0, 2 * math.pi, total)
    dist = rng.uniform(0, 0.5, total) * info["radius"][s]
    lon = np.where(errand, info["centre_lon"][s] + dist * np.cos(angle) / kx, lon)
    lat = np.where(errand, info["centre_lat"][s] + dist * np.sin(angle) / KY, lat)
    outside = (mode >= 0.97) & (mode < 0.985)  # leaves the district
    lon = np.where(outside, info["centre_lon"][s] + 1.4 * info["radius"][s] / kx, lon)
    visit = mode >= 0.985  # the exclusion zone
    lon = np.where(visit, info["ex_lon"][s], lon)
    lat = np.where(visit, info["ex_lat"][s], lat)
    jitter = rng.normal(0, 25, (2, total))
    lon = lon + jitter[0] / kx
    lat = lat + jitter[1] / KY
    accuracy = rng.uniform(3, 35, total).astype(np.float32)
    nofix = rng.random(total) < 0.03
    battery = np.clip(95 - k // 3 - (s % 50), 5, 100).astype(np.int16)
    strap = np.where(rng.random(total) < 0.0005, 1, 0).astype(np.int8)
    return FixBatch.from_columns(
        {
            "device": 100_000 + s,
            "t": t,
            "seq": k,
            "lat": lat,
            "lon": lon,
            "accuracy": accuracy,
            "battery": battery,
            "strap": strap,
            "fix": np.where(nofix, 1, 0),
            "charging": np.zeros(total, dtype=np.int8),
            "received": t + 1.5,
            "channel": np.full(total, 3),
        }
    )


def _slice(batch: FixBatch, a: int, b: int) -> FixBatch:
    return FixBatch(**{name: getattr(batch, name)[a:b] for name in FixBatch.__dataclass_fields__})


def baseline(specs: list[AssignmentSpec], trace: FixBatch, sample: int) -> tuple[float, np.ndarray]:
    """Per-fix Python loop over prepared Shapely geometries (projected), the same three judgements."""
    import shapely
    from shapely.prepared import prep

    from openprobation.monitoring.engine.geometry import compile_shape

    prepared = {}
    started_build = time.perf_counter()
    for spec in specs:
        zones = []
        for zv in spec.zones:
            shape = compile_shape(zv.geometry, zv.radius_m)
            if shape.segments is None:
                geom = shapely.Point(0, 0).buffer(shape.radius + zv.buffer_m, 64)
            else:
                ring = np.concatenate([shape.segments[:, :2], shape.segments[-1:, 2:]])
                geom = shapely.Polygon(ring).buffer(zv.buffer_m) if zv.buffer_m else shapely.Polygon(ring)
            zones.append((zv.kind, shape, geom, prep(geom), geom.boundary))
        prepared[spec.device_id] = zones
    build_s = time.perf_counter() - started_build
    n = min(sample, len(trace))
    cpu_started = time.process_time()
    out = np.zeros((n, 3), dtype=bool)
    devices = trace.device[:n].tolist()
    lons = trace.lon[:n].tolist()
    lats = trace.lat[:n].tolist()
    accs = np.nan_to_num(trace.accuracy[:n]).tolist()
    fixq = trace.fix[:n].tolist()
    started = time.perf_counter()
    for i in range(n):
        if fixq[i] != 0:
            continue
        for j, (kind, shape, geom, pgeom, boundary) in enumerate(prepared[devices[i]]):
            point = shapely.Point((lons[i] - shape.lon0) * shape.kx, (lats[i] - shape.lat0) * KY)
            if kind in ("inclusion", "home"):
                out[i, j] = pgeom.intersects(point) or geom.distance(point) <= accs[i]
            else:
                out[i, j] = pgeom.intersects(point) and boundary.distance(point) >= accs[i]
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    del build_s
    return n / elapsed, n / cpu, out


def updates(engine: Engine, specs: list[AssignmentSpec], count: int) -> tuple[list[float], float]:
    """``count`` updates of one assignment each (alternately a wider buffer of its exclusion zone,
    and its district polygon moved 0.00045° east: a new shape to compile), in ms; then the seconds of a
    full compile of every assignment, the shapes cached."""
    rng = np.random.default_rng(7)
    times = []
    for k in range(count):
        spec = specs[int(rng.integers(len(specs)))]
        zones = list(spec.zones)
        if k % 2:
            ring = [[lon + 0.00045, lat] for lon, lat in zones[0].geometry["coordinates"][0]]
            zones[0] = dataclasses.replace(
                zones[0], version_id=10_000_000 + k, geometry={"type": "Polygon", "coordinates": [ring]}
            )
        else:
            zones[2] = dataclasses.replace(zones[2], version_id=10_000_000 + k, buffer_m=zones[2].buffer_m + 25)
        edited = dataclasses.replace(spec, zones=tuple(zones))
        started = time.perf_counter()
        engine.update_assignments([edited])
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    engine._compile()
    return times, time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--fixes", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=50_000, help="fixes judged one at a time for the baseline")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--updates", type=int, default=20, help="single-assignment updates timed")
    args = parser.parse_args(argv)
    command = "bench/em_engine.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"\nRules engine: {command.strip()}")
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
    )
    start = dt.datetime(2026, 3, 2, 21, 0, tzinfo=ZoneInfo("Asia/Almaty")).timestamp()

    started = time.perf_counter()
    specs, info = build_subjects(args.subjects, args.seed, start)
    trace = make_trace(info, args.fixes, start, args.seed)
    print(
        f"data: {args.subjects:,} subjects, {3 * args.subjects:,} zones, {len(trace):,} fixes, generated in {time.perf_counter() - started:.1f} s"
    )

    # the compiled kernels: loaded from Numba's on-disk cache, or compiled on a cold start
    warm_s = warm_up()
    rss0 = _rss()
    started = time.perf_counter()
    cpu_started = time.process_time()
    engine = Engine(Params(), specs)
    compile_s = time.perf_counter() - started
    compile_cpu = time.process_time() - cpu_started
    batches = [_slice(trace, a, min(a + args.batch, len(trace))) for a in range(0, len(trace), args.batch)]
    # the first batch warms the engine up (device table, caches); it is timed apart
    started = time.perf_counter()
    engine.evaluate(batches[0], now=float(batches[0].t.max()))
    first_s = time.perf_counter() - started
    opened = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for b in batches[1:]:
        result = engine.evaluate(b, now=float(b.t.max()))
        opened += sum(1 for c in result.changes if c.action == "open")
    eval_s = time.perf_counter() - started
    eval_cpu = time.process_time() - cpu_started
    timed = sum(len(b) for b in batches[1:])
    rss1 = _rss()
    rate = timed / eval_s
    cpu_rate = timed / eval_cpu
    started = time.perf_counter()
    ticked = engine.tick(float(trace.t.max()) + 60)
    tick_s = time.perf_counter() - started
    started = time.perf_counter()
    engine.export_state(engine.devices())
    export_s = time.perf_counter() - started

    update_ms, full_s = updates(engine, specs, args.updates)

    base_rate, base_cpu_rate, base_inside = baseline(specs, trace, args.sample)
    ratio = rate / base_rate

    # the engine's judgements on the baseline's sample agree with Shapely's
    check = Engine(Params(debounce_fixes=1), specs)
    sample_flags = check.evaluate(_slice(trace, 0, args.sample), now=start).flags
    from openprobation.monitoring.engine import FLAG_INSIDE_EXCLUSION, FLAG_OUTSIDE_INCLUSION

    valid = trace.fix[: args.sample] == 0
    agree_incl = np.mean((~base_inside[:, 0] == ((sample_flags & FLAG_OUTSIDE_INCLUSION) > 0))[valid])
    agree_excl = np.mean((base_inside[:, 2] == ((sample_flags & FLAG_INSIDE_EXCLUSION) > 0))[valid])

    per_10k = (rss1 - rss0) / max(1, args.subjects) * 10_000
    held_10k = _engine_bytes(engine) / max(1, args.subjects) * 10_000
    print(
        f"compile {len(specs):,} assignments: {compile_s:.2f} s ({compile_cpu:.2f} CPU-s, target 3 s); first batch (warm-up): {first_s * 1000:.0f} ms"
    )
    cache = os.environ.get("NUMBA_CACHE_DIR", "beside the engine's modules")
    print(f"kernels warm-up (compile or load, Numba cache {cache}): {warm_s:.2f} s")
    load = os.getloadavg()[0]
    print(
        f"load average during the run: {load:.1f} on {os.cpu_count()} CPU (wall-clock figures shrink when it exceeds the CPUs)"
    )
    print(f"{'':44}{'fixes/s':>14}{'target':>14}{'per CPU-s':>14}")
    verdict = "PASS" if rate >= TARGET_FIXES_S else "FAIL"
    label = "engine, batches of " + format(args.batch, ",")
    print(f"{label:44}{rate:>14,.0f}{TARGET_FIXES_S:>14,}{cpu_rate:>14,.0f}  {verdict}")
    print(f"{'baseline, per-fix loop, prepared Shapely':44}{base_rate:>14,.0f}{'':>14}{base_cpu_rate:>14,.0f}")
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    cpu_ratio = cpu_rate / base_cpu_rate
    print(f"{'ratio':44}{ratio:>14.1f}×{TARGET_RATIO:>13.0f}×{cpu_ratio:>13.1f}×  {verdict}")
    print(
        f"alert openings in the trace: {opened:,}; tick over {args.subjects:,} assignments: {tick_s * 1000:.0f} ms ({len(ticked)} changes)"
    )
    print(f"export_state of {len(engine.devices()):,} devices: {export_s * 1000:.0f} ms")
    print(
        f"update of 1 assignment among {len(specs):,} (a zone's new version; {len(update_ms)} updates): "
        f"median {np.median(update_ms):.1f} ms, max {np.max(update_ms):.1f} ms; "
        f"full compile of the {len(specs):,} (shapes cached): {full_s * 1000:.0f} ms"
    )
    print(f"agreement with Shapely on the sample: inclusion {agree_incl:.4%}, exclusion {agree_excl:.4%}")
    print(
        f"engine memory per 10,000 devices: {held_10k / 1e6:.1f} MB held in NumPy tables and state; "
        f"{per_10k / 1e6:.1f} MB RSS growth while built and fed (includes the compile's transient GEOS objects)"
    )
    return {
        "fixes_per_s": rate,
        "fixes_per_cpu_s": cpu_rate,
        "baseline_fixes_per_s": base_rate,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "memory_mb_per_10k": held_10k / 1e6,
        "rss_growth_mb_per_10k": per_10k / 1e6,
        "tick_ms": tick_s * 1000,
        "compile_s": compile_s,
        "compile_cpu_s": compile_cpu,
        "export_ms": export_s * 1000,
        "warm_up_s": warm_s,
        "update_one_ms": float(np.median(update_ms)),
        "update_one_max_ms": float(np.max(update_ms)),
        "full_compile_ms": full_s * 1000,
    }


if __name__ == "__main__":
    main()
