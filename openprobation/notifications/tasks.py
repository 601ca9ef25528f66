from __future__ import annotations

import logging

from celery import shared_task

from openprobation.notifications.services import outbox_send_due

log = logging.getLogger(__name__)


@shared_task
def send_due_messages() -> dict[str, int]:
    """Send the outbox's due messages (every NOTIFY_SEND_INTERVAL_SECONDS)."""
    report = outbox_send_due()
    if report.dead:
        log.warning("notifications: %s message(s) given up", report.dead)
    if report.sent or report.retry or report.recovered:
        log.info("notifications: %s", report.as_dict())
    return report.as_dict()
