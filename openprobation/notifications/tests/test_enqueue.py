"""message_enqueue: one row per dedupe key, nothing for an empty address, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from openprobation.notifications.models import Message, MessageStatus
from openprobation.notifications.services import message_enqueue
from openprobation.testing.factories import a_case

pytestmark = pytest.mark.django_db


def _enqueue(**over):
    fields: dict[str, Any] = {
        "channel": "sms",
        "to": "+77011234567",
        "body": "Еске салу: ертең сағат 10:00-де кездесу.",
        "language": "kk",
        "dedupe_key": "appointment:1:reminder",
        "purpose": "appointment_reminder",
    }
    fields.update(over)
    return message_enqueue(**fields)


def test_enqueue_creates_a_pending_message_due_now_or_later() -> None:
    case = a_case()
    later = timezone.now() + dt.timedelta(hours=5)
    message = _enqueue(case=case, person=case.person, send_after=later)
    assert message is not None
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at == later
    assert message.attempts == 0
    assert (message.case, message.person) == (case, case.person)
    assert _enqueue(dedupe_key="k2").next_attempt_at <= timezone.now()


def test_enqueue_is_idempotent_on_the_dedupe_key() -> None:
    first = _enqueue()
    second = _enqueue(body="another text", to="+77000000000")
    assert first is not None and second is not None
    assert second.pk == first.pk
    assert Message.objects.count() == 1
    assert Message.objects.get().body == first.body


def test_enqueue_after_sending_returns_the_sent_message_and_sends_nothing_new() -> None:
    first = _enqueue()
    assert first is not None
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.SENT)
    again = _enqueue()
    assert again is not None and again.pk == first.pk and again.status == MessageStatus.SENT
    assert Message.objects.count() == 1


@pytest.mark.parametrize("to", ["", "   ", None])
def test_enqueue_without_an_address_returns_none(to) -> None:
    assert _enqueue(to=to) is None
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "over",
    [{"channel": "fax"}, {"dedupe_key": ""}, {"dedupe_key": "x" * 201}, {"send_after": dt.datetime(2026, 1, 1, 10)}],
)
def test_enqueue_refuses_programming_errors(over) -> None:
    with pytest.raises(ValueError):
        _enqueue(**over)
    assert not Message.objects.exists()


def test_enqueue_rolls_back_with_the_caller() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _enqueue()
        raise RuntimeError("the caller's service failed")
    assert not Message.objects.exists()


def test_the_case_names_the_person_when_none_is_given() -> None:
    case = a_case()
    message = _enqueue(case=case)
    assert message is not None and message.person_id == case.person_id
