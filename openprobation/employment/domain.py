"""Quota arithmetic: one pure function on plain values, used by the services (to refuse a placement
beyond the quota, or a quota cut below the places already used), the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PlacementFact:
    """What the arithmetic needs of one placement."""

    started_on: dt.date
    ended_on: dt.date | None = None
    counts_toward_quota: bool = True


@dataclass(frozen=True)
class QuotaUsage:
    places: int
    used: int  # placements started in the quota's year that count toward it, whatever their end
    ended_early: int  # of those, the ones that have already ended (still used: the place was taken)
    free: int  # places - used, never negative
    over: int  # used beyond the places (0 unless places were recorded outside the rules)

    @property
    def percent(self) -> int | None:
        """Share of the places used, in whole percent (None for a quota of no places)."""
        if self.places == 0:
            return None
        return round(100 * self.used / self.places)

    @property
    def full(self) -> bool:
        return self.free == 0


def quota_usage(
    *, places: int, year: int, placements: Iterable[PlacementFact], on: dt.date | None = None
) -> QuotaUsage:
    """Usage of an employer's quota in a district for ``year``.

    A place is used by a placement that started within the calendar year and counts toward the
    quota; it stays used when the placement ends (the akimat's quota is of places filled in the
    year, not of people at work today). ``ended_early`` counts the used places whose placement has
    ended by ``on`` (by now when ``on`` is None, i.e. any recorded end)."""
    used = 0
    ended = 0
    for fact in placements:
        if not fact.counts_toward_quota or fact.started_on.year != year:
            continue
        used += 1
        if fact.ended_on is not None and (on is None or fact.ended_on <= on):
            ended += 1
    places = max(int(places), 0)
    return QuotaUsage(
        places=places, used=used, ended_early=ended, free=max(places - used, 0), over=max(used - places, 0)
    )
