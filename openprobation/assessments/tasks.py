from __future__ import annotations

import logging

from celery import shared_task

from openprobation.assessments.analysis import analysis_purge, analysis_run_pending
from openprobation.assessments.services import reassessment_scan

log = logging.getLogger(__name__)


@shared_task
def scan_reassessments() -> dict[str, int]:
    """Hourly: a first assessment due for every new open case, and a reassessment due at once for
    each event since the last risk assessment (violation, new offence, change of work or address)."""
    counts = reassessment_scan()
    if counts["triggers"]:
        log.info("%s reassessment trigger(s) recorded", counts["triggers"])
    return counts


@shared_task
def run_analysis_jobs() -> dict[str, int]:
    """Every few seconds: run analysts' waiting files, and delete those past their retention."""
    return {"run": analysis_run_pending(), "purged": analysis_purge()}
