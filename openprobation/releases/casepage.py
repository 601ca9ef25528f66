"""What release planning adds to the case page (facts, a section, actions) and to the work queue
("arriving from prison" for the receiving office), registered from ``ReleasesConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.accounts.roles import Cap, has_cap
from openprobation.cases.models import CaseType
from openprobation.core.casepage import CaseActionLink, CaseFact, CaseSection
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.releases.models import PlanStatus, ReleasePlan, ReleasePlanItem
from openprobation.releases.readiness import plan_readiness
from openprobation.releases.selectors import may_change, receiving_q


def _plan(case: Any) -> ReleasePlan | None:
    if case.case_type != CaseType.PENITENTIARY:
        return None
    return (
        ReleasePlan.objects.select_related("receiving_office")
        .prefetch_related(Prefetch("items", queryset=ReleasePlanItem.objects.select_related("owner_user")))
        .filter(case=case)
        .first()
    )


def release_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    plan = _plan(case)
    if plan is None or plan.status != PlanStatus.OPEN:
        return []
    readiness = plan_readiness(plan, on=today)
    value = _("%(level)s, %(done)s of %(needed)s done; release %(date)s") % {
        "level": readiness.level_label,
        "done": readiness.done,
        "needed": readiness.needed,
        "date": plan.release_date.strftime("%d.%m.%Y"),
    }
    # The overview's tones; "not ready" is its "danger" (the text always says the level).
    tone = "danger" if readiness.tone == "error" else readiness.tone
    return [
        CaseFact(
            key="release_plan",
            order=30,
            label=_("Release plan"),
            value=value,
            tone=tone,
            url=reverse("releases:plan", args=[case.pk]),
            data=readiness.as_json(),
        )
    ]


def release_section(*, user: Any, case: Any, today: dt.date) -> CaseSection | None:
    if case.case_type != CaseType.PENITENTIARY:
        return None
    plan = _plan(case)
    return CaseSection(
        key="release_plan",
        order=25,
        template="releases/_section.html",
        context={
            "case": case,
            "plan": plan,
            "readiness": plan_readiness(plan, on=today) if plan is not None else None,
        },
    )


def release_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if case.case_type != CaseType.PENITENTIARY or not may_change(user, case):
        return []
    return [CaseActionLink("release_plan", 25, _("Release plan"), reverse("releases:plan", args=[case.pk]))]


def arriving_from_prison(scope: WorkScope) -> WorkBatch:
    """Release plans of people arriving in the scope user's jurisdiction (the receiving office has
    been told), for the staff who take them on (heads and senior officers, who allocate cases): one
    count query and one limited list query. The plans are not cases of the scope (the person's case
    is still the sending office's), so they are found through the receiving office."""
    q = receiving_q(scope.user)
    if q is None or not has_cap(scope.user, Cap.CASE_ALLOCATE):
        return WorkBatch(kind="task", count=0, overdue=0)
    base = ReleasePlan.objects.filter(q, status=PlanStatus.OPEN)
    counts = base.aggregate(n=Count("id"), late=Count("id", filter=Q(release_date__lt=scope.today)))
    rows = base.select_related("case", "person", "office").order_by("release_date", "pk")[: scope.limit]
    items = [
        WorkItem(
            kind="task",
            key=f"release_plan:{plan.pk}",
            due=plan.release_date,
            overdue=plan.release_date < scope.today,
            case_id=plan.case_id,
            case_number=plan.case.number,
            person_name=plan.person.full_name,
            title=_("Arriving from prison (%(office)s)") % {"office": str(plan.office)},
            url=reverse("releases:plan", args=[plan.case_id]),
            action_label=_("Open"),
        )
        for plan in rows
    ]
    return WorkBatch(kind="task", count=counts["n"], overdue=counts["late"], items=items)
