"""Local time for weekly windows, vectorised: epoch seconds → seconds of the local week (Monday
00:00 = 0) in an IANA time zone.

The UTC offset is looked up at the earliest and latest time of the batch; when they agree (almost
always: Kazakhstan keeps no daylight saving time) one offset serves every fix, otherwise the
transitions inside the range are found (a day-by-day scan, then bisection to the second) and each
fix gets its offset by a binary search over them.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

WEEK_S = 7 * 86_400
EPOCH_WEEKDAY_SHIFT = 3 * 86_400  # 1970-01-01 was a Thursday: shift so that Monday 00:00 = 0
DAY_S = 86_400


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def offset_at(tz: str, t: float) -> float:
    """UTC offset in seconds of ``tz`` at epoch ``t``."""
    moment = dt.datetime.fromtimestamp(t, tz=dt.UTC).astimezone(zone(tz))
    delta = moment.utcoffset()
    return delta.total_seconds() if delta is not None else 0.0


def _transitions(tz: str, lo: float, hi: float) -> list[tuple[float, float]]:
    """(instant, offset from then on) of every offset change in (lo, hi]."""
    found: list[tuple[float, float]] = []
    prev_t, prev_off = lo, offset_at(tz, lo)
    t = lo
    while t < hi:
        t = min(hi, t + DAY_S)
        off = offset_at(tz, t)
        if off != prev_off:
            a, b = prev_t, t  # offset(a) = prev_off, offset(b) = off
            while b - a > 1:
                mid = (a + b) // 2
                if offset_at(tz, mid) == prev_off:
                    a = mid
                else:
                    b = mid
            found.append((b, off))
        prev_t, prev_off = t, off
    return found


def offsets(tz: str, t: NDArray[np.float64]) -> NDArray[np.float64]:
    """UTC offsets in seconds of ``tz`` at each time of ``t``."""
    if len(t) == 0:
        return np.zeros(0)
    lo, hi = float(t.min()), float(t.max())
    first = offset_at(tz, lo)
    if first == offset_at(tz, hi) and hi - lo < 180 * DAY_S:
        # the same offset at both ends of a range shorter than any pair of transitions
        return np.full(len(t), first)
    changes = _transitions(tz, lo, hi)
    if not changes:
        return np.full(len(t), first)
    instants = np.array([c[0] for c in changes])
    values = np.array([first] + [c[1] for c in changes])
    return values[np.searchsorted(instants, t, side="right")]


def seconds_of_week(t: NDArray[np.float64], offset: NDArray[np.float64]) -> NDArray[np.float64]:
    """Seconds since local Monday 00:00 of each time."""
    return np.mod(t + offset + EPOCH_WEEKDAY_SHIFT, WEEK_S)


def windows_seconds(windows: tuple[tuple[int, int], ...]) -> list[tuple[float, float]]:
    """Minute-of-week intervals [start, end) → seconds of week."""
    return [(float(a) * 60.0, float(b) * 60.0) for a, b in windows]
