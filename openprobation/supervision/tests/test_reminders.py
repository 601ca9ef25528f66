"""Reminders before appointments: in the person's language, by SMS or e-mail, never twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openprobation.core.timeutil import KZ_TZ
from openprobation.notifications.models import Message
from openprobation.supervision import jobs, links
from openprobation.supervision.jobs import appointment_reminders_enqueue, message_language, reminder_key
from openprobation.supervision.models import Appointment, Outcome
from openprobation.supervision.tests.helpers import case_of

pytestmark = pytest.mark.django_db


class Outbox:
    """Stands in for the outbox: idempotent on the dedupe key, as message_enqueue promises."""

    def __init__(self) -> None:
        self.messages: dict[str, dict[str, Any]] = {}

    def __call__(self, **kwargs: Any) -> Any:
        if not kwargs["to"]:
            return None
        return self.messages.setdefault(kwargs["dedupe_key"], kwargs)


@pytest.fixture
def outbox(monkeypatch):
    box = Outbox()
    monkeypatch.setattr(links, "enqueue_message", box)
    return box


def _soon(case: Any, hours: float) -> Appointment:
    return Appointment.objects.create(case=case, starts_at=timezone.now() + dt.timedelta(hours=hours))


def _case(personas, **person):
    case = case_of(personas)
    type(case.person).objects.filter(pk=case.person_id).update(**person)
    case.person.refresh_from_db()
    return case


def test_reminder_in_the_persons_language_by_sms_once(personas, outbox):
    case = _case(personas, native_language="kk", phone="+7 701 111 22 33")
    appointment = _soon(case, 5)
    _soon(case, 30)  # beyond the 24-hour lead: not yet
    assert appointment_reminders_enqueue() == 1
    assert appointment_reminders_enqueue() == 1  # the outbox returns the same message
    assert len(outbox.messages) == 1
    message = outbox.messages[reminder_key(appointment)]
    assert message["channel"] == "sms"
    assert message["language"] == "kk"
    assert message["to"] == "+7 701 111 22 33"


def test_russian_speaker_gets_russian_by_email_without_a_phone(personas, outbox):
    case = _case(personas, native_language="ru", phone="", email="person@example.kz")
    _soon(case, 2)
    appointment_reminders_enqueue()
    (message,) = outbox.messages.values()
    assert message["channel"] == "email"
    assert message["language"] == "ru"
    appointment = Appointment.objects.get(case=case)
    assert message["body"] == jobs.reminder_text(appointment, "ru")[1]
    assert appointment.starts_at.astimezone(KZ_TZ).strftime("%d.%m.%Y %H:%M").split()[0] in message["body"]


def test_no_contact_no_reminder_and_recorded_appointments_are_skipped(personas, outbox):
    quiet = _case(personas, phone="", email="")
    _soon(quiet, 2)
    reachable = _case(personas, phone="+7 701 000 00 01")
    done = _soon(reachable, 2)
    Appointment.objects.filter(pk=done.pk).update(outcome=Outcome.RESCHEDULED)
    assert appointment_reminders_enqueue() == 0
    assert outbox.messages == {}


def test_a_moved_start_gets_a_new_reminder(personas, outbox):
    case = _case(personas, phone="+7 701 000 00 02")
    appointment = _soon(case, 3)
    appointment_reminders_enqueue()
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=appointment.starts_at + dt.timedelta(hours=1))
    appointment_reminders_enqueue()
    assert len(outbox.messages) == 2


def test_language_falls_back_to_one_the_person_understands(personas):
    person = case_of(personas).person
    person.native_language, person.languages = "uz", ["uz", "ru"]
    assert message_language(person) == "ru"
    person.languages = []
    assert message_language(person) == "ru"
    person.native_language = "en"
    assert message_language(person) == "en"


def test_reminders_reach_the_real_outbox_once(personas):
    case = _case(personas, native_language="kk", phone="+7 701 111 22 44")
    _soon(case, 4)
    jobs.appointment_reminders_enqueue()
    jobs.appointment_reminders_enqueue()
    assert Message.objects.filter(case=case).count() == 1
