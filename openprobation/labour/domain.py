"""The labour computations, each in one place: the employment deadline and forced labour's year,
owed hours, pro-rata share and shortfall. Pure functions of their arguments (the page, the API,
the case fact, the work queue and the jobs call them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta
from django.utils.formats import number_format

from openprobation.labour.rules import EMPLOYMENT_DEADLINE, FORCED_LABOUR_SHORTFALL
from openprobation.rules.rulebook import rule

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    rule_key: str
    rule_version: int


COURT_ORDER = "court_order"


def employment_deadline(*, effective_date: dt.date, court_deadline: dt.date | None = None) -> Deadline:
    """The last day to find work: the deadline the court set when it set one, else the rulebook's
    months after the decision took effect (the same day of the month; the month's last day when it
    has no such day)."""
    if court_deadline is not None:
        return Deadline(due=court_deadline, rule_key=COURT_ORDER, rule_version=0)
    version = rule(EMPLOYMENT_DEADLINE, on=effective_date)
    due = effective_date + relativedelta(months=int(version["months_after_effect"]))
    return Deadline(due=due, rule_key=version.key, rule_version=version.version)


def employment_deadline_passed(*, deadline: dt.date, today: dt.date) -> bool:
    """The deadline day itself still counts: it has passed from the next day on."""
    return today > deadline


@dataclass(frozen=True)
class SentenceYear:
    """One year of the sentence counted from the start of control, cut at the end of control."""

    number: int  # 1 for the first year
    start: dt.date
    end: dt.date  # the last day of this year inside the control period
    full_days: int  # days of a full year starting on ``start`` (365 or 366)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def sentence_year(*, control_start: dt.date, control_end: dt.date | None, on: dt.date) -> SentenceYear:
    """The sentence year ``on`` falls in (before the start: the first; after the end: the last)."""
    if control_end is not None and on > control_end:
        on = control_end
    on = max(on, control_start)
    number = 0
    while control_start + relativedelta(years=number + 1) <= on:
        number += 1
    start = control_start + relativedelta(years=number)
    full_end = control_start + relativedelta(years=number + 1) - dt.timedelta(days=1)
    end = min(full_end, control_end) if control_end is not None else full_end
    return SentenceYear(number=number + 1, start=start, end=end, full_days=(full_end - start).days + 1)


def hours_text(value: Decimal) -> str:
    """Hours as the pages and the case facts show them: 37, 37.5 (37,5 in Kazakh and Russian)."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(number_format(value.normalize()))


@dataclass(frozen=True)
class ForcedLabourFigures:
    owed_this_year: Decimal
    done_this_year: Decimal
    expected_pro_rata: Decimal
    shortfall: Decimal
    tolerance: Decimal

    @property
    def done_text(self) -> str:
        return hours_text(self.done_this_year)

    @property
    def owed_text(self) -> str:
        return hours_text(self.owed_this_year)

    @property
    def expected_text(self) -> str:
        return hours_text(self.expected_pro_rata)

    @property
    def shortfall_text(self) -> str:
        return hours_text(self.shortfall)

    @property
    def behind(self) -> bool:
        """Flagged when the hours done fall short of the pro-rata share by more than the tolerance."""
        return self.done_this_year < self.expected_pro_rata - self.tolerance


def forced_labour_figures(
    *, year: SentenceYear, hours_per_year: int, done: Decimal, on: dt.date, tolerance: int, applies: bool = True
) -> ForcedLabourFigures:
    """The year's obligation and where the person stands on ``on``.

    - Owed: the rulebook's hours per year; a part year (the last year, cut by the end of control)
      owes the same share of them as its share of a full year's days, rounded down to the hour
      (in the person's favour): 100 h × 181 / 365 days → 49 h.
    - Expected by ``on``: the owed hours spread evenly over the year's days, counting ``on`` itself,
      rounded down to a hundredth of an hour.
    - Shortfall: expected minus done, never below zero; flagged (``behind``) only beyond the tolerance.
    Exempt (``applies`` false): nothing is owed or expected.
    """
    if not applies:
        zero = Decimal(0)
        return ForcedLabourFigures(zero, done, zero, zero, Decimal(tolerance))
    owed = (Decimal(hours_per_year) * year.days / year.full_days).to_integral_value(rounding=ROUND_FLOOR)
    elapsed = 0 if on < year.start else (min(on, year.end) - year.start).days + 1
    expected = (owed * elapsed / year.days).quantize(HUNDREDTH, rounding=ROUND_FLOOR)
    shortfall = max(Decimal(0), expected - done)
    return ForcedLabourFigures(
        owed_this_year=owed,
        done_this_year=done,
        expected_pro_rata=expected,
        shortfall=shortfall,
        tolerance=Decimal(tolerance),
    )


def shortfall_tolerance(*, on: dt.date) -> int:
    return int(rule(FORCED_LABOUR_SHORTFALL, on=on)["tolerance_hours"])
