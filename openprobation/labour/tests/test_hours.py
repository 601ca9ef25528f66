"""Forced-labour hours: the daily maximum, the control period, the future, exemptions, odd input,
and who may record them (refused personas change nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import SentenceKind
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.labour.models import ForcedLabourDecision, LabourHours
from openprobation.labour.services import HoursInput, forced_labour_rejudge, labour_hours_log
from openprobation.labour.tests.conftest import rol_case, status_of
from openprobation.testing.clients import api_client

pytestmark = pytest.mark.django_db


def _log(personas, case, hours, *, day=None, who="officer"):
    day = day or local_today() - dt.timedelta(days=1)
    return labour_hours_log(
        actor=personas[who], case=case, data=HoursInput(worked_on=day, hours=hours, organisation="Әкімдік")
    )


def test_the_daily_maximum_exactly_is_accepted(personas, case):
    entry = _log(personas, case, Decimal("4"))
    assert entry.hours == Decimal("4")
    event = AuditEvent.objects.filter(action="labour.hours").get()
    assert event.subject_id == str(case.pk)


def test_a_quarter_hour_over_the_daily_maximum_is_refused(personas, case):
    with pytest.raises(DomainError) as err:
        _log(personas, case, Decimal("4.25"))
    assert err.value.field == "hours" and err.value.code == "daily_max"
    assert "CC art. 44(1)" in str(err.value.message)
    assert not LabourHours.objects.exists()


def test_the_sum_of_one_day_is_capped(personas, case):
    _log(personas, case, Decimal("3"))
    _log(personas, case, Decimal("1"))  # 4 in all: the maximum
    with pytest.raises(DomainError) as err:
        _log(personas, case, Decimal("0.25"))
    assert "4 hours are already recorded" in str(err.value.message)
    # Another day is a new day.
    _log(personas, case, Decimal("4"), day=local_today() - dt.timedelta(days=2))
    assert LabourHours.objects.count() == 3


def test_days_outside_the_control_period_or_in_the_future_are_refused(personas, case):
    today = local_today()
    for day, field in [
        (case.control_start - dt.timedelta(days=1), "worked_on"),
        (today + dt.timedelta(days=1), "worked_on"),
    ]:
        with pytest.raises(DomainError) as err:
            _log(personas, case, Decimal("2"), day=day)
        assert err.value.field == field
    _log(personas, case, Decimal("2"), day=case.control_start)  # the first day counts
    ended = rol_case(personas, start=today - dt.timedelta(days=800))
    with pytest.raises(DomainError, match="outside the probation-control period"):
        _log(personas, ended, Decimal("2"), day=today)


def test_no_hours_for_a_case_without_forced_labour_or_an_exempt_person(personas):
    conditional = rol_case(personas, sentence_kind=SentenceKind.CONDITIONAL)
    with pytest.raises(DomainError) as err:
        _log(personas, conditional, Decimal("2"))
    assert err.value.code == "no_forced_labour"
    exempt = rol_case(personas)
    exempt.person.employment_status = "employed"
    exempt.person.save()
    with pytest.raises(DomainError) as err:
        _log(personas, exempt, Decimal("2"))
    assert err.value.code == "exempt"
    assert not LabourHours.objects.exists()


@pytest.mark.parametrize("who", ["other_district", "other_region", "analyst", "auditor", "sysadmin", "colleague"])
def test_refused_personas_change_nothing(personas, case, who):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError):
        _log(personas, case, Decimal("2"), who=who)
    assert not LabourHours.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("who", ["other_district", "other_region", "analyst", "auditor", "sysadmin"])
def test_the_api_refuses_other_offices_and_read_only_roles(personas, case, who):
    response = api_client(personas[who]).post(
        f"/api/v1/cases/{case.pk}/labour/hours/",
        {"worked_on": local_today().isoformat(), "hours": "2", "organisation": "Әкімдік"},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert response.json()["code"]
    assert not LabourHours.objects.exists()


@pytest.mark.parametrize(
    "hours",
    ["1e9", "٣", "３", "-2", "0", "2.125", "", "NaN", "Infinity", "99999999", "1" * 40],
)
def test_odd_hours_are_a_clear_400(personas, case, hours):
    response = api_client(personas["officer"]).post(
        f"/api/v1/cases/{case.pk}/labour/hours/",
        {"worked_on": local_today().isoformat(), "hours": hours, "organisation": "Әкімдік"},
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert "hours" in body.get("errors", {}), body
    assert not LabourHours.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"worked_on": "9999-12-31"},
        {"worked_on": "1900-01-01"},
        {"worked_on": "31.12.2026x"},
        {"worked_on": {"nested": ["json"]}},
        {"hours": {"a": 1}},
        {"organisation": ["x"]},
    ],
)
def test_odd_dates_and_shapes_are_a_clear_400(personas, case, payload):
    body = {"worked_on": local_today().isoformat(), "hours": "2", "organisation": "Әкімдік", **payload}
    response = api_client(personas["officer"]).post(f"/api/v1/cases/{case.pk}/labour/hours/", body, format="json")
    assert response.status_code == 400, response.content
    assert not LabourHours.objects.exists()


def test_a_decimal_comma_is_accepted(personas, case):
    response = api_client(personas["officer"]).post(
        f"/api/v1/cases/{case.pk}/labour/hours/",
        {"worked_on": local_today().isoformat(), "hours": "3,5", "organisation": "Әкімдік"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["hours"] == "3.50"


def test_rejudging_records_the_exemption_when_the_person_started_work(personas, case):
    today = local_today()
    assert status_of(case, today).applies
    forced_labour_rejudge(actor=personas["officer"], case=case, reason="Бастапқы шешім")
    case.person.employment_status = "employed"
    case.person.save()
    status = status_of(case, today)
    assert not status.applies and status.rejudge_due
    assert status.figures.owed_this_year == 0
    decision = forced_labour_rejudge(actor=personas["officer"], case=case, reason="Тұрақты жұмысқа орналасты")
    assert not decision.applies and decision.exemptions
    assert not status_of(case, today).rejudge_due
    assert AuditEvent.objects.filter(action="labour.rejudge").count() == 2


def test_rejudging_needs_a_reason_and_the_right_persona(personas, case):
    with pytest.raises(DomainError) as err:
        forced_labour_rejudge(actor=personas["officer"], case=case, reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(PermissionDeniedError):
        forced_labour_rejudge(actor=personas["auditor"], case=case, reason="x")
    assert not ForcedLabourDecision.objects.exists()
