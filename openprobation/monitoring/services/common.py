"""What the monitoring services share: input checks with translated messages, and the revision
row that tells the evaluators an assignment's rules changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.core.exceptions import DomainError
from openprobation.monitoring.models import Assignment, ConfigRevision

# A moment given for "from now on" may lag the clock a little (the form was filled a moment ago);
# further back would re-judge what the engine has already judged.
PAST_TOLERANCE = dt.timedelta(minutes=1)
# How far ahead a change may be scheduled, and how far back a fitting or removal may be recorded.
MAX_AHEAD = dt.timedelta(days=366)
MAX_BACK = dt.timedelta(days=31)


def text(value: Any, *, field: str, required: bool, limit: int, message: str = "") -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise DomainError(message or _("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=field)
    if "\x00" in value:
        raise DomainError(_("The text contains a character that is not allowed."), field=field)
    return value


def moment(value: Any, *, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise DomainError(_("Enter a date and time with its time zone."), field=field)
    return value


def not_past(value: dt.datetime | None, *, field: str, now: dt.datetime) -> dt.datetime:
    """``value`` (default now) for a change in force from then on: not in the past by more than
    ``PAST_TOLERANCE``, not more than ``MAX_AHEAD`` ahead."""
    if value is None:
        return now
    value = moment(value, field=field)
    if value < now - PAST_TOLERANCE:
        raise DomainError(_("A change cannot take effect in the past."), field=field)
    if value > now + MAX_AHEAD:
        raise DomainError(_("A change cannot take effect more than a year ahead."), field=field)
    return max(value, now)


def recent_past(value: dt.datetime | None, *, field: str, now: dt.datetime) -> dt.datetime:
    """``value`` (default now) for something that happened: not in the future, not older than
    ``MAX_BACK``."""
    if value is None:
        return now
    value = moment(value, field=field)
    if value > now + PAST_TOLERANCE:
        raise DomainError(_("The time cannot be in the future."), field=field)
    if value < now - MAX_BACK:
        raise DomainError(_("The time cannot be more than 31 days ago."), field=field)
    return min(value, now)


def revise(assignment: Assignment) -> None:
    """In the caller's transaction: evaluators recompile this assignment's rules."""
    ConfigRevision.objects.create(assignment=assignment)
