"""Kernels of the device rules and state (strap, battery, no fix, the device columns at the end of
a batch), the forward scan of ``vector`` and the rules' transitions into opens and closes."""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from ._common import F64, I64, OPTS, B


@njit(**OPTS)
def device_rules(  # noqa: PLR0913, PLR0917
    d: I64,
    gstart: B,
    t: F64,
    valid: B,
    strap: NDArray[np.int8],
    battery: NDArray[np.int16],
    charging: NDArray[np.int8],
    ev: B,
    batt_open: B,
    nofix_floor: F64,
    dev_last_valid: F64,
    dev_strap: NDArray[np.int8],
    low_pct: int,
    clear_pct: int,
    no_fix_s: float,
    cond: B,
    at: F64,
) -> tuple[I64, F64]:  # pragma: no cover - compiled
    """The device rules of ``core`` in one pass over the batch (grouped by device, in time order):
    strap, battery (with its hysteresis carried from the open alert), no fix, and lost
    communication's ``at``; returns each fix's latest valid fix (index in the batch, -1 none) and
    its time (from the state when none in the batch). ``nofix_floor``: the assignment's start."""
    m = t.shape[0]
    vidx = np.empty(m, dtype=np.int64)
    last_valid_t = np.empty(m)
    cur_v = -1
    cur_strap = np.int8(-1)
    batt = np.int8(-1)  # the latest battery signal of the device in the batch: 1 low, 0 clear
    for i in range(m):
        if gstart[i]:
            cur_v = -1
            cur_strap = dev_strap[d[i]]
            batt = np.int8(-1)
        if valid[i]:
            cur_v = i
        vidx[i] = cur_v
        lv = t[cur_v] if cur_v >= 0 else dev_last_valid[d[i]]
        last_valid_t[i] = lv
        if strap[i] >= 0:
            cur_strap = strap[i]
        cond[3, i] = cur_strap == 1 or cur_strap == 2  # noqa: PLR1714, PLR2004
        at[3, i] = t[i]
        b = battery[i]
        if b >= 0 and b < low_pct and charging[i] != 1:
            batt = np.int8(1)
        elif (b >= 0 and b >= clear_pct) or charging[i] == 1:
            batt = np.int8(0)
        cond[4, i] = (batt_open[i] and ev[i]) if batt < 0 else batt == 1
        at[4, i] = t[i]
        floor = nofix_floor[i]
        base = floor if np.isnan(lv) else (lv if np.isnan(floor) else max(lv, floor))
        cond[6, i] = t[i] - base >= no_fix_s
        at[6, i] = base + no_fix_s
        at[5, i] = t[i]
    return vidx, last_valid_t


@njit(**OPTS)
def device_state(  # noqa: PLR0913, PLR0917
    d: I64,
    t: F64,
    valid: B,
    fixq: NDArray[np.int8],
    lat: F64,
    lon: F64,
    acc_raw: F64,
    battery: NDArray[np.int16],
    strap: NDArray[np.int8],
    charging: NDArray[np.int8],
    channel: NDArray[np.int8],
    last_t: F64,
    last_fix: F64,
    last_valid: F64,
    dev_lat: F64,
    dev_lon: F64,
    dev_acc: F64,
    dev_battery: NDArray[np.int16],
    dev_strap: NDArray[np.int8],
    dev_charging: NDArray[np.int8],
    dev_connected: NDArray[np.int8],
) -> None:  # pragma: no cover - compiled
    """The device columns at the end of a batch (grouped by device, in time order): the newest
    fix time, fix, valid fix and its position, the latest battery, strap and charging reported,
    connected when a message came over MQTT."""
    m = t.shape[0]
    for i in range(m):
        k = d[i]
        if i == m - 1 or d[i + 1] != k:
            last_t[k] = t[i]
        if fixq[i] != 1:
            last_fix[k] = t[i]
        if valid[i]:
            last_valid[k] = t[i]
            dev_lat[k] = lat[i]
            dev_lon[k] = lon[i]
            dev_acc[k] = acc_raw[i]
        if battery[i] >= 0:
            dev_battery[k] = battery[i]
        if strap[i] >= 0:
            dev_strap[k] = strap[i]
        if charging[i] >= 0:
            dev_charging[k] = charging[i]
        if channel[i] == 3:  # noqa: PLR2004
            dev_connected[k] = 1


@njit(**OPTS)
def last_index(mask: B, start: B) -> I64:  # pragma: no cover - compiled
    """``vector.last_index``."""
    n = mask.shape[0]
    out = np.empty(n, dtype=np.int64)
    cur = -1
    for i in range(n):
        if start[i]:
            cur = -1
        if mask[i]:
            cur = i
        out[i] = cur
    return out


@njit(**OPTS)
def transitions(cond: B, ev: B, rules_on: B, init: B, g2: B) -> tuple[I64, I64, I64]:  # pragma: no cover - compiled
    """The opens (+1) and closes (-1) of each rule: per fix and rule, the condition against the
    previous fix's of the same (device, assignment) run, or the open alert at its start. ``cond``
    and ``rules_on``/``init`` are (rules, fixes). Returned in (fix, rule) order."""
    nr, m = cond.shape
    fix = np.empty(m * nr, dtype=np.int64)
    rule = np.empty(m * nr, dtype=np.int64)
    action = np.empty(m * nr, dtype=np.int64)
    k = 0
    prev = np.zeros(nr, dtype=np.bool_)
    for i in range(m):
        for r in range(nr):
            c = cond[r, i] and ev[i] and rules_on[r, i]
            p = (init[r, i] and ev[i]) if g2[i] else prev[r]
            if ev[i] and c != p:
                fix[k] = i
                rule[k] = r
                action[k] = 1 if c else -1
                k += 1
            prev[r] = c
    return fix[:k], rule[:k], action[:k]
