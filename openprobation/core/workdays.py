"""Working-day arithmetic over a holiday calendar given as data (the rulebook holds the calendar).

Kazakhstan: Saturday and Sunday are days off; national holidays are days off; when a national
holiday (not a religious one) falls on a day off, the next working day is a day off (Labour Code
art. 85); the government may move days off by decree (art. 85(3)), given as transfers — a day off
and the day worked instead — or, in the older shape of the data, as separate lists of extra days off
and extra working days. Both shapes are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HolidayCalendar:
    weekend: frozenset[int] = frozenset({5, 6})
    # (month, day, moves_to_next_working_day)
    fixed: tuple[tuple[int, int, bool], ...] = ()
    dated: frozenset[dt.date] = frozenset()
    extra_days_off: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()
    # Years whose decrees (or religious-holiday dates) are not published yet: the answer may change.
    provisional_years: frozenset[int] = frozenset()
    _cache: dict[int, frozenset[dt.date]] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> HolidayCalendar:
        fixed = []
        for item in params.get("fixed_holidays", []):
            month, day = (int(part) for part in str(item["date"]).split("-"))
            fixed.append((month, day, bool(item.get("moves", True))))
        transfers = params.get("transfers", [])
        days_off = [*params.get("extra_days_off", []), *(t["day_off"] for t in transfers)]
        working = [*params.get("extra_working_days", []), *(t["working_day"] for t in transfers)]
        return cls(
            weekend=frozenset(int(d) for d in params.get("weekend", [5, 6])),
            fixed=tuple(fixed),
            dated=frozenset(dt.date.fromisoformat(d["date"]) for d in params.get("dated_holidays", [])),
            extra_days_off=frozenset(dt.date.fromisoformat(d) for d in days_off),
            extra_working_days=frozenset(dt.date.fromisoformat(d) for d in working),
            provisional_years=frozenset(int(y) for y in params.get("provisional_years", [])),
        )

    def days_off_in(self, year: int) -> frozenset[dt.date]:
        cached = self._cache.get(year)
        if cached is not None:
            return cached
        off: set[dt.date] = set()
        moving: list[dt.date] = []
        for month, day, moves in self.fixed:
            holiday = dt.date(year, month, day)
            off.add(holiday)
            if moves and holiday.weekday() in self.weekend:
                moving.append(holiday)
        off.update(d for d in self.dated if d.year == year)
        for holiday in sorted(moving):
            candidate = holiday + dt.timedelta(days=1)
            while candidate.weekday() in self.weekend or candidate in off:
                candidate += dt.timedelta(days=1)
            off.add(candidate)
        off.update(d for d in self.extra_days_off if d.year == year)
        result = frozenset(off - {d for d in self.extra_working_days if d.year == year})
        self._cache[year] = result
        return result

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day`` lies in a year whose transfers or religious-holiday dates are not final."""
        return day.year in self.provisional_years

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day.weekday() in self.weekend:
            return False
        return day not in self.days_off_in(day.year)

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The date ``count`` working days after ``start`` (``start`` itself is not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        days = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days += 1
        return days
