"""The Kazakhstan working-day calendar in the rulebook, cross-checked day by day against the
``holidays`` package (its Kazakhstan calendar with observed days and the government's transfers)
for every year the rulebook covers, 2015 through 2027.

The package is a cross-check, not the authority: the decrees and the holiday law are. Where the
rulebook deliberately differs from the package, the day is listed in ``DELIBERATE_DIFFERENCES`` with
the act that decides it; today there are none. A listed day that no longer differs fails the test,
so the table cannot go stale.

Provisional years: 2027's government decree moving days off is not recorded yet and Kurban Ait 2027
is an estimate (in the package as well); the rulebook marks 2027 in ``provisional_years`` and the
comparison for 2027 only holds until those are published.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import holidays
import pytest
from holidays.countries.kazakhstan import KazakhstanStaticHolidays

from openprobation.rules.rulebook import FIXTURE, invalidate, rule, working_calendar

D = dt.date
KEY = "calendar.kz.working_days"
YEARS = range(2015, 2028)
PROVISIONAL_YEARS = {2027}

# day -> (the rulebook says the day is off: True/False, the act that decides it)
DELIBERATE_DIFFERENCES: dict[dt.date, tuple[bool, str]] = {}

CALENDAR_VERSIONS = [
    r for r in json.loads(FIXTURE.read_text(encoding="utf-8"))["rules"] if r["key"] == "calendar.kz.working_days"
]


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    invalidate()
    yield
    invalidate()


def days_worked_instead(year: int) -> set[dt.date]:
    """The weekend days the package records as worked in exchange for a day off ("substituted
    from"). The package has no public list of them, so its Kazakhstan data is read directly: each
    entry is (month, day, from_month, from_day[, from_year])."""
    entries: Any = KazakhstanStaticHolidays.special_public_holidays.get(year, ())
    if entries and isinstance(entries[0], int):
        entries = (entries,)
    return {D(entry[4] if len(entry) > 4 else year, entry[2], entry[3]) for entry in entries}


def package_days_off(year: int) -> set[dt.date]:
    package = holidays.Kazakhstan(years=year)
    worked = {d for y in (year, year + 1) for d in days_worked_instead(y) if d.year == year}
    days = (D(year, 1, 1) + dt.timedelta(days=n) for n in range(366))
    return {d for d in days if d.year == year and (d.weekday() >= 5 or d in package) and d not in worked}


def rulebook_days_off(year: int) -> set[dt.date]:
    days = (D(year, 1, 1) + dt.timedelta(days=n) for n in range(366))
    return {d for d in days if d.year == year and not working_calendar(on=d).is_working_day(d)}


@pytest.mark.django_db
@pytest.mark.parametrize("year", YEARS)
def test_rulebook_calendar_has_the_same_days_off_as_the_holidays_package(year):
    ours, theirs = rulebook_days_off(year), package_days_off(year)
    expected_differences = {d for d in DELIBERATE_DIFFERENCES if d.year == year}
    assert (ours ^ theirs) == expected_differences, {
        "only in the rulebook": sorted(ours - theirs),
        "only in the package": sorted(theirs - ours),
    }
    for day in expected_differences:
        assert (day in ours) is DELIBERATE_DIFFERENCES[day][0]


@pytest.mark.django_db
def test_the_years_still_to_be_published_are_marked_provisional():
    for year in YEARS:
        day = D(year, 6, 1)
        assert working_calendar(on=day).is_provisional(day) is (year in PROVISIONAL_YEARS), year
    current = rule(KEY, on=D(2027, 6, 1))
    assert current["provisional_years"] == sorted(PROVISIONAL_YEARS)
    assert "2027" in next(r["notes"] for r in CALENDAR_VERSIONS if r["version"] == current.version)
    # the package, too, only estimates Kurban Ait 2027
    assert "estimated" in holidays.Kazakhstan(years=2027, language="en_US")[D(2027, 5, 16)]


@pytest.mark.parametrize("item", CALENDAR_VERSIONS, ids=[f"v{r['version']}" for r in CALENDAR_VERSIONS])
def test_every_dated_day_of_a_version_lies_within_the_days_it_is_in_force(item):
    # A day is judged by the version in force on it, so a dated holiday or transfer outside the
    # version's range would never apply.
    start = D.fromisoformat(item["effective_from"])
    end = D.fromisoformat(item["effective_to"]) if item.get("effective_to") else D(2100, 12, 31)
    params = item["params"]
    dated = [h["date"] for h in params["dated_holidays"]]
    dated += [d for t in params.get("transfers", []) for d in (t["day_off"], t["working_day"])]
    for day in dated:
        assert start <= D.fromisoformat(day) <= end, (item["version"], day)
    for transfer in params.get("transfers", []):
        assert transfer["source"].startswith("Government decree"), transfer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 5, 4), True),  # Saturday worked (decree 2024 No. 109) …
        (D(2024, 5, 8), False),  # … for Wednesday 8 May
        (D(2025, 1, 5), True),  # Sunday worked (decree 2024 No. 436) …
        (D(2025, 1, 3), False),  # … for Friday 3 January
        (D(2022, 3, 5), True),  # 2022: decree No. 713
        (D(2022, 3, 7), False),
        (D(2022, 8, 27), True),
        (D(2022, 8, 29), False),
        (D(2022, 10, 22), True),  # decree No. 796 for Republic Day 2022
        (D(2022, 10, 24), False),
        (D(2023, 7, 1), True),  # 2023: decree No. 326, Capital Day
        (D(2023, 7, 7), False),
        (D(2020, 12, 20), True),  # a Sunday worked
        (D(2020, 5, 11), True),  # the Monday after Victory Day moved to Friday 8 May
        (D(2020, 5, 8), False),
        (D(2015, 9, 24), False),  # Kurban Ait 2015 …
        (D(2018, 8, 21), False),  # … and 2018, before the fixture had them
        (D(2017, 1, 7), False),  # Orthodox Christmas on a Saturday …
        (D(2017, 1, 9), True),  # … does not move
        (D(2021, 12, 17), False),  # the second Independence Day until the 2022 reform
        (D(2022, 12, 1), True),  # First President Day abolished in 2022
        (D(2022, 10, 25), False),  # Republic Day, first time in 2022
        (D(2025, 10, 27), False),  # Republic Day on a Saturday moves to Monday
        (D(2026, 5, 27), False),  # Kurban Ait 2026
        (D(2026, 8, 31), True),  # Constitution Day no longer on 30 August (Constitution of 2026)
        (D(2027, 3, 15), False),  # Constitution Day, 15 March
    ],
)
def test_known_days_of_the_rulebook_calendar(day, working):
    assert working_calendar(on=day).is_working_day(day) is working
