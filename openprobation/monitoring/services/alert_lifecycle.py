"""An alert's handling, declared once (``core.lifecycle``): new → acknowledged → resolved, or
escalated to the case's officer; escalated → acknowledged or resolved by the officer. Resolved is
final (as a false alarm, a technical problem, or a confirmed violation)."""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, status_history
from openprobation.monitoring.alerting import AlertStatus
from openprobation.monitoring.models import Alert, AlertStatusChange

S = AlertStatus

ALERT_MOVES: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED}),
    S.ACKNOWLEDGED: frozenset({S.RESOLVED, S.ESCALATED}),
    S.ESCALATED: frozenset({S.ACKNOWLEDGED, S.RESOLVED}),
    S.RESOLVED: frozenset(),
}

ALERT_LIFECYCLE: Lifecycle[Alert] = Lifecycle(
    name="monitoring.alert",
    model=Alert,
    moves=ALERT_MOVES,
    labels=dict(S.choices),
    write_history=status_history(AlertStatusChange, "alert"),
    audit=audit_record,
    audited_fields=("status", "resolution", "escalated_to_id", "violation_id"),
    reason_required=False,
)
