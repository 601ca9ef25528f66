"""The engine's per-device state as JSON-ready dicts (``Engine.export_state``) and back
(``Engine.load_state``): last message and fix, position, battery, strap, connection, zone
membership with debounce runs, open alerts — so that a restart neither forgets nor repeats an
alert."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from .core import Engine

NAN = math.nan


class Grow:
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


def export_state(engine: Engine, device_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The state of these devices as JSON-ready dicts (NaN as None); columns are converted to
    Python values once for all the devices asked, not value by value."""
    ids = [int(x) for x in device_ids]
    known = [(device_id, engine._dev_index[device_id]) for device_id in ids if device_id in engine._dev_index]
    if not known:
        return {}
    rows = np.array([i for _, i in known], dtype=np.int64)
    d = engine._devs.cols

    def nan_none(values: list[Any]) -> list[Any]:
        return [None if isinstance(x, float) and math.isnan(x) else x for x in values]

    last_t = nan_none(np.where(np.isfinite(d["last_t"][rows]), d["last_t"][rows], np.nan).tolist())
    cols = {
        name: nan_none(d[name][rows].tolist())
        for name in ("last_received", "last_fix", "last_valid", "lat", "lon", "accuracy")
    }
    small = {name: d[name][rows].tolist() for name in ("battery", "strap", "charging", "connected")}
    z = engine._zones.cols
    out: dict[int, dict[str, Any]] = {}
    for j, (device_id, _i) in enumerate(known):
        zone_rows = engine._zs_of_device.get(device_id, {})
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
        for (assignment_id, rule), info in engine._open.get(device_id, {}).items():
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


def load_state(engine: Engine, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    d = engine._devs.cols
    for device_id, state in rows:
        i = engine._device(int(device_id))
        d = engine._devs.cols

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
            r = engine._zone_state(int(device_id), int(zone_id))
            z = engine._zones.cols
            conf, since, run_side, run_n, run_first = values
            z["conf"][r] = conf
            z["since"][r] = NAN if since is None else since
            z["run_side"][r] = run_side
            z["run_n"][r] = run_n
            z["run_first"][r] = NAN if run_first is None else run_first
        alerts = engine._open.setdefault(int(device_id), {})
        alerts.clear()
        for assignment_id, rules in (state.get("alerts") or {}).items():
            for rule, info in rules.items():
                alerts[(int(assignment_id), rule)] = dict(info)
    engine._grow_tables()
    engine._rebuild_open_matrix()
