"""The rules engine: a stateful object whose per-batch work is a pure vectorised function of the
batch, the compiled assignments and the per-device state. See the package docstring for the
semantics; this module implements them.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import clock, kernels, state
from . import vector as vx
from .changes import apply
from .compiled import (
    EXCLUSION,
    HOME,
    INCLUSION,
    R_BATT,
    R_CURFEW,
    R_EXCL,
    R_LOST,
    R_NOFIX,
    R_STRAP,
    RULE_INDEX,
    RULES,
    WEEK_MIN,
    ZONE_RULE,
    GeometryKey,
    PolygonCache,
    Tables,
    build,
)
from .geometry import CompiledShape
from .schedule import offsets, seconds_of_week
from .state import DEVICE_COLUMNS, ZONE_COLUMNS, Grow
from .types import (
    FLAG_DUPLICATE,
    FLAG_IN_CURFEW,
    FLAG_INSIDE_EXCLUSION,
    FLAG_LATE,
    FLAG_NO_ASSIGNMENT,
    FLAG_OUTSIDE_HOME,
    FLAG_OUTSIDE_INCLUSION,
    AlertChange,
    AssignmentSpec,
    EvaluationResult,
    FixBatch,
    Params,
)
from .zones import compiled_zones, crossings, debounce, judge, victim_devices

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

NAN = math.nan


class Engine:
    """Judges batches of fixes against the assignments' rules, keeping per-device state.

    Helpers for the evaluator: ``assignment_at(device_id, t)``, ``devices()``, ``open_alerts(device_id)``,
    ``rejected_versions`` (zone versions whose stored geometry cannot be judged, by version id, with
    the reason's code; the engine skips them rather than stopping).
    """

    # the per-fix loops in compiled code (``kernels``); False: the NumPy reference, same results
    compiled: bool = True

    def __init__(self, params: Params, assignments: Iterable[AssignmentSpec] = ()) -> None:
        self.params = params
        self._specs: dict[int, AssignmentSpec] = {}
        self._dev_index: dict[int, int] = {}
        self._dev_ids: list[int] = []
        self._dev_sorted_ids = np.zeros(0, dtype=np.int64)
        self._dev_sorted_idx = np.zeros(0, dtype=np.int64)
        self._dev_dirty = False
        self._devs = Grow(DEVICE_COLUMNS)
        self._zs_index: dict[tuple[int, int], int] = {}
        self._zs_of_device: dict[int, dict[int, int]] = {}
        self._zones = Grow(ZONE_COLUMNS)
        self._open: dict[int, dict[tuple[int, str], dict[str, Any]]] = {}  # device → (assignment, rule) → info
        self._cache: dict[int, PolygonCache | CompiledShape] = {}
        self._by_geometry: dict[GeometryKey, PolygonCache | CompiledShape] = {}
        self.rejected_versions: dict[int, str] = {}  # zone version id → why it is not judged
        self._lines: dict[int, Any] = {}  # version row → buffered shapely polygon (path crossing)
        self._t: Tables = self._compile()
        self._open_m = np.zeros((0, len(RULES)), dtype=bool)
        self.update_assignments(assignments)

    # ---- assignments and parameters -------------------------------------------------------
    def update_assignments(self, specs: Iterable[AssignmentSpec], removed: Iterable[int] = ()) -> None:
        for spec in specs:
            self._specs[spec.assignment_id] = spec
        for assignment_id in removed:
            if assignment_id in self._specs:
                spec = self._specs.pop(assignment_id)
                alerts = self._open.get(spec.device_id, {})
                for key in [k for k in alerts if k[0] == assignment_id]:
                    del alerts[key]
        self._t = self._compile()

    def set_params(self, params: Params) -> None:
        self.params = params
        self._cache.clear()  # victim zones depend on the proximity distance
        self._by_geometry.clear()
        self._t = self._compile()

    def _compile(self) -> Tables:
        # the compile makes many small objects and frees none of them in cycles: the cyclic garbage
        # collector, which would scan every live object again and again meanwhile, waits
        collecting = gc.isenabled()
        gc.disable()
        try:
            tables = build(
                specs=self._specs,
                params=self.params,
                device_index=self._device,
                zone_state_row=self._zone_state,
                n_devices=lambda: len(self._dev_ids),
                cache=self._cache,
                by_geometry=self._by_geometry,
                rejected=self.rejected_versions,
            )
        finally:
            if collecting:
                gc.enable()
        self._lines = {}
        self._t = tables
        self._rebuild_open_matrix()
        return tables

    def _rebuild_open_matrix(self) -> None:
        t = getattr(self, "_t", None)
        if t is None:
            return
        row_of = {int(a): i for i, a in enumerate(t.a_id)}
        m = np.zeros((len(t.a_id), len(RULES)), dtype=bool)
        for alerts in self._open.values():
            for assignment_id, rule in alerts:
                row = row_of.get(assignment_id)
                if row is not None:
                    m[row, RULE_INDEX[rule]] = True
        self._open_m = m

    def _device(self, device_id: int) -> int:
        idx = self._dev_index.get(device_id)
        if idx is None:
            idx = self._devs.add(1)
            self._dev_index[device_id] = idx
            self._dev_ids.append(device_id)
            self._dev_dirty = True
        return idx

    def _sort_devices(self) -> None:
        if self._dev_dirty:
            ids = np.array(self._dev_ids, dtype=np.int64)
            order = np.argsort(ids, kind="stable")
            self._dev_sorted_ids = ids[order]
            self._dev_sorted_idx = order.astype(np.int64)
            self._dev_dirty = False

    def _zone_state(self, device_id: int, zone_id: int) -> int:
        key = (device_id, zone_id)
        row = self._zs_index.get(key)
        if row is None:
            row = self._zones.add(1)
            self._zs_index[key] = row
            self._zs_of_device.setdefault(device_id, {})[zone_id] = row
        return row

    def _dense(self, device_ids: I64) -> I64:
        self._sort_devices()
        known = self._dev_sorted_ids
        pos = np.minimum(np.searchsorted(known, device_ids), max(len(known) - 1, 0))
        unknown = (known[pos] != device_ids) if len(known) else np.ones(len(device_ids), dtype=bool)
        if unknown.any():
            for device_id in np.unique(device_ids[unknown]).tolist():
                self._device(int(device_id))
            self._grow_tables()
            self._sort_devices()
            pos = np.searchsorted(self._dev_sorted_ids, device_ids)
        return self._dev_sorted_idx[pos]

    def _grow_tables(self) -> None:
        n = len(self._dev_ids)
        t = self._t
        if len(t.dev_first) < n:
            extra = n - len(t.dev_first)
            t.dev_first = np.concatenate([t.dev_first, np.zeros(extra, np.int64)])
            t.dev_count = np.concatenate([t.dev_count, np.zeros(extra, np.int64)])

    def assignment_at(self, device_id: int, at: float) -> int | None:
        """The assignment of the device in force at ``at``, or None."""
        found = None
        for spec in self._specs.values():
            if spec.device_id == device_id and spec.installed_at <= at < spec.removed_at:
                found = spec.assignment_id
        return found

    def devices(self) -> list[int]:
        """Every device the engine knows (by an assignment or a message)."""
        return list(self._dev_ids)

    def open_alerts(self, device_id: int) -> dict[tuple[int, str], dict[str, Any]]:
        """The open alerts of a device: (assignment_id, rule) → {"at", "zone_id", ...}."""
        return {k: dict(v) for k, v in self._open.get(device_id, {}).items()}

    # ---- state ------------------------------------------------------------------------------
    def export_state(self, device_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The state of these devices as JSON-ready dicts (see ``state``)."""
        return state.export_state(self, device_ids)

    def load_state(self, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        """Restore devices' state from ``export_state`` dicts, then recompile."""
        state.load_state(self, rows)

    # ---- the clock ------------------------------------------------------------------------------
    def tick(self, now: float) -> list[AlertChange]:
        """Clock rules for every known assignment (see ``clock``)."""
        return clock.tick(self, now)

    # ---- per-batch evaluation -------------------------------------------------------------
    def evaluate(self, batch: FixBatch, now: float) -> EvaluationResult:  # noqa: C901
        n = len(batch)
        flags_in = np.zeros(n, dtype=np.int32)
        asg_in = np.full(n, -1, dtype=np.int64)
        if n == 0:
            return EvaluationResult([], asg_in, flags_in, np.zeros(0, dtype=np.int64))
        order = self._order(batch)
        dev_id = batch.device[order]
        t = batch.t[order]
        seq = batch.seq[order]
        d = self._dense(dev_id)
        tb = self._t
        dc = self._devs.cols

        # duplicates: the same (device, seq), or (device, fix time) for messages without seq
        dup = self._duplicates(dev_id, t, seq)
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
            arow_sorted[li], lflags, changes_out = self._evaluate_live(batch, order, li, d, now)
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

    @staticmethod
    def _order(batch: FixBatch) -> I64:
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

    @staticmethod
    def _duplicates(dev_id: I64, t: F64, seq: I64) -> B:
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
        same = (
            (dev_id[o2][1:] == dev_id[o2][:-1]) & (no_seq[o2][1:] == no_seq[o2][:-1]) & (key2[o2][1:] == key2[o2][:-1])
        )
        dup = np.zeros(n, dtype=bool)
        dup[o2[1:][same]] = True
        return dup

    def _evaluate_live(  # noqa: C901
        self, batch: FixBatch, order: I64, li: I64, d_sorted: I64, now: float
    ) -> tuple[I64, NDArray[np.int32], list[AlertChange]]:
        p = self.params
        tb = self._t
        dc = self._devs.cols
        fast = self.compiled
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
        gend = vx.group_ends(gstart)
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

        # per-fix carried values (and, compiled, the device rules at once)
        if fast:
            batt_open = self._open_m[ar, R_BATT] if len(self._open_m) else np.zeros(m, bool)
            floor = tb.a_start[ar] if len(tb.a_start) else t
            vidx, last_valid_t = kernels.device_rules(
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
        else:
            vidx = vx.last_index(valid, gstart)
            last_valid_t = np.where(vidx >= 0, t[np.maximum(vidx, 0)], dc["last_valid"][d])
            strap_now = vx.fill(strap, strap >= 0, gstart, dc["strap"][d])

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

        # ---- zones ----------------------------------------------------------------------------
        if tb.max_slots and ev.any() and fast:
            crossing_events = compiled_zones(
                self,
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
        elif tb.max_slots and ev.any():
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
            pf = np.concatenate(pf_parts)
            ps = np.concatenate(ps_parts)
            pv = np.concatenate(pv_parts)
            kind = tb.v_kind[pv]
            pvalid = valid[pf]
            inside = judge(self, pv, kind, lon=lon[pf], lat=lat[pf], acc=acc[pf], pvalid=pvalid)

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
                        (tb.e_start[e] <= th[sel])
                        & (th[sel] < tb.e_end[e])
                        & ((tb.e_zone[e] < 0) | (tb.e_zone[e] == zh[sel]))
                    )
                    excepted[hsel[sel[hit]]] = True
            lflags[pf[(kind == HOME) & haswin & in_win & ~excepted]] |= FLAG_IN_CURFEW

            conf, since = debounce(self, ps, pf, t=t, inside=inside, pvalid=pvalid)

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
                crossing_events = crossings(
                    self, xsel=xsel, pf=pf, pv=pv, valid=valid, gstart=gstart, lon=lon, lat=lat, acc=acc, d=d
                )

        # ---- device rules -----------------------------------------------------------------------
        if not fast:  # compiled: in kernels.device_rules above
            cond[R_STRAP] = (strap_now == 1) | (strap_now == 2)  # noqa: PLR2004
            at[R_STRAP] = t
            low = (battery >= 0) & (battery < p.low_battery_pct) & (charging != 1)
            clear = ((battery >= 0) & (battery >= p.battery_clear_pct)) | (charging == 1)
            signal = np.where(low, 1, np.where(clear, 0, -1))
            batt_init = self._open_m[ar, R_BATT] if len(self._open_m) else np.zeros(m, bool)
            cond[R_BATT] = vx.fill(signal == 1, signal >= 0, gstart, batt_init & ev)
            at[R_BATT] = t
            nofix_base = np.fmax(last_valid_t, tb.a_start[ar] if len(tb.a_start) else t)
            cond[R_NOFIX] = t - nofix_base >= p.no_fix_s
            at[R_NOFIX] = nofix_base + p.no_fix_s
            # lost communication clears on any message (opened by the clock)
            at[R_LOST] = t
        victim_devices(self, cond, at, ev=ev, ar=ar, valid=valid, d=d, t=t, lat=lat, lon=lon, gstart=gstart)

        # ---- transitions into alert changes ---------------------------------------------------
        changes: list[tuple[int, int, str]] = []
        if ev.any() and len(self._open_m):
            g2 = vx.group_starts(d, arow)
            rules_on = tb.a_rules[ar].T
            init = self._open_m[ar].T
            if fast:
                fi, ri, act = kernels.transitions(
                    cond, ev, np.ascontiguousarray(rules_on), np.ascontiguousarray(init), g2
                )
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
            self,
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

        # ---- device state ---------------------------------------------------------------------------
        if fast:
            kernels.device_state(
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
        last = np.nonzero(gend)[0]
        dl = d[last]
        dc["last_t"][dl] = t[last]
        fidx = vx.last_index(fixq != 1, gstart)[last]
        has = fidx >= 0
        dc["last_fix"][dl[has]] = t[fidx[has]]
        vlast = vidx[last]
        has = vlast >= 0
        dc["last_valid"][dl[has]] = t[vlast[has]]
        dc["lat"][dl[has]] = lat[vlast[has]]
        dc["lon"][dl[has]] = lon[vlast[has]]
        dc["accuracy"][dl[has]] = acc_raw[vlast[has]]
        for name, values in (("battery", battery), ("strap", strap), ("charging", charging)):
            bidx = vx.last_index(values >= 0, gstart)[last]
            has = bidx >= 0
            dc[name][dl[has]] = values[bidx[has]]
        mqtt = batch.channel[src] == 3  # noqa: PLR2004
        if mqtt.any():
            dc["connected"][d[mqtt]] = 1
        return arow, lflags, out

    def device_event(self, device_id: int, kind: str, at: float) -> list[AlertChange]:
        """ "disconnected" (the MQTT last will): lost communication opens at once for the assignment
        in force; "connected": it clears."""
        i = self._device(device_id)
        self._grow_tables()
        self._devs.cols["connected"][i] = 1 if kind == "connected" else 0
        assignment_id = self.assignment_at(device_id, at)
        if assignment_id is None:
            return []
        tb = self._t
        row = int(np.nonzero(tb.a_id == assignment_id)[0][0])
        if not tb.a_rules[row, R_LOST]:
            return []
        alerts = self._open.setdefault(device_id, {})
        key = (assignment_id, "lost_communication")
        if kind == "disconnected" and key not in alerts:
            alerts[key] = {"at": at, "zone_id": None, "version_id": None}
            self._open_m[row, R_LOST] = True
            details = {"severity": self.params.severity.get("lost_communication", "medium"), "reason": "disconnected"}
            return [AlertChange(assignment_id, device_id, "lost_communication", "open", at, None, details=details)]
        if kind == "connected" and key in alerts:
            del alerts[key]
            self._open_m[row, R_LOST] = False
            return [AlertChange(assignment_id, device_id, "lost_communication", "close", at, None)]
        return []
