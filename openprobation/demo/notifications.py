"""Demo messages of the outbox: appointment reminders already sent to people under active
supervision, a few waiting to go out and one in twenty given up (for the "Send again" button)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openprobation.cases.models import Case, CaseStatus
from openprobation.demo.people import stream
from openprobation.notifications.models import Message, MessageStatus

DEMO_CASES = 300

TEXTS = {
    "kk": "Еске салу: {date} күні сағат {time}-де пробация қызметіне келуіңіз қажет.",
    "ru": "Напоминание: {date} в {time} вам необходимо явиться в службу пробации.",
}


def add_demo_messages(*, seed: int, today: dt.date) -> int:
    """Messages for up to DEMO_CASES active cases whose person has a phone; returns how many."""
    rng = stream(seed, "notifications")
    now = timezone.now()
    cases = (
        Case.objects.filter(status=CaseStatus.ACTIVE)
        .exclude(person__phone="")
        .select_related("person")
        .order_by("pk")[:DEMO_CASES]
    )
    rows: list[Message] = []
    for case in cases:
        person = case.person
        language = person.native_language if person.native_language in TEXTS else "ru"
        for weeks_ago in (2, 1, 0):
            day = today - dt.timedelta(weeks=weeks_ago) + dt.timedelta(days=1)
            due = now - dt.timedelta(weeks=weeks_ago) if weeks_ago else now + dt.timedelta(hours=rng.randint(2, 30))
            status = MessageStatus.SENT if weeks_ago else MessageStatus.PENDING
            if weeks_ago == 1 and rng.random() < 0.05:
                status = MessageStatus.DEAD
            rows.append(
                Message(
                    channel="sms",
                    to=person.phone,
                    body=TEXTS[language].format(
                        date=day.strftime("%d.%m.%Y"), time=f"{rng.choice((9, 10, 11, 15))}:00"
                    ),
                    language=language,
                    purpose="appointment_reminder",
                    dedupe_key=f"demo:{case.pk}:{day.isoformat()}",
                    case=case,
                    person=person,
                    status=status,
                    attempts={MessageStatus.SENT: 1, MessageStatus.DEAD: 8}.get(status, 0),
                    next_attempt_at=due,
                    sent_at=due if status == MessageStatus.SENT else None,
                    transport="file" if status == MessageStatus.SENT else "",
                    provider_id="demo" if status == MessageStatus.SENT else "",
                    last_error="SMS gateway answered HTTP 503 (gave up after 8 attempts)"
                    if status == MessageStatus.DEAD
                    else "",
                )
            )
    Message.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)
