"""Recording an appointment's outcome: each outcome, its refusals, corrections, violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import KZ_TZ, local_today
from openprobation.enforcement.models import Violation
from openprobation.supervision.models import Appointment, Outcome
from openprobation.supervision.services import appointment_correct_outcome, appointment_record_outcome
from openprobation.supervision.tests.helpers import case_of, future_appointment, past_appointment, working_day
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_attended_is_recorded_with_one_audit_event(personas):
    case = case_of(personas)
    appt = past_appointment(case)
    before = _events("supervision.outcome_record")
    appointment_record_outcome(actor=personas["officer"], appointment=appt, outcome=Outcome.ATTENDED_COMPLIED)
    appt.refresh_from_db()
    assert appt.outcome == Outcome.ATTENDED_COMPLIED
    assert appt.recorded_by == personas["officer"]
    assert appt.recorded_at is not None
    assert _events("supervision.outcome_record") == before + 1


def test_recording_twice_is_refused_and_correction_needs_a_reason(personas):
    case = case_of(personas)
    appt = past_appointment(case)
    officer = personas["officer"]
    appointment_record_outcome(actor=officer, appointment=appt, outcome=Outcome.ATTENDED_COMPLIED)
    with pytest.raises(DomainError) as err:
        appointment_record_outcome(actor=officer, appointment=appt, outcome=Outcome.FAILED_TO_ATTEND)
    assert err.value.code == "already_recorded"
    with pytest.raises(DomainError) as err:
        appointment_correct_outcome(actor=officer, appointment=appt, outcome=Outcome.FAILED_TO_ATTEND, reason=" ")
    assert err.value.field == "reason"
    appt.refresh_from_db()
    assert appt.outcome == Outcome.ATTENDED_COMPLIED
    appointment_correct_outcome(
        actor=officer,
        appointment=appt,
        outcome=Outcome.ACCEPTABLE_ABSENCE,
        reason="Entered for the wrong person",
        reason_code="court",
    )
    appt.refresh_from_db()
    assert appt.outcome == Outcome.ACCEPTABLE_ABSENCE
    assert AuditEvent.objects.filter(action="supervision.outcome_correct").count() == 1


def test_future_appointment_cannot_be_attended_but_can_be_rescheduled(personas):
    case = case_of(personas)
    appt = future_appointment(case)
    with pytest.raises(DomainError) as err:
        appointment_record_outcome(actor=personas["officer"], appointment=appt, outcome=Outcome.ATTENDED_COMPLIED)
    assert err.value.code == "not_yet_held"
    new_day = working_day(local_today() + dt.timedelta(days=10), 1)
    new_time = dt.datetime.combine(new_day, dt.time(15, 30), tzinfo=KZ_TZ)
    appointment_record_outcome(
        actor=personas["officer"],
        appointment=appt,
        outcome=Outcome.RESCHEDULED,
        rescheduled_by="person",
        rescheduled_to=new_time,
    )
    appt.refresh_from_db()
    assert appt.outcome == Outcome.RESCHEDULED
    new = Appointment.objects.get(rescheduled_from=appt)
    assert new.starts_at == new_time
    assert new.outcome == ""


def test_rescheduling_to_a_day_off_is_refused(personas):
    case = case_of(personas)
    appt = future_appointment(case)
    day = local_today() + dt.timedelta(days=10)
    while day.weekday() != 6:
        day += dt.timedelta(days=1)
    with pytest.raises(DomainError) as err:
        appointment_record_outcome(
            actor=personas["officer"],
            appointment=appt,
            outcome=Outcome.RESCHEDULED,
            rescheduled_by="officer",
            rescheduled_to=dt.datetime.combine(day, dt.time(10), tzinfo=KZ_TZ),
        )
    assert err.value.code == "day_off"
    assert not Appointment.objects.filter(rescheduled_from=appt).exists()


@pytest.mark.parametrize(
    ("reason_code", "note", "evidence", "field"),
    [("", "", "", "reason_code"), ("other", "", "", "note"), ("illness", "", "", "evidence")],
)
def test_acceptable_absence_needs_its_reason(personas, reason_code, note, evidence, field):
    appt = past_appointment(case_of(personas))
    with pytest.raises(DomainError) as err:
        appointment_record_outcome(
            actor=personas["officer"],
            appointment=appt,
            outcome=Outcome.ACCEPTABLE_ABSENCE,
            reason_code=reason_code,
            note=note,
            evidence=evidence,
        )
    assert err.value.field == field
    appt.refresh_from_db()
    assert appt.outcome == ""


def test_illness_with_evidence_is_accepted(personas):
    appt = past_appointment(case_of(personas))
    appointment_record_outcome(
        actor=personas["officer"],
        appointment=appt,
        outcome=Outcome.ACCEPTABLE_ABSENCE,
        reason_code="illness",
        evidence="Certificate 123 of 01.12.2026",
    )
    appt.refresh_from_db()
    assert (appt.reason_code, appt.evidence) == ("illness", "Certificate 123 of 01.12.2026")


def test_unknown_outcome_is_refused(personas):
    appt = past_appointment(case_of(personas))
    with pytest.raises(DomainError):
        appointment_record_outcome(actor=personas["officer"], appointment=appt, outcome="cancelled")


@pytest.mark.parametrize("name", ["colleague", "other_district", "other_region", "analyst", "auditor", "sysadmin"])
def test_forbidden_personas_change_nothing(personas, name):
    appt = past_appointment(case_of(personas))
    with pytest.raises(PermissionDeniedError):
        appointment_record_outcome(actor=personas[name], appointment=appt, outcome=Outcome.ATTENDED_COMPLIED)
    appt.refresh_from_db()
    assert appt.outcome == ""
    assert not AuditEvent.objects.filter(action="supervision.outcome_record").exists()


@pytest.mark.parametrize(
    ("outcome", "candidate"),
    [(Outcome.FAILED_TO_ATTEND, False), (Outcome.UNACCEPTABLE_ABSENCE, False), (Outcome.ATTENDED_NOT_COMPLIED, True)],
)
def test_missed_report_creates_one_violation(personas, outcome, candidate):
    appt = past_appointment(case_of(personas))
    appointment_record_outcome(actor=personas["officer"], appointment=appt, outcome=outcome)
    found = Violation.objects.filter(case=appt.case, source="appointment", source_ref=str(appt.pk))
    assert found.count() == 1
    assert found.get().kind == "missed_report"
    # A correction to another violating outcome does not record a second one.
    appointment_correct_outcome(
        actor=personas["officer"],
        appointment=appt,
        outcome=Outcome.UNACCEPTABLE_ABSENCE if outcome != Outcome.UNACCEPTABLE_ABSENCE else Outcome.FAILED_TO_ATTEND,
        reason="Typo",
    )
    assert found.count() == 1


# --- The page and the API ----------------------------------------------------------------------------


def test_outcome_form_records_in_one_post_and_returns_to_next(personas):
    appt = past_appointment(case_of(personas))
    client = web_client(personas["officer"])
    url = reverse("supervision:outcome", args=[appt.case_id, appt.pk])
    page = client.get(url + "?next=/cases/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="attended_complied"' in html
    assert html.index("attended_complied") < html.index("failed_to_attend")
    response = client.post(url, {"outcome": "attended_complied", "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    appt.refresh_from_db()
    assert appt.outcome == Outcome.ATTENDED_COMPLIED


def test_outcome_form_returns_to_the_page_it_was_opened_from(personas):
    appt = past_appointment(case_of(personas))
    client = web_client(personas["officer"])
    url = reverse("supervision:outcome", args=[appt.case_id, appt.pk])
    page = client.get(url, HTTP_REFERER="http://testserver/today/?sort=due")
    assert 'value="http://testserver/today/?sort=due"' in page.content.decode()
    outside = client.get(url, HTTP_REFERER="https://evil.example/")
    assert 'value="https://evil.example/"' not in outside.content.decode()


def test_outcome_form_refuses_an_outside_next(personas):
    appt = past_appointment(case_of(personas))
    client = web_client(personas["officer"])
    url = reverse("supervision:outcome", args=[appt.case_id, appt.pk])
    response = client.post(url, {"outcome": "attended_complied", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[appt.case_id])


def test_outcome_form_shows_the_refusal_on_the_field(personas):
    appt = past_appointment(case_of(personas))
    client = web_client(personas["officer"])
    url = reverse("supervision:outcome", args=[appt.case_id, appt.pk])
    response = client.post(url, {"outcome": "acceptable_absence", "reason_code": "other"})
    assert response.status_code == 200
    assert "usa-error-message" in response.content.decode()
    appt.refresh_from_db()
    assert appt.outcome == ""


def test_appointment_of_another_case_is_not_found(personas):
    appt = past_appointment(case_of(personas))
    other = case_of(personas)
    client = web_client(personas["officer"])
    assert client.get(reverse("supervision:outcome", args=[other.pk, appt.pk])).status_code == 404


def test_api_records_the_outcome_like_the_page(personas):
    appt = past_appointment(case_of(personas))
    client = api_client(personas["officer"])
    url = f"/api/v1/cases/{appt.case_id}/appointments/{appt.pk}/outcome/"
    response = client.post(url, {"outcome": "failed_to_attend"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "failed_to_attend"
    again = client.post(url, {"outcome": "attended_complied"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "already_recorded"
    nested = client.post(url, {"outcome": {"a": [1]}}, format="json")
    assert nested.status_code == 400
    huge = client.post(f"/api/v1/cases/{appt.case_id}/appointments/{10**30}/outcome/", {}, format="json")
    assert huge.status_code == 404
