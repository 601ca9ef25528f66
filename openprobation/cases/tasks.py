from __future__ import annotations

import logging

from celery import shared_task

from openprobation.cases.services import registration_overdue_scan

log = logging.getLogger(__name__)


@shared_task
def check_registration_deadlines() -> int:
    overdue = registration_overdue_scan()
    if overdue:
        log.warning("%s case(s) are past their registration deadline", overdue)
    return overdue
