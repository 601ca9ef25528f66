"""Alert changes from the per-fix transitions of a batch: each (fix, rule, open/close/crossing)
becomes an ``AlertChange``, and the engine's open alerts follow."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .compiled import R_CURFEW, RULES
from .types import AlertChange

if TYPE_CHECKING:
    from .core import Engine

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


def _opt(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def apply(
    engine: Engine,
    changes: list[tuple[int, int, str]],
    *,
    d: I64,
    ar: I64,
    t: F64,
    rec: F64,
    lat: F64,
    lon: F64,
    at: F64,
    resp_zone: I64,
    detail_nofix: B,
    until: F64,
    crossings: list[tuple[int, int]],
) -> list[AlertChange]:
    tb = engine._t
    out: list[AlertChange] = []
    crossing_version = dict(crossings)
    for i, r, action in changes:
        row = int(ar[i])
        assignment_id = int(tb.a_id[row])
        device_id = engine._dev_ids[int(d[i])]
        rule = RULES[r]
        alerts = engine._open.setdefault(device_id, {})
        key = (assignment_id, rule)
        fix_lat, fix_lon = _opt(lat[i]), _opt(lon[i])
        if action == "cross":
            ver = crossing_version[i]
            common = {
                "assignment_id": assignment_id,
                "device_id": device_id,
                "rule": rule,
                "at": float(t[i]),
                "received": float(rec[i]),
                "zone_id": int(tb.v_zone[ver]),
                "version_id": int(tb.v_id[ver]),
                "lat": fix_lat,
                "lon": fix_lon,
            }
            crossing = {"severity": engine.params.severity.get(rule, "high"), "path_crossing": True}
            out.append(AlertChange(action="open", details=crossing, **common))  # type: ignore[arg-type]
            out.append(AlertChange(action="close", details={"path_crossing": True}, **common))  # type: ignore[arg-type]
            continue
        if action == "open":
            ver = int(resp_zone[r, i])
            when = float(at[r, i]) if math.isfinite(at[r, i]) else float(t[i])
            details: dict[str, Any] = {"severity": engine.params.severity.get(rule, "high")}
            if r == R_CURFEW and detail_nofix[i]:
                details["reason"] = "no_fix"
            zone_id = int(tb.v_zone[ver]) if ver >= 0 else None
            version_id = int(tb.v_id[ver]) if ver >= 0 else None
            info: dict[str, Any] = {"at": when, "zone_id": zone_id, "version_id": version_id}
            if r == R_CURFEW and math.isfinite(until[i]):
                info["until"] = float(until[i])
            alerts[key] = info
            engine._open_m[row, r] = True
            out.append(
                AlertChange(
                    assignment_id,
                    device_id,
                    rule,
                    "open",
                    when,
                    float(rec[i]),
                    zone_id,
                    version_id,
                    fix_lat,
                    fix_lon,
                    details,
                )
            )
        else:
            info = alerts.pop(key, {})
            engine._open_m[row, r] = False
            when = float(t[i])
            if "until" in info:
                when = min(when, float(info["until"]))
            out.append(
                AlertChange(
                    assignment_id,
                    device_id,
                    rule,
                    "close",
                    when,
                    float(rec[i]),
                    info.get("zone_id"),
                    info.get("version_id"),
                    fix_lat,
                    fix_lon,
                    {},
                )
            )
    return out
