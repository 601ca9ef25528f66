"""The case status pipeline: the allowed moves, declared once (``core.lifecycle`` does the rest).

awaiting registration → registered → active → (suspended / wanted) → completed / revoked /
transferred out / closed. "Transferred out" means handed to a body outside the probation service
(another state, a penal institution); a move between probation offices is a transfer, which keeps
the status.
"""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.cases.models import Case, CaseStatusChange
from openprobation.cases.models import CaseStatus as S
from openprobation.core.lifecycle import Lifecycle, status_history

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_REGISTRATION: frozenset({S.REGISTERED, S.WANTED, S.CLOSED, S.TRANSFERRED}),
    S.REGISTERED: frozenset({S.ACTIVE, S.SUSPENDED, S.WANTED, S.CLOSED, S.TRANSFERRED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.WANTED, S.COMPLETED, S.REVOKED, S.TRANSFERRED, S.CLOSED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.COMPLETED, S.REVOKED, S.TRANSFERRED, S.CLOSED}),
    S.WANTED: frozenset({S.ACTIVE, S.SUSPENDED, S.REVOKED, S.CLOSED}),
    S.COMPLETED: frozenset(),
    S.REVOKED: frozenset(),
    S.TRANSFERRED: frozenset(),
    S.CLOSED: frozenset(),
}

# The fields a status change may touch, for the audit event's old → new values.
TRANSITION_AUDITED_FIELDS = ("status", "registered_on", "closed_on")


CASE_LIFECYCLE: Lifecycle[Case] = Lifecycle(
    name="case",
    model=Case,
    moves=ALLOWED_TRANSITIONS,
    labels=dict(S.choices),
    write_history=status_history(CaseStatusChange, "case", by="by"),
    audit=audit_record,
    audited_fields=TRANSITION_AUDITED_FIELDS,
)

TERMINAL = CASE_LIFECYCLE.terminal


def allowed_moves(status: str) -> list[str]:
    return CASE_LIFECYCLE.allowed(status)


def can_move(from_status: str, to_status: str) -> bool:
    return CASE_LIFECYCLE.can_move(from_status, to_status)
