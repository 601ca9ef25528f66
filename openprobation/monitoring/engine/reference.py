"""The NumPy reference of the per-fix work a batch's kernels do (``Engine.compiled`` False): the
device rules, the zone part (pairs, judgement, windows, exceptions, debounce, the zone rules'
conditions, path crossings) and the device columns at the end of a batch. Same arguments and
results as their compiled counterparts (``kernels.device_rules``, ``zones.compiled_zones``,
``kernels.device_state``); the tests compare the two paths bit for bit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from . import vector as vx
from .compiled import EXCLUSION, HOME, INCLUSION, R_BATT, R_CURFEW, R_LOST, R_NOFIX, R_STRAP, WEEK_MIN, ZONE_RULE
from .types import FLAG_IN_CURFEW, FLAG_INSIDE_EXCLUSION, FLAG_OUTSIDE_HOME, FLAG_OUTSIDE_INCLUSION
from .zones import crossings, debounce, judge

if TYPE_CHECKING:
    from .core import Engine

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]
I8 = NDArray[np.int8]


def device_rules(  # noqa: PLR0913, PLR0917
    d: I64,
    gstart: B,
    t: F64,
    valid: B,
    strap: I8,
    battery: NDArray[np.int16],
    charging: I8,
    ev: B,
    batt_open: B,
    nofix_floor: F64,
    dev_last_valid: F64,
    dev_strap: I8,
    low_pct: int,
    clear_pct: int,
    no_fix_s: float,
    cond: B,
    at: F64,
) -> tuple[I64, F64]:
    """Strap, battery (hysteresis carried from the open alert), no fix and lost communication's
    ``at``, written into ``cond``/``at``; each fix's latest valid fix (index, -1 none) and its time
    (from the state when none in the batch)."""
    vidx = vx.last_index(valid, gstart)
    last_valid_t = np.where(vidx >= 0, t[np.maximum(vidx, 0)], dev_last_valid[d])
    strap_now = vx.fill(strap, strap >= 0, gstart, dev_strap[d])
    cond[R_STRAP] = (strap_now == 1) | (strap_now == 2)  # noqa: PLR2004
    at[R_STRAP] = t
    low = (battery >= 0) & (battery < low_pct) & (charging != 1)
    clear = ((battery >= 0) & (battery >= clear_pct)) | (charging == 1)
    signal = np.where(low, 1, np.where(clear, 0, -1))
    cond[R_BATT] = vx.fill(signal == 1, signal >= 0, gstart, batt_open & ev)
    at[R_BATT] = t
    nofix_base = np.fmax(last_valid_t, nofix_floor)
    cond[R_NOFIX] = t - nofix_base >= no_fix_s
    at[R_NOFIX] = nofix_base + no_fix_s
    # lost communication clears on any message (opened by the clock)
    at[R_LOST] = t
    return vidx, last_valid_t


def zones(  # noqa: C901, PLR0915
    engine: Engine,
    *,
    ev: B,
    arow: I64,
    t: F64,
    sow: F64,
    lon: F64,
    lat: F64,
    acc: F64,
    valid: B,
    last_valid_t: F64,
    gstart: B,
    d: I64,
    out: tuple[NDArray[np.int32], B, F64, I64, B, F64],
) -> list[tuple[int, int]]:
    """The zone part of a batch (``zones.compiled_zones``): written into ``out`` (flags, cond, at,
    resp_zone, detail_nofix, until); returns the path crossings (fix, version)."""
    tb = engine._t
    p = engine.params
    lflags, cond, at, resp_zone, detail_nofix, until = out
    # pairs (fix, zone slot, version in force), slot rank by slot rank: within a rank the
    # fixes keep their (device, time) order, so each slot's pairs are contiguous and in time
    pf_parts, ps_parts, pv_parts = [], [], []
    ev_idx = np.nonzero(ev)[0]
    slot_count = tb.a_slot_count[arow[ev_idx]]
    slot_first = tb.a_slot_first[arow[ev_idx]]
    for k in range(tb.max_slots):
        sel_k = np.nonzero(slot_count > k)[0] if k else np.nonzero(slot_count)[0]
        if not len(sel_k):
            break
        fk = ev_idx[sel_k]
        s = slot_first[sel_k] + k
        tk = t[fk]
        vfirst = tb.s_ver_first[s]
        if tb.max_versions == 1:
            ver = vfirst
            ok = (tb.v_from[ver] <= tk) & (tk < tb.v_to[ver])
        else:
            vcount = tb.s_ver_count[s]
            ver = np.full(len(s), -1, dtype=np.int64)
            for v in range(tb.max_versions):
                cand = np.minimum(vfirst + v, len(tb.v_id) - 1)
                hit = (vcount > v) & (tb.v_from[cand] <= tk) & (tk < tb.v_to[cand])
                ver[hit] = cand[hit]
            ok = ver >= 0
        if ok.all():
            pf_parts.append(fk)
            ps_parts.append(s)
            pv_parts.append(ver)
        else:
            pf_parts.append(fk[ok])
            ps_parts.append(s[ok])
            pv_parts.append(ver[ok])
    if not pf_parts:  # none of the batch's assignments has a zone
        return []
    pf = np.concatenate(pf_parts)
    ps = np.concatenate(ps_parts)
    pv = np.concatenate(pv_parts)
    kind = tb.v_kind[pv]
    pvalid = valid[pf]
    inside = judge(engine, pv, kind, lon=lon[pf], lat=lat[pf], acc=acc[pf], pvalid=pvalid)

    # raw flags
    lflags[pf[pvalid & (kind == INCLUSION) & ~inside]] |= FLAG_OUTSIDE_INCLUSION
    lflags[pf[pvalid & (kind >= EXCLUSION) & inside]] |= FLAG_INSIDE_EXCLUSION
    lflags[pf[pvalid & (kind == HOME) & ~inside]] |= FLAG_OUTSIDE_HOME

    # windows
    haswin = tb.v_haswin[pv]
    in_win = ~haswin
    wstart = np.full(len(pv), -np.inf)
    wend = np.full(len(pv), np.inf)
    wsel = np.nonzero(haswin)[0]
    if len(wsel):
        wv = pv[wsel]
        ts = t[pf[wsel]]
        ws = sow[pf[wsel]]
        base = ts - ws
        if tb.set_in is not None:
            cell = tb.v_wset[wv] * WEEK_MIN + np.minimum((ws // 60).astype(np.int64), WEEK_MIN - 1)
            any_w = tb.set_in[cell]
            in_win[wsel] = any_w
            wstart[wsel] = np.where(any_w, base + tb.set_start[cell], -np.inf)
            wend[wsel] = np.where(any_w, base + tb.set_end[cell], np.inf)
        else:
            wcol = ws[:, None]
            inside_w = (tb.v_win[wv, :, 0] <= wcol) & (wcol < tb.v_win[wv, :, 1])
            any_w = np.asarray(inside_w.any(axis=1), dtype=bool)
            which = inside_w.argmax(axis=1)
            in_win[wsel] = any_w
            wstart[wsel] = np.where(any_w, base + tb.v_wstart[wv, which], -np.inf)
            wend[wsel] = np.where(any_w, base + tb.v_wend[wv, which], np.inf)
    excepted = np.zeros(len(pv), dtype=bool)
    if tb.max_exc:
        hsel = np.nonzero(kind == HOME)[0]
        ha = tb.s_asg[ps[hsel]]
        ecount = tb.a_exc_count[ha]
        efirst = tb.a_exc_first[ha]
        th = t[pf[hsel]]
        zh = tb.v_zone[pv[hsel]]
        for k in range(tb.max_exc):
            sel = np.nonzero(ecount > k)[0]
            e = efirst[sel] + k
            hit = (
                (tb.e_start[e] <= th[sel]) & (th[sel] < tb.e_end[e]) & ((tb.e_zone[e] < 0) | (tb.e_zone[e] == zh[sel]))
            )
            excepted[hsel[sel[hit]]] = True
    lflags[pf[(kind == HOME) & haswin & in_win & ~excepted]] |= FLAG_IN_CURFEW

    conf, since = debounce(engine, ps, pf, t=t, inside=inside, pvalid=pvalid)

    # zone-rule conditions per fix: only the pairs confirmed on the wrong side, and the home
    # pairs in a curfew window (for the no-fix judgement), are looked at
    wrong = np.where(kind <= HOME, 0, 1).astype(np.int8)
    hot = np.nonzero((conf == wrong) & in_win)[0]
    home_active = np.nonzero((kind == HOME) & haswin & in_win & ~excepted)[0]
    if len(home_active):
        hp = pf[home_active]
        base = np.fmax(wstart[home_active], last_valid_t[hp])
        nofix = (conf[home_active] != 0) & (t[hp] - base >= p.no_fix_s)
        idx = home_active[nofix]
        cond[R_CURFEW, pf[idx]] = True
        at[R_CURFEW, pf[idx]] = base[nofix] + p.no_fix_s
        resp_zone[R_CURFEW, pf[idx]] = pv[idx]
        detail_nofix[pf[idx]] = True
        until[pf[idx]] = wend[idx]
    if len(hot):
        hk = kind[hot]
        # a home pair is a breach only while its curfew is in force (not suspended)
        hot = hot[(hk != HOME) | (haswin[hot] & ~excepted[hot])]
        hk = kind[hot]
        for zkind, rule in ZONE_RULE.items():
            idx = hot[hk == zkind]
            if not len(idx):
                continue
            cond[rule, pf[idx]] = True
            at[rule, pf[idx]] = np.fmax(since[idx], wstart[idx])
            resp_zone[rule, pf[idx]] = pv[idx]
            if zkind == HOME:
                detail_nofix[pf[idx]] = False
                until[pf[idx]] = wend[idx]

    # a straight path between two sparse fixes through an exclusion zone
    xsel = np.nonzero((kind == EXCLUSION) & pvalid & ~inside & in_win & (conf != 1))[0]
    if len(xsel):
        return crossings(engine, xsel=xsel, pf=pf, pv=pv, valid=valid, gstart=gstart, lon=lon, lat=lat, acc=acc, d=d)
    return []


def device_state(  # noqa: PLR0913, PLR0917
    d: I64,
    t: F64,
    valid: B,
    fixq: I8,
    lat: F64,
    lon: F64,
    acc_raw: F64,
    battery: NDArray[np.int16],
    strap: I8,
    charging: I8,
    channel: I8,
    last_t: F64,
    last_fix: F64,
    last_valid: F64,
    dev_lat: F64,
    dev_lon: F64,
    dev_acc: F64,
    dev_battery: NDArray[np.int16],
    dev_strap: I8,
    dev_charging: I8,
    dev_connected: I8,
) -> None:
    """The device columns at the end of a batch (``kernels.device_state``)."""
    gstart = vx.group_starts(d)
    last = np.nonzero(vx.group_ends(gstart))[0]
    dl = d[last]
    last_t[dl] = t[last]
    fidx = vx.last_index(fixq != 1, gstart)[last]
    has = fidx >= 0
    last_fix[dl[has]] = t[fidx[has]]
    vlast = vx.last_index(valid, gstart)[last]
    has = vlast >= 0
    last_valid[dl[has]] = t[vlast[has]]
    dev_lat[dl[has]] = lat[vlast[has]]
    dev_lon[dl[has]] = lon[vlast[has]]
    dev_acc[dl[has]] = acc_raw[vlast[has]]
    for values, column in ((battery, dev_battery), (strap, dev_strap), (charging, dev_charging)):
        bidx = vx.last_index(values >= 0, gstart)[last]
        has = bidx >= 0
        column[dl[has]] = values[bidx[has]]
    mqtt = channel == 3  # noqa: PLR2004
    if mqtt.any():
        dev_connected[d[mqtt]] = 1
