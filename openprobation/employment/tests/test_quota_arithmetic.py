"""The quota arithmetic (``domain.quota_usage``): a pure function on plain values."""

from __future__ import annotations

import datetime as dt

from openprobation.employment.domain import PlacementFact, quota_usage

D = dt.date


def test_places_used_and_free():
    usage = quota_usage(places=3, year=2026, placements=[PlacementFact(D(2026, 2, 1)), PlacementFact(D(2026, 5, 9))])
    assert (usage.places, usage.used, usage.free, usage.over, usage.ended_early) == (3, 2, 1, 0, 0)
    assert usage.percent == 67 and not usage.full


def test_only_placements_started_within_the_calendar_year_count():
    facts = [
        PlacementFact(D(2025, 12, 31)),  # the year before: not this quota's
        PlacementFact(D(2026, 1, 1)),  # the first day counts
        PlacementFact(D(2026, 12, 31)),  # the last day counts
        PlacementFact(D(2027, 1, 1)),  # the next year: not this quota's
    ]
    assert quota_usage(places=5, year=2026, placements=facts).used == 2


def test_an_ended_placement_keeps_its_place_used_and_is_counted_as_ended_early():
    facts = [PlacementFact(D(2026, 3, 1), ended_on=D(2026, 4, 1)), PlacementFact(D(2026, 6, 1))]
    usage = quota_usage(places=2, year=2026, placements=facts)
    assert (usage.used, usage.ended_early, usage.free) == (2, 1, 0)
    assert usage.full
    # Ended "by" a date before the end: not ended yet on that day.
    assert quota_usage(places=2, year=2026, placements=facts, on=D(2026, 3, 15)).ended_early == 0


def test_placements_outside_the_quota_do_not_count():
    facts = [PlacementFact(D(2026, 3, 1), counts_toward_quota=False), PlacementFact(D(2026, 3, 2))]
    assert quota_usage(places=1, year=2026, placements=facts).used == 1


def test_a_zero_quota_is_full_with_no_percentage():
    usage = quota_usage(places=0, year=2026, placements=[])
    assert (usage.used, usage.free, usage.full, usage.percent) == (0, 0, True, None)


def test_free_is_never_negative_and_the_excess_is_shown():
    facts = [PlacementFact(D(2026, 1, 5)) for _ in range(4)]
    usage = quota_usage(places=3, year=2026, placements=facts)
    assert (usage.free, usage.over, usage.percent) == (0, 1, 133)
    assert quota_usage(places=-2, year=2026, placements=[]).places == 0
