"""What labour asks of the apps below it: conditions (is the court's duty to work or study in
force?) and enforcement (record a violation candidate). One place for both, so the labour tests
can stand in for them where a test is about labour's own rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from openprobation.conditions.models import CaseCondition
from openprobation.conditions.selectors import case_has_condition as _case_has_condition
from openprobation.conditions.selectors import in_force_q
from openprobation.enforcement.services import violation_record

WORK_OR_STUDY = "work_or_study"
WORK_REFUSAL = "work_refusal"
EMPLOYMENT_SOURCE = "employment"


def case_has_condition(*, case: Any, code: str, on: dt.date) -> bool:
    """The court ordered the duty ``code`` and it is in force on ``on``."""
    return _case_has_condition(case=case, code=code, on=on)


def court_deadline(*, case: Any, effective_date: dt.date, on: dt.date) -> dt.date | None:
    """The deadline the court itself set in the duty to work or study (its ``deadline`` parameter:
    a date, or a number of days from the decision taking effect), if it set one."""
    found = (
        CaseCondition.objects.filter(in_force_q(on), case_id=case.pk, definition__code=WORK_OR_STUDY)
        .order_by("-in_force_from", "-id")
        .values_list("params", flat=True)
        .first()
    )
    deadline = (found or {}).get("deadline") if isinstance(found, dict) else None
    if not isinstance(deadline, dict):
        return None
    if isinstance(deadline.get("date"), str):
        try:
            return dt.date.fromisoformat(deadline["date"])
        except ValueError:
            return None
    days = deadline.get("days")
    if isinstance(days, int) and not isinstance(days, bool) and 0 < days <= 3650:
        return effective_date + dt.timedelta(days=days)
    return None


def cases_with_condition(*, code: str, on: dt.date) -> QuerySet[Any]:
    """The ids of the cases whose court duty ``code`` is in force on ``on`` (a subquery, for jobs)."""
    return CaseCondition.objects.filter(in_force_q(on), definition__code=code).values("case_id")


def violation_candidate(
    *, actor: Any, case: Any, kind: str, occurred_on: dt.date, description: str, source_ref: str
) -> Any:
    """A violation candidate from the employment source (``enforcement.services.violation_record``),
    idempotent on (case, source, source_ref)."""
    return violation_record(
        actor=actor,
        case=case,
        kind=kind,
        source=EMPLOYMENT_SOURCE,
        occurred_on=occurred_on,
        description=description,
        source_ref=source_ref,
        candidate=True,
    )
