"""The compiled tables patched for a few changed assignments (``Engine.update_assignments``) rather
than rebuilt: the changed assignments are compiled alone (``compiled.build``, shapes from the cache)
and spliced in.

An assignment keeps its row (a new one takes a freed row, or one at the end); its zone slots,
versions and exceptions are appended and the old ones left unreachable (a slot left behind has no
version); a polygon (by identity), a weekly schedule or a time zone is appended when new. A removed
assignment's row is freed: never in force, no rule, no slot. The columns are the compiled arrays
until a first append makes room for a quarter more (one copy), so the next appends copy nothing;
the tables handed to the engine are views of their first rows. When the versions left behind
outnumber the live ones, the engine compiles everything again.

Patched tables judge exactly as tables compiled afresh from the same assignments: a fix finds its
assignment through ``a_order`` (the live rows sorted by device, start and id, as ``build`` sorts
them), a zone slot through its assignment and a version through its slot — never by position.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .compiled import MAX_WINDOW_SETS, WEEK_MIN, PolygonCache, Tables, WindowSet

I64 = NDArray[np.int64]

ROW = (
    "a_id",
    "a_dev",
    "a_start",
    "a_end",
    "a_tz",
    "a_rules",
    "a_victim",
    "a_prox",
    "a_slot_first",
    "a_slot_count",
    "a_exc_first",
    "a_exc_count",
)
SLOT = ("s_asg", "s_zone", "s_zs", "s_ver_first", "s_ver_count")
VERSION = (
    "v_id",
    "v_zone",
    "v_kind",
    "v_from",
    "v_to",
    "v_circle",
    "v_lon0",
    "v_lat0",
    "v_kx",
    "v_radius",
    "v_buffer",
    "v_bbox",
    "v_poly",
    "v_haswin",
    "v_win",
    "v_wstart",
    "v_wend",
    "v_wset",
)
POLY = ("p_segments", "p_raster", "p_half")
EXCEPTION = ("e_start", "e_end", "e_zone")
WIDE = ("v_win", "v_wstart", "v_wend")  # padded to the most windows of a version (with zeros)
MIN_SPARE = 64  # rows of room made at least, when the columns grow
COMPACT_MIN = 1024  # versions left behind before a compile afresh is worth it


class Columns:
    """Arrays of a common first dimension, taken as they are; the first rows appended make room
    for a quarter more (copied once), so that the next appends copy nothing. ``view`` gives the
    first ``n`` rows."""

    def __init__(self, arrays: Mapping[str, NDArray[Any]]) -> None:
        self.n = len(next(iter(arrays.values())))
        self.buf: dict[str, NDArray[Any]] = dict(arrays)

    def view(self, name: str) -> NDArray[Any]:
        return self.buf[name][: self.n]

    def append(self, arrays: Mapping[str, NDArray[Any]]) -> int:
        """Add rows at the end (with room for a quarter more when they do not fit); the first."""
        count = len(next(iter(arrays.values())))
        first = self.n
        capacity = len(next(iter(self.buf.values())))
        if first + count > capacity:
            grown = first + count + max(MIN_SPARE, capacity // 4)
            for name, buf in self.buf.items():
                new = np.empty((grown, *buf.shape[1:]), dtype=buf.dtype)
                new[:first] = buf[:first]
                self.buf[name] = new
        for name, values in arrays.items():
            self.buf[name][first : first + count] = values
        self.n = first + count
        return first

    def fit(self, name: str, values: NDArray[Any], pad: Callable[[NDArray[Any], int], NDArray[Any]]) -> NDArray[Any]:
        """``values`` and the column ``name`` brought to the same width (second dimension) by
        ``pad``; the values to append."""
        mine, theirs = self.buf[name].shape[1], values.shape[1]
        if theirs > mine:
            self.buf[name] = pad(self.buf[name], theirs)
        elif theirs < mine:
            values = pad(values, mine)
        return values


def pad_zeros(values: NDArray[Any], width: int) -> NDArray[Any]:
    out = np.zeros((values.shape[0], width, *values.shape[2:]), dtype=values.dtype)
    out[:, : values.shape[1]] = values
    return out


def pad_segments(values: NDArray[Any], width: int) -> NDArray[Any]:
    """Segment tables padded at each polygon's first vertex, as ``geometry.pad_segments`` pads."""
    out = np.empty((values.shape[0], width, 4), dtype=values.dtype)
    out[:, : values.shape[1]] = values
    first = values[:, 0, 0:2][:, None, :]
    out[:, values.shape[1] :, 0:2] = first
    out[:, values.shape[1] :, 2:4] = first
    return out


class Store:
    """The tables of an engine with room to patch them; ``tables()`` the current view."""

    def __init__(self, tb: Tables) -> None:
        self.rows = Columns({name: getattr(tb, name) for name in ROW})
        self.slots = Columns({name: getattr(tb, name) for name in SLOT})
        self.versions = Columns({name: getattr(tb, name) for name in VERSION})
        self.polys = Columns({name: getattr(tb, name) for name in POLY})
        self.exceptions = Columns({name: getattr(tb, name) for name in EXCEPTION})
        self.sets: Columns | None = None  # the minute tables of the schedules, when tabulated
        if tb.set_in is not None:
            self.sets = Columns(
                {
                    "in": tb.set_in.reshape(-1, WEEK_MIN),
                    "start": tb.set_start.reshape(-1, WEEK_MIN),
                    "end": tb.set_end.reshape(-1, WEEK_MIN),
                }
            )
        self.set_of: dict[WindowSet, int] = {key: i for i, key in enumerate(tb.set_keys)}
        self.p_entries: list[PolygonCache] = list(tb.p_entries)  # held: their ids stay theirs
        self.poly_of: dict[int, int] = {id(entry): i for i, entry in enumerate(tb.p_entries)}
        self.tzs: list[str] = list(tb.tzs)
        self.tz_of: dict[str, int] = {name: i for i, name in enumerate(tb.tzs)}
        self.row_of: dict[int, int] = {int(a): i for i, a in enumerate(tb.a_id.tolist())}
        self.free: list[int] = []
        self.dead_versions = 0

    def wasteful(self) -> bool:
        """More versions left behind than live ones (and not a handful): time to compile afresh."""
        return self.dead_versions > max(COMPACT_MIN, self.versions.n - self.dead_versions)

    # ---- rows ---------------------------------------------------------------------------------
    def _leave(self, row: int) -> None:
        """The row's slots and exceptions are left behind (its slots lose their versions)."""
        col = self.rows.buf
        first, count = int(col["a_slot_first"][row]), int(col["a_slot_count"][row])
        ver_count = self.slots.buf["s_ver_count"]
        self.dead_versions += int(ver_count[first : first + count].sum())
        ver_count[first : first + count] = 0
        col["a_slot_count"][row] = 0
        col["a_exc_count"][row] = 0

    def remove(self, assignment_id: int) -> int | None:
        """Free the assignment's row (never in force, no rule, no slot); the row, or None."""
        row = self.row_of.pop(assignment_id, None)
        if row is None:
            return None
        self._leave(row)
        col = self.rows.buf
        col["a_id"][row] = -1
        col["a_start"][row] = np.inf
        col["a_end"][row] = np.inf
        col["a_rules"][row] = False
        col["a_victim"][row] = -1
        self.free.append(row)
        return row

    def _rows_for(self, assignment_ids: list[int]) -> I64:
        """The row of each assignment: its own, a freed one, or a new one at the end."""
        rows = np.empty(len(assignment_ids), dtype=np.int64)
        fresh = []
        for j, assignment_id in enumerate(assignment_ids):
            row = self.row_of.get(assignment_id)
            if row is not None:
                self._leave(row)
            elif self.free:
                row = self.free.pop()
            else:
                fresh.append(j)
                continue
            rows[j] = row
        if fresh:
            first = self.rows.append(self._blank_rows(len(fresh)))
            rows[fresh] = np.arange(first, first + len(fresh))
        for j, assignment_id in enumerate(assignment_ids):
            self.row_of[assignment_id] = int(rows[j])
        return rows

    def _blank_rows(self, count: int) -> dict[str, NDArray[Any]]:
        return {name: np.zeros((count, *buf.shape[1:]), dtype=buf.dtype) for name, buf in self.rows.buf.items()}

    # ---- the splice ---------------------------------------------------------------------------
    def splice(self, sub: Tables) -> I64:
        """Put the assignments compiled in ``sub`` in place (replacing their previous rows); the row
        of each of ``sub``'s rows."""
        rows = self._rows_for([int(a) for a in sub.a_id.tolist()])
        # the schedules, polygons and time zones of sub, as rows of these tables
        set_map = np.array([self._set(key, sub, k) for k, key in enumerate(sub.set_keys)], dtype=np.int64)
        poly_map = np.empty(len(sub.p_entries), dtype=np.int64)
        new_polys = []
        for k, entry in enumerate(sub.p_entries):
            row = self.poly_of.get(id(entry))
            if row is None:
                row = self.poly_of[id(entry)] = len(self.p_entries)
                self.p_entries.append(entry)
                new_polys.append(k)
            poly_map[k] = row
        if new_polys:
            pick = np.array(new_polys, dtype=np.int64)
            self.polys.append(
                {
                    "p_segments": self.polys.fit("p_segments", sub.p_segments[pick], pad_segments),
                    "p_raster": sub.p_raster[pick],
                    "p_half": sub.p_half[pick],
                }
            )
        tz_map = np.array([self._tz(name) for name in sub.tzs], dtype=np.int64)

        v0 = self.versions.append(
            {
                **{name: getattr(sub, name) for name in VERSION if name not in WIDE},
                **{name: self.versions.fit(name, getattr(sub, name), pad_zeros) for name in WIDE},
                "v_poly": np.where(sub.v_poly >= 0, poly_map[np.maximum(sub.v_poly, 0)] if len(poly_map) else -1, -1),
                "v_wset": set_map[sub.v_wset] if len(set_map) else sub.v_wset,
            }
        )
        s0 = self.slots.append(
            {
                "s_asg": rows[sub.s_asg],
                "s_zone": sub.s_zone,
                "s_zs": sub.s_zs,
                "s_ver_first": sub.s_ver_first + v0,
                "s_ver_count": sub.s_ver_count,
            }
        )
        e0 = self.exceptions.append({name: getattr(sub, name) for name in EXCEPTION})
        col = self.rows.buf
        for name in (
            "a_id",
            "a_dev",
            "a_start",
            "a_end",
            "a_rules",
            "a_victim",
            "a_prox",
            "a_slot_count",
            "a_exc_count",
        ):
            col[name][rows] = getattr(sub, name)
        col["a_tz"][rows] = tz_map[sub.a_tz] if len(tz_map) else sub.a_tz
        col["a_slot_first"][rows] = sub.a_slot_first + s0
        col["a_exc_first"][rows] = sub.a_exc_first + e0
        return rows

    def _set(self, key: WindowSet, sub: Tables, k: int) -> int:
        found = self.set_of.get(key)
        if found is not None:
            return found
        found = self.set_of[key] = len(self.set_of)
        if self.sets is not None and (sub.set_in is None or len(self.set_of) > MAX_WINDOW_SETS):
            self.sets = None  # too many schedules to tabulate: searched, as ``build`` does
        if self.sets is not None and sub.set_in is not None:
            cells = slice(k * WEEK_MIN, (k + 1) * WEEK_MIN)
            self.sets.append(
                {
                    "in": sub.set_in[cells][None, :],
                    "start": sub.set_start[cells][None, :],
                    "end": sub.set_end[cells][None, :],
                }
            )
        return found

    def _tz(self, name: str) -> int:
        found = self.tz_of.get(name)
        if found is None:
            found = self.tz_of[name] = len(self.tzs)
            self.tzs.append(name)
        return found

    # ---- the view -----------------------------------------------------------------------------
    def tables(self, n_devices: int) -> Tables:
        """The current tables, with the live rows ordered by (device, start, id) for the lookup of
        the assignment in force."""
        r = {name: self.rows.view(name) for name in ROW}
        live = np.nonzero(r["a_id"] >= 0)[0]
        a_order = live[np.lexsort((r["a_id"][live], r["a_start"][live], r["a_dev"][live]))]
        dev_count = np.bincount(r["a_dev"][live], minlength=n_devices).astype(np.int64)
        dev_first = np.zeros(len(dev_count), dtype=np.int64)
        if len(dev_count):
            dev_first[1:] = np.cumsum(dev_count)[:-1]
        s = {name: self.slots.view(name) for name in SLOT}
        sets = self.sets
        return Tables(
            **r,
            dev_first=dev_first,
            dev_count=dev_count,
            a_order=a_order.astype(np.int64),
            max_asg=int(dev_count.max()) if len(dev_count) else 0,
            max_slots=int(r["a_slot_count"].max()) if len(live) else 0,
            **s,
            max_versions=int(s["s_ver_count"].max()) if len(s["s_ver_count"]) else 0,
            **{name: self.versions.view(name) for name in VERSION},
            set_in=sets.view("in").reshape(-1) if sets is not None else None,
            set_start=sets.view("start").reshape(-1) if sets is not None else np.zeros(0),
            set_end=sets.view("end").reshape(-1) if sets is not None else np.zeros(0),
            **{name: self.polys.view(name) for name in POLY},
            **{name: self.exceptions.view(name) for name in EXCEPTION},
            max_exc=int(r["a_exc_count"].max()) if len(live) else 0,
            tzs=list(self.tzs),
            p_entries=self.p_entries,
            set_keys=list(self.set_of),
        )
