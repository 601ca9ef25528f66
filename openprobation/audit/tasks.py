from __future__ import annotations

import logging

from celery import shared_task

from openprobation.audit.services import audit_verify

log = logging.getLogger(__name__)


@shared_task
def verify_chain() -> bool:
    result = audit_verify()
    if result.ok:
        log.info("audit chain intact: %s events", result.checked)
    else:
        log.error("AUDIT CHAIN BROKEN: %s", "; ".join(result.problems[:20]))
    return result.ok
