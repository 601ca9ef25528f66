from __future__ import annotations

import logging

from celery import shared_task

from openprobation.audit.keys import AuditKeyError
from openprobation.audit.services import CheckpointRefused, audit_checkpoint, audit_seal, audit_verify

log = logging.getLogger(__name__)


@shared_task
def seal_pending() -> int:
    """Seal what the sealer after each commit left (it skips while another sealer runs): every
    event younger than AUDIT_SEAL_MAX_AGE_SECONDS that is not sealed yet."""
    sealed = audit_seal(sweep=True)
    if sealed:
        log.info("audit: %s events sealed by the scheduled sealer", sealed)
    return sealed


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
