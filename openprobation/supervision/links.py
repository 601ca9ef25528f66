"""What supervision asks of its neighbours: enforcement records the violation an appointment's
outcome shows, notifications queues the reminder. Both through their services only."""

from __future__ import annotations

import datetime as dt
from typing import Any

try:  # The sibling apps land in the same wave; until they do, supervision works without them.
    from openprobation.enforcement.services import (  # type: ignore[import-not-found, unused-ignore]
        violation_record as _violation_record,
    )
except ImportError:  # pragma: no cover
    _violation_record = None  # type: ignore[assignment, unused-ignore]
try:
    from openprobation.notifications.services import (  # type: ignore[import-not-found, unused-ignore]
        message_enqueue as _message_enqueue,
    )
except ImportError:  # pragma: no cover
    _message_enqueue = None  # type: ignore[assignment, unused-ignore]


def enforcement_available() -> bool:
    return _violation_record is not None


def notifications_available() -> bool:
    return _message_enqueue is not None


def record_missed_report(
    *, actor: Any, case: Any, appointment_id: int, occurred_on: dt.date, description: str, candidate: bool
) -> Any:
    """A missed report (kind ``missed_report``, source ``appointment``); idempotent per appointment."""
    if _violation_record is None:  # pragma: no cover
        return None
    return _violation_record(
        actor=actor,
        case=case,
        kind="missed_report",
        source="appointment",
        occurred_on=occurred_on,
        description=description,
        source_ref=str(appointment_id),
        candidate=candidate,
    )


def enqueue_message(**kwargs: Any) -> Any:
    if _message_enqueue is None:  # pragma: no cover
        return None
    return _message_enqueue(**kwargs)
