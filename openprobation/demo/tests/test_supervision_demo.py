"""Demo schedules and appointments: a year of them, on working days, mostly attended, some open."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import KZ_TZ
from openprobation.supervision.models import Appointment, Outcome, ReportingSchedule
from openprobation.supervision.services import is_working_day

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def test_demo_has_schedules_and_a_year_of_appointments_with_outcomes():
    call_command("seed_demo", people=120, cases=150, today=TODAY, stdout=StringIO(), stderr=StringIO())
    active = Case.objects.filter(status=CaseStatus.ACTIVE, control_start__isnull=False, control_end__isnull=False)
    assert ReportingSchedule.objects.count() == active.count() > 0
    rows = list(Appointment.objects.values_list("starts_at", "outcome"))
    assert len(rows) > 20 * active.count()
    assert all(is_working_day(when.astimezone(KZ_TZ).date()) for when, _o in rows[:2000])
    outcomes = [o for when, o in rows if when.astimezone(KZ_TZ).date() < TODAY]
    assert outcomes.count(Outcome.ATTENDED_COMPLIED) > 0.8 * len(outcomes)
    assert {Outcome.FAILED_TO_ATTEND, Outcome.ACCEPTABLE_ABSENCE} <= set(outcomes)
    assert "" in outcomes  # some overdue for today's queue
    assert all(o == "" for when, o in rows if when.astimezone(KZ_TZ).date() >= TODAY)
