"""The supervision pages and list endpoints: forms, corrections, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import local_today
from openprobation.supervision.models import Appointment, Outcome
from openprobation.supervision.services import appointment_record_outcome
from openprobation.supervision.tests.helpers import appointment_on, case_of, past_appointment, working_day
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db


def test_add_appointment_page_adds_one_on_a_working_day(personas):
    case = case_of(personas)
    client = web_client(personas["officer"])
    url = reverse("supervision:appointment_new", args=[case.pk])
    assert client.get(url).status_code == 200
    day = working_day(local_today() + dt.timedelta(days=4), 1)
    response = client.post(url, {"kind": "phone", "day": day.isoformat(), "time": "12:15"})
    assert response.status_code == 302
    appointment = Appointment.objects.get(case=case)
    assert appointment.kind == "phone"
    assert AuditEvent.objects.filter(action="supervision.appointment_create").count() == 1


def test_add_appointment_page_shows_a_day_off_on_the_date_field(personas):
    case = case_of(personas)
    day = local_today() + dt.timedelta(days=4)
    while day.weekday() != 6:
        day += dt.timedelta(days=1)
    response = web_client(personas["officer"]).post(
        reverse("supervision:appointment_new", args=[case.pk]),
        {"kind": "phone", "day": day.isoformat(), "time": "12:15"},
    )
    assert response.status_code == 200
    assert 'id="id_day_error"' in response.content.decode()
    assert not Appointment.objects.filter(case=case).exists()


def test_correcting_on_the_page_needs_a_reason(personas):
    officer = personas["officer"]
    appointment = past_appointment(case_of(personas))
    appointment_record_outcome(actor=officer, appointment=appointment, outcome=Outcome.FAILED_TO_ATTEND)
    client = web_client(officer)
    url = reverse("supervision:outcome", args=[appointment.case_id, appointment.pk])
    page = client.get(url).content.decode()
    assert "correction_reason" in page
    refused = client.post(url, {"outcome": "acceptable_absence", "reason_code": "court"})
    assert refused.status_code == 200
    appointment.refresh_from_db()
    assert appointment.outcome == Outcome.FAILED_TO_ATTEND
    done = client.post(
        url,
        {"outcome": "acceptable_absence", "reason_code": "court", "correction_reason": "Повестка представлена позже"},
    )
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.outcome, appointment.reason_code) == (Outcome.ACCEPTABLE_ABSENCE, "court")


@pytest.mark.parametrize("name", ["colleague", "analyst", "auditor", "sysadmin", "court_liaison"])
def test_outcome_page_is_refused_to_those_who_may_not_change_the_case(personas, name):
    appointment = past_appointment(case_of(personas))
    client = web_client(personas[name])
    url = reverse("supervision:outcome", args=[appointment.case_id, appointment.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"outcome": "attended_complied"}).status_code in (403, 404)
    appointment.refresh_from_db()
    assert appointment.outcome == ""


def test_appointment_list_costs_the_same_queries_for_a_bigger_page(personas):
    case = case_of(personas)
    client = api_client(personas["officer"])
    url = f"/api/v1/cases/{case.pk}/appointments/?page_size=50"
    day = local_today() - dt.timedelta(days=90)
    for _ in range(3):
        day = working_day(day + dt.timedelta(days=1), 1)
        appointment_on(case, day)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(30):
        day = working_day(day + dt.timedelta(days=1), 1)
        appointment_on(case, day)
    with CaptureQueriesContext(connection) as many:
        answer = client.get(url)
    assert answer.json()["count"] == 33
    assert len(many.captured_queries) == len(few.captured_queries)
