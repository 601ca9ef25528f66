import datetime as dt

import pytest

from openprobation.rules.rulebook import add_working_days, rule, working_calendar

D = dt.date
KEY = "calendar.kz.working_days"


@pytest.mark.django_db
def test_calendar_versions_split_on_the_days_the_holiday_laws_took_effect():
    assert rule(KEY, on=D(2022, 10, 10)).version == 1
    assert rule(KEY, on=D(2022, 10, 11)).version == 2  # Law of 29 September 2022 No. 143-VII
    assert rule(KEY, on=D(2026, 6, 30)).version == 2
    assert rule(KEY, on=D(2026, 7, 1)).version == 3  # the Constitution of 2026 in force


@pytest.mark.django_db
def test_a_count_running_into_the_2022_reform_uses_the_new_holidays_from_their_day():
    # Friday 30 September 2022 is under v1; the count runs past 25 October (Republic Day, new) and
    # 1 December (First President Day, abolished) 2022.
    start = D(2022, 9, 30)
    old = working_calendar(on=D(2022, 6, 1))
    new = working_calendar(on=D(2022, 11, 1))
    assert old != new
    assert not new.is_working_day(D(2022, 10, 25))
    assert new.is_working_day(D(2022, 12, 1))
    assert not old.is_working_day(D(2022, 12, 1))
    # October 2022: 3–7, 10–14, 17–21, 26–28, 31 (22 Saturday worked; 24 and 25 off) = 20 days
    assert add_working_days(start, 20) == D(2022, 10, 31)
    # 1 December 2022 (Thursday) is a working day: the 43rd after 30 September
    assert add_working_days(start, 43) == D(2022, 12, 1)
    assert add_working_days(start, 43) != old.add_working_days(start, 43)


@pytest.mark.django_db
def test_a_count_running_past_1_july_2026_no_longer_has_constitution_day_on_30_august():
    # Monday 31 August 2026 would have been the day off for Sunday 30 August under v2.
    v2 = working_calendar(on=D(2026, 6, 1))
    v3 = working_calendar(on=D(2026, 8, 1))
    assert not v2.is_working_day(D(2026, 8, 31))
    assert v3.is_working_day(D(2026, 8, 31))
    assert add_working_days(D(2026, 8, 28), 1) == D(2026, 8, 31)
    assert not v3.is_working_day(D(2027, 3, 15))  # Constitution Day, from 2027 on 15 March
