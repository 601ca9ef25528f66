"""The rules engine: a stateful object whose per-batch work is a pure vectorised function of the
batch, the compiled assignments and the per-device state. See the package docstring for the
semantics; this module implements them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped]
from numpy.typing import NDArray

from . import vector as vx
from .compiled import EXCLUSION, HOME, INCLUSION, RULE_INDEX, RULES, VICTIM, WEEK_MIN, PolygonCache, Tables, build
from .geometry import EDGE_EPS_M, GRID, CompiledShape, polygon_signed_distance
from .schedule import offsets, seconds_of_week
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

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

R_INCL = RULE_INDEX["inclusion_exit"]
R_EXCL = RULE_INDEX["exclusion_entry"]
R_CURFEW = RULE_INDEX["curfew"]
R_STRAP = RULE_INDEX["strap"]
R_BATT = RULE_INDEX["low_battery"]
R_LOST = RULE_INDEX["lost_communication"]
R_NOFIX = RULE_INDEX["no_fix"]
R_VICTIM = RULE_INDEX["victim_proximity"]
ZONE_RULE = {INCLUSION: R_INCL, HOME: R_CURFEW, EXCLUSION: R_EXCL, VICTIM: R_VICTIM}
VICTIM_MAX_GAP_S = 300.0
NAN = math.nan


def _opt(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


class _Grow:
    """Columns indexed by a dense row number, grown by doubling."""

    def __init__(self, columns: Mapping[str, tuple[Any, Any]]) -> None:
        self.spec = dict(columns)
        self.size = 0
        self.cols: dict[str, NDArray[Any]] = {k: np.full(16, fill, dtype=dt) for k, (dt, fill) in columns.items()}

    def add(self, count: int) -> int:
        first = self.size
        self.size += count
        capacity = len(next(iter(self.cols.values())))
        if self.size > capacity:
            new = max(self.size, capacity * 2)
            for name, (dt, fill) in self.spec.items():
                grown = np.full(new, fill, dtype=dt)
                grown[:capacity] = self.cols[name]
                self.cols[name] = grown
        return first


DEVICE_COLUMNS: dict[str, tuple[Any, Any]] = {
    "last_t": (np.float64, -np.inf),  # fix time of the newest evaluated message
    "last_received": (np.float64, NAN),
    "last_fix": (np.float64, NAN),
    "last_valid": (np.float64, NAN),
    "lat": (np.float64, NAN),
    "lon": (np.float64, NAN),
    "accuracy": (np.float64, NAN),
    "battery": (np.int16, -1),
    "strap": (np.int8, -1),
    "charging": (np.int8, -1),
    "connected": (np.int8, -1),
}
ZONE_COLUMNS: dict[str, tuple[Any, Any]] = {
    "conf": (np.int8, -1),  # confirmed side: 1 inside, 0 outside, -1 not yet known
    "since": (np.float64, NAN),  # when the confirmed side was confirmed
    "run_side": (np.int8, -1),  # the trailing run of raw judgements
    "run_n": (np.int64, 0),
    "run_first": (np.float64, NAN),
}


class Engine:
    """Judges batches of fixes against the assignments' rules, keeping per-device state.

    Helpers for the evaluator: ``assignment_at(device_id, t)``, ``devices()``, ``open_alerts(device_id)``,
    ``rejected_versions`` (zone versions whose stored geometry cannot be judged, by version id, with
    the reason's code; the engine skips them rather than stopping).
    """

    def __init__(self, params: Params, assignments: Iterable[AssignmentSpec] = ()) -> None:
        self.params = params
        self._specs: dict[int, AssignmentSpec] = {}
        self._dev_index: dict[int, int] = {}
        self._dev_ids: list[int] = []
        self._dev_sorted_ids = np.zeros(0, dtype=np.int64)
        self._dev_sorted_idx = np.zeros(0, dtype=np.int64)
        self._dev_dirty = False
        self._devs = _Grow(DEVICE_COLUMNS)
        self._zs_index: dict[tuple[int, int], int] = {}
        self._zs_of_device: dict[int, dict[int, int]] = {}
        self._zones = _Grow(ZONE_COLUMNS)
        self._open: dict[int, dict[tuple[int, str], dict[str, Any]]] = {}  # device → (assignment, rule) → info
        self._cache: dict[int, PolygonCache | CompiledShape] = {}
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
        self._t = self._compile()

    def _compile(self) -> Tables:
        tables = build(
            specs=self._specs,
            params=self.params,
            device_index=self._device,
            zone_state_row=self._zone_state,
            n_devices=lambda: len(self._dev_ids),
            cache=self._cache,
            rejected=self.rejected_versions,
        )
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
        """The state of these devices as JSON-ready dicts (NaN as None); columns are converted to
        Python values once for all the devices asked, not value by value."""
        ids = [int(x) for x in device_ids]
        known = [(device_id, self._dev_index[device_id]) for device_id in ids if device_id in self._dev_index]
        if not known:
            return {}
        rows = np.array([i for _, i in known], dtype=np.int64)
        d = self._devs.cols

        def nan_none(values: list[Any]) -> list[Any]:
            return [None if isinstance(x, float) and math.isnan(x) else x for x in values]

        last_t = nan_none(np.where(np.isfinite(d["last_t"][rows]), d["last_t"][rows], np.nan).tolist())
        cols = {
            name: nan_none(d[name][rows].tolist())
            for name in ("last_received", "last_fix", "last_valid", "lat", "lon", "accuracy")
        }
        small = {name: d[name][rows].tolist() for name in ("battery", "strap", "charging", "connected")}
        z = self._zones.cols
        out: dict[int, dict[str, Any]] = {}
        for j, (device_id, _i) in enumerate(known):
            zone_rows = self._zs_of_device.get(device_id, {})
            zones: dict[str, list[Any]] = {}
            if zone_rows:
                zr = np.fromiter(zone_rows.values(), dtype=np.int64, count=len(zone_rows))
                conf = z["conf"][zr].tolist()
                since = nan_none(z["since"][zr].tolist())
                run_side = z["run_side"][zr].tolist()
                run_n = z["run_n"][zr].tolist()
                run_first = nan_none(z["run_first"][zr].tolist())
                for k, zone_id in enumerate(zone_rows):
                    if run_side[k] >= 0 or conf[k] >= 0:
                        zones[str(zone_id)] = [conf[k], since[k], run_side[k], run_n[k], run_first[k]]
            alerts: dict[str, dict[str, Any]] = {}
            for (assignment_id, rule), info in self._open.get(device_id, {}).items():
                alerts.setdefault(str(assignment_id), {})[rule] = dict(info)
            battery, strap = small["battery"][j], small["strap"][j]
            charging, connected = small["charging"][j], small["connected"][j]
            out[device_id] = {
                "last_message": last_t[j],
                "last_received": cols["last_received"][j],
                "last_fix": cols["last_fix"][j],
                "last_valid_fix": cols["last_valid"][j],
                "lat": cols["lat"][j],
                "lon": cols["lon"][j],
                "accuracy": cols["accuracy"][j],
                "battery": None if battery < 0 else battery,
                "strap": None if strap < 0 else strap,
                "charging": None if charging < 0 else bool(charging),
                "connected": None if connected < 0 else bool(connected),
                "zones": zones,
                "alerts": alerts,
            }
        return out

    def load_state(self, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
        d = self._devs.cols
        for device_id, state in rows:
            i = self._device(int(device_id))
            d = self._devs.cols

            def num(key: str, default: float = NAN, st: Mapping[str, Any] = state) -> float:
                value = st.get(key)
                return default if value is None else float(value)

            d["last_t"][i] = num("last_message", -math.inf)
            d["last_received"][i] = num("last_received")
            d["last_fix"][i] = num("last_fix")
            d["last_valid"][i] = num("last_valid_fix")
            d["lat"][i] = num("lat")
            d["lon"][i] = num("lon")
            d["accuracy"][i] = num("accuracy")
            d["battery"][i] = int(num("battery", -1))
            d["strap"][i] = int(num("strap", -1))
            charging = state.get("charging")
            d["charging"][i] = -1 if charging is None else int(bool(charging))
            connected = state.get("connected")
            d["connected"][i] = -1 if connected is None else int(bool(connected))
            for zone_id, values in (state.get("zones") or {}).items():
                r = self._zone_state(int(device_id), int(zone_id))
                z = self._zones.cols
                conf, since, run_side, run_n, run_first = values
                z["conf"][r] = conf
                z["since"][r] = NAN if since is None else since
                z["run_side"][r] = run_side
                z["run_n"][r] = run_n
                z["run_first"][r] = NAN if run_first is None else run_first
            alerts = self._open.setdefault(int(device_id), {})
            alerts.clear()
            for assignment_id, rules in (state.get("alerts") or {}).items():
                for rule, info in rules.items():
                    alerts[(int(assignment_id), rule)] = dict(info)
        self._t = self._compile()

    # ---- per-batch evaluation -------------------------------------------------------------
    def evaluate(self, batch: FixBatch, now: float) -> EvaluationResult:  # noqa: C901
        n = len(batch)
        flags_in = np.zeros(n, dtype=np.int32)
        asg_in = np.full(n, -1, dtype=np.int64)
        if n == 0:
            return EvaluationResult([], asg_in, flags_in, np.zeros(0, dtype=np.int64))
        order = np.lexsort((batch.seq, batch.t, batch.device))
        dev_id = batch.device[order]
        t = batch.t[order]
        seq = batch.seq[order]
        d = self._dense(dev_id)
        tb = self._t
        dc = self._devs.cols

        # duplicates: the same (device, seq), or (device, fix time) for messages without seq
        no_seq = seq < 0
        key2 = np.where(no_seq, t.view(np.int64), seq)
        o2 = np.lexsort((np.arange(n), key2, no_seq, dev_id))
        same = (
            (dev_id[o2][1:] == dev_id[o2][:-1]) & (no_seq[o2][1:] == no_seq[o2][:-1]) & (key2[o2][1:] == key2[o2][:-1])
        )
        dup = np.zeros(n, dtype=bool)
        dup[o2[1:][same]] = True
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
        changed: set[int] = set(np.unique(dev_id[nd]).tolist())
        if len(li):
            arow_sorted[li], lflags, changes_out = self._evaluate_live(batch, order, li, d, now)
            flags[li] |= lflags
        flags_in[order] = flags
        asg_ids = np.where(arow_sorted >= 0, tb.a_id[np.maximum(arow_sorted, 0)] if len(tb.a_id) else -1, -1)
        asg_in[order] = asg_ids
        for change in changes_out:
            changed.add(change.device_id)
        changes_out.sort(key=lambda c: c.at)
        return EvaluationResult(changes_out, asg_in, flags_in, np.array(sorted(changed), dtype=np.int64))

    def _evaluate_live(  # noqa: C901
        self, batch: FixBatch, order: I64, li: I64, d_sorted: I64, now: float
    ) -> tuple[I64, NDArray[np.int32], list[AlertChange]]:
        p = self.params
        tb = self._t
        dc = self._devs.cols
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

        # per-fix carried values
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

        cond = np.zeros((len(RULES), m), dtype=bool)
        at = np.full((len(RULES), m), NAN)
        until = np.full(m, np.inf)  # end of the curfew window in force (for its close)
        resp_zone = np.full((len(RULES), m), -1, dtype=np.int64)  # version row behind a zone rule
        detail_nofix = np.zeros(m, dtype=bool)
        crossing_events: list[tuple[int, int]] = []  # (fix, version)

        # ---- zones ----------------------------------------------------------------------------
        if tb.max_slots and ev.any():
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
            inside = self._judge(pv, kind, lon=lon[pf], lat=lat[pf], acc=acc[pf], pvalid=pvalid)

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

            conf, since = self._debounce(ps, pf, t, inside, pvalid)

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
                crossing_events = self._crossings(
                    xsel=xsel, pf=pf, pv=pv, valid=valid, gstart=gstart, lon=lon, lat=lat, acc=acc, d=d
                )

        # ---- device rules -----------------------------------------------------------------------
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
        self._victim_devices(cond, at, ev=ev, ar=ar, valid=valid, d=d, t=t, lat=lat, lon=lon, gstart=gstart)

        # ---- transitions into alert changes ---------------------------------------------------
        changes: list[tuple[int, int, str]] = []
        if ev.any() and len(self._open_m):
            g2 = vx.group_starts(d, arow)
            rules_on = tb.a_rules[ar].T
            init = self._open_m[ar].T
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
        out = self._apply(
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

    def _judge(self, pv: I64, kind: I64, *, lon: F64, lat: F64, acc: F64, pvalid: B) -> B:
        """Inside (True) or outside of each (fix, version) pair by the kind's rule: inclusion and
        home zones — outside only when farther than the accuracy outside the buffered zone;
        exclusion and victim zones — inside only when inside by at least the accuracy. The edge is
        inside."""
        tb = self._t
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

    def _debounce(self, ps: I64, pf: I64, t: F64, inside: B, pvalid: B) -> tuple[NDArray[np.int8], F64]:
        """Confirmed side (1 in, 0 out, -1 unknown) and since when, for each pair (sorted by slot,
        then time); the zone state is updated with the end of each slot's sequence."""
        p = self.params
        tb = self._t
        z = self._zones.cols
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

    def _crossings(
        self,
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
        tb = self._t
        dc = self._devs.cols
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
        prev_inside = self._judge(v, kinds, lon=plon, lat=plat, acc=pacc, pvalid=np.ones(len(v), dtype=bool))
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
                geoms = np.array([self._buffered(int(r)) for r in v[cj]], dtype=object)
                lines = shapely.linestrings(
                    np.stack([np.stack([x1[cj], x2[cj]], 1), np.stack([y1[cj], y2[cj]], 1)], axis=2)
                )
                hit[cj] = shapely.intersects(geoms, lines)
        return list(zip(f[hit].tolist(), v[hit].tolist(), strict=True))

    def _buffered(self, ver: int) -> Any:
        geom = self._lines.get(ver)
        if geom is None:
            tb = self._t
            seg = tb.p_segments[tb.v_poly[ver]]
            ring = np.concatenate([seg[:, :2], seg[-1:, 2:]])
            polygon = shapely.Polygon(ring)
            if not polygon.is_valid:
                polygon = shapely.make_valid(polygon)
            b = float(tb.v_buffer[ver])
            geom = polygon.buffer(b) if b > 0 else polygon
            self._lines[ver] = geom
        return geom

    def _victim_devices(
        self, cond: B, at: F64, *, ev: B, ar: I64, valid: B, d: I64, t: F64, lat: F64, lon: F64, gstart: B
    ) -> None:
        """Two moving devices: the person's valid fix within the proximity distance of the victim
        device's latest valid position at most five minutes older (from the batch or the state)."""
        tb = self._t
        if not len(tb.a_victim):
            return
        victim = np.where(ev, tb.a_victim[ar], -1)
        need = np.nonzero((victim >= 0) & valid)[0]
        if not len(need):
            return
        dc = self._devs.cols
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
        carried = vx.fill(near, judged, gstart, np.zeros(len(t), dtype=bool))
        new = carried & ~cond[R_VICTIM]
        cond[R_VICTIM] |= carried
        at[R_VICTIM] = np.where(new, t, at[R_VICTIM])

    def _apply(
        self,
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
        tb = self._t
        out: list[AlertChange] = []
        crossing_version = dict(crossings)
        for i, r, action in changes:
            row = int(ar[i])
            assignment_id = int(tb.a_id[row])
            device_id = self._dev_ids[int(d[i])]
            rule = RULES[r]
            alerts = self._open.setdefault(device_id, {})
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
                crossing = {"severity": self.params.severity.get(rule, "high"), "path_crossing": True}
                out.append(AlertChange(action="open", details=crossing, **common))  # type: ignore[arg-type]
                out.append(AlertChange(action="close", details={"path_crossing": True}, **common))  # type: ignore[arg-type]
                continue
            if action == "open":
                ver = int(resp_zone[r, i])
                when = float(at[r, i]) if math.isfinite(at[r, i]) else float(t[i])
                details: dict[str, Any] = {"severity": self.params.severity.get(rule, "high")}
                if r == R_CURFEW and detail_nofix[i]:
                    details["reason"] = "no_fix"
                zone_id = int(tb.v_zone[ver]) if ver >= 0 else None
                version_id = int(tb.v_id[ver]) if ver >= 0 else None
                info: dict[str, Any] = {"at": when, "zone_id": zone_id, "version_id": version_id}
                if r == R_CURFEW and math.isfinite(until[i]):
                    info["until"] = float(until[i])
                alerts[key] = info
                self._open_m[row, r] = True
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
                self._open_m[row, r] = False
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

    # ---- the clock -------------------------------------------------------------------------------
    def tick(self, now: float) -> list[AlertChange]:  # noqa: C901
        """Clock rules for every known assignment: lost communication, no valid fix, a curfew whose
        window has started (person confirmed outside, or no valid fix), a curfew window that has
        ended, an assignment that has ended (its open alerts close at its end)."""
        p = self.params
        tb = self._t
        out: list[AlertChange] = []
        if not len(tb.a_id):
            return out
        dc = self._devs.cols
        dev = tb.a_dev
        in_force = (tb.a_start <= now) & (now < tb.a_end)
        om = self._open_m

        def emit(
            row: int,
            r: int,
            action: str,
            when: float,
            *,
            zone_row: int = -1,
            details: dict[str, Any] | None = None,
            until: float | None = None,
        ) -> None:
            assignment_id = int(tb.a_id[row])
            device_id = self._dev_ids[int(dev[row])]
            rule = RULES[r]
            alerts = self._open.setdefault(device_id, {})
            zone_id = int(tb.v_zone[zone_row]) if zone_row >= 0 else None
            version_id = int(tb.v_id[zone_row]) if zone_row >= 0 else None
            if action == "open":
                det = {"severity": p.severity.get(rule, "high"), **(details or {})}
                info: dict[str, Any] = {"at": when, "zone_id": zone_id, "version_id": version_id}
                if until is not None and math.isfinite(until):
                    info["until"] = until
                alerts[(assignment_id, rule)] = info
                om[row, r] = True
                out.append(
                    AlertChange(
                        assignment_id, device_id, rule, "open", when, None, zone_id, version_id, None, None, det
                    )
                )
            else:
                info = alerts.pop((assignment_id, rule), {})
                om[row, r] = False
                out.append(
                    AlertChange(
                        assignment_id,
                        device_id,
                        rule,
                        "close",
                        when,
                        None,
                        info.get("zone_id"),
                        info.get("version_id"),
                        None,
                        None,
                        details or {},
                    )
                )

        lost_base = np.fmax(dc["last_received"][dev], tb.a_start)
        for row in np.nonzero(
            in_force & tb.a_rules[:, R_LOST] & ~om[:, R_LOST] & (now - lost_base > p.lost_communication_s)
        )[0].tolist():
            emit(row, R_LOST, "open", float(lost_base[row] + p.lost_communication_s))
        fix_base = np.fmax(dc["last_valid"][dev], tb.a_start)
        for row in np.nonzero(in_force & tb.a_rules[:, R_NOFIX] & ~om[:, R_NOFIX] & (now - fix_base >= p.no_fix_s))[
            0
        ].tolist():
            emit(row, R_NOFIX, "open", float(fix_base[row] + p.no_fix_s))

        # curfews
        curfew_on = np.zeros(len(tb.a_id), dtype=bool)
        if len(tb.s_asg):
            sa = tb.s_asg
            cand = np.nonzero(in_force[sa] & tb.a_rules[sa, R_CURFEW])[0]
            for v in range(tb.max_versions):
                sel = cand[tb.s_ver_count[cand] > v]
                ver = tb.s_ver_first[sel] + v
                ok = (tb.v_kind[ver] == HOME) & tb.v_haswin[ver] & (tb.v_from[ver] <= now) & (now < tb.v_to[ver])
                sel, ver = sel[ok], ver[ok]
                if not len(sel):
                    continue
                rows = sa[sel]
                nowv = np.full(len(sel), now)
                sow = np.zeros(len(sel))
                for z, name in enumerate(tb.tzs):
                    zi = np.nonzero(tb.a_tz[rows] == z)[0]
                    if len(zi):
                        sow[zi] = seconds_of_week(nowv[zi], offsets(name, nowv[zi]))
                inside_w = (tb.v_win[ver, :, 0] <= sow[:, None]) & (sow[:, None] < tb.v_win[ver, :, 1])
                anyw = inside_w.any(axis=1)
                which = inside_w.argmax(axis=1)
                wstart = now - sow + tb.v_wstart[ver, which]
                wend = now - sow + tb.v_wend[ver, which]
                for j in np.nonzero(anyw)[0].tolist():
                    row = int(rows[j])
                    if self._excepted(row, now, int(tb.v_zone[ver[j]])):
                        continue
                    curfew_on[row] = True
                    if om[row, R_CURFEW]:
                        continue
                    zs = int(tb.s_zs[sel[j]])
                    conf = int(self._zones.cols["conf"][zs])
                    if conf == 0:
                        since = float(self._zones.cols["since"][zs])
                        emit(
                            row,
                            R_CURFEW,
                            "open",
                            max(since, float(wstart[j])) if math.isfinite(since) else float(wstart[j]),
                            zone_row=int(ver[j]),
                            until=float(wend[j]),
                        )
                        continue
                    base = float(np.fmax(dc["last_valid"][dev[row]], wstart[j]))
                    if now - base >= p.no_fix_s:
                        emit(
                            row,
                            R_CURFEW,
                            "open",
                            base + p.no_fix_s,
                            zone_row=int(ver[j]),
                            details={"reason": "no_fix"},
                            until=float(wend[j]),
                        )
        for row in np.nonzero(om[:, R_CURFEW] & ~curfew_on & in_force)[0].tolist():
            info = self._open.get(self._dev_ids[int(dev[row])], {}).get((int(tb.a_id[row]), "curfew"), {})
            emit(row, R_CURFEW, "close", min(now, float(info.get("until", now))))
        # assignments that have ended: their open alerts close at the end
        for row in np.nonzero(~in_force & (now >= tb.a_end) & om.any(axis=1))[0].tolist():
            for r in np.nonzero(om[row])[0].tolist():
                emit(row, r, "close", float(tb.a_end[row]), details={"reason": "assignment_ended"})
        out.sort(key=lambda c: c.at)
        return out

    def _excepted(self, row: int, at: float, zone_id: int) -> bool:
        tb = self._t
        first, count = int(tb.a_exc_first[row]), int(tb.a_exc_count[row])
        for e in range(first, first + count):
            if tb.e_start[e] <= at < tb.e_end[e] and (tb.e_zone[e] < 0 or tb.e_zone[e] == zone_id):
                return True
        return False

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
