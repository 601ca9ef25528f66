"""Writes on the outbox.

``message_enqueue`` is called by other apps inside their own audited services (an appointment
booked, a reminder due): it writes no audit event of its own. Sending happens later, in the
``notifications`` job (``openprobation.notifications.sending``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from openprobation.notifications.models import Channel, Message, MessageStatus

if TYPE_CHECKING:
    from openprobation.cases.models import Case
    from openprobation.people.models import Person

DEDUPE_KEY_MAX = Message._meta.get_field("dedupe_key").max_length or 200


def message_enqueue(
    *,
    channel: str,
    to: str,
    body: str,
    subject: str = "",
    language: str,
    dedupe_key: str,
    send_after: dt.datetime | None = None,
    case: Case | None = None,
    person: Person | None = None,
    purpose: str = "",
) -> Message | None:
    """Put one message in the outbox, to be sent at or after ``send_after`` (now when None).

    Idempotent on ``dedupe_key``: a second call with the same key returns the message already
    there (whatever its status) and never creates a second one. Returns None when ``to`` is empty
    (the person has no phone or e-mail): nothing to send. Runs inside the caller's transaction;
    on a concurrent insert of the same key the loser gets the winner's row."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}; use one of {Channel.values}.")
    if not dedupe_key or len(dedupe_key) > DEDUPE_KEY_MAX:
        raise ValueError(f"dedupe_key must be 1–{DEDUPE_KEY_MAX} characters.")
    if send_after is not None and timezone.is_naive(send_after):
        raise ValueError("send_after must be an aware datetime.")
    address = (to or "").strip()
    if not address:
        return None
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    message = Message(
        channel=channel,
        to=address[:254],
        subject=(subject or "").strip()[:200],
        body=body,
        language=language,
        purpose=purpose[:64],
        dedupe_key=dedupe_key,
        case=case,
        person=person,
        status=MessageStatus.PENDING,
        next_attempt_at=send_after or timezone.now(),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another transaction inserted the same key between our look-up and our insert.
        return Message.objects.get(dedupe_key=dedupe_key)
    return message
