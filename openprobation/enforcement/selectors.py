"""Reads of violations and the ladder. Always on a case the caller already holds through
``cases.selectors.case_detail`` / ``case_for_change`` (which scope and audit the read)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openprobation.cases.models import Case, CaseTask, TaskStatus
from openprobation.cases.selectors import case_for_change, case_shown
from openprobation.enforcement.models import AWAITING, EnforcementStep, Violation


def case_violations(*, case: Case) -> QuerySet[Violation]:
    """The violations of a case the caller may see, newest first."""
    return Violation.objects.filter(case=case).select_related("recorded_by").order_by("-occurred_on", "-id")


def case_open_violations(*, case: Case) -> QuerySet[Violation]:
    return case_violations(case=case).filter(status__in=AWAITING)


def case_steps(*, case: Case) -> QuerySet[EnforcementStep]:
    return (
        EnforcementStep.objects.filter(case=case)
        .select_related("recorded_by", "court_decision", "submission")
        .prefetch_related("violations")
        .order_by("taken_on", "id")
    )


def case_tasks(*, case: Case, open_only: bool = False) -> QuerySet[CaseTask]:
    qs = CaseTask.objects.filter(case=case).select_related("assignee", "done_by").order_by("status", "due_on", "id")
    return qs.filter(status=TaskStatus.OPEN) if open_only else qs


def violation_of_case(*, case: Case, pk: int) -> Violation:
    """One violation of the case (Violation.DoesNotExist → 404 when it belongs to another case)."""
    return (
        Violation.objects.select_related("case", "case__office", "case__person", "recorded_by")
        .prefetch_related("history__by", "steps")
        .get(case=case, pk=pk)
    )


def task_of_case(*, case: Case, pk: int) -> CaseTask:
    return CaseTask.objects.select_related("case", "case__office", "assignee").get(case=case, pk=pk)


def case_for_violation_change(*, user: Any, pk: int) -> Case:
    """The case a violation form posts to (scoped; the service checks the action)."""
    return case_for_change(user=user, pk=pk)


def record_shown(*, user: Any, case: Case, part: str) -> None:
    """A form came back with errors: the case's part was shown again (a read)."""
    case_shown(user=user, case=case, part=part)
