from __future__ import annotations

import logging

from celery import shared_task

from openprobation.enforcement.services import wanted_scan

log = logging.getLogger(__name__)


@shared_task
def create_search_tasks() -> int:
    """PEC art. 163: tasks for every person released on deferral who has not appeared in time."""
    created = wanted_scan()
    if created:
        log.warning("%s search task(s) created for people who did not appear after release", created)
    return created
