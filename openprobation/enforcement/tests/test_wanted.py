"""PEC art. 163: the daily job creates the search tasks once; wanted and found through the case's
pipeline, with a reason; refusals change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CaseTask
from openprobation.cases.services import CaseInput, case_open
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.enforcement.services import case_mark_found, case_mark_wanted, wanted_scan
from openprobation.enforcement.tasks import create_search_tasks
from openprobation.testing.factories import a_person

pytestmark = pytest.mark.django_db


def deferral_case(personas: dict[str, Any], released: dt.date) -> Case:
    person = a_person(registered_office=personas["office_a"])
    case = case_open(
        actor=personas["officer"],
        person=person,
        office=personas["office_a"],
        data=CaseInput(
            case_type="sentence",
            received_on=released,
            court="Суд",
            decision_number="1-5/2026",
            decision_date=released - dt.timedelta(days=20),
            effective_date=released - dt.timedelta(days=5),
            sentence_kind="deferral",
            term_months=24,
            release_date=released,
        ),
    )
    Case.objects.filter(pk=case.pk).update(officer=personas["officer"])
    case.refresh_from_db()
    return case


def test_the_job_creates_both_tasks_once_after_the_deadline(personas):
    today = local_today()
    late = deferral_case(personas, today - dt.timedelta(days=40))
    fresh = deferral_case(personas, today - dt.timedelta(days=3))
    assert wanted_scan(today=today) == 2
    tasks = CaseTask.objects.filter(case=late).order_by("kind")
    assert [t.kind for t in tasks] == ["materials_to_court", "search_measures"]
    assert all(t.assignee == personas["officer"] for t in tasks)
    assert not CaseTask.objects.filter(case=fresh).exists()
    events = AuditEvent.objects.count()
    assert wanted_scan(today=today) == 0  # running twice changes nothing more
    assert create_search_tasks() == 0
    assert CaseTask.objects.count() == 2
    assert AuditEvent.objects.count() == events


def test_no_tasks_once_the_person_appeared(personas):
    today = local_today()
    case = deferral_case(personas, today - dt.timedelta(days=40))
    Case.objects.filter(pk=case.pk).update(appeared_on=today - dt.timedelta(days=35))
    assert wanted_scan(today=today) == 0


def test_the_deadline_boundary_follows_the_rulebook_clock(personas):
    released = dt.date(2026, 6, 1)
    case = deferral_case(personas, released)
    from openprobation.cases.terms import registration_state  # noqa: PLC0415

    appear_by = registration_state(case, today=released).appear_by
    assert appear_by is not None
    assert wanted_scan(today=appear_by) == 0
    assert wanted_scan(today=appear_by + dt.timedelta(days=1)) == 2
    assert CaseTask.objects.filter(case=case).first().due_on == appear_by + dt.timedelta(days=1)  # type: ignore[union-attr]


def test_wanted_then_found_resumes_control(personas, case):
    case = case_mark_wanted(actor=personas["officer"], case=case, reason="Не явился, розыск")
    assert case.status == CaseStatus.WANTED
    with pytest.raises(DomainError):
        case_mark_wanted(actor=personas["officer"], case=case, reason="again")
    case = case_mark_found(actor=personas["officer"], case=case, reason="Задержан, доставлен")
    assert case.status == CaseStatus.ACTIVE
    assert list(case.status_history.values_list("to_status", flat=True))[-2:] == ["wanted", "active"]
    with pytest.raises(DomainError):
        case_mark_found(actor=personas["officer"], case=case, reason="not wanted")
    with pytest.raises(DomainError):
        case_mark_wanted(actor=personas["officer"], case=case, reason="")


@pytest.mark.parametrize("who", ["other_district", "analyst", "auditor", "sysadmin"])
def test_wanted_refused_by_persona_and_nothing_changes(personas, case, who):
    with pytest.raises(PermissionDeniedError):
        case_mark_wanted(actor=personas[who], case=case, reason="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
