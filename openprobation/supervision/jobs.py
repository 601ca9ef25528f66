"""The supervision jobs (``tasks.py`` runs them on the worker's schedule): appointments generated
ahead for every schedule in force, and a reminder before each appointment in the person's language.
Both are idempotent: running one twice changes nothing more."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from openprobation.core.timeutil import KZ_TZ, local_today
from openprobation.people.models import Person
from openprobation.rules.rulebook import rule
from openprobation.supervision import links
from openprobation.supervision.models import Appointment, ReportingSchedule
from openprobation.supervision.rules import RULE_KEY
from openprobation.supervision.services import REPORTING_STATUSES, generate_for_schedule

log = logging.getLogger("openprobation.supervision")

MESSAGE_LANGUAGES = ("kk", "ru", "en")


def appointments_generate(*, today: dt.date | None = None) -> int:
    """Appointments up to the horizon (rulebook) for every schedule in force of a case whose person
    reports; the unique (schedule, starts_at) makes a second run create nothing."""
    on = today or local_today()
    horizon = int(rule(RULE_KEY, on=on)["horizon_days"])
    target = on + dt.timedelta(days=horizon)
    created = 0
    schedules = (
        ReportingSchedule.objects.filter(active=True, case__status__in=REPORTING_STATUSES)
        .exclude(valid_until__lt=on)
        .filter(Q(generated_until__isnull=True) | Q(generated_until__lt=target))
        .select_related("case")
        .order_by("pk")
    )
    for schedule in schedules.iterator(chunk_size=500):
        with transaction.atomic():
            created += generate_for_schedule(schedule, schedule.case, today=on, horizon_days=horizon)
    return created


def message_language(person: Person) -> str:
    """The person's native language when messages can be written in it, else a language they
    understand, else Russian (the language of inter-ethnic communication)."""
    if person.native_language in MESSAGE_LANGUAGES:
        return person.native_language
    for code in person.languages or []:
        if code in MESSAGE_LANGUAGES:
            return str(code)
    return "ru"


def reminder_text(appointment: Appointment, language: str) -> tuple[str, str]:
    """The reminder's subject and body, in ``language``."""
    local = appointment.starts_at.astimezone(KZ_TZ)
    with override(language):
        subject = _("Probation service: appointment reminder")
        values = {
            "kind": appointment.get_kind_display(),
            "date": local.strftime("%d.%m.%Y"),
            "time": local.strftime("%H:%M"),
            "place": appointment.place,
        }
        if appointment.place:
            body = _("Reminder: %(kind)s on %(date)s at %(time)s, %(place)s. Probation service.") % values
        else:
            body = _("Reminder: %(kind)s on %(date)s at %(time)s. Probation service.") % values
    return str(subject), str(body)


def reminder_key(appointment: Appointment) -> str:
    # The start is part of the key: a rescheduled appointment is a new one, and a moved start a new
    # reminder; the same appointment at the same time is never reminded twice.
    return f"appointment-reminder:{appointment.pk}:{appointment.starts_at.isoformat()}"


def appointment_reminders_enqueue(*, now: dt.datetime | None = None) -> int:
    """Queue a reminder (SMS to the person's phone, else e-mail) for every appointment without an
    outcome that starts within the lead time (rulebook); the outbox sends it."""
    at = now or timezone.now()
    lead = dt.timedelta(hours=int(rule(RULE_KEY, on=at.astimezone(KZ_TZ).date())["reminder_hours_before"]))
    rows = (
        Appointment.objects.filter(
            outcome="", starts_at__gt=at, starts_at__lte=at + lead, case__status__in=REPORTING_STATUSES
        )
        .select_related("case", "case__person")
        .order_by("starts_at", "id")
    )
    queued = 0
    for appointment in rows.iterator(chunk_size=500):
        person = appointment.case.person
        channel, to = ("sms", person.phone) if person.phone.strip() else ("email", person.email)
        if not to.strip():
            continue
        language = message_language(person)
        subject, body = reminder_text(appointment, language)
        with transaction.atomic():
            message = links.enqueue_message(
                channel=channel,
                to=to.strip(),
                body=body,
                subject=subject if channel == "email" else "",
                language=language,
                dedupe_key=reminder_key(appointment),
                case=appointment.case,
                person=person,
                purpose="appointment_reminder",
            )
        if message is not None:
            queued += 1
    return queued
