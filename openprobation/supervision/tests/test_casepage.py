"""What supervision adds to the case page, the caseload and the work queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from openprobation.cases.models import Case
from openprobation.core.caseload import annotate_caseload
from openprobation.core.casepage import case_actions, case_facts, case_sections
from openprobation.core.timeline import timeline_page
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkScope, work_sources
from openprobation.supervision.models import Outcome
from openprobation.supervision.services import appointment_record_outcome, is_working_day
from openprobation.supervision.tests.helpers import (
    appointment_on,
    case_of,
    future_appointment,
    past_appointment,
    working_day,
)

pytestmark = pytest.mark.django_db


def test_next_appointment_fact_is_danger_when_one_is_overdue(personas):
    case = case_of(personas)
    future = future_appointment(case)
    facts = {f.key: f for f in case_facts(user=personas["officer"], case=case, today=local_today())}
    assert facts["next_appointment"].tone == ""
    assert facts["next_appointment"].order == 20
    assert future.starts_at.isoformat() == facts["next_appointment"].data
    overdue = past_appointment(case)
    facts = {f.key: f for f in case_facts(user=personas["officer"], case=case, today=local_today())}
    assert facts["next_appointment"].tone == "danger"
    assert facts["appointment_overdue"].url.endswith(f"/appointments/{overdue.pk}/outcome/")


def test_record_outcome_is_the_primary_action_only_when_one_is_due(personas):
    case = case_of(personas)
    future_appointment(case)
    keys = {a.key: a for a in case_actions(user=personas["officer"], case=case)}
    assert "record_outcome" not in keys
    assert {"set_schedule", "add_appointment"} <= set(keys)
    past_appointment(case)
    keys = {a.key: a for a in case_actions(user=personas["officer"], case=case)}
    assert keys["record_outcome"].primary
    for name in ("colleague", "analyst", "auditor", "other_district"):
        assert not [a for a in case_actions(user=personas[name], case=case) if a.key in keys]


def _render_section(personas, case):
    (section,) = [
        s for s in case_sections(user=personas["officer"], case=case, today=local_today()) if s.key == "appointments"
    ]
    return render_to_string(section.template, section.context)


def test_section_costs_the_same_queries_with_many_appointments(personas, django_assert_max_num_queries):
    case = case_of(personas)
    past_appointment(case)
    appointment_on(case, working_day(local_today() - dt.timedelta(days=70), -1), outcome=Outcome.ATTENDED_COMPLIED)
    future_appointment(case)
    _render_section(personas, case)
    with CaptureQueriesContext(connection) as few:
        html = _render_section(personas, case)
    assert "Record outcome" in html
    day = local_today() - dt.timedelta(days=60)
    for _i in range(40):
        day = working_day(day + dt.timedelta(days=1), 1)
        appointment_on(case, day, outcome=Outcome.ATTENDED_COMPLIED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _render_section(personas, case)


def test_caseload_column_is_the_earliest_open_appointment(personas):
    case = case_of(personas)
    first = future_appointment(case)
    appointment_on(case, working_day(local_today() + dt.timedelta(days=9), 1))
    row = annotate_caseload(Case.objects.filter(pk=case.pk), local_today()).get()
    assert row.next_appointment == first.starts_at.astimezone(dt.timezone(dt.timedelta(hours=5))).date()


def test_work_source_counts_overdue_and_costs_two_queries(personas, django_assert_num_queries):
    officer = personas["officer"]
    cases = [case_of(personas) for _ in range(3)]
    for case in cases:
        past_appointment(case)
        future_appointment(case)
    if is_working_day(local_today()):
        appointment_on(cases[0], local_today(), hour=23)
    scope = WorkScope(user=officer, cases=Case.objects.filter(officer=officer), today=local_today(), limit=2)
    source = work_sources()["appointments"]
    with django_assert_num_queries(2):
        batch = source(scope)
    assert batch.overdue == 3
    assert batch.count >= 3
    assert len(batch.items) == 2
    assert all(item.url.endswith("/outcome/") for item in batch.items)
    assert batch.items[0].due <= batch.items[1].due


def test_timeline_shows_absences_not_routine_attendance(personas):
    case = case_of(personas)
    officer = personas["officer"]
    attended = past_appointment(case)
    appointment_record_outcome(actor=officer, appointment=attended, outcome=Outcome.ATTENDED_COMPLIED)
    missed = appointment_on(case, working_day(local_today() - dt.timedelta(days=8), -1))
    appointment_record_outcome(actor=officer, appointment=missed, outcome=Outcome.FAILED_TO_ATTEND)
    refs = [e.ref for e in timeline_page(user=officer, case=case, page=1).entries]
    assert f"supervision:appointment:{missed.pk}" in refs
    assert f"supervision:appointment:{attended.pk}" not in refs
    person_refs = [e.ref for e in timeline_page(user=officer, person=case.person, page=1).entries]
    assert f"supervision:appointment:{missed.pk}" in person_refs
    assert not [
        e
        for e in timeline_page(user=personas["other_region"], person=case.person, page=1).entries
        if e.kind == "appointment"
    ]
