"""The outbox port: the installed notifications app is the outbox, and a missing one fails loudly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from openprobation.core import outbox
from openprobation.notifications.services import message_enqueue


def test_the_notifications_app_registers_its_outbox():
    assert outbox._enqueue == [message_enqueue]


def test_without_an_outbox_a_message_is_refused_loudly(monkeypatch):
    monkeypatch.setattr(outbox, "_enqueue", [])
    with pytest.raises(ImproperlyConfigured):
        outbox.enqueue_message(channel="sms", to="+77010000000", body="x", language="kk", dedupe_key="k")
