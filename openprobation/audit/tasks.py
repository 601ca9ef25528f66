from __future__ import annotations

import logging

from celery import shared_task

from openprobation.audit.keys import AuditKeyError
from openprobation.audit.services import CheckpointRefused, audit_checkpoint, audit_verify

log = logging.getLogger(__name__)


@shared_task
def verify_chain() -> bool:
    result = audit_verify()
    if result.ok:
        log.info("audit chain intact: %s events, %s checkpoints", result.checked, result.checkpoints)
    else:
        log.error("AUDIT CHAIN BROKEN: %s", "; ".join(result.problems[:20]))
    return result.ok


@shared_task
def write_checkpoint() -> bool:
    """Sign the chain head into a checkpoint outside the database (see ``audit_checkpoint``)."""
    try:
        path = audit_checkpoint()
    except (CheckpointRefused, AuditKeyError, OSError) as exc:
        log.error("AUDIT CHECKPOINT NOT WRITTEN: %s", exc)
        return False
    log.info("audit checkpoint written: %s", path)
    return True
