"""Zone judgement for a batch: which side of each zone version a fix is on (signed distance by
circle or polygon raster, exact only where the raster leaves it open), debounce of side changes into
confirmed membership, straight paths between sparse fixes through an exclusion zone, and the
distance to a victim's device. Functions of the engine's compiled tables and state; see the
package docstring for the semantics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from numpy.typing import NDArray

from . import kernels
from . import vector as vx
from .compiled import HOME, R_VICTIM, VICTIM_MAX_GAP_S
from .geometry import EDGE_EPS_M, GRID, polygon_signed_distance

if TYPE_CHECKING:
    from .core import Engine

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


def judge(engine: Engine, pv: I64, kind: I64, *, lon: F64, lat: F64, acc: F64, pvalid: B) -> B:
    """Inside (True) or outside of each (fix, version) pair by the kind's rule: inclusion and
    home zones — outside only when farther than the accuracy outside the buffered zone;
    exclusion and victim zones — inside only when inside by at least the accuracy. The edge is
    inside."""
    tb = engine._t
    if engine.compiled:
        return kernels.judge(
            pv,
            kind,
            lon,
            lat,
            acc,
            pvalid,
            tb.v_lon0,
            tb.v_lat0,
            tb.v_kx,
            tb.v_circle,
            tb.v_radius,
            tb.v_buffer,
            tb.v_bbox,
            tb.v_poly,
            _f64_2d(tb.p_raster, GRID * GRID),
            tb.p_half,
            tb.p_segments,
        )
    x = (lon - tb.v_lon0[pv]) * tb.v_kx[pv]
    y = (lat - tb.v_lat0[pv]) * 110_540.0
    lenient = kind <= HOME  # inclusion, home
    thr = np.where(lenient, acc, -acc)
    b = tb.v_buffer[pv]
    inside = np.zeros(len(pv), dtype=bool)
    circ = tb.v_circle[pv] & pvalid
    ci = np.nonzero(circ)[0]
    if len(ci):
        sd = np.hypot(x[ci], y[ci]) - tb.v_radius[pv[ci]] - b[ci]
        sd = np.where(np.abs(sd) <= EDGE_EPS_M, 0.0, sd)
        inside[ci] = np.where(lenient[ci], ~(sd > thr[ci]), sd <= thr[ci])
    pi = np.nonzero(~tb.v_circle[pv] & pvalid)[0]
    if len(pi):
        v = pv[pi]
        px, py = x[pi], y[pi]
        bb = tb.v_bbox[v]
        poly = tb.v_poly[v]
        ox = np.maximum(np.maximum(bb[:, 0] - px, 0.0), px - bb[:, 2])
        oy = np.maximum(np.maximum(bb[:, 1] - py, 0.0), py - bb[:, 3])
        inbox = (ox == 0) & (oy == 0)
        w = (bb[:, 2] - bb[:, 0]) / GRID
        h = (bb[:, 3] - bb[:, 1]) / GRID
        cx = np.clip(((px - bb[:, 0]) / w).astype(np.int64), 0, GRID - 1)
        cy = np.clip(((py - bb[:, 1]) / h).astype(np.int64), 0, GRID - 1)
        centre = tb.p_raster[poly, cy * GRID + cx] if len(tb.p_raster) else np.zeros(len(pi))
        half = tb.p_half[poly] if len(tb.p_half) else np.zeros(len(pi))
        lo = np.where(inbox, centre - half, np.hypot(ox, oy)) - b[pi]
        hi = np.where(inbox, centre + half, np.inf) - b[pi]
        th = thr[pi]
        len_p = lenient[pi]
        # lenient: inside unless sd > thr; strict: inside iff sd <= thr
        sure_in = np.where(len_p, hi <= th, hi <= th)
        sure_out = lo > th
        unsure = np.nonzero(~sure_in & ~sure_out)[0]
        res = sure_in.copy()
        if len(unsure):
            sd = polygon_signed_distance(tb.p_segments[poly[unsure]], px[unsure], py[unsure]) - b[pi[unsure]]
            sd = np.where(np.abs(sd) <= EDGE_EPS_M, 0.0, sd)
            res[unsure] = sd <= th[unsure]
        inside[pi] = res
    return inside


def _f64_2d(values: F64, width: int) -> F64:
    """A 2-D float table for the kernels (an empty one keeps its width)."""
    return values if values.ndim == 2 else np.zeros((0, width))  # noqa: PLR2004


def debounce(engine: Engine, ps: I64, pf: I64, *, t: F64, inside: B, pvalid: B) -> tuple[NDArray[np.int8], F64]:
    """Confirmed side (1 in, 0 out, -1 unknown) and since when, for each pair (sorted by slot,
    then time); the zone state is updated with the end of each slot's sequence."""
    p = engine.params
    tb = engine._t
    z = engine._zones.cols
    if engine.compiled:
        return kernels.debounce(
            ps,
            t[pf],
            inside,
            pvalid,
            tb.s_zs,
            z["conf"],
            z["since"],
            z["run_side"],
            z["run_n"],
            z["run_first"],
            int(p.debounce_fixes),
            float(p.debounce_seconds),
        )
    zs_all = tb.s_zs[ps]
    init_conf = z["conf"][zs_all]
    init_since = z["since"][zs_all]
    gall = vx.group_starts(ps)
    q = np.nonzero(pvalid)[0]
    conf_q = np.zeros(0, dtype=np.int8)
    since_q = np.zeros(0)
    if len(q):
        qs = ps[q]
        qt = t[pf[q]]
        side = inside[q].astype(np.int8)
        zs = tb.s_zs[qs]
        gq = vx.group_starts(qs)
        change = gq.copy()
        change[1:] |= side[1:] != side[:-1]
        run_id = np.cumsum(change) - 1
        run_start = np.nonzero(change)[0]
        carry_run = gq[run_start] & (side[run_start] == z["run_side"][zs[run_start]])
        carry = carry_run[run_id]
        pos = np.arange(len(q)) - run_start[run_id] + 1
        count = pos + np.where(carry, z["run_n"][zs], 0)
        first = np.where(carry, z["run_first"][zs], qt[run_start][run_id])
        qual = (count >= p.debounce_fixes) | (qt - first >= p.debounce_seconds)
        lq = vx.last_index(qual, gq)
        conf_q = np.where(lq >= 0, side[np.maximum(lq, 0)], z["conf"][zs]).astype(np.int8)
        prev_conf = vx.previous(conf_q, gq, z["conf"][zs])
        trans = conf_q != prev_conf
        since_q = vx.fill(qt, trans, gq, z["since"][zs])
        # state at the end of each slot's sequence
        ends = np.nonzero(vx.group_ends(gq))[0]
        ze = zs[ends]
        z["conf"][ze] = conf_q[ends]
        z["since"][ze] = since_q[ends]
        z["run_side"][ze] = side[ends]
        z["run_n"][ze] = count[ends]
        z["run_first"][ze] = first[ends]
    # every pair (also without a valid position) carries the latest confirmed side of its slot
    idx = vx.last_index(pvalid, gall)
    qpos = np.cumsum(pvalid) - 1
    has = idx >= 0
    conf = np.where(has, conf_q[qpos[np.maximum(idx, 0)]] if len(q) else 0, init_conf).astype(np.int8)
    since = np.where(has, since_q[qpos[np.maximum(idx, 0)]] if len(q) else 0.0, init_since)
    return conf, since


def compiled_zones(
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
    """The zone part of a batch in the compiled kernels: pairs, judgement, windows, debounce and the
    zone rules' conditions, written into ``out`` (flags, cond, at, resp_zone, detail_nofix, until)
    as the NumPy path in ``core`` writes them; returns the path crossings (fix, version)."""
    tb = engine._t
    p = engine.params
    z = engine._zones.cols
    lflags, cond, at, resp_zone, detail_nofix, until = out
    pf, ps, pv = kernels.pairs(
        np.nonzero(ev)[0],
        arow,
        t,
        tb.a_slot_first,
        tb.a_slot_count,
        tb.s_ver_first,
        tb.s_ver_count,
        tb.v_from,
        tb.v_to,
        int(tb.max_slots),
        int(tb.max_versions),
    )
    kind = tb.v_kind[pv]
    pvalid = valid[pf]
    inside = judge(engine, pv, kind, lon=lon[pf], lat=lat[pf], acc=acc[pf], pvalid=pvalid)
    conf, since = kernels.debounce(
        ps,
        t[pf],
        inside,
        pvalid,
        tb.s_zs,
        z["conf"],
        z["since"],
        z["run_side"],
        z["run_n"],
        z["run_first"],
        int(p.debounce_fixes),
        float(p.debounce_seconds),
    )
    use_sets = tb.set_in is not None
    xsel = kernels.zone_rules(
        pf,
        ps,
        pv,
        t,
        sow,
        last_valid_t,
        inside,
        pvalid,
        conf,
        since,
        tb.v_kind,
        tb.v_haswin,
        tb.v_zone,
        tb.v_wset,
        use_sets,
        tb.set_in if tb.set_in is not None else np.zeros(1, dtype=bool),
        tb.set_start if use_sets else np.zeros(1),
        tb.set_end if use_sets else np.zeros(1),
        tb.v_win,
        tb.v_wstart,
        tb.v_wend,
        tb.s_asg,
        tb.a_exc_first,
        tb.a_exc_count,
        tb.e_start,
        tb.e_end,
        tb.e_zone,
        float(p.no_fix_s),
        lflags,
        cond,
        at,
        resp_zone,
        detail_nofix,
        until,
    )
    if not len(xsel):
        return []
    dc = engine._devs.cols
    f, v, hit, cand, seg = kernels.crossing_paths(
        xsel,
        pf,
        pv,
        valid,
        gstart,
        lon,
        lat,
        acc,
        d,
        dc["lon"],
        dc["lat"],
        np.nan_to_num(dc["accuracy"]),
        tb.v_kind,
        tb.v_lon0,
        tb.v_lat0,
        tb.v_kx,
        tb.v_circle,
        tb.v_radius,
        tb.v_buffer,
        tb.v_bbox,
        tb.v_poly,
        _f64_2d(tb.p_raster, GRID * GRID),
        tb.p_half,
        tb.p_segments,
    )
    cj = np.nonzero(cand)[0]
    if len(cj):
        geoms = np.array([buffered(engine, int(r)) for r in v[cj]], dtype=object)
        s = seg[cj]
        lines = shapely.linestrings(np.stack([s[:, [0, 2]], s[:, [1, 3]]], axis=2))
        hit[cj] = shapely.intersects(geoms, lines)
    return list(zip(f[hit].tolist(), v[hit].tolist(), strict=True))


def crossings(
    engine: Engine,
    *,
    xsel: I64,
    pf: I64,
    pv: I64,
    valid: B,
    gstart: B,
    lon: F64,
    lat: F64,
    acc: F64,
    d: I64,
) -> list[tuple[int, int]]:
    """Exclusion pairs whose fix and the device's previous valid fix are both outside but the
    straight path between them crosses or touches the (buffered) zone."""
    tb = engine._t
    dc = engine._devs.cols
    vidx = vx.last_index(valid, gstart)
    prev_idx = vx.previous(vidx, gstart, np.full(len(vidx), -1, dtype=np.int64))
    f = pf[xsel]
    v = pv[xsel]
    pi = prev_idx[f]
    from_batch = pi >= 0
    plon = np.where(from_batch, lon[np.maximum(pi, 0)], dc["lon"][d[f]])
    plat = np.where(from_batch, lat[np.maximum(pi, 0)], dc["lat"][d[f]])
    pacc = np.where(from_batch, acc[np.maximum(pi, 0)], np.nan_to_num(dc["accuracy"][d[f]]))
    x1 = (plon - tb.v_lon0[v]) * tb.v_kx[v]
    y1 = (plat - tb.v_lat0[v]) * 110_540.0
    x2 = (lon[f] - tb.v_lon0[v]) * tb.v_kx[v]
    y2 = (lat[f] - tb.v_lat0[v]) * 110_540.0
    # a path can reach the zone only if it is longer than the fix's distance to the zone's
    # bounding box (a lower bound of its distance to the zone)
    bb = tb.v_bbox[v]
    bf = tb.v_buffer[v]
    ox = np.maximum(np.maximum(bb[:, 0] - x2, 0.0), x2 - bb[:, 2])
    oy = np.maximum(np.maximum(bb[:, 1] - y2, 0.0), y2 - bb[:, 3])
    seg2 = (x2 - x1) ** 2 + (y2 - y1) ** 2
    reach_lb = np.maximum(np.hypot(ox, oy) - bf, 0.0)
    near = np.nonzero(np.isfinite(seg2) & (seg2 >= reach_lb * reach_lb))[0]
    if not len(near):
        return []
    f, v, plon, plat, pacc = f[near], v[near], plon[near], plat[near], pacc[near]
    x1, y1, x2, y2 = x1[near], y1[near], x2[near], y2[near]
    kinds = tb.v_kind[v]
    prev_inside = judge(engine, v, kinds, lon=plon, lat=plat, acc=pacc, pvalid=np.ones(len(v), dtype=bool))
    keep = ~prev_inside
    f, v, x1, y1, x2, y2 = f[keep], v[keep], x1[keep], y1[keep], x2[keep], y2[keep]
    reach = tb.v_radius[v] + tb.v_buffer[v]
    dx, dy = x2 - x1, y2 - y1
    l2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.clip(np.where(l2 > 0, -(x1 * dx + y1 * dy) / l2, 0.0), 0.0, 1.0)
    dist = np.hypot(x1 + u * dx, y1 + u * dy)
    circle = tb.v_circle[v]
    hit = circle & (dist <= reach)
    poly = np.nonzero(~circle)[0]
    if len(poly):
        bb = tb.v_bbox[v[poly]]
        bf = tb.v_buffer[v[poly]]
        cand = (
            (np.maximum(x1[poly], x2[poly]) >= bb[:, 0] - bf)
            & (np.minimum(x1[poly], x2[poly]) <= bb[:, 2] + bf)
            & (np.maximum(y1[poly], y2[poly]) >= bb[:, 1] - bf)
            & (np.minimum(y1[poly], y2[poly]) <= bb[:, 3] + bf)
        )
        cj = poly[cand]
        if len(cj):
            geoms = np.array([buffered(engine, int(r)) for r in v[cj]], dtype=object)
            lines = shapely.linestrings(
                np.stack([np.stack([x1[cj], x2[cj]], 1), np.stack([y1[cj], y2[cj]], 1)], axis=2)
            )
            hit[cj] = shapely.intersects(geoms, lines)
    return list(zip(f[hit].tolist(), v[hit].tolist(), strict=True))


def buffered(engine: Engine, ver: int) -> Any:
    geom = engine._lines.get(ver)
    if geom is None:
        tb = engine._t
        seg = tb.p_segments[tb.v_poly[ver]]
        ring = np.concatenate([seg[:, :2], seg[-1:, 2:]])
        polygon = shapely.Polygon(ring)
        if not polygon.is_valid:
            polygon = shapely.make_valid(polygon)
        b = float(tb.v_buffer[ver])
        geom = polygon.buffer(b) if b > 0 else polygon
        engine._lines[ver] = geom
    return geom


def victim_devices(
    engine: Engine, cond: B, at: F64, *, ev: B, ar: I64, valid: B, d: I64, t: F64, lat: F64, lon: F64, gstart: B
) -> None:
    """Two moving devices: the person's valid fix within the proximity distance of the victim
    device's latest valid position at most five minutes older (from the batch or the state)."""
    tb = engine._t
    if not len(tb.a_victim):
        return
    victim = np.where(ev, tb.a_victim[ar], -1)
    need = np.nonzero((victim >= 0) & valid)[0]
    if not len(need):
        return
    dc = engine._devs.cols
    near = np.zeros(len(t), dtype=bool)
    judged = np.zeros(len(t), dtype=bool)
    for vd in np.unique(victim[need]).tolist():
        rows = need[victim[need] == vd]
        vrows = np.nonzero((d == vd) & valid)[0]
        vt = np.concatenate([[dc["last_valid"][vd]] if np.isfinite(dc["last_valid"][vd]) else [], t[vrows]])
        vlat = np.concatenate([[dc["lat"][vd]] if np.isfinite(dc["last_valid"][vd]) else [], lat[vrows]])
        vlon = np.concatenate([[dc["lon"][vd]] if np.isfinite(dc["last_valid"][vd]) else [], lon[vrows]])
        if not len(vt):
            continue
        ordv = np.argsort(vt, kind="stable")
        vt, vlat, vlon = vt[ordv], vlat[ordv], vlon[ordv]
        k = np.searchsorted(vt, t[rows], side="right") - 1
        okk = k >= 0
        k = np.maximum(k, 0)
        kx = np.cos(np.radians(vlat[k])) * 111_320.0
        dist = np.hypot((lon[rows] - vlon[k]) * kx, (lat[rows] - vlat[k]) * 110_540.0)
        near[rows] = okk & (t[rows] - vt[k] <= VICTIM_MAX_GAP_S) & (dist < tb.a_prox[ar[rows]])
        judged[rows] = True
    carried = vx.fill(near, judged, gstart, np.zeros(len(t), dtype=bool), compiled=engine.compiled)
    new = carried & ~cond[R_VICTIM]
    cond[R_VICTIM] |= carried
    at[R_VICTIM] = np.where(new, t, at[R_VICTIM])
