"""Compile (or load from Numba's on-disk cache) every kernel the engine uses, before the first
batch: a tiny engine judges a tiny trace through every path (polygon, circles, a curfew window, a
zone change, a victim's device, tamper and battery), so the kernels are compiled for exactly the
types a real batch gives them."""

from __future__ import annotations

import math
import time

import numpy as np

from .core import Engine
from .types import AssignmentSpec, FixBatch, Params, ZoneVersionSpec

_LON0, _LAT0 = 76.9, 43.25
_KX = math.cos(math.radians(_LAT0)) * 111_320
_KY = 110_540.0


def _at(x: float, y: float) -> list[float]:
    return [_LON0 + x / _KX, _LAT0 + y / _KY]


def warm_up() -> float:
    """Compile or load every kernel; the seconds it took (a fraction of a second from the cache,
    some seconds the first time)."""
    started = time.perf_counter()
    square = [_at(-500, -500), _at(500, -500), _at(500, 500), _at(-500, 500), _at(-500, -500)]
    zones = (
        ZoneVersionSpec(1, 1, "inclusion", {"type": "Polygon", "coordinates": [square]}, None, 5.0, 0.0),
        ZoneVersionSpec(
            2, 2, "home", {"type": "Point", "coordinates": _at(0, 0)}, 50.0, 5.0, 0.0, windows=((0, 10080),)
        ),
        ZoneVersionSpec(3, 3, "exclusion", {"type": "Point", "coordinates": _at(300, 0)}, 40.0, 0.0, 0.0, 500.0),
        ZoneVersionSpec(3, 4, "exclusion", {"type": "Point", "coordinates": _at(300, 0)}, 60.0, 0.0, 500.0),
        ZoneVersionSpec(5, 5, "victim", {"type": "Point", "coordinates": _at(-300, 0)}, None, 0.0, 0.0),
    )
    spec = AssignmentSpec(1, 1, "Asia/Almaty", 0.0, zones=zones, victim_device_id=2, exceptions=((900.0, 950.0, None),))
    engine = Engine(Params(debounce_fixes=2), [spec])
    xs = np.array([0.0, 10.0, 250.0, 350.0, 800.0, 900.0, -300.0, -290.0])
    n = len(xs)
    batch = FixBatch.from_columns(
        {
            "device": np.array([1] * n + [2]),
            "t": np.concatenate([100.0 + 120.0 * np.arange(n), [400.0]]),
            "seq": np.arange(n + 1),
            "lon": np.concatenate([_LON0 + xs / _KX, [_LON0 - 300 / _KX]]),
            "lat": np.full(n + 1, _LAT0),
            "accuracy": np.full(n + 1, 5.0),
            "battery": np.array([50, 10, 10, 30, 30, 30, 30, 30, 50]),
            "strap": np.array([0, 1, 0, 0, 2, 0, 0, 0, 0]),
            "fix": np.array([0, 0, 0, 0, 0, 1, 0, 0, 0]),
            "received": np.concatenate([101.0 + 120.0 * np.arange(n), [401.0]]),
            "channel": np.array([3] * (n + 1)),
        }
    )
    engine.evaluate(batch, now=2000.0)
    engine.tick(5000.0)
    return time.perf_counter() - started
