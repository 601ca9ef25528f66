"""Reporting schedules: patterns on the working-day calendar, the rulebook's default and the
officer's override with a reason, replacing a schedule, the generation job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import KZ_TZ, local_today
from openprobation.core.workdays import HolidayCalendar
from openprobation.supervision.jobs import appointments_generate
from openprobation.supervision.models import Appointment, Outcome, ReportingSchedule, ScheduleOrigin
from openprobation.supervision.rules import Frequency, schedule_days
from openprobation.supervision.services import ScheduleInput, is_working_day, schedule_set
from openprobation.supervision.tests.helpers import case_of, past_appointment
from openprobation.testing.clients import api_client, web_client

MWF = Frequency("weekly", (0, 2, 4))
D = dt.date


def _days(freq: Frequency, start: dt.date, end: dt.date, anchor: dt.date | None = None) -> list[dt.date]:
    return schedule_days(freq, start=start, end=end, anchor=anchor or start, is_working_day=is_working_day).days


# --- Patterns on the calendar (the shipped rulebook's calendar) -----------------------------------------


@pytest.mark.django_db
def test_a_holiday_moves_the_report_to_the_next_working_day():
    # 16 December 2026 (Wednesday) is Independence Day.
    assert _days(MWF, D(2026, 12, 14), D(2026, 12, 18)) == [D(2026, 12, 14), D(2026, 12, 17), D(2026, 12, 18)]


@pytest.mark.django_db
def test_nauryz_never_puts_two_reports_on_one_day():
    # 21-23 March 2026 and the days off they move to (24, 25 March): Monday and Wednesday both
    # move to Thursday 26 March, which then holds one report, not two.
    found = _days(MWF, D(2026, 3, 16), D(2026, 3, 27))
    assert found == [D(2026, 3, 16), D(2026, 3, 18), D(2026, 3, 20), D(2026, 3, 26), D(2026, 3, 27)]


@pytest.mark.django_db
def test_a_government_transfer_makes_a_sunday_a_working_day():
    # 2025: 3 January (Friday) off, worked on Sunday 5 January instead.
    found = _days(MWF, D(2025, 1, 1), D(2025, 1, 10))
    assert found == [D(2025, 1, 5), D(2025, 1, 6), D(2025, 1, 8), D(2025, 1, 10)]


@pytest.mark.django_db
def test_monthly_on_the_first_and_fifteenth_skips_sundays():
    found = _days(Frequency("monthly", (), (1, 15)), D(2026, 11, 1), D(2026, 11, 30))
    assert found == [D(2026, 11, 2), D(2026, 11, 16)]


def test_monthly_day_31_is_the_last_day_of_a_short_month():
    freq = Frequency("monthly", (), (31,))
    days = schedule_days(freq, start=D(2027, 2, 1), end=D(2027, 2, 28), anchor=D(2027, 2, 1), is_working_day=_weekdays)
    assert days.days == [D(2027, 3, 1)]  # 28 February 2027 is a Sunday
    assert days.moved == {D(2027, 2, 28): D(2027, 3, 1)}


def _weekdays(day: dt.date) -> bool:
    return HolidayCalendar().is_working_day(day)


def test_every_two_weeks_counts_from_the_first_day():
    freq = Frequency("every_n_weeks", (1,), (), 2)
    days = schedule_days(
        freq, start=D(2026, 12, 1), end=D(2026, 12, 31), anchor=D(2026, 12, 1), is_working_day=_weekdays
    )
    assert days.days == [D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 29)]


def test_a_day_moved_past_the_end_of_control_is_dropped():
    days = schedule_days(
        Frequency("weekly", (5,)),
        start=D(2026, 12, 5),
        end=D(2026, 12, 5),
        anchor=D(2026, 12, 5),
        is_working_day=_weekdays,
        last_day=D(2026, 12, 6),
    )
    assert days.days == []


# --- Setting a schedule --------------------------------------------------------------------------------


def _input(**kw: Any) -> ScheduleInput:
    data: dict[str, Any] = {"frequency": MWF, "time_of_day": dt.time(10, 0), "valid_from": local_today()}
    data.update(kw)
    return ScheduleInput(**data)


@pytest.mark.django_db
def test_the_default_frequency_needs_no_reason_and_generates_ahead(personas):
    case = case_of(personas)
    schedule = schedule_set(actor=personas["officer"], case=case, data=_input())
    assert schedule.origin == ScheduleOrigin.DEFAULT
    rows = list(Appointment.objects.filter(schedule=schedule))
    assert 8 <= len(rows) <= 14  # three a week over the 28-day horizon, less the days off
    assert all(is_working_day(a.starts_at.astimezone(KZ_TZ).date()) for a in rows)
    assert len({a.starts_at.date() for a in rows}) == len(rows)
    assert AuditEvent.objects.filter(action="supervision.schedule_set").count() == 1


@pytest.mark.django_db
def test_an_override_needs_a_reason(personas):
    case = case_of(personas)
    weekly = Frequency("weekly", (0,))
    with pytest.raises(DomainError) as err:
        schedule_set(actor=personas["officer"], case=case, data=_input(frequency=weekly))
    assert err.value.field == "reason"
    assert not ReportingSchedule.objects.filter(case=case).exists()
    assert not Appointment.objects.filter(case=case).exists()
    schedule = schedule_set(actor=personas["officer"], case=case, data=_input(frequency=weekly, reason="Works shifts"))
    assert schedule.origin == ScheduleOrigin.OVERRIDE
    assert schedule.override_reason == "Works shifts"


@pytest.mark.django_db
def test_a_new_schedule_cancels_future_appointments_and_keeps_past_ones(personas):
    case = case_of(personas)
    officer = personas["officer"]
    first = schedule_set(actor=officer, case=case, data=_input())
    past = past_appointment(case, schedule=first)
    future_ids = set(
        Appointment.objects.filter(schedule=first, starts_at__gt=past.starts_at).values_list("pk", flat=True)
    )
    second = schedule_set(actor=officer, case=case, data=_input(frequency=Frequency("weekly", (1,)), reason="New job"))
    first.refresh_from_db()
    assert not first.active and second.active
    past.refresh_from_db()
    assert past.outcome == ""
    assert set(Appointment.objects.filter(pk__in=future_ids).values_list("outcome", flat=True)) == {Outcome.CANCELLED}
    assert Appointment.objects.filter(schedule=second, outcome="").exists()


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("valid_from", {"valid_from": local_today() - dt.timedelta(days=1)}),
        ("valid_until", {"valid_until": local_today() + dt.timedelta(days=600)}),
        ("valid_until", {"valid_until": local_today() - dt.timedelta(days=1), "valid_from": local_today()}),
        ("weekdays", {"frequency": Frequency("weekly", ())}),
        ("month_days", {"frequency": Frequency("monthly", (), ())}),
    ],
)
@pytest.mark.django_db
def test_schedule_refusals(personas, field, kw):
    case = case_of(personas)
    with pytest.raises(DomainError) as err:
        schedule_set(actor=personas["officer"], case=case, data=_input(reason="x", **kw))
    assert err.value.field == field
    assert not ReportingSchedule.objects.filter(case=case).exists()


@pytest.mark.parametrize("name", ["colleague", "other_district", "other_region", "analyst", "auditor", "sysadmin"])
@pytest.mark.django_db
def test_forbidden_personas_set_no_schedule(personas, name):
    case = case_of(personas)
    with pytest.raises(PermissionDeniedError):
        schedule_set(actor=personas[name], case=case, data=_input())
    assert not ReportingSchedule.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(action="supervision.schedule_set").exists()


# --- The generation job --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_generation_twice_creates_nothing_more(personas):
    case = case_of(personas)
    schedule = schedule_set(actor=personas["officer"], case=case, data=_input())
    count = Appointment.objects.filter(schedule=schedule).count()
    later = local_today() + dt.timedelta(days=14)
    added = appointments_generate(today=later)
    assert added > 0
    assert appointments_generate(today=later) == 0
    assert Appointment.objects.filter(schedule=schedule).count() == count + added


@pytest.mark.django_db
def test_generation_skips_finished_cases_and_stops_at_control_end(personas):
    today = local_today()
    ending = case_of(personas, control_end=today + dt.timedelta(days=10))
    schedule = schedule_set(actor=personas["officer"], case=ending, data=_input())
    assert all(
        a.starts_at.astimezone(KZ_TZ).date() <= ending.control_end
        for a in Appointment.objects.filter(schedule=schedule)
    )
    finished = case_of(personas)
    schedule_set(actor=personas["officer"], case=finished, data=_input())
    type(finished).objects.filter(pk=finished.pk).update(status="completed")
    before = Appointment.objects.filter(case=finished).count()
    appointments_generate(today=today + dt.timedelta(days=20))
    assert Appointment.objects.filter(case=finished).count() == before


# --- Page and API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_and_api_set_the_same_schedule(personas):
    officer = personas["officer"]
    web_case, api_case = case_of(personas), case_of(personas)
    today = local_today().isoformat()
    response = web_client(officer).post(
        reverse("supervision:schedule", args=[web_case.pk]),
        {
            "pattern": "weekly",
            "weekdays": ["0", "2", "4"],
            "time_of_day": "10:00",
            "kind": "office_report",
            "valid_from": today,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    answer = api_client(officer).put(
        f"/api/v1/cases/{api_case.pk}/schedule/",
        {"pattern": "weekly", "weekdays": [0, 2, 4], "time_of_day": "10:00", "valid_from": today},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    web_s = ReportingSchedule.objects.get(case=web_case, active=True)
    api_s = ReportingSchedule.objects.get(case=api_case, active=True)
    assert (web_s.pattern, web_s.weekdays, web_s.origin) == (api_s.pattern, api_s.weekdays, api_s.origin)
    assert answer.json()["schedule"]["summary"] == web_s.summary
    page_days = [a.starts_at for a in Appointment.objects.filter(schedule=web_s)]
    api_days = [a.starts_at for a in Appointment.objects.filter(schedule=api_s)]
    assert page_days == api_days


@pytest.mark.django_db
def test_schedule_page_shows_the_default_and_api_refuses_odd_input(personas):
    case = case_of(personas)
    officer = personas["officer"]
    page = web_client(officer).get(reverse("supervision:schedule", args=[case.pk]))
    assert page.status_code == 200
    client = api_client(officer)
    url = f"/api/v1/cases/{case.pk}/schedule/"
    assert client.get(url).json()["default"]["weekdays"] == [0, 2, 4]
    for body in (
        {"pattern": "weekly", "weekdays": [9], "time_of_day": "10:00", "valid_from": "2026-12-01"},
        {"pattern": "weekly", "weekdays": [0], "time_of_day": "10:00", "valid_from": "9999-12-31"},
        {"pattern": {"x": 1}, "time_of_day": "10:00", "valid_from": "2026-12-01"},
        {"pattern": "monthly", "month_days": ["١٥"], "time_of_day": "10:00", "valid_from": "2026-12-01"},
    ):
        answer = client.put(url, body, format="json")
        assert answer.status_code == 400, (body, answer.content)
    assert not ReportingSchedule.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_ad_hoc_appointment_on_a_day_off_is_refused_and_on_a_working_day_added(personas):
    case = case_of(personas)
    client = api_client(personas["officer"])
    url = f"/api/v1/cases/{case.pk}/appointments/"
    day = local_today() + dt.timedelta(days=3)
    while day.weekday() != 6:
        day += dt.timedelta(days=1)
    refused = client.post(url, {"kind": "home_visit", "starts_at": f"{day}T11:00:00+05:00"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "day_off"
    monday = day + dt.timedelta(days=1)
    while not is_working_day(monday):
        monday += dt.timedelta(days=1)
    added = client.post(url, {"kind": "home_visit", "starts_at": f"{monday}T11:00:00+05:00"}, format="json")
    assert added.status_code == 201, added.content
    assert client.get(url).json()["count"] == 1
    far = client.post(url, {"kind": "phone", "starts_at": "2999-01-05T11:00:00+05:00"}, format="json")
    assert far.status_code == 400
    assert Appointment.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_a_schedule_generated_to_the_horizon_is_skipped_until_the_horizon_moves(
    personas, django_assert_max_num_queries
):
    case = case_of(personas)
    schedule_set(actor=personas["officer"], case=case, data=_input())
    with django_assert_max_num_queries(2):
        assert appointments_generate() == 0
    tomorrow = local_today() + dt.timedelta(days=1)
    appointments_generate(today=tomorrow)
    assert ReportingSchedule.objects.get(case=case, active=True).generated_until == tomorrow + dt.timedelta(days=28)
