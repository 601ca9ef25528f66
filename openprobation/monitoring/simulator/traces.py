"""Believable traces of monitored people, deterministic by seed and computed in bulk (NumPy).

Each simulated person has a home, a work place and a place for errands in one city, an exclusion
place kept well away from their usual legs, and a point outside the city. A day is eight waypoints
(home at midnight, leave home, reach the first place, leave it, reach the second, leave it, reach
home, home at midnight), so the position of any set of devices at any set of times is one
interpolation over arrays, with GPS jitter drawn from a counter-based hash of (seed, device, time):
the same fix comes out the same however the fixes are grouped, shuffled or repeated.

The home curfew (22:00–06:00 local time) is kept unless a violation is scripted. ``--violations``
is the share of person-days with one scripted event: a curfew breach (out late), entering the
exclusion place, leaving the city, the strap opened or cut, the battery run down, or a long signal
loss. ``Simulation.ground_truth`` lists the scripted events, for tests and the fault test.
Short signal gaps (store and forward) and "no fix" indoors at work happen on ordinary days too.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openprobation.monitoring.simulator import geo
from openprobation.monitoring.simulator.cities import City

DAY = 86_400.0
HOUR = 3_600.0
CURFEW_START_H = 22.0
CURFEW_END_H = 6.0
HOME_RADIUS_M = 100.0
HOME_BUFFER_M = 30.0
EXCLUSION_RADIUS_M = 150.0
EXCLUSION_MARGIN_M = 400.0  # an exclusion place at least this far beyond its radius from the usual legs
WALK_MS = 1.3
BUS_MS = 6.5  # a city bus with its stops, about 23 km/h
CAR_MS = 11.0
WALK_LIMIT_M = 1_200.0
SEQ_EPOCH = 1_704_067_200  # 2024-01-01 UTC: seq is whole seconds since then (increasing per device)
CHARGE_PCT_H = 16.0
DRAIN_PCT_H = 4.2
DRAIN_FAST_PCT_H = 6.4
LOW_BATTERY_PCT = 15.0
BATTERY_CLEAR_PCT = 25.0

KINDS = ("curfew", "exclusion_entry", "inclusion_exit", "strap", "low_battery", "lost_communication")
KIND_WEIGHTS = (0.40, 0.17, 0.13, 0.10, 0.10, 0.10)
NONE = -1

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass
class Person:
    city: City
    home: tuple[float, float]
    work: tuple[float, float]
    errand: tuple[float, float]
    exclusion: tuple[float, float] | None
    outside: tuple[float, float]


def _near(rng: np.random.Generator, lat: float, lon: float, low: float, high: float) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    r = rng.uniform(low, high)
    return geo.offset(lat, lon, r * math.cos(angle), r * math.sin(angle))


def _legs(p: Person) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    return [(p.home, p.work), (p.work, p.errand), (p.errand, p.home), (p.home, p.errand), (p.work, p.home)]


def _clearance(place: tuple[float, float], p: Person) -> float:
    return min(geo.segment_distance_m(place, a, b) for a, b in _legs(p))


def _outside_point(rng: np.random.Generator, city: City) -> tuple[float, float]:
    """A point 2–5 km beyond a vertex of the city's boundary, away from its centre."""
    lat0 = sum(b[0] for b in city.boundary) / len(city.boundary)
    lon0 = sum(b[1] for b in city.boundary) / len(city.boundary)
    vlat, vlon = city.boundary[int(rng.integers(len(city.boundary)))]
    east, north = geo.metres(lat0, lon0, vlat, vlon)
    norm = math.hypot(east, north) or 1.0
    beyond = rng.uniform(2_000, 5_000)
    return geo.offset(vlat, vlon, east / norm * beyond, north / norm * beyond)


def draw_person(
    rng: np.random.Generator,
    city: City,
    *,
    home: tuple[float, float] | None = None,
    exclusion: tuple[float, float] | None = None,
    with_exclusion: bool = True,
) -> Person:
    """A person of ``city``. ``home`` and ``exclusion`` are given when the zones already exist (a
    fleet reused, the demo's devices): the work place and errands are then drawn to keep clear of
    the exclusion place. A drawn exclusion place is the city's forbidden place furthest from the
    person's usual legs, or none when every one is too near."""
    n = len(city.points)
    if home is None:
        base = city.points[int(rng.integers(n))]
        home = _near(rng, base.lat, base.lon, 60, 300)
    person = Person(city=city, home=home, work=home, errand=home, exclusion=None, outside=_outside_point(rng, city))
    best: tuple[float, tuple[float, float], tuple[float, float]] | None = None
    for _try in range(12):
        w, e = city.points[int(rng.integers(n))], city.points[int(rng.integers(n))]
        person.work = _near(rng, w.lat, w.lon, 0, 120)
        person.errand = _near(rng, e.lat, e.lon, 0, 120)
        if exclusion is None:
            break
        clearance = _clearance(exclusion, person)
        if best is None or clearance > best[0]:
            best = (clearance, person.work, person.errand)
        if clearance >= EXCLUSION_RADIUS_M + EXCLUSION_MARGIN_M:
            break
    if exclusion is not None and best is not None:
        _c, person.work, person.errand = best
        person.exclusion = exclusion
    elif with_exclusion:
        scored = [(_clearance((f.lat, f.lon), person), (f.lat, f.lon)) for f in city.forbidden]
        clearance, place = max(scored)
        if clearance >= EXCLUSION_RADIUS_M + EXCLUSION_MARGIN_M:
            person.exclusion = place
    return person


def draw_people(seed: int, cities: Sequence[City]) -> list[Person]:
    """One person per entry of ``cities``; person ``i`` depends only on (seed, i, its city)."""
    return [draw_person(np.random.default_rng([seed, i]), city) for i, city in enumerate(cities)]


@dataclass(frozen=True)
class Scripted:
    """A scripted event: which device (index), what (a rule name), from when until when (epoch s)."""

    device: int
    kind: str
    start: float
    end: float


@dataclass
class Fixes:
    """Simulated fixes as columns (``device`` is the index in the simulation)."""

    device: IntArray
    t: FloatArray
    seq: IntArray
    lat: FloatArray
    lon: FloatArray
    accuracy: FloatArray
    battery: IntArray
    speed: FloatArray  # km/h
    course: IntArray
    strap: IntArray  # 0 intact, 1 opened, 2 cut
    fix: IntArray  # 0 valid, 1 none
    charging: BoolArray
    held: BoolArray  # in a signal gap: sent later with the first fix after it (store and forward)

    def __len__(self) -> int:
        return int(self.device.shape[0])

    def take(self, index: IntArray | BoolArray) -> Fixes:
        return Fixes(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})


STRAP_NAMES = ("intact", "opened", "cut")
FIX_NAMES = ("valid", "none", "last_known")


def owntracks(fixes: Fixes) -> list[dict[str, Any]]:
    """The fixes as OwnTracks location messages extended with the monitoring fields."""
    out: list[dict[str, Any]] = []
    columns = zip(
        fixes.t.tolist(),
        fixes.seq.tolist(),
        fixes.lat.tolist(),
        fixes.lon.tolist(),
        fixes.accuracy.tolist(),
        fixes.battery.tolist(),
        fixes.speed.tolist(),
        fixes.course.tolist(),
        fixes.strap.tolist(),
        fixes.fix.tolist(),
        fixes.charging.tolist(),
        strict=True,
    )
    for t, seq, lat, lon, acc, batt, vel, cog, strap, fix, charging in columns:
        out.append(
            {
                "_type": "location",
                "t": "p",
                "tst": int(t),
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "acc": int(round(acc)),
                "batt": int(batt),
                "vel": int(round(vel)),
                "cog": int(cog),
                "seq": int(seq),
                "strap": STRAP_NAMES[strap],
                "fix": FIX_NAMES[fix],
                "charging": bool(charging),
            }
        )
    return out


def _hash_uniform(seed: int, device: IntArray, t: FloatArray, salt: int) -> FloatArray:
    """Uniform [0, 1) from (seed, device, whole second, salt): splitmix64 over uint64 (wrapping)."""
    x = device.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    x ^= np.floor(t).astype(np.int64).astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
    x ^= np.uint64((seed * 1_000_003 + salt * 7919) & 0xFFFFFFFFFFFF)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def _normal(seed: int, device: IntArray, t: FloatArray, salt: int) -> FloatArray:
    u1 = np.maximum(_hash_uniform(seed, device, t, salt), 1e-12)
    u2 = _hash_uniform(seed, device, t, salt + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * math.pi * u2)


class Simulation:
    """The days of a population from the local midnight before ``start`` for ``days`` days."""

    def __init__(self, people: Sequence[Person], *, seed: int, start: float, days: int, violations: float) -> None:
        if not 0 <= violations <= 1:
            raise ValueError("violations must be a share between 0 and 1")
        self.people = list(people)
        self.seed = seed
        n = len(self.people)
        tz = zoneinfo.ZoneInfo(self.people[0].city.time_zone if self.people else "Asia/Almaty")
        local = dt.datetime.fromtimestamp(start, tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        self.first_midnight = midnight.timestamp()
        self.days = max(1, days)
        self.weekday0 = midnight.weekday()
        d = self.days
        self.wt = np.zeros((n, d, 8))
        self.wlat = np.zeros((n, d, 8))
        self.wlon = np.zeros((n, d, 8))
        self.kind = np.full((n, d), NONE, dtype=np.int64)
        self.ev_start = np.full((n, d), np.nan)
        self.ev_end = np.full((n, d), np.nan)
        self.gap_start = np.full((n, d), np.nan)
        self.gap_end = np.full((n, d), np.nan)
        self.strap_code = np.zeros((n, d), dtype=np.int64)
        self.drain = np.full((n, d), DRAIN_PCT_H)
        self.charge_h = np.full((n, d), 22.5)
        if n:
            for day in range(d):
                self._plan_day(day, violations)

    # --- planning -------------------------------------------------------------------------------

    def _plan_day(self, day: int, rate: float) -> None:
        n = len(self.people)
        rng = np.random.default_rng([self.seed, 7, day, int(self.first_midnight // DAY)])
        m = self.first_midnight + day * DAY
        weekend = (self.weekday0 + day) % 7 >= 5
        home = np.array([p.home for p in self.people])
        work = np.array([p.work for p in self.people])
        errand = np.array([p.errand for p in self.people])
        outside = np.array([p.outside for p in self.people])
        excl = np.array([p.exclusion if p.exclusion else (np.nan, np.nan) for p in self.people])
        has_excl = ~np.isnan(excl[:, 0])

        roll = rng.random(n)
        kind = np.where(roll < rate, rng.choice(len(KINDS), size=n, p=KIND_WEIGHTS), NONE)
        kind = np.where((kind == KINDS.index("exclusion_entry")) & ~has_excl, KINDS.index("curfew"), kind)

        if weekend:
            first, leave = errand.copy(), 11.0 + rng.normal(0, 0.8, n)
            stay1 = rng.uniform(2.0, 4.0, n)
        else:
            first, leave = work.copy(), 8.0 + rng.normal(0, 0.4, n)
            stay1 = np.maximum(18.0 + rng.normal(0, 0.6, n) - leave, 6.0)
        leave = np.clip(leave, 6.5, 12.5)
        second = np.where((rng.random(n) < 0.5)[:, None], errand, first)
        stay2 = np.where((second == first).all(axis=1), 0.0, rng.uniform(0.5, 1.5, n))
        late = kind == KINDS.index("curfew")
        to_excl = kind == KINDS.index("exclusion_entry")
        to_out = kind == KINDS.index("inclusion_exit")
        second = np.where(to_excl[:, None], excl, second)
        second = np.where(to_out[:, None], outside, second)
        stay2 = np.where(to_excl, rng.uniform(0.25, 0.7, n), stay2)
        stay2 = np.where(to_out, rng.uniform(0.5, 1.5, n), stay2)

        def leg_h(a: FloatArray, b: FloatArray, fast: BoolArray | None = None) -> FloatArray:
            east, north = geo.arrays_delta_m(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
            dist = np.hypot(east, north)
            speed = np.where(dist < WALK_LIMIT_M, WALK_MS, BUS_MS)
            if fast is not None:
                speed = np.where(fast, CAR_MS, speed)
            return dist / speed / HOUR

        t_leave = leave
        t_arr1 = t_leave + leg_h(home, first)
        t_dep1 = t_arr1 + stay1
        t_arr2 = t_dep1 + leg_h(first, second, to_out)
        t_dep2 = t_arr2 + stay2
        back = leg_h(second, home, to_out)
        t_home = t_dep2 + back
        # Home by 21:30 on an ordinary day (leave the first place earlier if need be); out until
        # 22:20–23:40 on a scripted curfew breach.
        target_late = rng.uniform(22.33, 23.67, n)
        limit = np.where(late, target_late, 21.5)
        excess = np.where(late, t_home - limit, np.maximum(t_home - limit, 0.0))
        shift_first = np.minimum(excess, np.maximum(t_dep1 - t_arr1 - 0.2, 0.0))
        t_dep1 = t_dep1 - np.where(excess > 0, shift_first, 0.0)
        t_arr2 = t_dep1 + leg_h(first, second, to_out)
        t_dep2 = np.where(late, limit - back, np.minimum(t_arr2 + stay2, limit - back))
        t_dep2 = np.maximum(t_dep2, t_arr2)
        t_home = t_dep2 + back

        hours = np.stack([np.zeros(n), t_leave, t_arr1, t_dep1, t_arr2, t_dep2, t_home, np.full(n, 24.0)], axis=1)
        hours = np.maximum.accumulate(np.minimum(hours, 24.0), axis=1)
        self.wt[:, day] = m + hours * HOUR
        points = np.stack([home, home, first, first, second, second, home, home], axis=1)
        self.wlat[:, day] = points[:, :, 0]
        self.wlon[:, day] = points[:, :, 1]

        # Battery: drains from 06:00, charges from 22:30 or the return home, whichever is later.
        self.charge_h[:, day] = np.maximum(22.5, hours[:, 6])
        self.drain[:, day] = np.where(kind == KINDS.index("low_battery"), DRAIN_FAST_PCT_H, DRAIN_PCT_H)

        # Signal gaps: a short one on one day in ten (store and forward), a long one when scripted.
        long_gap = kind == KINDS.index("lost_communication")
        short_gap = (rng.random(n) < 0.1) & ~long_gap
        gap_len = np.where(long_gap, rng.uniform(25, 45, n), rng.uniform(2, 8, n)) / 60
        gap_at = rng.uniform(10.0, 16.0, n)
        any_gap = long_gap | short_gap
        self.gap_start[:, day] = np.where(any_gap, m + gap_at * HOUR, np.nan)
        self.gap_end[:, day] = np.where(any_gap, m + (gap_at + gap_len) * HOUR, np.nan)

        tamper = kind == KINDS.index("strap")
        tamper_at = rng.uniform(11.0, 17.0, n)
        tamper_len = rng.uniform(1.0, 5.0, n) / 60
        self.strap_code[:, day] = np.where(rng.random(n) < 0.2, 2, 1)

        start = np.full(n, np.nan)
        end = np.full(n, np.nan)
        start = np.where(late, m + CURFEW_START_H * HOUR, start)
        end = np.where(late, m + hours[:, 6] * HOUR, end)
        start = np.where(to_excl | to_out, m + hours[:, 4] * HOUR, start)
        end = np.where(to_excl | to_out, m + hours[:, 5] * HOUR, end)
        start = np.where(tamper, m + tamper_at * HOUR, start)
        end = np.where(tamper, m + (tamper_at + tamper_len) * HOUR, end)
        low = kind == KINDS.index("low_battery")
        level_at_charge = 100 - DRAIN_FAST_PCT_H * (self.charge_h[:, day] - CURFEW_END_H)
        level_at_charge = np.maximum(level_at_charge, 1.0)
        start = np.where(low, m + (CURFEW_END_H + (100 - LOW_BATTERY_PCT) / DRAIN_FAST_PCT_H) * HOUR, start)
        end = np.where(
            low,
            m + (self.charge_h[:, day] + (BATTERY_CLEAR_PCT - level_at_charge) / CHARGE_PCT_H) * HOUR,
            end,
        )
        start = np.where(long_gap, self.gap_start[:, day], start)
        end = np.where(long_gap, self.gap_end[:, day], end)
        self.kind[:, day] = kind
        self.ev_start[:, day] = start
        self.ev_end[:, day] = end

    # --- sampling -------------------------------------------------------------------------------

    def schedule(
        self, *, interval: float, start: float, end: float, origin: float | None = None
    ) -> tuple[IntArray, FloatArray]:
        """Every fix time in [start, end): device i reports at ``origin`` + its phase + k × ``interval``
        (phases spread evenly over the interval, whole seconds when it allows; ``origin`` defaults
        to ``start``). Ordered by time, then device."""
        n = len(self.people)
        if n == 0 or end <= start or interval <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        origin = start if origin is None else origin
        phase = np.arange(n) * (interval / n)
        if interval >= 1:
            phase = np.floor(phase)
        first = np.ceil((start - origin - phase) / interval)
        last = np.ceil((end - origin - phase) / interval) - 1
        counts = np.maximum(last - first + 1, 0).astype(np.int64)
        device = np.repeat(np.arange(n, dtype=np.int64), counts)
        k = np.repeat(first, counts) + (np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts))
        t = origin + phase[device] + k * interval
        order = np.lexsort((device, t))
        return device[order], t[order]

    def fixes(self, device: IntArray, t: FloatArray) -> Fixes:
        """The fixes of ``device`` (indexes) at times ``t`` (epoch s, within the simulated days)."""
        device = np.asarray(device, dtype=np.int64)
        t = np.asarray(t, dtype=np.float64)
        day = np.clip(((t - self.first_midnight) // DAY).astype(np.int64), 0, self.days - 1)
        wt = self.wt[device, day]
        j = np.clip((wt <= t[:, None]).sum(axis=1) - 1, 0, 6)
        rows = np.arange(len(t))
        t0, t1 = wt[rows, j], wt[rows, j + 1]
        span = t1 - t0
        frac = np.where(span > 0, np.clip((t - t0) / np.where(span > 0, span, 1), 0, 1), 0.0)
        lat0, lat1 = self.wlat[device, day, j], self.wlat[device, day, j + 1]
        lon0, lon1 = self.wlon[device, day, j], self.wlon[device, day, j + 1]
        lat = lat0 + frac * (lat1 - lat0)
        lon = lon0 + frac * (lon1 - lon0)
        east, north = geo.arrays_delta_m(lat0, lon0, lat1, lon1)
        dist = np.hypot(east, north)
        moving = (dist > 1) & (span > 0) & (frac > 0) & (frac < 1)
        speed = np.where(moving, dist / np.where(span > 0, span, 1) * 3.6, 0.0)
        course = np.where(moving, np.degrees(np.arctan2(east, north)) % 360, 0.0)

        s = self.seed
        indoors = ~moving & (j == 2) & ((self.weekday0 + day) % 7 < 5)  # at work
        accuracy = np.where(moving, 5 + 15 * _hash_uniform(s, device, t, 1), 12 + 28 * _hash_uniform(s, device, t, 2))
        jitter_e = _normal(s, device, t, 3) * accuracy / 2.5
        jitter_n = _normal(s, device, t, 5) * accuracy / 2.5
        lat, lon = geo.arrays_offset(lat, lon, jitter_e, jitter_n)
        speed = np.maximum(speed * (1 + 0.1 * _normal(s, device, t, 7)), 0.0)
        fix = np.where(indoors & (_hash_uniform(s, device, t, 9) < 0.05), 1, 0)

        hour = (t - (self.first_midnight + day * DAY)) / HOUR
        drain = self.drain[device, day]
        charge_h = self.charge_h[device, day]
        at_charge = np.maximum(100 - drain * (charge_h - CURFEW_END_H), 1.0)
        prev = np.maximum(day - 1, 0)
        prev_charge_h = np.where(day > 0, self.charge_h[device, prev], 22.5)
        prev_drain = np.where(day > 0, self.drain[device, prev], DRAIN_PCT_H)
        prev_level = np.maximum(100 - prev_drain * (prev_charge_h - CURFEW_END_H), 1.0)
        morning = np.minimum(100, prev_level + CHARGE_PCT_H * (hour + 24 - prev_charge_h))
        daytime = np.maximum(100 - drain * (hour - CURFEW_END_H), 1.0)
        evening = np.minimum(100, at_charge + CHARGE_PCT_H * (hour - charge_h))
        battery = np.where(hour < CURFEW_END_H, morning, np.where(hour < charge_h, daytime, evening))
        charging = (hour >= charge_h) | ((hour < CURFEW_END_H) & (battery < 100))

        kind = self.kind[device, day]
        ev_start, ev_end = self.ev_start[device, day], self.ev_end[device, day]
        tampered = (kind == KINDS.index("strap")) & (t >= ev_start) & (t < ev_end)
        strap = np.where(tampered, self.strap_code[device, day], 0)
        held = (t >= self.gap_start[device, day]) & (t < self.gap_end[device, day])
        return Fixes(
            device=device,
            t=t,
            seq=(np.floor(t).astype(np.int64) - SEQ_EPOCH),
            lat=lat,
            lon=lon,
            accuracy=accuracy,
            battery=np.round(battery).astype(np.int64),
            speed=speed,
            course=np.round(course).astype(np.int64) % 360,
            strap=strap.astype(np.int64),
            fix=fix.astype(np.int64),
            charging=charging,
            held=held,
        )

    def trace(self, device: int, *, start: float, end: float, interval: float) -> Fixes:
        """One device's fixes every ``interval`` seconds in [start, end)."""
        t = np.arange(start, end, interval, dtype=np.float64)
        return self.fixes(np.full(len(t), device, dtype=np.int64), t)

    def ground_truth(self, *, start: float, end: float) -> list[Scripted]:
        """The scripted events that overlap [start, end), in order of start."""
        dev, day = np.nonzero(self.kind != NONE)
        events = [
            Scripted(int(i), KINDS[self.kind[i, d]], float(self.ev_start[i, d]), float(self.ev_end[i, d]))
            for i, d in zip(dev.tolist(), day.tolist(), strict=True)
        ]
        return sorted((e for e in events if e.start < end and e.end > start), key=lambda e: (e.start, e.device))

    def script_strap(self, device: int, *, at: float, minutes: float, code: int = 1) -> bool:
        """Script the strap of ``device`` opened (``code`` 1; 2 cut) from ``at`` for ``minutes`` — an
        event that leaves the day's route as it was. Only on a day without a scripted event and
        outside a signal gap (so the fixes say it live); returns whether it was scripted."""
        day = int((at - self.first_midnight) // DAY)
        if not 0 <= day < self.days or self.kind[device, day] != NONE:
            return False
        if self.gap_start[device, day] <= at + minutes * 60 and self.gap_end[device, day] >= at:
            return False
        self.kind[device, day] = KINDS.index("strap")
        self.ev_start[device, day] = at
        self.ev_end[device, day] = at + minutes * 60
        self.strap_code[device, day] = code
        return True

    def position_at(self, device: int, t: float) -> tuple[float, float]:
        """The true (jitter-free) position of a device at ``t``."""
        day = min(max(int((t - self.first_midnight) // DAY), 0), self.days - 1)
        wt = self.wt[device, day]
        return float(np.interp(t, wt, self.wlat[device, day])), float(np.interp(t, wt, self.wlon[device, day]))
