"""What supervision asks of its neighbours: enforcement records the violation an appointment's
outcome shows, the outbox queues the reminder (through the core port: notifications sits above
supervision). Both through their services only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openprobation.core.outbox import enqueue_message as outbox_enqueue
from openprobation.enforcement.models import ViolationKind, ViolationSource
from openprobation.enforcement.services import violation_record


def record_missed_report(
    *, actor: Any, case: Any, appointment_id: int, occurred_on: dt.date, description: str, candidate: bool
) -> Any:
    """A missed report (kind ``missed_report``, source ``appointment``, the appointment's id as the
    reference): idempotent per appointment."""
    return violation_record(
        actor=actor,
        case=case,
        kind=ViolationKind.MISSED_REPORT,
        source=ViolationSource.APPOINTMENT,
        occurred_on=occurred_on,
        description=description,
        source_ref=str(appointment_id),
        candidate=candidate,
    )


def enqueue_message(**kwargs: Any) -> Any:
    """Put one message in the outbox (idempotent on ``dedupe_key``)."""
    return outbox_enqueue(**kwargs)
