"""The sending job: claims, sent once, retries with exponential backoff, dead letters (audited),
stale claims after a crash, and running twice sends nothing more."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.notifications import services
from openprobation.notifications.models import Message, MessageStatus
from openprobation.notifications.services import INTERRUPTED, message_enqueue, outbox_send_due, retry_delay
from openprobation.notifications.tasks import send_due_messages
from openprobation.notifications.tests.servers import sms_gateway
from openprobation.notifications.transports import TransportError

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _outbox_file(settings, tmp_path):
    settings.NOTIFY_FILE_PATH = tmp_path / "outbox.jsonl"
    settings.NOTIFY_SMS_TRANSPORT = settings.NOTIFY_EMAIL_TRANSPORT = "file"
    settings.NOTIFY_MAX_ATTEMPTS = 4
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    settings.NOTIFY_RETRY_MAX_SECONDS = 3600
    settings.NOTIFY_STALE_SENDING_MINUTES = 15


def sent_lines(settings) -> list[dict[str, Any]]:
    path = settings.NOTIFY_FILE_PATH
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def enqueue(key: str = "k1", *, when: dt.datetime = NOW, channel: str = "sms", **over: Any) -> Message:
    message = message_enqueue(
        channel=channel,
        to=over.pop("to", "+77011234567" if channel == "sms" else "a@example.kz"),
        body=over.pop("body", "Еске салу"),
        language="kk",
        dedupe_key=key,
        send_after=when,
        purpose="appointment_reminder",
        **over,
    )
    assert message is not None
    return message


class Scripted:
    """A transport answering from a script: a provider id, or an exception to raise."""

    name: ClassVar[str] = "scripted"
    idempotent = False
    calls: ClassVar[list[int]] = []

    def __init__(self, script: list[Any]) -> None:
        self.script = script

    def send(self, message: Message) -> str:
        Scripted.calls.append(message.pk)
        step = self.script.pop(0) if self.script else "ok"
        if isinstance(step, Exception):
            raise step
        return str(step)


@pytest.fixture
def scripted(monkeypatch):
    Scripted.calls = []
    script: list[Any] = []
    transport = Scripted(script)
    monkeypatch.setattr(services, "transport_for", lambda channel: transport)
    return script


def test_a_due_message_is_sent_once_and_never_again(settings) -> None:
    message = enqueue()
    report = outbox_send_due(now=NOW)
    assert report.as_dict() == {"sent": 1, "retry": 0, "dead": 0, "recovered": 0}
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.provider_id == f"op-{message.pk}"
    assert message.transport == "file"
    assert message.sent_at is not None and message.claim_token == ""
    # The job again, later, and enqueueing the same reminder again: nothing more is sent.
    assert outbox_send_due(now=NOW + dt.timedelta(days=1)).sent == 0
    assert enqueue().pk == message.pk
    assert outbox_send_due(now=NOW + dt.timedelta(days=2)).sent == 0
    assert len(sent_lines(settings)) == 1


def test_a_message_not_yet_due_waits(settings) -> None:
    message = enqueue(when=NOW + dt.timedelta(hours=2))
    assert outbox_send_due(now=NOW).sent == 0
    assert outbox_send_due(now=NOW + dt.timedelta(hours=2)).sent == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_due_messages_go_oldest_first_within_the_limit(settings) -> None:
    late = enqueue("late", when=NOW - dt.timedelta(minutes=1))
    early = enqueue("early", when=NOW - dt.timedelta(minutes=5))
    enqueue("third", when=NOW)
    assert outbox_send_due(now=NOW, limit=2).sent == 2
    assert [line["id"] for line in sent_lines(settings)] == [f"op-{early.pk}", f"op-{late.pk}"]
    assert outbox_send_due(now=NOW, limit=2).sent == 1


def test_backoff_doubles_and_is_capped(settings) -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 6, 7)] == [60, 120, 240, 480, 960, 1920, 3600]
    assert retry_delay(10_000).total_seconds() == 3600  # a huge count does not overflow


def test_a_retryable_failure_is_retried_with_backoff_then_given_up_and_audited(scripted) -> None:
    message = enqueue()
    scripted.extend([TransportError("SMS gateway answered HTTP 503", retryable=True)] * 4)
    now = NOW
    for attempt, wait in ((1, 60), (2, 120), (3, 240)):
        report = outbox_send_due(now=now)
        assert report.retry == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.FAILED, attempt)
        assert message.next_attempt_at == now + dt.timedelta(seconds=wait)
        assert message.last_error == "SMS gateway answered HTTP 503"
        # Not before its time.
        assert outbox_send_due(now=message.next_attempt_at - dt.timedelta(seconds=1)).as_dict()["retry"] == 0
        now = message.next_attempt_at
    assert not AuditEvent.objects.filter(action="notifications.dead").exists()
    report = outbox_send_due(now=now)
    assert report.dead == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.DEAD, 4)
    assert "gave up after 4 attempts" in message.last_error
    event = AuditEvent.objects.get(action="notifications.dead")
    assert event.actor is None and event.subject_id == str(message.pk)
    assert event.changes == {"status": ["sending", "dead"]}
    assert "+7701" not in json.dumps(event.details) and "+7701" not in event.subject_repr
    # Dead stays dead: the job again sends nothing.
    assert outbox_send_due(now=now + dt.timedelta(days=1)).as_dict() == {
        "sent": 0,
        "retry": 0,
        "dead": 0,
        "recovered": 0,
    }
    assert len(Scripted.calls) == 4


def test_a_refusal_that_will_not_change_is_dead_at_once(scripted) -> None:
    message = enqueue()
    scripted.append(TransportError("SMS gateway answered HTTP 400", retryable=False))
    assert outbox_send_due(now=NOW).dead == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        MessageStatus.DEAD,
        1,
        "SMS gateway answered HTTP 400",
    )
    assert AuditEvent.objects.filter(action="notifications.dead").count() == 1


def test_a_transport_bug_is_retried_and_does_not_stop_the_others(scripted) -> None:
    first, second = enqueue("a"), enqueue("b")
    scripted.extend([RuntimeError("boom with +77011234567"), "ok-2"])
    report = outbox_send_due(now=NOW)
    assert (report.retry, report.sent) == (1, 1)
    first.refresh_from_db()
    assert first.status == MessageStatus.FAILED and first.last_error == "unexpected RuntimeError"
    second.refresh_from_db()
    assert second.status == MessageStatus.SENT and second.provider_id == "ok-2"


def test_the_real_gateway_503_then_200(settings) -> None:
    settings.NOTIFY_SMS_TRANSPORT = "http"
    with sms_gateway() as gateway:
        settings.NOTIFY_SMS_URL = gateway.url
        message = enqueue()
        gateway.status = 503
        assert outbox_send_due(now=NOW).retry == 1
        gateway.status, gateway.body = 200, {"id": "gw-9"}
        assert outbox_send_due(now=NOW + dt.timedelta(minutes=1)).sent == 1
        assert outbox_send_due(now=NOW + dt.timedelta(hours=1)).sent == 0
        assert len(gateway.requests) == 2
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.transport, message.attempts) == ("sent", "gw-9", "http", 2)


# --- A crash between sending and recording -----------------------------------------------------------


def _crashed(message: Message, *, minutes_ago: int) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING,
        claim_token="dead-worker",
        claimed_at=NOW - dt.timedelta(minutes=minutes_ago),
        attempts=1,
    )


def test_a_stale_claim_on_an_idempotent_transport_is_sent_again(settings) -> None:
    message = enqueue()
    _crashed(message, minutes_ago=5)
    assert outbox_send_due(now=NOW).as_dict() == {"sent": 0, "retry": 0, "dead": 0, "recovered": 0}  # not stale yet
    _crashed(message, minutes_ago=16)
    report = outbox_send_due(now=NOW)
    assert (report.recovered, report.sent) == (1, 1)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2


def test_a_stale_claim_on_smtp_is_given_to_a_human_not_resent(settings) -> None:
    settings.NOTIFY_EMAIL_TRANSPORT = "smtp"
    message = enqueue(channel="email")
    _crashed(message, minutes_ago=30)
    report = outbox_send_due(now=NOW)
    assert (report.dead, report.sent, report.recovered) == (1, 0, 0)
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD and message.last_error == INTERRUPTED
    assert AuditEvent.objects.filter(action="notifications.dead", subject_id=str(message.pk)).count() == 1
    assert outbox_send_due(now=NOW + dt.timedelta(hours=1)).dead == 0


def test_a_gateway_without_idempotency_is_not_resent_after_a_crash(settings) -> None:
    settings.NOTIFY_SMS_TRANSPORT, settings.NOTIFY_SMS_URL, settings.NOTIFY_SMS_IDEMPOTENT = "http", "http://x/", False
    message = enqueue()
    _crashed(message, minutes_ago=30)
    assert outbox_send_due(now=NOW).dead == 1
    settings.NOTIFY_SMS_IDEMPOTENT = True
    other = enqueue("k2")
    _crashed(other, minutes_ago=30)
    assert outbox_send_due(now=NOW, limit=1).recovered == 1


def test_a_result_is_written_only_under_this_workers_claim(scripted) -> None:
    """If the row was taken away from this worker meanwhile (an operator, a recovery), its
    result does not overwrite the row."""
    message = enqueue()

    def steal(msg: Message) -> str:
        Message.objects.filter(pk=msg.pk).update(claim_token="someone-else")
        return "ok"

    scripted.append("placeholder")
    services.transport_for("sms").send = steal  # type: ignore[method-assign,assignment]
    outbox_send_due(now=NOW)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and message.claim_token == "someone-else"


# --- The job and the operators' command --------------------------------------------------------------


def test_the_task_runs_the_job_and_reports(settings) -> None:
    enqueue(when=timezone.now() - dt.timedelta(seconds=1))
    assert send_due_messages() == {"sent": 1, "retry": 0, "dead": 0, "recovered": 0}
    assert send_due_messages() == {"sent": 0, "retry": 0, "dead": 0, "recovered": 0}


def test_the_beat_schedule_runs_the_job(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["notifications"]
    assert entry["task"] == "openprobation.notifications.tasks.send_due_messages"
    assert entry["schedule"] == 60.0


def test_outbox_status_command_counts_by_status(capsys) -> None:
    now = timezone.now()
    enqueue("a", when=now - dt.timedelta(minutes=3))
    enqueue("b", when=now + dt.timedelta(hours=1))
    dead = enqueue("c")
    Message.objects.filter(pk=dead.pk).update(status=MessageStatus.DEAD)
    call_command("outbox_status", "--json")
    status = json.loads(capsys.readouterr().out)
    assert status["by_status"] == {"pending": 2, "sending": 0, "sent": 0, "failed": 0, "dead": 1}
    assert status["due"] == 1 and status["oldest_due_seconds"] >= 180
    call_command("outbox_status")
    text = capsys.readouterr().out
    assert "pending  2" in text and "dead     1" in text and "transports: sms=file email=file" in text
