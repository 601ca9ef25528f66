"""Reads of a case's duties.

``conditions_in_force`` and ``case_has_condition`` take a case the caller already holds (a page
that found it through the scoped case selectors, or a job): they read no personal data beyond it
and record nothing. ``case_conditions`` is the scoped, audited read for pages and the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from openprobation.cases.models import Case
from openprobation.cases.selectors import case_qs_for_user, case_shown
from openprobation.conditions.models import CaseCondition


def in_force_q(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}in_force_from__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def _of_case(case: Any) -> QuerySet[CaseCondition]:
    return (
        CaseCondition.objects.filter(case_id=case.pk)
        .select_related("definition", "decision", "ended_by_decision", "entered_by", "ended_by")
        .order_by("in_force_from", "id")
    )


def conditions_in_force(*, case: Any, on: dt.date) -> list[CaseCondition]:
    """The case's duties in force on ``on``, oldest first."""
    return list(_of_case(case).filter(in_force_q(on)))


def case_has_condition(*, case: Any, code: str, on: dt.date) -> bool:
    """Does the court oblige the person to ``code`` on ``on``?"""
    return CaseCondition.objects.filter(in_force_q(on), case_id=case.pk, definition__code=code).exists()


def all_conditions(*, case: Any) -> list[CaseCondition]:
    """Every duty of a case the caller already shows (the case page, whose view is recorded)."""
    return list(_of_case(case))


def case_conditions(*, user: Any, case: Case) -> list[CaseCondition]:
    """Every duty of the case, for a user who may see the case (else Case.DoesNotExist, a 404);
    recorded as a read of the case's duties."""
    if not case_qs_for_user(user).filter(pk=case.pk).exists():
        raise Case.DoesNotExist
    case_shown(user=user, case=case, part="conditions")
    return all_conditions(case=case)


def condition_of_case(*, case: Case, pk: int) -> CaseCondition:
    """One duty of a case the caller already holds (Raises CaseCondition.DoesNotExist)."""
    return _of_case(case).get(pk=pk)


def in_force_counts(*, case_ids: list[int], on: dt.date) -> dict[int, int]:
    """Duties in force per case, for lists (one query)."""
    rows = (
        CaseCondition.objects.filter(in_force_q(on), case_id__in=case_ids)
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    return dict(rows)


def cases_with_condition(*, case_ids: list[int], code: str, on: dt.date) -> set[int]:
    """Which of these cases carry the duty ``code`` on ``on`` (one query, for lists and jobs)."""
    rows = CaseCondition.objects.filter(in_force_q(on), case_id__in=case_ids, definition__code=code)
    return set(rows.values_list("case_id", flat=True))
