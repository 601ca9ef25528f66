"""The rules engine's contract: what it is given (the assignments' rules, the thresholds, a batch of
fixes as columns) and what it answers (alert changes, per-fix flags). Plain data, no Django: the
evaluator builds these from the database (``monitoring.specs``), the benchmark and the tests build
them by hand.

Times are seconds since the Unix epoch (float64, UTC). Coordinates are WGS 84 degrees. Distances
are metres.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

INF = math.inf

# Per-fix flags in ``EvaluationResult.flags`` (and the ``flags`` column of a stored position).
FLAG_LATE = 1  # fix time not after the device's last evaluated fix: stored, not evaluated
FLAG_DUPLICATE = 2  # the same (device, seq or fix time) earlier in the batch or already evaluated
FLAG_NO_ASSIGNMENT = 4  # no assignment of the device in force at the fix time
FLAG_OUTSIDE_INCLUSION = 8  # raw (not debounced) judgement of this fix
FLAG_INSIDE_EXCLUSION = 16
FLAG_OUTSIDE_HOME = 32
FLAG_IN_CURFEW = 64  # a curfew window was in force at the fix time


@dataclass(frozen=True)
class Params:
    """Thresholds (rulebook ``monitoring.thresholds``). Debounce: entering or leaving a zone is
    confirmed after ``debounce_fixes`` consecutive fixes on the new side, or once the new side has
    held for ``debounce_seconds`` (whichever comes first)."""

    debounce_fixes: int = 3
    debounce_seconds: float = 60.0
    low_battery_pct: int = 15
    battery_clear_pct: int = 25
    lost_communication_s: float = 900.0
    no_fix_s: float = 1200.0
    proximity_m: float = 500.0
    max_accuracy_m: float = 500.0  # a fix reporting worse accuracy is treated as no valid fix
    severity: Mapping[str, str] = field(
        default_factory=lambda: {
            "inclusion_exit": "high",
            "exclusion_entry": "critical",
            "curfew": "high",
            "strap": "critical",
            "low_battery": "low",
            "lost_communication": "medium",
            "no_fix": "medium",
            "victim_proximity": "critical",
        }
    )


@dataclass(frozen=True)
class ZoneVersionSpec:
    """One version of a zone. ``geometry`` is a GeoJSON Polygon (lon, lat) or a Point with
    ``radius_m`` (a circle). ``windows`` are the weekly windows when the zone applies, as
    minute-of-week intervals [start, end) in the assignment's local time (Monday 00:00 = 0, a week
    = 10080; an interval crossing Sunday midnight is given as two); empty = at all times (for a
    home zone, empty means no curfew)."""

    zone_id: int
    version_id: int
    kind: Literal["inclusion", "home", "exclusion", "victim"]
    geometry: Mapping[str, Any]
    radius_m: float | None
    buffer_m: float
    valid_from: float
    valid_to: float = INF
    windows: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class AssignmentSpec:
    """A device on a case for [installed_at, removed_at), judged by ``zones`` (every version of every
    zone), suspended during ``exceptions`` (start, end, zone_id or None = every home zone's curfew),
    with victim protection by ``victim_device_id`` (two moving devices) within ``proximity_m``
    (else ``Params.proximity_m``). ``rules`` lists the rules on (empty = all)."""

    assignment_id: int
    device_id: int
    tz: str
    installed_at: float
    removed_at: float = INF
    zones: tuple[ZoneVersionSpec, ...] = ()
    exceptions: tuple[tuple[float, float, int | None], ...] = ()
    victim_device_id: int | None = None
    proximity_m: float | None = None
    rules: frozenset[str] = frozenset()


@dataclass
class FixBatch:
    """A batch of messages as columns, in any order, possibly with duplicates. ``fix`` 0 valid,
    1 none, 2 last known; ``strap`` 0 intact, 1 opened, 2 cut, -1 not reported; ``battery`` -1 not
    reported; ``accuracy`` NaN not reported; ``seq`` -1 not sent; ``charging`` -1 not reported."""

    device: NDArray[np.int64]
    t: NDArray[np.float64]
    seq: NDArray[np.int64]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    accuracy: NDArray[np.float32]
    battery: NDArray[np.int16]
    speed: NDArray[np.float32]
    course: NDArray[np.int16]
    strap: NDArray[np.int8]
    fix: NDArray[np.int8]
    charging: NDArray[np.int8]
    received: NDArray[np.float64]
    channel: NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.device.shape[0])

    @classmethod
    def empty(cls) -> FixBatch:
        return cls.from_columns({})

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any]) -> FixBatch:
        """Build from arrays or lists; missing optional columns get their "not reported" value."""
        n = len(columns.get("device", ()))

        def col(name: str, dtype: Any, default: float) -> Any:
            value = columns.get(name)
            if value is None:
                return np.full(n, default, dtype=dtype)
            return np.asarray(value, dtype=dtype)

        return cls(
            device=col("device", np.int64, 0),
            t=col("t", np.float64, 0.0),
            seq=col("seq", np.int64, -1),
            lat=col("lat", np.float64, np.nan),
            lon=col("lon", np.float64, np.nan),
            accuracy=col("accuracy", np.float32, np.nan),
            battery=col("battery", np.int16, -1),
            speed=col("speed", np.float32, np.nan),
            course=col("course", np.int16, -1),
            strap=col("strap", np.int8, -1),
            fix=col("fix", np.int8, 0),
            charging=col("charging", np.int8, -1),
            received=col("received", np.float64, 0.0),
            channel=col("channel", np.int8, 0),
        )

    @staticmethod
    def concat(batches: list[FixBatch]) -> FixBatch:
        if not batches:
            return FixBatch.empty()
        names = FixBatch.__dataclass_fields__.keys()
        return FixBatch(**{name: np.concatenate([getattr(b, name) for b in batches]) for name in names})


@dataclass(frozen=True)
class AlertChange:
    """An alert to open or to clear. ``at`` is the event time (the fix, or the clock for time rules);
    ``received`` the receipt time of the message that caused it (None for clock rules)."""

    assignment_id: int
    device_id: int
    rule: str
    action: Literal["open", "close"]
    at: float
    received: float | None = None
    zone_id: int | None = None
    version_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class EvaluationResult:
    """What one batch did: the alert changes in event order, and for each input fix (in input order)
    the assignment it was judged under (-1: none) and its flags (``FLAG_*``)."""

    changes: list[AlertChange]
    assignment_id: NDArray[np.int64]
    flags: NDArray[np.int32]
    changed_devices: NDArray[np.int64]
