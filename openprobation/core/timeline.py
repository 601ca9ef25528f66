"""One timeline for a case and for a person, to which every app contributes.

Apps register a provider when they start (``AppConfig.ready``): a function that returns the
entries the app knows about for a case or for a person — already limited to what the user may
see, newest first, at most ``limit`` of them. ``timeline_page`` merges every provider's entries
and cuts one page. The case page, the person page and the API all call it, so they show the same
entries in the same order; lower apps never import the apps that contribute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # a stable code: "status", "allocation", "transfer", "decision", ...
    title: str
    detail: str = ""
    by: str = ""
    # The entry's own key within its provider ("status:12"); it orders entries recorded at the
    # same instant, so pages never overlap or skip.
    ref: str = ""
    case_id: int | None = None
    case_number: str = ""
    effective_on: dt.date | None = None
    url: str = ""  # where the entry's record is shown (the case page), for the person timeline


class TimelineProvider(Protocol):
    def __call__(self, *, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]: ...


_providers: dict[str, TimelineProvider] = {}


def register_timeline_provider(name: str, provider: TimelineProvider | Callable[..., list[TimelineEntry]]) -> None:
    """Add an app's entries to every case and person timeline (call from ``AppConfig.ready``).
    Registering the same name again replaces the provider (reloads in tests stay idempotent)."""
    _providers[name] = provider


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    page: int
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.has_previous else None


def clamp_page(page: Any, page_size: Any = DEFAULT_PAGE_SIZE) -> tuple[int, int]:
    """A page number and size from user input: anything odd becomes the first page / the default."""
    try:
        number = int(str(page))
    except (TypeError, ValueError):
        number = 1
    try:
        size = int(str(page_size))
    except (TypeError, ValueError):
        size = DEFAULT_PAGE_SIZE
    return max(1, min(number, 10_000)), max(1, min(size, MAX_PAGE_SIZE))


def timeline_page(
    *, user: Any, case: Any | None = None, person: Any | None = None, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> TimelinePage:
    """Newest first; ties broken by provider and entry key so the order is stable across pages.
    The caller has already checked that the user may see the case or person."""
    if (case is None) == (person is None):
        raise ValueError("a timeline is of one case or of one person")
    page, page_size = clamp_page(page, page_size)
    limit = page * page_size + 1
    entries: list[TimelineEntry] = []
    for name, provider in sorted(_providers.items()):
        for entry in provider(user=user, case=case, person=person, limit=limit):
            entries.append(entry if entry.ref.startswith(f"{name}:") else _with_ref(entry, f"{name}:{entry.ref}"))
    entries.sort(key=lambda e: (e.at, e.ref), reverse=True)
    start = (page - 1) * page_size
    return TimelinePage(
        entries=entries[start : start + page_size],
        page=page,
        page_size=page_size,
        has_next=len(entries) > start + page_size,
    )


def _with_ref(entry: TimelineEntry, ref: str) -> TimelineEntry:
    return TimelineEntry(**{**entry.__dict__, "ref": ref})
