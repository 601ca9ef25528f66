"""Records and payloads of the enforcement routes for the access matrix (web/tests/test_access_matrix.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openprobation.cases.models import Case, CaseStatus, CaseTask
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import EnforcementStep, Step, Violation, ViolationStatus


def _violation(case_pk: int, status: str = ViolationStatus.CONFIRMED, **over: Any) -> Violation:
    case = Case.objects.get(pk=case_pk)
    fields: dict[str, Any] = {
        "case": case,
        "kind": "missed_report",
        "source": "officer",
        "occurred_on": local_today() - dt.timedelta(days=2),
        "description": "Не явился на регистрацию",
        "status": status,
    }
    fields.update(over)
    return Violation.objects.create(**fields)


def _task(case_pk: int) -> CaseTask:
    case = Case.objects.get(pk=case_pk)
    return CaseTask.objects.create(
        case=case, kind="search_measures", title_code="search_measures", due_on=local_today(), assignee=case.officer
    )


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "enforcement:violation": lambda w, pk: _violation(pk).pk,
    "enforcement:decide": lambda w, pk: _violation(pk, ViolationStatus.CANDIDATE).pk,
    "enforcement:explain": lambda w, pk: _violation(pk).pk,
    "enforcement:task_done": lambda w, pk: _task(pk).pk,
    "api-case-violation": lambda w, pk: _violation(pk).pk,
    "api-case-violation-transition": lambda w, pk: _violation(pk, ViolationStatus.CANDIDATE).pk,
    "api-case-violation-explanation": lambda w, pk: _violation(pk).pk,
    "api-case-task-complete": lambda w, pk: _task(pk).pk,
}


def _today() -> str:
    return local_today().isoformat()


def _new_violation(w: Any, s: Any) -> dict[str, Any]:
    return {
        "kind": "missed_report",
        "source": "officer",
        "occurred_on": (local_today() - dt.timedelta(days=1)).isoformat(),
        "description": "Не явился на регистрацию",
    }


def _warning(w: Any, s: Any) -> dict[str, Any]:
    v = _violation(s.active.pk)
    return {"step": "warning", "violations": [v.pk], "taken_on": _today(), "reason": "Предупреждение"}


def _written_warning(w: Any, s: Any) -> dict[str, Any]:
    Case.objects.filter(pk=s.active.pk).update(sentence_kind="restriction_of_liberty")
    v = _violation(s.active.pk)
    return {"violations": [v.pk], "taken_on": _today(), "reason": "Письменное предупреждение"}


def _submission(w: Any, s: Any) -> dict[str, Any]:
    a, b = _violation(s.active.pk), _violation(s.active.pk, kind="curfew_breach")
    return {
        "violations": [a.pk, b.pk],
        "requested_outcome": "extend_control",
        "taken_on": _today(),
        "reason": "Два нарушения",
    }


def _court_outcome(w: Any, s: Any) -> dict[str, Any]:
    a, b = _violation(s.active.pk), _violation(s.active.pk, kind="curfew_breach")
    submission = EnforcementStep.objects.create(
        case=s.active,
        step=Step.SUBMISSION,
        taken_on=local_today() - dt.timedelta(days=1),
        reason="Представление",
        requested_outcome="extend_control",
    )
    submission.violations.set([a, b])
    return {"result": "refused", "taken_on": _today(), "reason": "Суд отказал"}


def _found(w: Any, s: Any) -> dict[str, Any]:
    Case.objects.filter(pk=s.active.pk).update(status=CaseStatus.WANTED)
    return {"reason": "Найден"}


PAYLOADS: dict[tuple[str, str], Callable[[Any, Any], dict[str, Any]]] = {
    ("enforcement:record", "POST"): _new_violation,
    ("enforcement:decide", "POST"): lambda w, s: {"to_status": "confirmed", "reason": "Подтверждено"},
    ("enforcement:explain", "POST"): lambda w, s: {"explanation": "Болел", "received_on": _today()},
    ("enforcement:warning", "POST"): _warning,
    ("enforcement:written_warning", "POST"): _written_warning,
    ("enforcement:submission", "POST"): _submission,
    ("enforcement:court_outcome", "POST"): _court_outcome,
    ("enforcement:wanted", "POST"): lambda w, s: {"reason": "Не явился"},
    ("enforcement:found", "POST"): _found,
    ("enforcement:task_done", "POST"): lambda w, s: {"note": "Сделано"},
    ("api-case-violations", "POST"): _new_violation,
    ("api-case-violation-transition", "POST"): lambda w, s: {
        "to_status": "dismissed",
        "reason": "Уважительная причина",
    },
    ("api-case-violation-explanation", "POST"): lambda w, s: {"explanation": "Болел", "received_on": _today()},
    ("api-case-enforcement", "POST"): _warning,
    ("api-case-wanted", "POST"): lambda w, s: {"reason": "Не явился"},
    ("api-case-found", "POST"): _found,
    ("api-case-task-complete", "POST"): lambda w, s: {"note": "Сделано"},
}
