"""The work-queue source this app owns: cases awaiting registration and their deadline.

Registration is due by the date the case records (``cases.terms``: PEC art. 163 for release on
deferral, otherwise from receipt of the court order); a case past it is overdue by the same test as
``cases.terms.registration_overdue_q``, which the overview and the caseload filter use.
"""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.cases.models import CaseStatus
from openprobation.cases.terms import registration_overdue_q
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope

DEADLINE = "deadline"


def registration_deadlines(scope: WorkScope) -> WorkBatch:
    """Cases of the scope awaiting registration that carry a deadline, soonest first: two queries
    (the counts, then one limited list) whatever the size of the caseload."""
    awaiting = scope.cases.filter(status=CaseStatus.AWAITING_REGISTRATION, registration_due__isnull=False)
    totals = awaiting.order_by().aggregate(
        count=Count("id"), overdue=Count("id", filter=registration_overdue_q(today=scope.today))
    )
    items: list[WorkItem] = []
    if totals["count"] and scope.limit > 0:
        rows = (
            awaiting.select_related(None)
            .select_related("person", "officer")
            .only(
                "id",
                "number",
                "registration_due",
                "person__surname",
                "person__first_name",
                "person__patronymic",
                "officer__username",
                "officer__first_name",
                "officer__last_name",
            )
            .order_by("registration_due", "id")[: scope.limit]
        )
        for case in rows:
            due = case.registration_due
            assert due is not None  # noqa: S101 - filtered above
            items.append(
                WorkItem(
                    kind=DEADLINE,
                    key=f"registration:{case.pk}",
                    due=due,
                    overdue=due < scope.today,
                    case_id=case.pk,
                    case_number=case.number,
                    person_name=case.person.full_name,
                    title=_("Register the case"),
                    url=reverse("cases:register", args=[case.pk]),
                    action_label=_("Register"),
                    officer_name=case.officer.display_name if case.officer else "",
                )
            )
    return WorkBatch(kind=DEADLINE, count=totals["count"] or 0, overdue=totals["overdue"] or 0, items=items)
