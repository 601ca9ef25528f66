"""The labour computations at their boundaries (pure functions; the rulebook is read)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openprobation.labour.domain import (
    employment_deadline,
    employment_deadline_passed,
    forced_labour_figures,
    sentence_year,
)

pytestmark = pytest.mark.django_db

D = dt.date


def test_deadline_is_one_month_after_the_decision_took_effect():
    deadline = employment_deadline(effective_date=D(2026, 12, 1))
    assert deadline.due == D(2027, 1, 1)
    assert (deadline.rule_key, deadline.rule_version) == ("labour.employment_deadline", 1)


def test_deadline_at_the_end_of_a_short_month():
    assert employment_deadline(effective_date=D(2027, 1, 31)).due == D(2027, 2, 28)
    assert employment_deadline(effective_date=D(2028, 1, 31)).due == D(2028, 2, 29)


def test_the_deadline_day_itself_has_not_passed():
    assert not employment_deadline_passed(deadline=D(2027, 1, 1), today=D(2027, 1, 1))
    assert employment_deadline_passed(deadline=D(2027, 1, 1), today=D(2027, 1, 2))


def test_sentence_years_run_from_the_start_of_control():
    start, end = D(2026, 3, 10), D(2028, 9, 9)
    first = sentence_year(control_start=start, control_end=end, on=D(2026, 3, 10))
    assert (first.number, first.start, first.end, first.days) == (1, D(2026, 3, 10), D(2027, 3, 9), 365)
    assert sentence_year(control_start=start, control_end=end, on=D(2027, 3, 9)).number == 1
    second = sentence_year(control_start=start, control_end=end, on=D(2027, 3, 10))
    assert (second.number, second.start) == (2, D(2027, 3, 10))
    last = sentence_year(control_start=start, control_end=end, on=D(2028, 6, 1))
    assert (last.number, last.start, last.end) == (3, D(2028, 3, 10), D(2028, 9, 9))
    # After the end of control: the last year; before the start: the first.
    assert sentence_year(control_start=start, control_end=end, on=D(2030, 1, 1)).number == 3
    assert sentence_year(control_start=start, control_end=end, on=D(2025, 1, 1)).number == 1


def test_a_full_year_owes_the_rulebook_hours_and_expects_them_pro_rata():
    year = sentence_year(control_start=D(2026, 1, 1), control_end=D(2027, 12, 31), on=D(2026, 1, 1))
    f = forced_labour_figures(year=year, hours_per_year=100, done=Decimal(0), on=D(2026, 1, 1), tolerance=8)
    assert f.owed_this_year == 100
    assert f.expected_pro_rata == Decimal("0.27")  # 100 × 1/365, rounded down
    mid = forced_labour_figures(year=year, hours_per_year=100, done=Decimal(0), on=D(2026, 7, 2), tolerance=8)
    assert mid.expected_pro_rata == Decimal("50.13")  # 183 of 365 days
    end = forced_labour_figures(year=year, hours_per_year=100, done=Decimal(100), on=D(2026, 12, 31), tolerance=8)
    assert (end.expected_pro_rata, end.shortfall, end.behind) == (Decimal(100), Decimal(0), False)


def test_a_part_year_owes_its_share_rounded_down():
    # The last year: 181 of 365 days → 100 × 181 / 365 = 49.59 → 49 h.
    year = sentence_year(control_start=D(2025, 1, 1), control_end=D(2026, 6, 30), on=D(2026, 3, 1))
    assert (year.days, year.full_days) == (181, 365)
    f = forced_labour_figures(year=year, hours_per_year=100, done=Decimal(0), on=D(2026, 6, 30), tolerance=8)
    assert f.owed_this_year == 49
    assert f.expected_pro_rata == 49


def test_shortfall_is_flagged_only_beyond_the_tolerance():
    year = sentence_year(control_start=D(2026, 1, 1), control_end=D(2027, 12, 31), on=D(2026, 7, 2))
    on = D(2026, 7, 2)  # 50.13 h expected
    at = forced_labour_figures(year=year, hours_per_year=100, done=Decimal("42.13"), on=on, tolerance=8)
    assert at.shortfall == Decimal("8.00") and not at.behind
    over = forced_labour_figures(year=year, hours_per_year=100, done=Decimal("42.12"), on=on, tolerance=8)
    assert over.shortfall == Decimal("8.01") and over.behind


def test_an_exempt_person_owes_nothing():
    year = sentence_year(control_start=D(2026, 1, 1), control_end=D(2027, 12, 31), on=D(2026, 7, 2))
    f = forced_labour_figures(
        year=year, hours_per_year=100, done=Decimal(0), on=D(2026, 7, 2), tolerance=8, applies=False
    )
    assert (f.owed_this_year, f.expected_pro_rata, f.shortfall) == (Decimal(0), Decimal(0), Decimal(0))
    assert not f.behind
