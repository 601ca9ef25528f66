"""The engine's per-fix inner loops in compiled code (Numba): zone judgement of (fix, zone version)
pairs, windows and debounce, the zone and device rules, path crossings up to the exact polygon
test, the forward fill of ``vector`` and the rule transitions.

Each kernel gives exactly what its NumPy counterpart gives: the same arithmetic in the same order
for every value it keeps, and a shortcut only where a decision is a millimetre or more from its
threshold (far beyond rounding), so the same decisions. The NumPy functions stay as the reference
and are used when ``Engine.compiled`` is False; the engine's tests run both on the ground-truth
traces and compare them on random ones.

The kernels are compiled on first use and cached on disk (``cache=True``); ``warmup.warm_up()``
compiles (or loads) them all at once, so that an evaluator pays it at start rather than on its
first batch.

Modules: ``shapes`` (zone judgement, path crossings), ``zones`` (pairs, debounce, zone rules),
``device`` (device rules and state, group scans, transitions).
"""

from .device import device_rules, device_state, last_index, transitions
from .shapes import crossing_paths, judge
from .zones import debounce, pairs, zone_rules

__all__ = [
    "crossing_paths",
    "debounce",
    "device_rules",
    "device_state",
    "judge",
    "last_index",
    "pairs",
    "transitions",
    "zone_rules",
]
