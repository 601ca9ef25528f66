"""Working-day arithmetic: weekends, holidays that move to the next working day (Labour Code
art. 85), religious holidays that do not, and government decrees moving days off."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.core.workdays import HolidayCalendar
from openprobation.rules.rulebook import add_working_days, working_calendar

D = dt.date

SMALL = HolidayCalendar.from_params(
    {
        "weekend": [5, 6],
        "fixed_holidays": [
            {"date": "01-01", "name": "New Year"},
            {"date": "01-02", "name": "New Year"},
            {"date": "01-07", "name": "Orthodox Christmas", "moves": False},
            {"date": "03-21", "name": "Nauryz"},
            {"date": "03-22", "name": "Nauryz"},
            {"date": "03-23", "name": "Nauryz"},
        ],
        "dated_holidays": [{"date": "2024-06-16", "name": "Kurban Ait"}, {"date": "2026-05-27", "name": "Kurban Ait"}],
        "extra_days_off": ["2026-05-08"],
        "extra_working_days": ["2026-05-16"],
    }
)


def test_saturday_and_sunday_are_days_off():
    assert SMALL.is_working_day(D(2026, 5, 15))  # Friday
    assert not SMALL.is_working_day(D(2026, 5, 2))  # Saturday
    assert not SMALL.is_working_day(D(2026, 5, 3))  # Sunday
    assert SMALL.add_working_days(D(2026, 4, 3), 1) == D(2026, 4, 6)  # Friday + 1 = Monday


def test_start_day_is_not_counted_and_zero_days_is_the_start():
    assert SMALL.add_working_days(D(2026, 4, 6), 0) == D(2026, 4, 6)
    assert SMALL.add_working_days(D(2026, 4, 6), 1) == D(2026, 4, 7)


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        SMALL.add_working_days(D(2026, 4, 6), -1)


def test_fixed_holiday_on_a_working_day_is_a_day_off():
    # Nauryz 2028 falls on Tuesday to Thursday: nothing moves, Friday works
    for day in (D(2028, 3, 21), D(2028, 3, 22), D(2028, 3, 23)):
        assert not SMALL.is_working_day(day)
    assert SMALL.is_working_day(D(2028, 3, 24))
    assert SMALL.add_working_days(D(2028, 3, 20), 1) == D(2028, 3, 24)


def test_nauryz_2026_weekend_days_move_to_24_and_25_march():
    # 21 March 2026 is a Saturday, 22 a Sunday, 23 a Monday
    for day in (D(2026, 3, 21), D(2026, 3, 22), D(2026, 3, 23), D(2026, 3, 24), D(2026, 3, 25)):
        assert not SMALL.is_working_day(day), day
    assert SMALL.is_working_day(D(2026, 3, 26))
    assert SMALL.add_working_days(D(2026, 3, 19), 3) == D(2026, 3, 27)


def test_religious_dated_holiday_on_a_weekend_does_not_move():
    # Kurban Ait 2024 fell on Sunday 16 June: Monday 17 June stays a working day
    assert not SMALL.is_working_day(D(2024, 6, 16))
    assert SMALL.is_working_day(D(2024, 6, 17))


def test_religious_dated_holiday_on_a_weekday_is_a_day_off():
    assert not SMALL.is_working_day(D(2026, 5, 27))
    assert SMALL.add_working_days(D(2026, 5, 26), 1) == D(2026, 5, 28)


def test_orthodox_christmas_on_a_weekend_does_not_move():
    # 7 January 2024 was a Sunday; Monday 8 January was a working day
    assert not SMALL.is_working_day(D(2024, 1, 7))
    assert SMALL.is_working_day(D(2024, 1, 8))


def test_new_year_on_a_weekend_moves_to_the_next_working_days():
    # 1 and 2 January 2022 were Saturday and Sunday: 3 and 4 January were days off
    assert not SMALL.is_working_day(D(2022, 1, 3))
    assert not SMALL.is_working_day(D(2022, 1, 4))
    assert SMALL.is_working_day(D(2022, 1, 5))
    # 1 January 2023 was a Sunday and 2 January a Monday holiday: 3 January was a day off
    assert not SMALL.is_working_day(D(2023, 1, 2))
    assert not SMALL.is_working_day(D(2023, 1, 3))
    assert SMALL.is_working_day(D(2023, 1, 4))


def test_decreed_extra_day_off_and_extra_working_day():
    assert not SMALL.is_working_day(D(2026, 5, 8))  # a Friday made a day off
    assert SMALL.is_working_day(D(2026, 5, 16))  # a Saturday made a working day
    assert SMALL.add_working_days(D(2026, 5, 7), 1) == D(2026, 5, 11)
    assert SMALL.add_working_days(D(2026, 5, 15), 1) == D(2026, 5, 16)


def test_transfers_given_in_pairs_move_a_day_off_and_a_working_day():
    cal = HolidayCalendar.from_params(
        {
            "fixed_holidays": [{"date": "05-07"}, {"date": "05-09"}],
            "transfers": [{"day_off": "2024-05-08", "working_day": "2024-05-04", "source": "Government decree"}],
            "provisional_years": [2027],
        }
    )
    assert not cal.is_working_day(D(2024, 5, 8))
    assert cal.is_working_day(D(2024, 5, 4))
    assert cal.is_provisional(D(2027, 1, 1))
    assert not cal.is_provisional(D(2024, 1, 1))
    # the older shape (separate lists) reads the same
    old = HolidayCalendar.from_params(
        {
            "fixed_holidays": [{"date": "05-07"}, {"date": "05-09"}],
            "extra_days_off": ["2024-05-08"],
            "extra_working_days": ["2024-05-04"],
        }
    )
    assert old.days_off_in(2024) == cal.days_off_in(2024)


def test_extra_working_day_overrides_a_holiday():
    cal = HolidayCalendar.from_params({"fixed_holidays": [{"date": "03-08"}], "extra_working_days": ["2027-03-08"]})
    assert cal.is_working_day(D(2027, 3, 8))
    assert not cal.is_working_day(D(2028, 3, 8))


def test_working_days_between_counts_after_start_up_to_and_including_end():
    assert SMALL.working_days_between(D(2026, 3, 19), D(2026, 3, 27)) == 3
    assert SMALL.working_days_between(D(2026, 3, 19), D(2026, 3, 19)) == 0
    assert SMALL.working_days_between(D(2026, 3, 27), D(2026, 3, 19)) == 0
    assert SMALL.working_days_between(D(2026, 4, 6), D(2026, 4, 12)) == 4


def test_working_days_between_inverts_add_working_days():
    start = D(2025, 12, 10)
    for count in range(0, 40):
        end = SMALL.add_working_days(start, count)
        assert SMALL.working_days_between(start, end) == count


# --- The calendar in the rulebook -----------------------------------------------------------------


@pytest.mark.django_db
def test_rulebook_calendar_moves_nauryz_2026_and_counts_three_working_days_to_27_march():
    assert add_working_days(D(2026, 3, 19), 3) == D(2026, 3, 27)


@pytest.mark.django_db
def test_rulebook_calendar_keeps_kurban_ait_and_orthodox_christmas_from_moving():
    cal = working_calendar(on=D(2024, 6, 1))
    assert not cal.is_working_day(D(2024, 6, 16))
    assert cal.is_working_day(D(2024, 6, 17))
    assert not cal.is_working_day(D(2024, 1, 7))
    assert cal.is_working_day(D(2024, 1, 8))


@pytest.mark.django_db
def test_rulebook_calendar_before_the_2022_reform_has_17_december_and_after_has_republic_day():
    old = working_calendar(on=D(2021, 12, 1))
    new = working_calendar(on=D(2025, 10, 1))
    assert not old.is_working_day(D(2021, 12, 17))  # Friday, Independence Day (second day) until 2022
    assert old.is_working_day(D(2021, 10, 25))  # Monday, not yet a holiday
    assert not new.is_working_day(D(2024, 10, 25))  # Friday, Republic Day
    assert new.is_working_day(D(2024, 12, 17))  # Tuesday, no longer a holiday


@pytest.mark.django_db
def test_rulebook_calendar_new_year_2022_on_a_weekend_moves_to_3_and_4_january():
    assert add_working_days(D(2021, 12, 31), 1) == D(2022, 1, 5)


# --- Boundaries: decreed transfers and the turn of a year ----------------------------------------


@pytest.mark.django_db
def test_may_2024_saturday_4_may_is_worked_and_7_to_9_may_are_off():
    # Thu 2 May, Fri 3 May, Sat 4 May (worked for Wed 8 May), Mon 6 May, then 7–9 May off
    assert add_working_days(D(2024, 5, 2), 1) == D(2024, 5, 3)
    assert add_working_days(D(2024, 5, 3), 1) == D(2024, 5, 4)
    assert add_working_days(D(2024, 5, 4), 1) == D(2024, 5, 6)
    assert add_working_days(D(2024, 5, 6), 1) == D(2024, 5, 10)
    assert add_working_days(D(2024, 5, 2), 4) == D(2024, 5, 10)
    assert working_calendar(on=D(2024, 5, 1)).working_days_between(D(2024, 5, 2), D(2024, 5, 10)) == 4


@pytest.mark.django_db
def test_new_year_2025_off_from_1_to_3_january_and_sunday_5_january_worked():
    # Tue 31 Dec 2024 → 1, 2 Jan holidays, Fri 3 Jan off (for Sun 5 Jan), 4 Jan Saturday,
    # Sun 5 Jan worked, Mon 6 Jan, Tue 7 Jan Orthodox Christmas, Wed 8 Jan.
    assert add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 5)
    assert add_working_days(D(2024, 12, 31), 2) == D(2025, 1, 6)
    assert add_working_days(D(2024, 12, 31), 3) == D(2025, 1, 8)
    assert add_working_days(D(2024, 12, 27), 3) == D(2025, 1, 5)  # Fri 27 Dec → 30, 31 Dec, 5 Jan


@pytest.mark.django_db
def test_december_2022_has_no_first_president_day_and_one_independence_day():
    # Wed 30 Nov 2022 → Thu 1 Dec is a working day (First President Day abolished in 2022)
    assert add_working_days(D(2022, 11, 30), 1) == D(2022, 12, 1)
    # Thu 15 Dec → Fri 16 Dec Independence Day, 17–18 weekend → Mon 19 Dec
    assert add_working_days(D(2022, 12, 15), 1) == D(2022, 12, 19)
    # the year turns: Fri 30 Dec 2022 → 1 Jan Sunday, 2 Jan Monday holiday, 3 Jan moved → Wed 4 Jan
    assert add_working_days(D(2022, 12, 30), 1) == D(2023, 1, 4)
