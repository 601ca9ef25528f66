from __future__ import annotations

import logging

from celery import shared_task

from openprobation.labour.services import employment_deadline_scan

log = logging.getLogger(__name__)


@shared_task
def check_employment_deadlines() -> dict[str, int]:
    """Daily: start tracking the duty to work where the court ordered it, and make a violation
    candidate for each deadline passed while the person still does not work or study."""
    result = employment_deadline_scan()
    if result.candidates:
        log.warning("%s employment deadline(s) passed without work or study", result.candidates)
    return {"duties_started": result.duties_started, "candidates": result.candidates}
