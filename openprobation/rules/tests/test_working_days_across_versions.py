import datetime as dt

import pytest

from openprobation.rules.rulebook import add_working_days, working_calendar

COUNT = 205  # from the last working day of 2022 into late October 2023


@pytest.mark.django_db
def test_a_count_running_into_a_new_calendar_version_uses_that_version():
    start = dt.date(2022, 12, 30)  # calendar v1 is in force; v2 (Republic Day 25 October) from 2023
    old = working_calendar(on=dt.date(2022, 6, 1))
    new = working_calendar(on=dt.date(2023, 6, 1))
    result = add_working_days(start, COUNT)
    assert result == new.add_working_days(dt.date(2022, 12, 31), COUNT)  # 31 Dec 2022 is a Saturday
    assert result != old.add_working_days(start, COUNT)
    assert not new.is_working_day(dt.date(2023, 10, 25))
