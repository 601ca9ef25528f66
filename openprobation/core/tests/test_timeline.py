"""The timeline registry: every app's provider contributes, entries merge newest first with a
stable order, pages neither overlap nor skip, and odd page numbers are harmless."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from openprobation.core import timeline as tl
from openprobation.core.timeline import TimelineEntry, clamp_page, register_timeline_provider, timeline_page

T0 = dt.datetime(2026, 1, 1, 10, 0, tzinfo=dt.UTC)


def _entries(prefix: str, count: int, step_minutes: int) -> list[TimelineEntry]:
    return [
        TimelineEntry(at=T0 + dt.timedelta(minutes=i * step_minutes), kind=prefix, title=f"{prefix}{i}", ref=str(i))
        for i in range(count)
    ]


@pytest.fixture
def providers() -> Iterator[None]:
    saved = dict(tl._providers)
    tl._providers.clear()
    a = _entries("a", 7, 2)  # minutes 0, 2, ..., 12
    b = _entries("b", 5, 3)  # minutes 0, 3, ..., 12 (two share an instant with a)

    def newest(items: list[TimelineEntry]):
        def provider(*, user: Any, case: Any, person: Any, limit: int) -> list[TimelineEntry]:
            return sorted(items, key=lambda e: e.at, reverse=True)[:limit]

        return provider

    register_timeline_provider("alpha", newest(a))
    register_timeline_provider("beta", newest(b))
    yield
    tl._providers.clear()
    tl._providers.update(saved)


@pytest.mark.usefixtures("providers")
def test_entries_from_every_provider_merge_newest_first_with_a_stable_tie_order():
    page = timeline_page(user=None, case=object(), page=1, page_size=100)
    assert len(page.entries) == 12
    times = [e.at for e in page.entries]
    assert times == sorted(times, reverse=True)
    # at minute 12 both providers have an entry: the order is fixed by the provider-qualified key
    assert [e.ref for e in page.entries[:2]] == ["beta:4", "alpha:6"]
    assert not page.has_next


@pytest.mark.usefixtures("providers")
def test_pages_cover_every_entry_once():
    whole = [e.ref for e in timeline_page(user=None, case=object(), page_size=100).entries]
    seen: list[str] = []
    number = 1
    while True:
        page = timeline_page(user=None, case=object(), page=number, page_size=5)
        seen += [e.ref for e in page.entries]
        if not page.has_next:
            break
        number += 1
    assert seen == whole
    assert number == 3
    assert timeline_page(user=None, case=object(), page=99, page_size=5).entries == []


def test_a_timeline_is_of_a_case_or_of_a_person():
    with pytest.raises(ValueError, match="one case or of one person"):
        timeline_page(user=None)
    with pytest.raises(ValueError, match="one case or of one person"):
        timeline_page(user=None, case=object(), person=object())


@pytest.mark.parametrize(
    ("page", "size", "expected"),
    [
        ("2", "10", (2, 10)),
        ("-3", "0", (1, 1)),
        ("x", None, (1, 20)),
        ("9" * 30, "999", (10_000, 100)),
        ("٣", "5", (3, 5)),
    ],
)
def test_odd_page_numbers_are_clamped_not_errors(page, size, expected):
    assert clamp_page(page, size) == expected
