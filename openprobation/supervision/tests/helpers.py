"""Shared set-up of the supervision tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openprobation.core.timeutil import local_today
from openprobation.supervision.models import Appointment
from openprobation.supervision.services import is_working_day, local_start
from openprobation.testing.factories import a_case, a_person


def working_day(start: dt.date, step: int) -> dt.date:
    """The first working day from ``start`` going ``step`` (+1 forwards, -1 backwards)."""
    day = start
    while not is_working_day(day):
        day += dt.timedelta(days=step)
    return day


def case_of(personas: dict[str, Any], **fields: Any) -> Any:
    today = local_today()
    fields.setdefault("officer", personas["officer"])
    fields.setdefault("control_start", today - dt.timedelta(days=200))
    fields.setdefault("control_end", today + dt.timedelta(days=500))
    fields.setdefault("received_on", today - dt.timedelta(days=210))
    return a_case(person=a_person(registered_office=personas["office_a"]), **fields)


def appointment_on(case: Any, day: dt.date, hour: int = 10, **fields: Any) -> Appointment:
    return Appointment.objects.create(
        case=case, starts_at=local_start(day, dt.time(hour, 0)), officer=case.officer, **fields
    )


def past_appointment(case: Any, **fields: Any) -> Appointment:
    return appointment_on(case, working_day(local_today() - dt.timedelta(days=1), -1), **fields)


def future_appointment(case: Any, **fields: Any) -> Appointment:
    return appointment_on(case, working_day(local_today() + dt.timedelta(days=3), 1), **fields)
