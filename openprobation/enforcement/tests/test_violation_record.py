"""The interface other apps call: ``violation_record`` (established or candidate, idempotent on
the source reference, refused for whoever may not change the case) and ``case_task_create``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus, CaseTask, TaskStatus
from openprobation.cases.services import case_task_complete, case_task_create
from openprobation.core.exceptions import DomainError, PermissionDeniedError, TransitionError
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import Violation, ViolationStatus
from openprobation.enforcement.services import (
    violation_confirm,
    violation_dismiss,
    violation_explain,
    violation_record,
)

pytestmark = pytest.mark.django_db
D = dt.date


def record(actor: Any, case: Any, **over: Any) -> Violation:
    data: dict[str, Any] = {
        "kind": "missed_report",
        "source": "appointment",
        "occurred_on": D(2026, 3, 2),
        "description": "Did not report on 02.03.2026",
    }
    data.update(over)
    return violation_record(actor=actor, case=case, **data)


def test_an_established_violation_is_confirmed_with_history_and_one_audit_event(personas, case):
    v = record(personas["officer"], case)
    assert v.status == ViolationStatus.CONFIRMED
    assert v.recorded_by == personas["officer"]
    assert [h.to_status for h in v.history.all()] == ["confirmed"]
    assert AuditEvent.objects.filter(action="violation.record").count() == 1


def test_a_job_records_a_candidate_without_an_actor(case):
    v = record(None, case, source="monitoring_alert", kind="curfew_breach", candidate=True, source_ref="alert:7")
    assert v.status == ViolationStatus.CANDIDATE
    assert v.recorded_by is None


def test_the_same_source_reference_twice_returns_the_same_row_and_writes_nothing(personas, case):
    first = record(personas["officer"], case, source_ref="appointment:12")
    events = AuditEvent.objects.count()
    again = record(personas["officer"], case, source_ref="appointment:12", description="other text")
    assert again.pk == first.pk
    assert Violation.objects.count() == 1
    assert AuditEvent.objects.count() == events
    # Without a reference nothing is deduplicated.
    record(personas["officer"], case)
    record(personas["officer"], case)
    assert Violation.objects.count() == 3


@pytest.mark.parametrize("who", ["other_district", "other_region", "analyst", "auditor", "sysadmin", "partner"])
def test_who_may_not_change_the_case_is_refused_and_nothing_is_written(personas, case, who):
    with pytest.raises(PermissionDeniedError):
        record(personas[who], case)
    assert not Violation.objects.exists()
    assert not AuditEvent.objects.filter(action="violation.record").exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"kind": "littering"}, "kind"),
        ({"source": "rumour"}, "source"),
        ({"description": "  "}, "description"),
        ({"occurred_on": D(9999, 12, 31)}, "occurred_on"),
        ({"occurred_on": D(2025, 12, 31)}, "occurred_on"),
        ({"source_ref": "x" * 101}, "source_ref"),
    ],
)
def test_odd_input_is_refused_naming_the_field(personas, case, over, field):
    with pytest.raises(DomainError) as err:
        record(personas["officer"], case, **over)
    assert err.value.field == field
    assert not Violation.objects.exists()


def test_a_finished_case_takes_no_violation(personas, case):
    case.status = CaseStatus.COMPLETED
    case.save()
    with pytest.raises(DomainError):
        record(personas["officer"], case)


def test_candidate_confirmed_or_dismissed_with_a_reason_and_illegal_moves_refused(personas, case):
    officer = personas["officer"]
    a = record(None, case, candidate=True, source="police_report", source_ref="p1")
    b = record(None, case, candidate=True, source="police_report", source_ref="p2")
    with pytest.raises(DomainError):
        violation_confirm(actor=officer, violation=a, reason="")
    a = violation_confirm(actor=officer, violation=a, reason="Police report checked", malicious=True)
    assert (a.status, a.malicious) == ("confirmed", True)
    b = violation_dismiss(actor=officer, violation=b, reason="He was in hospital")
    assert b.status == "dismissed"
    with pytest.raises(TransitionError):
        violation_confirm(actor=officer, violation=b, reason="changed my mind")
    a = violation_explain(actor=officer, violation=a, explanation="I was at work", received_on=local_today())
    assert a.status == "explained"
    assert [h.to_status for h in a.history.all()] == ["candidate", "confirmed", "explained"]
    assert AuditEvent.objects.filter(action="violation.transition").count() == 3


def test_another_office_cannot_confirm_and_nothing_changes(personas, case):
    v = record(None, case, candidate=True)
    with pytest.raises(PermissionDeniedError):
        violation_confirm(actor=personas["other_district"], violation=v, reason="x")
    v.refresh_from_db()
    assert v.status == "candidate"


def test_case_task_create_is_idempotent_and_defaults_to_the_case_officer(personas, case):
    due = local_today() + dt.timedelta(days=3)
    task = case_task_create(
        actor=None, case=case, kind="search_measures", title_code="search_measures", due_on=due, source_ref="pec163"
    )
    again = case_task_create(
        actor=None, case=case, kind="search_measures", title_code="search_measures", due_on=due, source_ref="pec163"
    )
    assert task.pk == again.pk
    assert CaseTask.objects.count() == 1
    assert task.assignee == personas["officer"]
    assert str(task.title) == "Take initial search measures"
    assert AuditEvent.objects.filter(action="case.task_create").count() == 1
    with pytest.raises(PermissionDeniedError):
        case_task_complete(actor=personas["other_district"], task=task)
    task = case_task_complete(actor=personas["officer"], task=task, note="Called the relatives")
    assert task.status == TaskStatus.DONE
    with pytest.raises(DomainError):
        case_task_complete(actor=personas["officer"], task=task)


def test_case_task_create_refused_for_another_office(personas, case):
    with pytest.raises(PermissionDeniedError):
        case_task_create(actor=personas["other_region"], case=case, kind="k", title_code="k", due_on=local_today())
    assert not CaseTask.objects.exists()
