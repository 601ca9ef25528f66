"""Reads of the outbox: a case's messages through the case scoping (audited), and the operators'
counts (no personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, QuerySet

from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_for_change
from openprobation.notifications.models import Message, MessageStatus
from openprobation.notifications.services import DUE_STATUSES

SECTION_SHOWN = 10


def case_message_qs(case: Case) -> QuerySet[Message]:
    """The messages of a case the caller already holds (and whose reading it recorded), newest first."""
    return Message.objects.filter(case=case).order_by("-created_at", "-id")


def case_messages(*, user: Any, case: Case | int) -> tuple[Case, QuerySet[Message]]:
    """The messages sent (or to be sent) to the person about ``case`` (a case or its id), newest
    first, if the user may see the case (Case.DoesNotExist, a 404, otherwise); the read is
    recorded as a view of the case's messages."""
    visible = case_detail(user=user, pk=case if isinstance(case, int) else case.pk, part="messages")
    return visible, case_message_qs(visible)


def case_message_for_change(*, user: Any, case_pk: int, message_pk: int) -> tuple[Case, Message]:
    """The case and one of its messages to act on (the service checks the action and records it).
    Message.DoesNotExist / Case.DoesNotExist (a 404) outside the jurisdiction or another case's."""
    case = case_for_change(user=user, pk=case_pk)
    return case, Message.objects.get(pk=message_pk, case=case)


def outbox_status(*, now: dt.datetime) -> dict[str, Any]:
    """Operators' view of the outbox: counts only."""
    by_status = dict.fromkeys(MessageStatus.values, 0)
    for row in Message.objects.values("status").annotate(n=Count("id")).order_by():
        by_status[row["status"]] = row["n"]
    due = Message.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
    oldest = due.aggregate(oldest=Min("next_attempt_at"))["oldest"]
    stale = Message.objects.filter(
        status=MessageStatus.SENDING,
        claimed_at__lt=now - dt.timedelta(minutes=settings.NOTIFY_STALE_SENDING_MINUTES),
    ).count()
    return {
        "by_status": by_status,
        "due": due.count(),
        "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "stale_sending": stale,
    }
