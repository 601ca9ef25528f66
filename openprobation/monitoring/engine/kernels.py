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
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from .geometry import EDGE_EPS_M, GRID

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

_OPTS: dict[str, Any] = {"cache": True, "nogil": True}

# kinds (compiled.KINDS): inclusion 0 and home 1 are lenient, exclusion 2 and victim 3 strict
_HOME = 1
_SETTLE_M = 1e-3  # a decision this far from its threshold needs no exact distance
_ZONE_RULE = np.array([0, 2, 1, 7], dtype=np.int64)  # kind → rule (compiled.ZONE_RULE)


@njit(**_OPTS)
def _polygon_sd(segments: F64, x: float, y: float) -> float:  # pragma: no cover - compiled
    """``geometry.polygon_signed_distance`` for one point and one polygon's padded segments."""
    best = np.inf
    crossings = 0
    for s in range(segments.shape[0]):
        x1 = segments[s, 0]
        y1 = segments[s, 1]
        x2 = segments[s, 2]
        y2 = segments[s, 3]
        dx = x2 - x1
        dy = y2 - y1
        wx = x - x1
        wy = y - y1
        length2 = dx * dx + dy * dy
        u = (wx * dx + wy * dy) / length2 if length2 > 0 else 0.0
        if u > 0 and u < 1:
            cross = dx * wy - dy * wx
            length = np.sqrt(length2)
            dist = np.abs(cross) / (length if length > 0 else 1.0)
        else:
            end1 = np.hypot(wx, wy)
            end2 = np.hypot(x - x2, y - y2)
            dist = min(end1, end2)
        best = min(best, dist)
        if (y1 > y) != (y2 > y):
            x_at = x1 + (y - y1) * dx / (dy if dy != 0 else 1.0)
            if x < x_at:
                crossings += 1
    if best <= EDGE_EPS_M:
        best = 0.0
    return -best if crossings % 2 == 1 else best


@njit(**_OPTS)
def judge(  # noqa: PLR0913, PLR0917
    pv: I64,
    kind: I64,
    lon: F64,
    lat: F64,
    acc: F64,
    pvalid: B,
    v_lon0: F64,
    v_lat0: F64,
    v_kx: F64,
    v_circle: B,
    v_radius: F64,
    v_buffer: F64,
    v_bbox: F64,
    v_poly: I64,
    p_raster: F64,
    p_half: F64,
    p_segments: F64,
) -> B:  # pragma: no cover - compiled
    """``zones.judge``: inside (True) or outside of each (fix, version) pair."""
    n = pv.shape[0]
    inside = np.zeros(n, dtype=np.bool_)
    for j in range(n):
        if not pvalid[j]:
            continue
        v = pv[j]
        x = (lon[j] - v_lon0[v]) * v_kx[v]
        y = (lat[j] - v_lat0[v]) * 110_540.0
        lenient = kind[j] <= _HOME
        thr = acc[j] if lenient else -acc[j]
        b = v_buffer[v]
        if v_circle[v]:
            # settled by the squared distance unless within a millimetre of the decision (far
            # beyond rounding: the same answer as the exact path, without a square root)
            d2 = x * x + y * y
            near = v_radius[v] + b + thr - _SETTLE_M
            far = v_radius[v] + b + thr + _SETTLE_M
            if near > 0 and d2 < near * near:
                inside[j] = True
                continue
            if far > 0 and d2 > far * far:
                inside[j] = False
                continue
            sd = np.hypot(x, y) - v_radius[v] - b
            if np.abs(sd) <= EDGE_EPS_M:
                sd = 0.0
            inside[j] = (not (sd > thr)) if lenient else (sd <= thr)
            continue
        poly = v_poly[v]
        bx0 = v_bbox[v, 0]
        by0 = v_bbox[v, 1]
        bx1 = v_bbox[v, 2]
        by1 = v_bbox[v, 3]
        ox = max(bx0 - x, 0.0, x - bx1)
        oy = max(by0 - y, 0.0, y - by1)
        inbox = ox == 0 and oy == 0
        if inbox:
            w = (bx1 - bx0) / GRID
            h = (by1 - by0) / GRID
            cx = min(max(int((x - bx0) / w), 0), GRID - 1)
            cy = min(max(int((y - by0) / h), 0), GRID - 1)
            centre = p_raster[poly, cy * GRID + cx]
            half = p_half[poly]
            lo = (centre - half) - b
            hi = (centre + half) - b
        elif max(ox, oy) - b > thr + _SETTLE_M:
            inside[j] = False  # the distance to the box alone settles it (hypot ≥ max)
            continue
        else:
            lo = np.hypot(ox, oy) - b
            hi = np.inf
        if hi <= thr:
            inside[j] = True
        elif lo > thr:
            inside[j] = False
        else:
            sd = _polygon_sd(p_segments[poly], x, y) - b
            if np.abs(sd) <= EDGE_EPS_M:
                sd = 0.0
            inside[j] = sd <= thr
    return inside


@njit(**_OPTS)
def debounce(  # noqa: PLR0913, PLR0917
    ps: I64,
    pt: F64,
    inside: B,
    pvalid: B,
    s_zs: I64,
    z_conf: NDArray[np.int8],
    z_since: F64,
    z_run_side: NDArray[np.int8],
    z_run_n: I64,
    z_run_first: F64,
    debounce_fixes: int,
    debounce_seconds: float,
) -> tuple[NDArray[np.int8], F64]:  # pragma: no cover - compiled
    """``zones.debounce``: the confirmed side and since when of each pair (pairs grouped by slot,
    in time order, ``pt`` the pair's fix time); the zone state columns are updated in place with
    the end of each slot's sequence."""
    n = ps.shape[0]
    conf = np.empty(n, dtype=np.int8)
    since = np.empty(n)
    cur_conf = np.int8(-1)
    cur_since = np.nan
    side = np.int8(-1)
    count = 0
    first = np.nan
    seen = False
    zs = -1
    for j in range(n):
        if j == 0 or ps[j] != ps[j - 1]:
            zs = s_zs[ps[j]]
            cur_conf = z_conf[zs]
            cur_since = z_since[zs]
            seen = False
        if pvalid[j]:
            s = np.int8(1) if inside[j] else np.int8(0)
            tj = pt[j]
            if not seen:
                if s == z_run_side[zs]:
                    count = z_run_n[zs] + 1
                    first = z_run_first[zs]
                else:
                    count = 1
                    first = tj
                seen = True
            elif s == side:
                count += 1
            else:
                count = 1
                first = tj
            side = s
            if (count >= debounce_fixes or tj - first >= debounce_seconds) and s != cur_conf:
                cur_conf = s
                cur_since = tj
        conf[j] = cur_conf
        since[j] = cur_since
        if seen and (j == n - 1 or ps[j + 1] != ps[j]):
            z_conf[zs] = cur_conf
            z_since[zs] = cur_since
            z_run_side[zs] = side
            z_run_n[zs] = count
            z_run_first[zs] = first
    return conf, since


@njit(**_OPTS)
def pairs(  # noqa: PLR0913, PLR0917
    ev_idx: I64,
    arow: I64,
    t: F64,
    a_slot_first: I64,
    a_slot_count: I64,
    s_ver_first: I64,
    s_ver_count: I64,
    v_from: F64,
    v_to: F64,
    max_slots: int,
    max_versions: int,
) -> tuple[I64, I64, I64]:  # pragma: no cover - compiled
    """The (fix, zone slot, version in force) pairs of the fixes judged, slot rank by slot rank (so
    that each slot's pairs are contiguous and in time order), as ``core`` builds them in NumPy."""
    n = ev_idx.shape[0]
    nv = v_from.shape[0]
    pf = np.empty(n * max_slots, dtype=np.int64)
    ps = np.empty(n * max_slots, dtype=np.int64)
    pv = np.empty(n * max_slots, dtype=np.int64)
    k_out = 0
    for k in range(max_slots):
        for j in range(n):
            f = ev_idx[j]
            a = arow[f]
            if a_slot_count[a] <= k:
                continue
            s = a_slot_first[a] + k
            tk = t[f]
            vfirst = s_ver_first[s]
            if max_versions == 1:
                ver = vfirst
                if not (v_from[ver] <= tk < v_to[ver]):
                    continue
            else:
                ver = -1
                for v in range(max_versions):
                    cand = min(vfirst + v, nv - 1)
                    if s_ver_count[s] > v and v_from[cand] <= tk < v_to[cand]:
                        ver = cand
                if ver < 0:
                    continue
            pf[k_out] = f
            ps[k_out] = s
            pv[k_out] = ver
            k_out += 1
    return pf[:k_out], ps[:k_out], pv[:k_out]


@njit(**_OPTS)
def zone_rules(  # noqa: PLR0913, PLR0917, C901
    pf: I64,
    ps: I64,
    pv: I64,
    t: F64,
    sow: F64,
    last_valid_t: F64,
    inside: B,
    pvalid: B,
    conf: NDArray[np.int8],
    since: F64,
    v_kind: I64,
    v_haswin: B,
    v_zone: I64,
    v_wset: I64,
    use_sets: bool,
    set_in: B,
    set_start: F64,
    set_end: F64,
    v_win: F64,
    v_wstart: F64,
    v_wend: F64,
    s_asg: I64,
    a_exc_first: I64,
    a_exc_count: I64,
    e_start: F64,
    e_end: F64,
    e_zone: I64,
    no_fix_s: float,
    lflags: NDArray[np.int32],
    cond: B,
    at: F64,
    resp_zone: I64,
    detail_nofix: B,
    until: F64,
) -> I64:  # pragma: no cover - compiled
    """Per pair: the raw flags, the zone's weekly window and exceptions, and from the confirmed
    sides the zone rules' conditions per fix (written into ``lflags``, ``cond``, ``at``,
    ``resp_zone``, ``detail_nofix``, ``until`` exactly as ``core`` writes them in NumPy: first the
    curfews without a fix, then the pairs confirmed on the wrong side). Returns the exclusion pairs
    whose path from the previous fix is to be checked for a crossing."""
    n = pf.shape[0]
    in_win = np.empty(n, dtype=np.bool_)
    wstart = np.empty(n)
    wend = np.empty(n)
    active = np.zeros(n, dtype=np.bool_)  # a home zone's curfew in force, not suspended
    week_min = 7 * 1440
    for j in range(n):
        f = pf[j]
        v = pv[j]
        kind = v_kind[v]
        if pvalid[j]:
            if kind == 0 and not inside[j]:
                lflags[f] |= 8
            elif kind >= 2 and inside[j]:  # noqa: PLR2004
                lflags[f] |= 16
            elif kind == _HOME and not inside[j]:
                lflags[f] |= 32
        haswin = v_haswin[v]
        in_win[j] = not haswin
        wstart[j] = -np.inf
        wend[j] = np.inf
        if haswin:
            ws = sow[f]
            base = t[f] - ws
            if use_sets:
                cell = v_wset[v] * week_min + min(int(ws // 60), week_min - 1)
                if set_in[cell]:
                    in_win[j] = True
                    wstart[j] = base + set_start[cell]
                    wend[j] = base + set_end[cell]
                else:
                    in_win[j] = False
            else:
                in_win[j] = False
                for w in range(v_win.shape[1]):
                    if v_win[v, w, 0] <= ws < v_win[v, w, 1]:
                        in_win[j] = True
                        wstart[j] = base + v_wstart[v, w]
                        wend[j] = base + v_wend[v, w]
                        break
        if kind == _HOME and haswin and in_win[j]:
            a = s_asg[ps[j]]
            excepted = False
            for e in range(a_exc_first[a], a_exc_first[a] + a_exc_count[a]):
                if e_start[e] <= t[f] and t[f] < e_end[e] and (e_zone[e] < 0 or e_zone[e] == v_zone[v]):
                    excepted = True
                    break
            if not excepted:
                active[j] = True
                lflags[f] |= 64
    # curfews without a valid fix
    for j in range(n):
        if active[j] and conf[j] != 0:
            f = pf[j]
            lv = last_valid_t[f]
            base = wstart[j] if np.isnan(lv) else (lv if np.isnan(wstart[j]) else max(wstart[j], lv))
            if t[f] - base >= no_fix_s:
                cond[2, f] = True
                at[2, f] = base + no_fix_s
                resp_zone[2, f] = v
                detail_nofix[f] = True
                until[f] = wend[j]
    # confirmed on the wrong side during the zone's window
    xsel = np.empty(n, dtype=np.int64)
    nx = 0
    for j in range(n):
        v = pv[j]
        kind = v_kind[v]
        wrong = 0 if kind <= _HOME else 1
        f = pf[j]
        if conf[j] == wrong and in_win[j] and (kind != _HOME or active[j]):
            rule = _ZONE_RULE[kind]
            cond[rule, f] = True
            s0 = since[j]
            w0 = wstart[j]
            at[rule, f] = w0 if np.isnan(s0) else (s0 if np.isnan(w0) else max(s0, w0))
            resp_zone[rule, f] = v
            if kind == _HOME:
                detail_nofix[f] = False
                until[f] = wend[j]
        if kind == 2 and pvalid[j] and not inside[j] and in_win[j] and conf[j] != 1:  # noqa: PLR2004
            xsel[nx] = j
            nx += 1
    return xsel[:nx]


@njit(**_OPTS)
def crossing_paths(  # noqa: PLR0913, PLR0917
    xsel: I64,
    pf: I64,
    pv: I64,
    valid: B,
    gstart: B,
    lon: F64,
    lat: F64,
    acc: F64,
    d: I64,
    dev_lon: F64,
    dev_lat: F64,
    dev_acc: F64,
    v_kind: I64,
    v_lon0: F64,
    v_lat0: F64,
    v_kx: F64,
    v_circle: B,
    v_radius: F64,
    v_buffer: F64,
    v_bbox: F64,
    v_poly: I64,
    p_raster: F64,
    p_half: F64,
    p_segments: F64,
) -> tuple[I64, I64, B, B, F64]:  # pragma: no cover - compiled
    """``zones.crossings`` up to the exact polygon test: for the exclusion pairs ``xsel``, the path
    from the device's previous valid fix (in the batch, else its state; ``dev_acc`` without NaN).
    Returns the paths that may reach the zone from a previous fix outside it — fix, version,
    whether a circle is hit, whether a polygon is to be tested exactly, and the path (x1, y1, x2,
    y2) in the zone's plane."""
    # the previous valid fix of each fix of the batch, within its device
    m = valid.shape[0]
    prev = np.empty(m, dtype=np.int64)
    cur = -1
    for i in range(m):
        if gstart[i]:
            cur = -1
        prev[i] = cur
        if valid[i]:
            cur = i
    n = xsel.shape[0]
    nf = np.empty(n, dtype=np.int64)
    nv = np.empty(n, dtype=np.int64)
    plon = np.empty(n)
    plat = np.empty(n)
    pacc = np.empty(n)
    seg = np.empty((n, 4))
    k = 0
    for j in range(n):
        f = pf[xsel[j]]
        v = pv[xsel[j]]
        pi = prev[f]
        if pi >= 0:
            lo, la, ac = lon[pi], lat[pi], acc[pi]
        else:
            lo, la, ac = dev_lon[d[f]], dev_lat[d[f]], dev_acc[d[f]]
        x1 = (lo - v_lon0[v]) * v_kx[v]
        y1 = (la - v_lat0[v]) * 110_540.0
        x2 = (lon[f] - v_lon0[v]) * v_kx[v]
        y2 = (lat[f] - v_lat0[v]) * 110_540.0
        ox = max(v_bbox[v, 0] - x2, 0.0, x2 - v_bbox[v, 2])
        oy = max(v_bbox[v, 1] - y2, 0.0, y2 - v_bbox[v, 3])
        seg2 = (x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1)
        reach_lb = max(np.hypot(ox, oy) - v_buffer[v], 0.0)
        if np.isfinite(seg2) and seg2 >= reach_lb * reach_lb:
            nf[k] = f
            nv[k] = v
            plon[k] = lo
            plat[k] = la
            pacc[k] = ac
            seg[k, 0] = x1
            seg[k, 1] = y1
            seg[k, 2] = x2
            seg[k, 3] = y2
            k += 1
    nf, nv, plon, plat, pacc, seg = nf[:k], nv[:k], plon[:k], plat[:k], pacc[:k], seg[:k]
    prev_inside = judge(
        nv,
        v_kind[nv],
        plon,
        plat,
        pacc,
        np.ones(k, dtype=np.bool_),
        v_lon0,
        v_lat0,
        v_kx,
        v_circle,
        v_radius,
        v_buffer,
        v_bbox,
        v_poly,
        p_raster,
        p_half,
        p_segments,
    )
    hit = np.zeros(k, dtype=np.bool_)
    cand = np.zeros(k, dtype=np.bool_)
    for j in range(k):
        if prev_inside[j]:
            continue
        v = nv[j]
        x1, y1, x2, y2 = seg[j, 0], seg[j, 1], seg[j, 2], seg[j, 3]
        if v_circle[v]:
            dx = x2 - x1
            dy = y2 - y1
            l2 = dx * dx + dy * dy
            u = -(x1 * dx + y1 * dy) / l2 if l2 > 0 else 0.0
            u = min(max(u, 0.0), 1.0)
            hit[j] = np.hypot(x1 + u * dx, y1 + u * dy) <= v_radius[v] + v_buffer[v]
        else:
            bf = v_buffer[v]
            cand[j] = (
                max(x1, x2) >= v_bbox[v, 0] - bf
                and min(x1, x2) <= v_bbox[v, 2] + bf
                and max(y1, y2) >= v_bbox[v, 1] - bf
                and min(y1, y2) <= v_bbox[v, 3] + bf
            )
    keep = ~prev_inside
    return nf[keep], nv[keep], hit[keep], cand[keep], seg[keep]


@njit(**_OPTS)
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


@njit(**_OPTS)
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


@njit(**_OPTS)
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


@njit(**_OPTS)
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
