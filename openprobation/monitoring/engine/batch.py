"""One batch of fixes judged (``Engine.evaluate``): sorted by (device, fix time, seq), repeats and
late fixes flagged, then for the live fixes the assignment in force, the device rules, local time,
the zones, a victim's device, the rules' transitions into alert changes, and the device columns.

The per-fix loops run in the compiled kernels (``kernels``, ``zones.compiled_zones``), or in their
NumPy reference (``reference``) when ``Engine.compiled`` is False."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from . import kernels, reference
from . import vector as vx
from .changes import apply
from .compiled import R_BATT, R_EXCL, RULES
from .schedule import offsets, seconds_of_week
from .types import FLAG_DUPLICATE, FLAG_LATE, FLAG_NO_ASSIGNMENT, AlertChange, EvaluationResult, FixBatch
from .zones import compiled_zones, victim_devices

if TYPE_CHECKING:
    from .core import Engine

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

NAN = math.nan


def evaluate(engine: Engine, batch: FixBatch, now: float) -> EvaluationResult:
    n = len(batch)
    flags_in = np.zeros(n, dtype=np.int32)
    asg_in = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return EvaluationResult([], asg_in, flags_in, np.zeros(0, dtype=np.int64))
    order = order_of(batch)
    dev_id = batch.device[order]
    t = batch.t[order]
    seq = batch.seq[order]
    d = engine._dense(dev_id)
    tb = engine._t
    dc = engine._devs.cols

    # duplicates: the same (device, seq), or (device, fix time) for messages without seq
    dup = duplicates(dev_id, t, seq)
    late = ~dup & (t <= dc["last_t"][d])
    live = ~dup & ~late

    # received: the receipt clock counts every message, late ones too
    nd = np.nonzero(~dup)[0]
    rec_nd = batch.received[order][nd]
    d_nd = d[nd]
    if len(nd):
        starts = np.nonzero(vx.group_starts(d_nd))[0]
        newest = np.fmax.reduceat(rec_nd, starts)
        dd = d_nd[starts]
        dc["last_received"][dd] = np.fmax(dc["last_received"][dd], newest)

    li = np.nonzero(live)[0]
    flags = np.zeros(n, dtype=np.int32)
    flags[dup] |= FLAG_DUPLICATE
    flags[late] |= FLAG_LATE
    arow_sorted = np.full(n, -1, dtype=np.int64)
    changes_out: list[AlertChange] = []
    # the devices of the batch (sorted by device id already), and those of the alert changes
    changed_ids = dev_id[nd][vx.group_starts(dev_id[nd])] if len(nd) else np.zeros(0, dtype=np.int64)
    if len(li):
        arow_sorted[li], lflags, changes_out = _evaluate_live(engine, batch, order, li, d)
        flags[li] |= lflags
    flags_in[order] = flags
    asg_ids = np.where(arow_sorted >= 0, tb.a_id[np.maximum(arow_sorted, 0)] if len(tb.a_id) else -1, -1)
    asg_in[order] = asg_ids
    if changes_out:
        extra = np.unique(np.fromiter((c.device_id for c in changes_out), dtype=np.int64, count=len(changes_out)))
        if len(changed_ids):  # usually devices of the batch already: no union to build
            found = changed_ids[np.minimum(np.searchsorted(changed_ids, extra), len(changed_ids) - 1)]
            extra = extra[found != extra]
        if len(extra):
            changed_ids = np.union1d(changed_ids, extra)
    changes_out.sort(key=lambda c: c.at)
    return EvaluationResult(changes_out, asg_in, flags_in, changed_ids.astype(np.int64))


def order_of(batch: FixBatch) -> I64:
    """The permutation sorting the batch by (device, fix time, seq), stable. Fast path: a stable
    sort by device alone (quick on the runs a receiver's batch is made of) is the answer when
    each device's messages then follow in (time, seq) order — the usual case."""
    order = np.argsort(batch.device, kind="stable")
    dev = batch.device[order]
    t = batch.t[order]
    seq = batch.seq[order]
    same = dev[1:] == dev[:-1]
    t1, t0 = t[1:], t[:-1]
    ok = ~same | (t1 > t0) | ((t1 == t0) & (seq[1:] >= seq[:-1]))
    if ok.all() and not np.isnan(t).any():
        return order.astype(np.int64)
    return np.lexsort((batch.seq, batch.t, batch.device))


def duplicates(dev_id: I64, t: F64, seq: I64) -> B:
    """Repeats in a batch sorted by (device, time, seq): the same (device, seq), or the same
    (device, fix time) for messages without seq; the first stays. Fast path: when every message
    has a seq and the seqs rise strictly within each device (the usual case), there is none."""
    n = len(dev_id)
    same_dev = dev_id[1:] == dev_id[:-1]
    if n and seq.min() >= 0 and not (same_dev & (seq[1:] <= seq[:-1])).any():
        return np.zeros(n, dtype=bool)
    no_seq = seq < 0
    key2 = np.where(no_seq, t.view(np.int64), seq)
    o2 = np.lexsort((np.arange(n), key2, no_seq, dev_id))
    same = (dev_id[o2][1:] == dev_id[o2][:-1]) & (no_seq[o2][1:] == no_seq[o2][:-1]) & (key2[o2][1:] == key2[o2][:-1])
    dup = np.zeros(n, dtype=bool)
    dup[o2[1:][same]] = True
    return dup


def _evaluate_live(  # noqa: PLR0915
    engine: Engine, batch: FixBatch, order: I64, li: I64, d_sorted: I64
) -> tuple[I64, NDArray[np.int32], list[AlertChange]]:
    p = engine.params
    tb = engine._t
    dc = engine._devs.cols
    fast = engine.compiled
    src = order[li]
    d = d_sorted[li]
    t = batch.t[src]
    rec = batch.received[src]
    lat = batch.lat[src]
    lon = batch.lon[src]
    acc_raw = batch.accuracy[src].astype(np.float64)
    acc = np.where(np.isfinite(acc_raw), acc_raw, 0.0)
    battery = batch.battery[src]
    strap = batch.strap[src]
    fixq = batch.fix[src]
    charging = batch.charging[src]
    m = len(src)
    gstart = vx.group_starts(d)
    valid = (fixq == 0) & np.isfinite(lat) & np.isfinite(lon) & (acc <= p.max_accuracy_m)

    # assignment in force at each fix
    arow = np.full(m, -1, dtype=np.int64)
    if tb.max_asg:
        cnt = tb.dev_count[d]
        first = tb.dev_first[d]
        for k in range(tb.max_asg):
            sel = np.nonzero(cnt > k)[0]
            if not len(sel):
                break
            rows = tb.a_order[first[sel] + k]
            ok = (tb.a_start[rows] <= t[sel]) & (t[sel] < tb.a_end[rows])
            arow[sel[ok]] = rows[ok]
    ev = arow >= 0
    ar = np.maximum(arow, 0)
    lflags = np.where(ev, 0, FLAG_NO_ASSIGNMENT).astype(np.int32)

    cond = np.zeros((len(RULES), m), dtype=bool)
    at = np.full((len(RULES), m), NAN)

    # the device rules, and per fix its latest valid fix
    batt_open = engine._open_m[ar, R_BATT] if len(engine._open_m) else np.zeros(m, bool)
    floor = tb.a_start[ar] if len(tb.a_start) else t
    _vidx, last_valid_t = (kernels.device_rules if fast else reference.device_rules)(
        d,
        gstart,
        t,
        valid,
        strap,
        battery,
        charging,
        ev,
        batt_open,
        floor,
        dc["last_valid"],
        dc["strap"],
        int(p.low_battery_pct),
        int(p.battery_clear_pct),
        float(p.no_fix_s),
        cond,
        at,
    )

    # local time
    sow = np.zeros(m)
    if ev.any() and tb.tzs:
        tzr = np.where(ev, tb.a_tz[ar], -1)
        for z, name in enumerate(tb.tzs):
            sel = np.nonzero(tzr == z)[0]
            if len(sel):
                sow[sel] = seconds_of_week(t[sel], offsets(name, t[sel]))

    until = np.full(m, np.inf)  # end of the curfew window in force (for its close)
    resp_zone = np.full((len(RULES), m), -1, dtype=np.int64)  # version row behind a zone rule
    detail_nofix = np.zeros(m, dtype=bool)
    crossing_events: list[tuple[int, int]] = []  # (fix, version)

    # ---- zones --------------------------------------------------------------------------------
    if tb.max_slots and ev.any():
        crossing_events = (compiled_zones if fast else reference.zones)(
            engine,
            ev=ev,
            arow=arow,
            t=t,
            sow=sow,
            lon=lon,
            lat=lat,
            acc=acc,
            valid=valid,
            last_valid_t=last_valid_t,
            gstart=gstart,
            d=d,
            out=(lflags, cond, at, resp_zone, detail_nofix, until),
        )
    victim_devices(engine, cond, at, ev=ev, ar=ar, valid=valid, d=d, t=t, lat=lat, lon=lon, gstart=gstart)

    # ---- transitions into alert changes -------------------------------------------------------
    changes: list[tuple[int, int, str]] = []
    if ev.any() and len(engine._open_m):
        g2 = vx.group_starts(d, arow)
        rules_on = tb.a_rules[ar].T
        init = engine._open_m[ar].T
        if fast:
            fi, ri, act = kernels.transitions(cond, ev, np.ascontiguousarray(rules_on), np.ascontiguousarray(init), g2)
            changes = [
                (i, r, "open" if a > 0 else "close")
                for i, r, a in zip(fi.tolist(), ri.tolist(), act.tolist(), strict=True)
            ]
        else:
            for r in range(len(RULES)):
                c = cond[r] & ev & rules_on[r]
                prev = vx.previous(c, g2, init[r] & ev)
                for i in np.nonzero(ev & c & ~prev)[0].tolist():
                    changes.append((i, r, "open"))
                for i in np.nonzero(ev & ~c & prev)[0].tolist():
                    changes.append((i, r, "close"))
        rows_on = tb.a_rules[ar, R_EXCL]
        for i, _ver in crossing_events:
            if ev[i] and rows_on[i] and not cond[R_EXCL, i]:
                changes.append((i, R_EXCL, "cross"))
        changes.sort()
    out = apply(
        engine,
        changes,
        d=d,
        ar=ar,
        t=t,
        rec=rec,
        lat=lat,
        lon=lon,
        at=at,
        resp_zone=resp_zone,
        detail_nofix=detail_nofix,
        until=until,
        crossings=crossing_events,
    )

    # ---- device state -------------------------------------------------------------------------
    (kernels.device_state if fast else reference.device_state)(
        d,
        t,
        valid,
        fixq,
        lat,
        lon,
        acc_raw,
        battery,
        strap,
        charging,
        batch.channel[src],
        dc["last_t"],
        dc["last_fix"],
        dc["last_valid"],
        dc["lat"],
        dc["lon"],
        dc["accuracy"],
        dc["battery"],
        dc["strap"],
        dc["charging"],
        dc["connected"],
    )
    return arow, lflags, out
