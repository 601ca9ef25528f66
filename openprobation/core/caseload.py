"""Columns that the apps above ``cases`` add to the caseload tables (the officer's caseload, the
office caseload, the case API list).

The caseload belongs to ``cases``, but "next appointment" belongs to supervision and "open
violations" to enforcement. Each app registers a column when it starts (``AppConfig.ready``): a
function that annotates the caseload queryset with one value per case (a ``Subquery`` or a
``Count`` on an indexed relation — one query for the whole page, whatever its size) and how the
table shows it. The page and the API both read the annotation by its name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CaseloadColumn:
    name: str  # the annotation's name on each case row, also the API field: "next_appointment"
    order: int
    label: Any  # lazily translated column header
    annotate: Callable[[Any, dt.date], Any]  # (QuerySet[Case], today) -> QuerySet[Case]
    # How a cell reads: "date" (dd.mm.yyyy, red when before today), "count" (a number, a red tag
    # when above zero) or "text".
    kind: str = "text"


_columns: dict[str, CaseloadColumn] = {}


def register_caseload_column(column: CaseloadColumn) -> None:
    """Registering the same name again replaces the column (reloads stay idempotent)."""
    _columns[column.name] = column


def caseload_columns() -> list[CaseloadColumn]:
    return sorted(_columns.values(), key=lambda c: (c.order, c.name))


def annotate_caseload(qs: Any, today: dt.date) -> Any:
    for column in caseload_columns():
        qs = column.annotate(qs, today)
    return qs
