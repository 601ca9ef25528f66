"""The assignments compiled into flat NumPy tables (rebuilt when assignments change; the zone
geometry of a version is compiled once and cached by its version id, and one compiled shape with its
raster is shared by every version of the same geometry).

Rows: assignments sorted by (device, installed_at); zone slots (one per zone of an assignment, whose
membership state is kept by (device, zone_id)); zone versions of each slot sorted by valid_from;
polygon segment tables and rasters; schedule exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .geometry import (
    GRID,
    CompiledShape,
    ZoneGeometryError,
    compile_rings,
    compile_shape,
    pad_segments,
    plain_ring,
    raster,
    ring_table,
)
from .schedule import WEEK_S, windows_seconds
from .types import AssignmentSpec, Params, ZoneVersionSpec

RULES: tuple[str, ...] = (
    "inclusion_exit",
    "exclusion_entry",
    "curfew",
    "strap",
    "low_battery",
    "lost_communication",
    "no_fix",
    "victim_proximity",
)
RULE_INDEX = {name: i for i, name in enumerate(RULES)}
KINDS = ("inclusion", "home", "exclusion", "victim")
INCLUSION, HOME, EXCLUSION, VICTIM = range(4)
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
WEEK_MIN = 7 * 1440
MAX_WINDOW_SETS = 512  # distinct weekly schedules tabulated minute by minute (else searched)

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
B = NDArray[np.bool_]
WindowSet = tuple[tuple[float, float], ...]  # a weekly schedule: merged windows in seconds of week


@dataclass
class PolygonCache:
    shape: CompiledShape
    raster: F64 | None = None
    half_diagonal: float = 0.0


@dataclass
class Tables:
    # assignments
    a_id: I64
    a_dev: I64  # dense device index
    a_start: F64
    a_end: F64
    a_tz: I64
    a_rules: B  # (A, len(RULES))
    a_victim: I64  # dense index of the victim's device, -1 none
    a_prox: F64
    a_slot_first: I64
    a_slot_count: I64
    a_exc_first: I64
    a_exc_count: I64
    dev_first: I64  # per dense device: first row in a_order
    dev_count: I64
    a_order: I64  # rows sorted by (device, start)
    max_asg: int
    max_slots: int
    # slots
    s_asg: I64
    s_zone: I64
    s_zs: I64  # zone-state row
    s_ver_first: I64
    s_ver_count: I64
    max_versions: int
    # versions
    v_id: I64
    v_zone: I64
    v_kind: I64
    v_from: F64
    v_to: F64
    v_circle: B
    v_lon0: F64
    v_lat0: F64
    v_kx: F64
    v_radius: F64
    v_buffer: F64
    v_bbox: F64  # (V, 4)
    v_poly: I64  # row in the polygon tables, -1 circle
    v_haswin: B
    v_win: F64  # (V, W, 2) seconds of week [start, end), padded with (0, 0)
    v_wstart: F64  # (V, W) effective start (negative when the window continues from Sunday)
    v_wend: F64  # (V, W) effective end (beyond the week when it continues into Monday)
    v_wset: I64  # the version's schedule (distinct window set), for the minute tables
    set_in: B | None  # (sets * WEEK_MIN,) minute of week inside a window
    set_start: F64  # seconds of week where the window containing the minute starts (may be < 0)
    set_end: F64
    p_segments: F64  # (P, S, 4)
    p_raster: F64  # (P, GRID*GRID)
    p_half: F64  # (P,)
    # exceptions
    e_start: F64
    e_end: F64
    e_zone: I64  # -1: every home zone
    max_exc: int
    tzs: list[str]
    # what a splice of these tables into others needs (``splice``)
    p_entries: list[PolygonCache]  # the polygon of each row of the p_ tables
    set_keys: list[WindowSet]  # the weekly windows of each schedule (v_wset)


@lru_cache(maxsize=4096)
def _windows(windows: tuple[tuple[int, int], ...]) -> tuple[list[tuple[float, float]], list[float], list[float]]:
    """Merged windows in seconds of week, with the start and end instants of each (joined across
    Sunday midnight). Shared by every version of the same schedule: do not modify."""
    wins: list[tuple[float, float]] = []
    for a, b in sorted(windows_seconds(windows)):
        if b <= a:
            continue
        if wins and a <= wins[-1][1]:  # adjacent or overlapping: one window
            wins[-1] = (wins[-1][0], max(wins[-1][1], b))
        else:
            wins.append((a, b))
    starts = [a for a, _ in wins]
    ends = [b for _, b in wins]
    # an interval crossing Sunday midnight is given as two: join them for the start/end instants
    for i, (a, b) in enumerate(wins):
        if a == 0:
            for c, d in wins:
                if d == WEEK_S and c > 0:
                    starts[i] = c - WEEK_S
        if b == WEEK_S:
            for c, d in wins:
                if c == 0 and d < WEEK_S:
                    ends[i] = WEEK_S + d
    return wins, starts, ends


GeometryKey = tuple[Any, ...]


def _radius(zv: ZoneVersionSpec, prox: float) -> float | None:
    if zv.kind == "victim" and zv.geometry.get("type") == "Point" and zv.radius_m is None:
        return prox
    return zv.radius_m


def compile_versions(
    versions: list[tuple[ZoneVersionSpec, float]],
    cache: dict[int, PolygonCache | CompiledShape],
    by_geometry: dict[GeometryKey, PolygonCache | CompiledShape],
    rejected: dict[int, str],
) -> None:
    """Compile the shapes of the versions not yet in ``cache`` (by version id), sharing one compiled
    shape (and its raster) between versions of the same geometry — many assignments are judged by
    the same district. Plain one-ring polygons are compiled together (``geometry.compile_rings``),
    the rest one by one. The versions that cannot be judged are noted in ``rejected`` (the API
    validates zones before saving them, so this guards against bad stored data only)."""
    todo = []
    for zv, prox in versions:
        radius = _radius(zv, prox)
        cached = cache.get(zv.version_id)
        # a victim's point without a radius is a circle of the assignment's proximity distance,
        # which an update may change
        if cached is None or (isinstance(cached, CompiledShape) and radius is not None and cached.radius != radius):
            todo.append((zv, radius))
    if not todo:
        return
    plain = [plain_ring(zv.geometry) for zv, _ in todo]
    fast = [i for i, ring in enumerate(plain) if ring is not None]
    coords, offsets, ok = ring_table([plain[i] for i in fast])  # type: ignore[misc]
    ring_of: dict[int, F64] = {}
    for j, i in enumerate(fast):
        if ok[j]:
            ring_of[i] = coords[offsets[j] : offsets[j + 1]]
    pending: dict[GeometryKey, list[int]] = {}
    for i, (zv, radius) in enumerate(todo):
        ring = ring_of.get(i)
        key = (
            ("ring", ring.tobytes())
            if ring is not None
            else (zv.geometry.get("type"), repr(zv.geometry.get("coordinates")), radius)
        )
        if key in by_geometry:
            cache[todo[i][0].version_id] = by_geometry[key]
        else:
            pending.setdefault(key, []).append(i)
    firsts = [members[0] for members in pending.values()]
    batch = [i for i in firsts if i in ring_of]
    shapes: dict[int, CompiledShape | ZoneGeometryError] = dict(
        zip(batch, compile_rings([ring_of[i] for i in batch]), strict=True)
    )
    for i in firsts:
        if i not in shapes:
            zv, radius = todo[i]
            try:
                shapes[i] = compile_shape(zv.geometry, radius)
            except ZoneGeometryError as error:
                shapes[i] = error
    for key, members in pending.items():
        shape = shapes[members[0]]
        if isinstance(shape, ZoneGeometryError):
            for i in members:
                rejected[todo[i][0].version_id] = shape.code
            continue
        entry: PolygonCache | CompiledShape = shape if shape.segments is None else PolygonCache(shape)
        by_geometry[key] = entry
        for i in members:
            cache[todo[i][0].version_id] = entry


def build(
    *,
    specs: Mapping[int, AssignmentSpec],
    params: Params,
    device_index: Callable[[int], int],
    zone_state_row: Callable[[int, int], int],
    n_devices: Callable[[], int],
    cache: dict[int, PolygonCache | CompiledShape],
    by_geometry: dict[GeometryKey, PolygonCache | CompiledShape],
    rejected: dict[int, str],
) -> Tables:
    ordered = sorted(specs.values(), key=lambda s: (device_index(s.device_id), s.installed_at, s.assignment_id))
    tzs: list[str] = []
    tz_index: dict[str, int] = {}
    a_rows: list[tuple[int, int, float, float, int, int, float]] = []
    a_rules = np.zeros((len(ordered), len(RULES)), dtype=bool)
    slot_rows: list[tuple[int, int, int]] = []
    a_slot_first, a_slot_count, a_exc_first, a_exc_count = [], [], [], []
    s_ver_first, s_ver_count = [], []
    versions: list[tuple[ZoneVersionSpec, float]] = []  # spec, proximity
    exceptions: list[tuple[float, float, int]] = []
    a_versions: list[list[tuple[ZoneVersionSpec, float]]] = []
    for row, spec in enumerate(ordered):
        tz = tz_index.setdefault(spec.tz, len(tzs))
        if tz == len(tzs):
            tzs.append(spec.tz)
        victim = device_index(spec.victim_device_id) if spec.victim_device_id is not None else -1
        prox = float(spec.proximity_m if spec.proximity_m is not None else params.proximity_m)
        a_rows.append(
            (spec.assignment_id, device_index(spec.device_id), spec.installed_at, spec.removed_at, tz, victim, prox)
        )
        if spec.rules:
            for name in spec.rules:
                if name in RULE_INDEX:
                    a_rules[row, RULE_INDEX[name]] = True
        else:
            a_rules[row, :] = True
        a_versions.append([(zv, prox) for zv in spec.zones])
    compile_versions([pair for pairs in a_versions for pair in pairs], cache, by_geometry, rejected)
    for row, pairs in enumerate(a_versions):
        spec = ordered[row]
        prox = a_rows[row][6]
        by_zone: dict[int, list[ZoneVersionSpec]] = {}
        for zv, _ in pairs:
            if zv.version_id in cache:
                by_zone.setdefault(zv.zone_id, []).append(zv)
        a_slot_first.append(len(slot_rows))
        a_slot_count.append(len(by_zone))
        for zone_id, zvs in by_zone.items():
            zvs.sort(key=lambda z: z.valid_from)
            slot_rows.append((row, zone_id, zone_state_row(spec.device_id, zone_id)))
            s_ver_first.append(len(versions))
            s_ver_count.append(len(zvs))
            versions.extend((zv, prox) for zv in zvs)
        a_exc_first.append(len(exceptions))
        a_exc_count.append(len(spec.exceptions))
        exceptions.extend((float(a), float(b), -1 if z is None else int(z)) for a, b, z in spec.exceptions)

    n_dev = n_devices()
    a_dev = np.array([r[1] for r in a_rows], dtype=np.int64)
    dev_count = np.bincount(a_dev, minlength=n_dev).astype(np.int64) if len(a_dev) else np.zeros(n_dev, np.int64)
    dev_first = np.zeros(n_dev, dtype=np.int64)
    if n_dev:
        dev_first[1:] = np.cumsum(dev_count)[:-1]

    # versions; a polygon's row is shared by the versions of one compiled shape
    nv = len(versions)
    shapes: list[CompiledShape] = []
    p_entries: list[PolygonCache] = []
    poly_row: dict[int, int] = {}  # by identity
    v_poly = np.full(nv, -1, dtype=np.int64)
    for i, (zv, _prox) in enumerate(versions):  # noqa: B007
        cached = cache[zv.version_id]
        if isinstance(cached, PolygonCache):
            prow = poly_row.get(id(cached))
            if prow is None:
                prow = poly_row[id(cached)] = len(p_entries)
                p_entries.append(cached)
            v_poly[i] = prow
            shapes.append(cached.shape)
        else:
            shapes.append(cached)
    new_polys = [e for e in p_entries if e.raster is None]
    if new_polys:
        values, half = raster([e.shape for e in new_polys])
        for j, entry in enumerate(new_polys):
            entry.raster = values[j]
            entry.half_diagonal = float(half[j])
    p_segments = pad_segments([e.shape for e in p_entries]) if p_entries else np.zeros((0, 1, 4))
    p_raster = (
        np.stack([e.raster for e in p_entries if e.raster is not None]) if p_entries else np.zeros((0, GRID * GRID))
    )
    p_half = np.array([e.half_diagonal for e in p_entries], dtype=np.float64)

    win_lists = [_windows(tuple(map(tuple, zv.windows))) for zv, _ in versions]
    wmax = max((len(w[0]) for w in win_lists), default=0) or 1
    v_win = np.zeros((nv, wmax, 2))
    v_wstart = np.zeros((nv, wmax))
    v_wend = np.zeros((nv, wmax))
    for i, (wins, starts, ends) in enumerate(win_lists):
        if wins:
            v_win[i, : len(wins)] = wins
            v_wstart[i, : len(wins)] = starts
            v_wend[i, : len(wins)] = ends

    set_of: dict[WindowSet, int] = {}
    v_wset = np.array([set_of.setdefault(tuple(w[0]), len(set_of)) for w in win_lists], dtype=np.int64)
    set_in: B | None = None
    set_start = np.zeros(0)
    set_end = np.zeros(0)
    if len(set_of) <= MAX_WINDOW_SETS:
        set_in = np.zeros(len(set_of) * WEEK_MIN, dtype=bool)
        set_start = np.zeros(len(set_of) * WEEK_MIN)
        set_end = np.zeros(len(set_of) * WEEK_MIN)
        done: set[int] = set()
        for i, (wins, starts, ends) in enumerate(win_lists):
            sid = int(v_wset[i])
            if sid in done:
                continue
            done.add(sid)
            for (a, b), s0, e0 in zip(wins, starts, ends, strict=True):
                lo, hi = sid * WEEK_MIN + int(a // 60), sid * WEEK_MIN + int(b // 60)
                set_in[lo:hi] = True
                set_start[lo:hi] = s0
                set_end[lo:hi] = e0

    def buffer_of(zv: ZoneVersionSpec, prox: float) -> float:
        b = float(zv.buffer_m or 0.0)
        if zv.kind == "victim" and zv.geometry.get("type") != "Point":
            b += prox
        return b

    return Tables(
        a_id=np.array([r[0] for r in a_rows], dtype=np.int64),
        a_dev=a_dev,
        a_start=np.array([r[2] for r in a_rows], dtype=np.float64),
        a_end=np.array([r[3] for r in a_rows], dtype=np.float64),
        a_tz=np.array([r[4] for r in a_rows], dtype=np.int64),
        a_rules=a_rules,
        a_victim=np.array([r[5] for r in a_rows], dtype=np.int64),
        a_prox=np.array([r[6] for r in a_rows], dtype=np.float64),
        a_slot_first=np.array(a_slot_first, dtype=np.int64),
        a_slot_count=np.array(a_slot_count, dtype=np.int64),
        a_exc_first=np.array(a_exc_first, dtype=np.int64),
        a_exc_count=np.array(a_exc_count, dtype=np.int64),
        dev_first=dev_first,
        dev_count=dev_count,
        a_order=np.arange(len(a_rows), dtype=np.int64),
        max_asg=int(dev_count.max()) if len(dev_count) else 0,
        max_slots=max(a_slot_count, default=0),
        s_asg=np.array([r[0] for r in slot_rows], dtype=np.int64),
        s_zone=np.array([r[1] for r in slot_rows], dtype=np.int64),
        s_zs=np.array([r[2] for r in slot_rows], dtype=np.int64),
        s_ver_first=np.array(s_ver_first, dtype=np.int64),
        s_ver_count=np.array(s_ver_count, dtype=np.int64),
        max_versions=max(s_ver_count, default=0),
        v_id=np.array([zv.version_id for zv, _ in versions], dtype=np.int64),
        v_zone=np.array([zv.zone_id for zv, _ in versions], dtype=np.int64),
        v_kind=np.array([KINDS.index(zv.kind) for zv, _ in versions], dtype=np.int64),
        v_from=np.array([zv.valid_from for zv, _ in versions], dtype=np.float64),
        v_to=np.array([zv.valid_to for zv, _ in versions], dtype=np.float64),
        v_circle=np.array([s.segments is None for s in shapes], dtype=bool),
        v_lon0=np.array([s.lon0 for s in shapes], dtype=np.float64),
        v_lat0=np.array([s.lat0 for s in shapes], dtype=np.float64),
        v_kx=np.array([s.kx for s in shapes], dtype=np.float64),
        v_radius=np.array([s.radius for s in shapes], dtype=np.float64),
        v_buffer=np.array([buffer_of(zv, p) for zv, p in versions], dtype=np.float64),
        v_bbox=np.array([s.bbox for s in shapes], dtype=np.float64).reshape(nv, 4),
        v_poly=v_poly,
        v_haswin=np.array([bool(w[0]) for w in win_lists], dtype=bool),
        v_win=v_win,
        v_wstart=v_wstart,
        v_wend=v_wend,
        v_wset=v_wset,
        set_in=set_in,
        set_start=set_start,
        set_end=set_end,
        p_segments=p_segments,
        p_raster=p_raster,
        p_half=p_half,
        e_start=np.array([e[0] for e in exceptions], dtype=np.float64),
        e_end=np.array([e[1] for e in exceptions], dtype=np.float64),
        e_zone=np.array([e[2] for e in exceptions], dtype=np.int64),
        max_exc=max(a_exc_count, default=0),
        tzs=tzs,
        p_entries=p_entries,
        set_keys=list(set_of),
    )
