"""Writes on the outbox.

``message_enqueue`` is called by other apps inside their own audited services (an appointment
booked, a reminder due): it writes no audit event of its own. Sending happens later, in the
``notifications`` job (``outbox_send_due``), which keeps each attempt's result on the message row
and writes an audit event only when a message is given up ("dead"). A caseworker may send a dead
message again (``message_retry``, audited).

Never sent twice. A message is claimed before its transport is called: its status becomes
"sending" with a fresh claim token, committed first (on PostgreSQL the due rows are read
``FOR UPDATE SKIP LOCKED``, so two workers never claim the same row; on SQLite, which has one
writer at a time, the same code serves the single embedded worker). Only rows "pending" or
"failed" are ever claimed, so a "sent" message is never picked again, and the result is written
only if the row still carries this worker's claim token.

A crash between the transport call and the result leaves a message "sending". After
``NOTIFY_STALE_SENDING_MINUTES`` the job judges it by its transport: one that is idempotent by the
message's id (the file and console transports, an SMS gateway declared ``NOTIFY_SMS_IDEMPOTENT``,
which ignores a second request with the same ``Idempotency-Key``) is simply tried again; any other
(SMTP, a gateway without idempotency) may already have reached the person, so the message is not
resent automatically but given up for a human ("dead", audited, with the reason "interrupted while
sending"), who checks with the provider and may resend it. A duplicate reminder to a supervised
person is worse than a missing one the officer can see on the case page."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.scoping import CaseAction, may
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.notifications.models import Channel, Message, MessageStatus
from openprobation.notifications.transports import TransportError, transport_for

if TYPE_CHECKING:
    from openprobation.accounts.models import User
    from openprobation.cases.models import Case
    from openprobation.people.models import Person

log = logging.getLogger("openprobation.notifications")

DUE_STATUSES = (MessageStatus.PENDING, MessageStatus.FAILED)
INTERRUPTED = "interrupted while sending; delivery unknown (check with the provider before resending)"

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
    (the person has no phone or e-mail): nothing to send. Without ``person`` the case's person is
    recorded. Runs inside the caller's transaction;
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
    if person is None and case is not None:
        message.person_id = case.person_id  # the message goes to the case's person
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another transaction inserted the same key between our look-up and our insert.
        return Message.objects.get(dedupe_key=dedupe_key)
    return message


@dataclass
class SendReport:
    """What one run of the sending job did (counts; the job's result)."""

    sent: int = 0
    retry: int = 0
    dead: int = 0
    recovered: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retry": self.retry, "dead": self.dead, "recovered": self.recovered}


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff after the ``attempts``-th failed attempt: base, 2×base, 4×base … capped."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** min(max(attempts - 1, 0), 30), settings.NOTIFY_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def _give_up(message_pk: int, *, error: str, expect_token: str | None = None) -> bool:
    """Mark a message dead and record it (the system's audit event). False if the row moved on."""
    with transaction.atomic():
        rows = Message.objects.select_for_update().filter(pk=message_pk, status=MessageStatus.SENDING)
        if expect_token is not None:
            rows = rows.filter(claim_token=expect_token)
        message = rows.first()
        if message is None:
            return False
        message.status = MessageStatus.DEAD
        message.last_error = error[:300]
        message.claim_token = ""
        message.save(update_fields=["status", "last_error", "claim_token", "updated_at"])
        audit_record(
            actor=None,
            action="notifications.dead",
            subject=message,
            changes={"status": [MessageStatus.SENDING.value, MessageStatus.DEAD.value]},
            details={
                "channel": message.channel,
                "purpose": message.purpose,
                "attempts": message.attempts,
                "error": message.last_error,
                "case_id": message.case_id,
            },
        )
    return True


def _recover_stale(now: dt.datetime) -> tuple[int, int]:
    """Messages left "sending" by a crash: retried when their transport is idempotent by message
    id, else given up for a human. Returns (retried, given up)."""
    cutoff = now - dt.timedelta(minutes=settings.NOTIFY_STALE_SENDING_MINUTES)
    retried = dead = 0
    stale = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff).values_list(
        "pk", "channel", "claim_token"
    )
    for pk, channel, token in list(stale[: settings.NOTIFY_BATCH_SIZE]):
        if transport_for(channel).idempotent:
            retried += Message.objects.filter(pk=pk, status=MessageStatus.SENDING, claim_token=token).update(
                status=MessageStatus.FAILED, next_attempt_at=now, claim_token="", last_error=INTERRUPTED[:300]
            )
        elif _give_up(pk, error=INTERRUPTED, expect_token=token):
            dead += 1
    return retried, dead


def _claim(now: dt.datetime, limit: int) -> tuple[str, list[Message]]:
    """Claim up to ``limit`` due messages for this worker: committed as "sending" before any is sent."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        due = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(due)
        if ids:
            # The status condition again: on a database without row locks (SQLite) a row another
            # worker claimed in between is left alone.
            Message.objects.filter(pk__in=ids, status__in=DUE_STATUSES).update(
                status=MessageStatus.SENDING, claim_token=token, claimed_at=now, updated_at=timezone.now()
            )
    claimed = list(
        Message.objects.filter(claim_token=token, status=MessageStatus.SENDING).order_by("next_attempt_at", "id")
    )
    return token, claimed


def outbox_send_due(*, now: dt.datetime | None = None, limit: int | None = None) -> SendReport:
    """The sending job: recover stale claims, claim the due messages, send each through its
    channel's transport, and record the result on the row (sent; failed with the next attempt
    after an exponential backoff; dead after ``NOTIFY_MAX_ATTEMPTS`` or a refusal that will not
    change, audited). Running it again, or on two workers at once, sends nothing twice."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFY_BATCH_SIZE
    report = SendReport()
    report.recovered, report.dead = _recover_stale(now)
    token, claimed = _claim(now, limit)
    for message in claimed:
        attempts = message.attempts + 1
        mine = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claim_token=token)
        try:
            transport = transport_for(message.channel)
            provider_id = transport.send(message)
        except TransportError as exc:
            error, retryable = str(exc), exc.retryable
        except Exception as exc:  # a transport bug must not stop the other messages
            log.exception("transport failed on message %s", message.pk)
            error, retryable = f"unexpected {type(exc).__name__}", True
        else:
            mine.update(
                status=MessageStatus.SENT,
                attempts=attempts,
                sent_at=timezone.now(),
                provider_id=str(provider_id)[:200],
                transport=transport.name,
                last_error="",
                claim_token="",
                updated_at=timezone.now(),
            )
            report.sent += 1
            continue
        if retryable and attempts < settings.NOTIFY_MAX_ATTEMPTS:
            mine.update(
                status=MessageStatus.FAILED,
                attempts=attempts,
                next_attempt_at=now + retry_delay(attempts),
                last_error=error[:300],
                claim_token="",
                updated_at=timezone.now(),
            )
            report.retry += 1
        else:
            mine.update(attempts=attempts)
            reason = error if not retryable else f"{error} (gave up after {attempts} attempts)"
            if _give_up(message.pk, error=reason, expect_token=token):
                report.dead += 1
    return report


def message_retry(*, actor: User, case: Case, message: Message) -> Message:
    """A caseworker sends a message that was given up once more: it becomes pending, due now, with
    its attempts counted afresh. Only a dead message of this case; one audit event."""
    if not may(actor, CaseAction.EDIT, case):
        raise PermissionDeniedError(_("You may not send messages of this case again."))
    with transaction.atomic():
        locked = Message.objects.select_for_update().filter(pk=message.pk, case_id=case.pk).first()
        if locked is None:
            raise Message.DoesNotExist
        if locked.status != MessageStatus.DEAD:
            raise DomainError(_("Only a message that was not delivered can be sent again."), code="not_dead")
        if not locked.to:
            raise DomainError(_("The message has no address to send it to."), code="no_address")
        previous = {"attempts": locked.attempts, "last_error": locked.last_error}
        locked.status = MessageStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.last_error = ""
        locked.claim_token = ""
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "claim_token", "updated_at"])
        audit_record(
            actor=actor,
            action="notifications.retry",
            subject=locked,
            changes={"status": [MessageStatus.DEAD.value, MessageStatus.PENDING.value]},
            details={"case_id": case.pk, "channel": locked.channel, "purpose": locked.purpose, **previous},
        )
    return locked
