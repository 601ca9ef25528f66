"""Reads of schedules and appointments. The case is always found first through the scoped case
selectors (``cases.selectors``: out of jurisdiction is DoesNotExist, a 404; the view is audited
there), then its records are read by the case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery

from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_for_change
from openprobation.core.timeutil import KZ_TZ
from openprobation.supervision.models import Appointment, ReportingSchedule


def appointment_of_case(*, case: Case, pk: int) -> Appointment:
    """One appointment of a case the caller already holds; DoesNotExist (404) when not of it."""
    return Appointment.objects.select_related("case", "officer", "recorded_by", "rescheduled_to").get(case=case, pk=pk)


def appointment_detail(*, user: Any, case_pk: int, pk: int) -> Appointment:
    """The appointment of a visible case, recorded as a view of the case's appointments."""
    case = case_detail(user=user, pk=case_pk, part="appointment")
    appointment = appointment_of_case(case=case, pk=pk)
    appointment.case = case
    return appointment


def appointment_for_change(*, user: Any, case_pk: int, pk: int) -> Appointment:
    """The appointment an outcome is posted to (the service checks the action and records it)."""
    case = case_for_change(user=user, pk=case_pk)
    appointment = appointment_of_case(case=case, pk=pk)
    appointment.case = case
    return appointment


def schedule_in_force(*, case: Case) -> ReportingSchedule | None:
    return ReportingSchedule.objects.filter(case=case, active=True).first()


def case_appointments(*, case: Case) -> QuerySet[Appointment]:
    """The appointments of a case the caller already holds, soonest first."""
    return Appointment.objects.filter(case=case).select_related("officer", "recorded_by").order_by("starts_at", "id")


@dataclass
class AppointmentsOverview:
    schedule: ReportingSchedule | None
    upcoming: list[Appointment]
    due: list[Appointment]  # held (today or before), outcome not yet recorded
    recent: Page[Appointment]


def _end_of_local_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=KZ_TZ)


def appointments_overview(*, case: Case, today: dt.date, page: Any = 1, upcoming: int = 5) -> AppointmentsOverview:
    """The case page's section: the schedule, what is due, the next few and the recorded ones
    (newest first, paged). A constant number of queries whatever the case holds."""
    end_of_today = _end_of_local_day(today)
    base = Appointment.objects.filter(case=case).select_related("officer")
    due = list(base.filter(outcome="", starts_at__lt=end_of_today).order_by("starts_at", "id")[:20])
    coming = list(base.filter(outcome="", starts_at__gte=end_of_today).order_by("starts_at", "id")[:upcoming])
    recorded = base.exclude(outcome="").order_by("-starts_at", "-id")
    recent = Paginator(recorded, 10).get_page(page)
    return AppointmentsOverview(schedule=schedule_in_force(case=case), upcoming=coming, due=due, recent=recent)


def next_open_appointment(*, case: Case) -> Appointment | None:
    return Appointment.objects.filter(case=case, outcome="").order_by("starts_at", "id").first()


def next_appointment_subquery() -> Subquery:
    """The earliest start without an outcome, per case (the caseload column)."""
    return Subquery(
        Appointment.objects.filter(case=OuterRef("pk"), outcome="").order_by("starts_at").values("starts_at")[:1]
    )
