"""Reading the audit trail: only auditors, with the same filters for the web page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from openprobation.accounts.roles import Cap, has_cap
from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import KZ_TZ


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=KZ_TZ)


def audit_events(
    *,
    user: Any,
    actor: str = "",
    action: str = "",
    subject_type: str = "",
    subject_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first. ``actor`` matches part of a user name, ``action`` a prefix (``case.``);
    dates are local (Asia/Almaty) days, both inclusive. Nothing for users who are not auditors."""
    if not has_cap(user, Cap.AUDIT_VIEW):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.all().order_by("-id")
    if actor:
        events = events.filter(actor_username__icontains=actor)
    if action:
        events = events.filter(action__startswith=action)
    if subject_type:
        events = events.filter(subject_type=subject_type)
    if subject_id:
        events = events.filter(subject_id=subject_id)
    if date_from:
        events = events.filter(at__gte=_local_midnight(date_from))
    if date_to:
        events = events.filter(at__lt=_local_midnight(date_to + dt.timedelta(days=1)))
    return events
