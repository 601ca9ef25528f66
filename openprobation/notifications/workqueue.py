"""The outbox in the officer's work queue: messages to the person that were given up (dead), so
that someone checks the address or the provider and sends them again."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.notifications.models import Message, MessageStatus


def undelivered_messages(scope: WorkScope) -> WorkBatch:
    """Dead messages of the cases in scope, oldest first: a count and one limited query (and a
    count of the overdue ones when not all are returned)."""
    found = Message.objects.filter(status=MessageStatus.DEAD, case__in=scope.cases)
    count = found.count()
    items: list[WorkItem] = []
    if count:
        rows = found.select_related("case", "case__person", "case__officer").order_by("updated_at", "id")
        for message in rows[: scope.limit]:
            case = message.case
            if case is None:  # filtered on the case above
                continue
            day = timezone.localdate(message.updated_at)
            items.append(
                WorkItem(
                    kind="message",
                    key=f"message:{message.pk}",
                    due=day,
                    overdue=day < scope.today,
                    case_id=case.pk,
                    case_number=case.number,
                    person_name=case.person.full_name,
                    title=_("Message not delivered: %(purpose)s") % {"purpose": message.purpose_label},
                    url=reverse("notifications:case_messages", kwargs={"pk": case.pk}) + f"#message-{message.pk}",
                    action_label=_("Check and send again"),
                    officer_name=case.officer.display_name if case.officer else "",
                    detail=message.get_channel_display(),
                )
            )
    items.sort(key=lambda item: (item.due, item.key))
    overdue = sum(1 for item in items if item.overdue)
    if count > len(items):  # not all returned: count the overdue ones in the database
        start_of_today = timezone.make_aware(dt.datetime.combine(scope.today, dt.time.min))
        overdue = found.filter(updated_at__lt=start_of_today).count()
    return WorkBatch(kind="message", count=count, overdue=overdue, items=items)
