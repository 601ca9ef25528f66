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
    if not changes:
        return out
    crossing_version = dict(crossings)
    # the few fixes behind the changes, as Python values at once (no NumPy scalar per field)
    fix = np.fromiter((c[0] for c in changes), dtype=np.int64, count=len(changes))
    rule_idx = np.fromiter((c[1] for c in changes), dtype=np.int64, count=len(changes))
    rows = ar[fix]
    rows_l = rows.tolist()
    assignment_l = tb.a_id[rows].tolist()
    device_l = [engine._dev_ids[k] for k in d[fix].tolist()]
    t_l = t[fix].tolist()
    rec_l = rec[fix].tolist()
    lat_l = lat[fix].tolist()
    lon_l = lon[fix].tolist()
    at_l = at[rule_idx, fix].tolist()
    ver_l = resp_zone[rule_idx, fix].tolist()
    nofix_l = detail_nofix[fix].tolist()
    until_l = until[fix].tolist()
    v_zone = tb.v_zone
    v_id = tb.v_id
    severity = engine.params.severity
    for k, (i, r, action) in enumerate(changes):
        row = rows_l[k]
        assignment_id = assignment_l[k]
        device_id = device_l[k]
        rule = RULES[r]
        alerts = engine._open.setdefault(device_id, {})
        key = (assignment_id, rule)
        fix_lat, fix_lon = _opt(lat_l[k]), _opt(lon_l[k])
        if action == "cross":
            ver = crossing_version[i]
            common = {
                "assignment_id": assignment_id,
                "device_id": device_id,
                "rule": rule,
                "at": t_l[k],
                "received": rec_l[k],
                "zone_id": int(v_zone[ver]),
                "version_id": int(v_id[ver]),
                "lat": fix_lat,
                "lon": fix_lon,
            }
            crossing = {"severity": severity.get(rule, "high"), "path_crossing": True}
            out.append(AlertChange(action="open", details=crossing, **common))
            out.append(AlertChange(action="close", details={"path_crossing": True}, **common))
            continue
        if action == "open":
            ver = ver_l[k]
            when = at_l[k] if math.isfinite(at_l[k]) else t_l[k]
            details: dict[str, Any] = {"severity": severity.get(rule, "high")}
            if r == R_CURFEW and nofix_l[k]:
                details["reason"] = "no_fix"
            zone_id = int(v_zone[ver]) if ver >= 0 else None
            version_id = int(v_id[ver]) if ver >= 0 else None
            info: dict[str, Any] = {"at": when, "zone_id": zone_id, "version_id": version_id}
            if r == R_CURFEW and math.isfinite(until_l[k]):
                info["until"] = until_l[k]
            alerts[key] = info
            engine._open_m[row, r] = True
            out.append(
                AlertChange(
                    assignment_id,
                    device_id,
                    rule,
                    "open",
                    when,
                    rec_l[k],
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
            when = t_l[k]
            if "until" in info:
                when = min(when, float(info["until"]))
            out.append(
                AlertChange(
                    assignment_id,
                    device_id,
                    rule,
                    "close",
                    when,
                    rec_l[k],
                    info.get("zone_id"),
                    info.get("version_id"),
                    fix_lat,
                    fix_lon,
                    {},
                )
            )
    return out
