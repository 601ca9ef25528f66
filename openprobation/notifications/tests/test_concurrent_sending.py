"""Two workers at once never send the same message (PostgreSQL: FOR UPDATE SKIP LOCKED and the
claim committed before the transport is called)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from typing import ClassVar

import pytest
from django.db import connection, connections

from openprobation.notifications import services
from openprobation.notifications.models import Message, MessageStatus
from openprobation.notifications.services import message_enqueue, outbox_send_due

NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


class Slow:
    """Takes a little time per message, so that the workers overlap; records every send."""

    name: ClassVar[str] = "slow"
    idempotent = False
    lock = threading.Lock()
    sent: ClassVar[list[int]] = []

    def send(self, message: Message) -> str:
        time.sleep(0.005)
        with Slow.lock:
            Slow.sent.append(message.pk)
        return f"slow-{message.pk}"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_exactly_once(monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (SQLite has one writer: the embedded worker is single)")
    monkeypatch.setattr(services, "transport_for", lambda channel: Slow())
    Slow.sent = []
    for n in range(60):
        message_enqueue(
            channel="sms", to=f"+7701000{n:04d}", body="Еске салу", language="kk", dedupe_key=f"c{n}", send_after=NOW
        )
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            for _round in range(6):  # at most 42 each: both workers must take part to send all 60
                outbox_send_due(now=NOW, limit=7)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    counts = Counter(Slow.sent)
    assert len(counts) == 60, "every message sent"
    assert max(counts.values()) == 1, [pk for pk, n in counts.items() if n > 1]
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 60
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
