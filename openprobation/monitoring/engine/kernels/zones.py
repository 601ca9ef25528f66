"""Kernels of zone membership and the zone rules: the (fix, zone slot, version in force) pairs of a
batch, debounce of side changes into confirmed membership, and the zone rules' conditions per fix
(weekly windows, curfew exceptions, curfews without a fix)."""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from ._common import F64, HOME, I64, OPTS, B

ZONE_RULE = np.array([0, 2, 1, 7], dtype=np.int64)  # kind → rule (compiled.ZONE_RULE)


@njit(**OPTS)
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


@njit(**OPTS)
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


@njit(**OPTS)
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
            elif kind == HOME and not inside[j]:
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
        if kind == HOME and haswin and in_win[j]:
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
        wrong = 0 if kind <= HOME else 1
        f = pf[j]
        if conf[j] == wrong and in_win[j] and (kind != HOME or active[j]):
            rule = ZONE_RULE[kind]
            cond[rule, f] = True
            s0 = since[j]
            w0 = wstart[j]
            at[rule, f] = w0 if np.isnan(s0) else (s0 if np.isnan(w0) else max(s0, w0))
            resp_zone[rule, f] = v
            if kind == HOME:
                detail_nofix[f] = False
                until[f] = wend[j]
        if kind == 2 and pvalid[j] and not inside[j] and in_win[j] and conf[j] != 1:  # noqa: PLR2004
            xsel[nx] = j
            nx += 1
    return xsel[:nx]
