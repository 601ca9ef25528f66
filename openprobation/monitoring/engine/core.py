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

from . import clock, state
from .batch import evaluate
from .compiled import R_LOST, RULE_INDEX, RULES, GeometryKey, PolygonCache, Tables, build
from .geometry import CompiledShape
from .splice import Store
from .state import DEVICE_COLUMNS, ZONE_COLUMNS, Grow
from .types import AlertChange, AssignmentSpec, EvaluationResult, FixBatch, Params

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

NAN = math.nan
# more changed assignments at once than this share of them (and this many) compile everything
SPLICE_SHARE = 8
SPLICE_MIN = 64


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
        self._specs: dict[int, AssignmentSpec] = {spec.assignment_id: spec for spec in assignments}
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
        self._open_m = np.zeros((0, len(RULES)), dtype=bool)
        self._store: Store  # the tables with room to patch them (``splice``); ``_t`` views them
        self._t: Tables = self._compile()

    # ---- assignments and parameters -------------------------------------------------------
    def update_assignments(self, specs: Iterable[AssignmentSpec], removed: Iterable[int] = ()) -> None:
        """Add or replace these assignments (the open alerts of one given another device follow it)
        and remove those of ``removed`` (their open alerts are forgotten). A few changed assignments
        are compiled alone and spliced into the tables (``splice``); many at once compile all."""
        changed: dict[int, AssignmentSpec] = {}
        for spec in specs:
            old = self._specs.get(spec.assignment_id)
            if old != spec:
                changed[spec.assignment_id] = spec
            if old is not None and old.device_id != spec.device_id:  # its open alerts follow it
                alerts = self._open.get(old.device_id, {})
                moved = {k: alerts.pop(k) for k in [k for k in alerts if k[0] == spec.assignment_id]}
                if moved:
                    self._open.setdefault(spec.device_id, {}).update(moved)
            self._specs[spec.assignment_id] = spec
        gone = []
        for assignment_id in removed:
            if assignment_id in self._specs:
                spec = self._specs.pop(assignment_id)
                alerts = self._open.get(spec.device_id, {})
                for key in [k for k in alerts if k[0] == assignment_id]:
                    del alerts[key]
                changed.pop(assignment_id, None)
                gone.append(assignment_id)
        if not changed and not gone:
            return
        if len(changed) + len(gone) > max(SPLICE_MIN, len(self._specs) // SPLICE_SHARE):
            self._compile()
        else:
            self._splice(changed, gone)

    def _splice(self, changed: Mapping[int, AssignmentSpec], gone: list[int]) -> None:
        store = self._store
        freed = [row for row in (store.remove(a) for a in gone) if row is not None]
        rows: list[int] = []
        changed_rows: dict[int, int] = {}
        if changed:
            sub = build(
                specs=changed,
                params=self.params,
                device_index=self._device,
                zone_state_row=self._zone_state,
                n_devices=lambda: len(self._dev_ids),
                cache=self._cache,
                by_geometry=self._by_geometry,
                rejected=self.rejected_versions,
            )
            rows = store.splice(sub).tolist()
            changed_rows = dict(zip(sub.a_id.tolist(), rows, strict=True))
        if store.wasteful():
            self._compile()
            return
        self._t = store.tables(len(self._dev_ids))
        m = self._open_m
        if len(m) < store.rows.n:
            m = np.concatenate([m, np.zeros((store.rows.n - len(m), len(RULES)), dtype=bool)])
        m[freed + rows] = False
        for device_id in {changed[a].device_id for a in changed_rows}:
            for assignment_id, rule in self._open.get(device_id, {}):
                row = changed_rows.get(assignment_id)
                if row is not None and changed[assignment_id].device_id == device_id:
                    m[row, RULE_INDEX[rule]] = True
        self._open_m = m

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
        self._store = Store(tables)
        self._t = self._store.tables(len(self._dev_ids))
        self._rebuild_open_matrix()
        return self._t

    def _rebuild_open_matrix(self) -> None:
        t = getattr(self, "_t", None)
        if t is None:
            return
        # an alert counts under its assignment's device (where the engine closes it)
        row_of = {int(a): i for i, a in enumerate(t.a_id.tolist())}
        m = np.zeros((len(t.a_id), len(RULES)), dtype=bool)
        for device_id, alerts in self._open.items():
            for assignment_id, rule in alerts:
                row = row_of.get(assignment_id)
                if row is not None and self._dev_ids[int(t.a_dev[row])] == device_id:
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
        """The assignment of the device in force at ``at``, or None (of two in force, the one that
        started last, as ``evaluate`` judges a fix)."""
        tb = self._t
        i = self._dev_index.get(device_id)
        if i is None or i >= len(tb.dev_count):
            return None
        found = None
        for row in tb.a_order[tb.dev_first[i] : tb.dev_first[i] + tb.dev_count[i]].tolist():
            if tb.a_start[row] <= at < tb.a_end[row]:
                found = int(tb.a_id[row])
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
        """Restore devices' state from ``export_state`` dicts (open alerts included)."""
        state.load_state(self, rows)

    # ---- the clock ------------------------------------------------------------------------------
    def tick(self, now: float) -> list[AlertChange]:
        """Clock rules for every known assignment (see ``clock``)."""
        return clock.tick(self, now)

    # ---- per-batch evaluation -------------------------------------------------------------
    def evaluate(self, batch: FixBatch, now: float) -> EvaluationResult:
        """Judge a batch of fixes (see ``batch``): the alert changes, and per fix its assignment and
        flags."""
        return evaluate(self, batch, now)

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
        row = self._store.row_of[assignment_id]
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
