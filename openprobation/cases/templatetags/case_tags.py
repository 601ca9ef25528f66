"""Template helpers of the case pages and the caseload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from openprobation.cases.terms import status_family as _status_family

register = template.Library()


@register.filter
def status_family(status: str) -> str:
    """The colour family of a status: awaiting, active, suspended (or wanted) or closed."""
    return _status_family(status)


@register.filter
def column_value(case: Any, name: str) -> Any:
    """A registered caseload column's value on a case row (its annotation)."""
    return getattr(case, name, None)


@register.filter
def as_date(value: Any) -> dt.date | None:
    """A column's date, or the local date of a date-time."""
    if isinstance(value, dt.datetime):
        from django.utils import timezone  # noqa: PLC0415

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, dt.date) else None
