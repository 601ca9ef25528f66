"""The work-queue source electronic monitoring owns: resolutions whose period is ending (or is over)
while a device is still fitted under them and no next resolution is decided.

From ``notice_days`` before the last day (``monitoring.resolution.ending``, the service's practice
under Order 511 para. 140) the item says the head decides an extension or the device is removed; past
the last day it is overdue (the resolution waits in force for the removal, ``resolution_expiry_scan``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.monitoring.models import Assignment, EmResolution, ResolutionStatus
from openprobation.monitoring.resolution_terms import ending_notice_days

DEADLINE = "deadline"


def resolutions_ending(scope: WorkScope) -> WorkBatch:
    """Two queries (the counts, then one limited list) whatever the size of the caseload."""
    notice = ending_notice_days(on=scope.today)
    ending = EmResolution.objects.filter(
        case__in=scope.cases.values("pk"),
        status=ResolutionStatus.IN_FORCE,
        ends_on__lte=scope.today + dt.timedelta(days=notice),
    ).filter(
        Exists(Assignment.objects.filter(resolution=OuterRef("pk"), removed_at__isnull=True)),
        ~Exists(
            EmResolution.objects.filter(
                case=OuterRef("case"), status=ResolutionStatus.IN_FORCE, starts_on__gt=OuterRef("ends_on")
            )
        ),
    )
    totals = ending.order_by().aggregate(count=Count("id"), overdue=Count("id", filter=Q(ends_on__lt=scope.today)))
    items: list[WorkItem] = []
    if totals["count"] and scope.limit > 0:
        rows = ending.select_related("case", "case__person", "case__officer").order_by("ends_on", "id")[: scope.limit]
        for resolution in rows:
            case = resolution.case
            over = resolution.ends_on < scope.today
            items.append(
                WorkItem(
                    kind=DEADLINE,
                    key=f"em-resolution:{resolution.pk}",
                    due=resolution.ends_on,
                    overdue=over,
                    case_id=case.pk,
                    case_number=case.number,
                    person_name=case.person.full_name,
                    title=(
                        _("Monitoring period over: remove the device or decide a new resolution")
                        if over
                        else _("Electronic monitoring ends: decide an extension or plan the removal")
                    ),
                    url=reverse("cases:detail", args=[case.pk]) + "#case-monitoring",
                    action_label=_("Open"),
                    officer_name=case.officer.display_name if case.officer else "",
                    detail=_("Resolution No. %(number)s, until %(date)s")
                    % {"number": resolution.number, "date": resolution.ends_on.strftime("%d.%m.%Y")},
                )
            )
    return WorkBatch(kind=DEADLINE, count=totals["count"] or 0, overdue=totals["overdue"] or 0, items=items)
