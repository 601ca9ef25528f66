"""Kernels judging positions against zone shapes: inside or outside each (fix, zone version) pair
(circle, or polygon raster with the exact distance only where the raster leaves it open), and the
straight paths between sparse fixes that may cross an exclusion zone.

``crossing_paths`` calls ``judge``: they live in one file, since Numba's disk cache notices a change
of the file a kernel is defined in, not of the kernels it calls."""

from __future__ import annotations

import numpy as np
from numba import njit

from ..geometry import EDGE_EPS_M, GRID
from ._common import F64, HOME, I64, OPTS, B

SETTLE_M = 1e-3  # a decision this far from its threshold needs no exact distance


@njit(**OPTS)
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


@njit(**OPTS)
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
        lenient = kind[j] <= HOME
        thr = acc[j] if lenient else -acc[j]
        b = v_buffer[v]
        if v_circle[v]:
            # settled by the squared distance unless within a millimetre of the decision (far
            # beyond rounding: the same answer as the exact path, without a square root)
            d2 = x * x + y * y
            near = v_radius[v] + b + thr - SETTLE_M
            far = v_radius[v] + b + thr + SETTLE_M
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
        elif max(ox, oy) - b > thr + SETTLE_M:
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


@njit(**OPTS)
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
