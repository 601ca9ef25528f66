"""The officer's work queue ("Today"), to which every app contributes its due work.

Each app registers a source when it starts (``AppConfig.ready``): appointments without an outcome
(supervision), deadlines (cases: registration; labour: employment; later assessments:
reassessment), violations awaiting a response (enforcement), tasks (cases). The ``workqueue`` app
builds the scope (the open cases allocated to an officer, or a whole office for its head), asks
every source and merges the answers; the page and the API call the same function.

A source is ``source(scope) -> WorkBatch``. It must cost a constant number of queries whatever the
size of the caseload (a count and one limited, ordered query), read only cases in
``scope.cases`` (a queryset of ``cases.Case`` already limited to what the user may see), and
return at most ``scope.limit`` items ordered by ``due`` then ``key``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "appointment", "deadline", "violation", "task"
    key: str  # unique across sources: "appointment:123"
    due: dt.date
    overdue: bool
    case_id: int
    case_number: str
    person_name: str
    title: str  # what is due, translated: "Office report", "Register the case"
    url: str  # where the work is done (the outcome form, the violation, the case)
    action_label: str = ""  # the button: "Record outcome", "Respond", "Open"
    officer_name: str = ""
    detail: str = ""


@dataclass(frozen=True)
class WorkBatch:
    kind: str
    count: int  # all the items of this kind in scope (not only those returned)
    overdue: int
    items: list[WorkItem] = field(default_factory=list)


@dataclass(frozen=True)
class WorkScope:
    user: Any
    cases: Any  # QuerySet[cases.Case]: the open cases the queue covers
    today: dt.date
    limit: int = 50
    # How far ahead "due" reaches (appointments later today, deadlines in the coming days).
    horizon: dt.date | None = None

    @property
    def until(self) -> dt.date:
        return self.horizon or self.today


WorkSource = Callable[[WorkScope], WorkBatch]
_sources: dict[str, WorkSource] = {}


def register_work_source(name: str, source: WorkSource) -> None:
    """Registering the same name again replaces the source (reloads stay idempotent)."""
    _sources[name] = source


def work_sources() -> dict[str, WorkSource]:
    return dict(sorted(_sources.items()))
