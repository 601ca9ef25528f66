"""The outbox port: how an app asks for a message to the person without importing the app that
sends it.

``notifications`` sits above the domain apps (it reads every case's messages), so supervision and
the others cannot import it. It registers its ``message_enqueue`` here when it starts
(``AppConfig.ready``); callers use ``enqueue_message`` with the same keyword arguments
(``channel``, ``to``, ``body``, ``subject``, ``language``, ``dedupe_key``, ``send_after``,
``case``, ``person``, ``purpose``) inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Enqueue = Callable[..., Any]
_enqueue: list[Enqueue] = []


def register_outbox(enqueue: Enqueue) -> None:
    """Registering again replaces the outbox (reloads stay idempotent)."""
    _enqueue[:] = [enqueue]


def enqueue_message(**kwargs: Any) -> Any:
    """Queue one message (idempotent on ``dedupe_key``); fails loudly when no outbox is installed."""
    if not _enqueue:
        raise ImproperlyConfigured("No outbox is registered: add openprobation.notifications to INSTALLED_APPS.")
    return _enqueue[0](**kwargs)
