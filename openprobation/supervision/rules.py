"""Pure rules of reporting schedules: which days a pattern yields on the working-day calendar, and
the default frequency the rulebook sets (``supervision.reporting_frequency``).

The rulebook key is declared here (its typed schema) because the supervision app introduces it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openprobation.rules.schemas import Choice, Int, ListOf, Obj, Optional, Params, register_schema

RULE_KEY = "supervision.reporting_frequency"
PATTERNS = ("weekly", "every_n_weeks", "monthly")
LEVELS = ("low", "medium", "high")

FREQUENCY = Obj(
    {
        "pattern": Choice(PATTERNS),
        "weekdays": Optional(ListOf(Int(min=0, max=6), unique=True)),
        "month_days": Optional(ListOf(Int(min=1, max=31), unique=True)),
        "interval_weeks": Optional(Int(min=1, max=52)),
    }
)

register_schema(
    RULE_KEY,
    Params(
        {
            "levels": Obj(dict.fromkeys(LEVELS, FREQUENCY)),
            "default": FREQUENCY,
            # Local time of day of a generated appointment, in minutes after midnight.
            "time_minutes": Int(min=0, max=24 * 60 - 1),
            # How far ahead the job creates appointments, and how long before one the reminder goes.
            "horizon_days": Int(min=1, max=366),
            "reminder_hours_before": Int(min=1, max=24 * 14),
        }
    ),
)


@dataclass(frozen=True)
class Frequency:
    """A schedule's pattern (the rulebook's default or the officer's choice)."""

    pattern: str
    weekdays: tuple[int, ...] = ()
    month_days: tuple[int, ...] = ()
    interval_weeks: int = 1

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Frequency:
        return cls(
            pattern=str(params["pattern"]),
            weekdays=tuple(sorted(int(d) for d in params.get("weekdays", []))),
            month_days=tuple(sorted(int(d) for d in params.get("month_days", []))),
            interval_weeks=int(params.get("interval_weeks", 1)),
        ).normalised()

    def normalised(self) -> Frequency:
        """Only the parts the pattern uses (so two equal schedules compare equal)."""
        if self.pattern == "monthly":
            return Frequency("monthly", (), tuple(sorted(set(self.month_days))), 1)
        interval = self.interval_weeks if self.pattern == "every_n_weeks" else 1
        return Frequency(self.pattern, tuple(sorted(set(self.weekdays))), (), interval)

    def as_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pattern": self.pattern}
        if self.pattern == "monthly":
            out["month_days"] = list(self.month_days)
        else:
            out["weekdays"] = list(self.weekdays)
        if self.pattern == "every_n_weeks":
            out["interval_weeks"] = self.interval_weeks
        return out

    def problem(self) -> str:
        """A code naming what is missing, or "" when the pattern can yield days."""
        if self.pattern not in PATTERNS:
            return "pattern"
        if self.pattern == "monthly":
            return "" if self.month_days and all(1 <= d <= 31 for d in self.month_days) else "month_days"
        if not self.weekdays or not all(0 <= d <= 6 for d in self.weekdays):
            return "weekdays"
        if not 1 <= self.interval_weeks <= 52:
            return "interval_weeks"
        return ""


def default_frequency(params: dict[str, Any], level: str = "") -> Frequency:
    """The rulebook's frequency for a supervision level, or its default when there is no level."""
    if level and level in params.get("levels", {}):
        return Frequency.from_params(params["levels"][level])
    return Frequency.from_params(params["default"])


def _raw_days(freq: Frequency, start: dt.date, end: dt.date, anchor: dt.date) -> list[dt.date]:
    days: list[dt.date] = []
    if freq.pattern == "monthly":
        year, month = start.year, start.month
        while dt.date(year, month, 1) <= end:
            last = calendar.monthrange(year, month)[1]
            for d in freq.month_days:
                day = dt.date(year, month, min(d, last))
                if start <= day <= end:
                    days.append(day)
            month += 1
            if month > 12:
                year, month = year + 1, 1
        return sorted(set(days))
    anchor_monday = anchor - dt.timedelta(days=anchor.weekday())
    day = start
    while day <= end:
        if day.weekday() in freq.weekdays:
            weeks = (day - anchor_monday).days // 7
            if weeks % freq.interval_weeks == 0:
                days.append(day)
        day += dt.timedelta(days=1)
    return days


@dataclass
class ScheduledDays:
    days: list[dt.date] = field(default_factory=list)
    moved: dict[dt.date, dt.date] = field(default_factory=dict)  # planned day → working day it moved to


def schedule_days(
    freq: Frequency,
    *,
    start: dt.date,
    end: dt.date,
    anchor: dt.date,
    is_working_day: Callable[[dt.date], bool],
    last_day: dt.date | None = None,
) -> ScheduledDays:
    """The reporting days of ``freq`` from ``start`` to ``end`` (both included). A day off moves to
    the next working day; a day that would then fall on another reporting day is dropped (never two
    reports on one day), and so is one moved past ``last_day`` (the end of the control period).
    ``anchor`` is the first day of the schedule (every-N-weeks counts weeks from it)."""
    out = ScheduledDays()
    seen: set[dt.date] = set()
    limit = last_day or end + dt.timedelta(days=31)
    for planned in _raw_days(freq, start, end, anchor):
        day = planned
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        if day > limit or day in seen:
            continue
        seen.add(day)
        out.days.append(day)
        if day != planned:
            out.moved[planned] = day
    return out
