"""What labour adds to the case page (facts, a section, actions) and to the work queue
(employment deadlines), registered from ``LabourConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.core.casepage import CaseActionLink, CaseFact, CaseSection
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.labour import ports, selectors
from openprobation.labour.domain import employment_deadline_passed
from openprobation.labour.models import MET_STATUSES, DutyStatus, EmploymentDuty

# Employment deadlines enter the work queue this many days before they fall due.
DEADLINE_AHEAD_DAYS = 7


def labour_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    facts: list[CaseFact] = []
    overview = reverse("labour:overview", args=[case.pk])
    status = selectors.forced_labour_status(case, today)
    if status is not None:
        f = status.figures
        if status.applies:
            value = _("%(done)s / %(owed)s h") % {"done": f.done_text, "owed": f.owed_text}
            if f.behind:
                value += " " + _("(behind by %(hours)s h)") % {"hours": f.shortfall_text}
        else:
            value = _("Exempt")
        facts.append(
            CaseFact(
                key="forced_labour",
                order=40,
                label=_("Forced labour this year"),
                value=value,
                tone="warning" if status.applies and f.behind else "",
                url=overview + "#labour-forced",
                data={
                    "applies": status.applies,
                    "owed": f"{f.owed_this_year:.2f}",
                    "done": f"{f.done_this_year:.2f}",
                    "expected": f"{f.expected_pro_rata:.2f}",
                    "shortfall": f"{f.shortfall:.2f}",
                    "behind": f.behind,
                },
            )
        )
    duty = EmploymentDuty.objects.filter(case=case).first()
    if duty is not None and duty.status == DutyStatus.SEEKING:
        passed = employment_deadline_passed(deadline=duty.deadline, today=today)
        soon = duty.deadline <= today + dt.timedelta(days=DEADLINE_AHEAD_DAYS)
        facts.append(
            CaseFact(
                key="employment_deadline",
                order=35,
                label=_("Find work by"),
                value=duty.deadline.strftime("%d.%m.%Y"),
                tone="danger" if passed else ("warning" if soon else ""),
                url=overview + "#labour-employment",
                data=duty.deadline.isoformat(),
            )
        )
    elif duty is not None and duty.status in MET_STATUSES:
        facts.append(
            CaseFact(
                key="employment_deadline",
                order=35,
                label=_("Work or study"),
                value=f"{duty.get_status_display()}: {duty.employer}" if duty.employer else duty.get_status_display(),
                tone="success",
                url=overview + "#labour-employment",
                data=duty.status,
            )
        )
    return facts


def _work_ordered(case: Any, today: dt.date) -> bool:
    return ports.case_has_condition(case=case, code=ports.WORK_OR_STUDY, on=today)


def labour_section(*, user: Any, case: Any, today: dt.date) -> CaseSection | None:
    status = selectors.forced_labour_status(case, today)
    duty = selectors.employment_duty(case=case)
    if status is None and duty is None and not _work_ordered(case, today):
        return None
    return CaseSection(
        key="labour",
        order=60,
        template="labour/_labour_section.html",
        context={
            "case": case,
            "status": status,
            "hours": selectors.hours_page(case=case, page=1),
            "duty": duty,
            "decisions": selectors.decisions(case=case),
            "may_change": may(user, CaseAction.EDIT, case) and case.status not in TERMINAL,
            "in_case_page": True,
        },
    )


def labour_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if not may(user, CaseAction.EDIT, case) or case.status in TERMINAL:
        return []
    today = local_today()
    actions: list[CaseActionLink] = []
    status = selectors.forced_labour_status(case, today)
    if status is not None:
        if status.applies:
            actions.append(CaseActionLink("log_hours", 40, _("Log hours"), reverse("labour:hours", args=[case.pk])))
        actions.append(
            CaseActionLink(
                "rejudge_forced_labour",
                42,
                _("Re-judge exemption"),
                reverse("labour:rejudge", args=[case.pk]),
                primary=status.rejudge_due,
            )
        )
    if EmploymentDuty.objects.filter(case=case).exists() or _work_ordered(case, today):
        actions.append(
            CaseActionLink(
                "employment",
                41,
                _("Record referral / offer / answer"),
                reverse("labour:overview", args=[case.pk]) + "#labour-employment",
            )
        )
    return actions


def employment_deadlines(scope: WorkScope) -> WorkBatch:
    """Employment duties still seeking work whose deadline falls within the coming week or has
    passed, in the scope's cases: one count query and one limited list query."""
    until = max(scope.until, scope.today + dt.timedelta(days=DEADLINE_AHEAD_DAYS))
    base = EmploymentDuty.objects.filter(case__in=scope.cases, status=DutyStatus.SEEKING, deadline__lte=until)
    counts = base.aggregate(n=Count("id"), late=Count("id", filter=Q(deadline__lt=scope.today)))
    rows = base.select_related("case__person", "case__officer").order_by("deadline", "pk")[: scope.limit]
    items = [
        WorkItem(
            kind="deadline",
            key=f"employment:{duty.pk}",
            due=duty.deadline,
            overdue=employment_deadline_passed(deadline=duty.deadline, today=scope.today),
            case_id=duty.case_id,
            case_number=duty.case.number,
            person_name=duty.case.person.full_name,
            title=_("Find work (employment duty)"),
            url=reverse("labour:overview", args=[duty.case_id]) + "#labour-employment",
            action_label=_("Open"),
            officer_name=duty.case.officer.display_name if duty.case.officer else "",
        )
        for duty in rows
    ]
    return WorkBatch(kind="deadline", count=counts["n"], overdue=counts["late"], items=items)
