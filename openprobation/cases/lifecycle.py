"""The case status pipeline: the allowed moves, declared once.

awaiting registration → registered → active → (suspended / wanted) → completed / revoked /
transferred out / closed. "Transferred out" means handed to a body outside the probation service
(another state, a penal institution); a move between probation offices is a transfer, which keeps
the status.
"""

from __future__ import annotations

from openprobation.cases.models import CaseStatus as S

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

TERMINAL = frozenset(s for s, moves in ALLOWED_TRANSITIONS.items() if not moves)


def allowed_moves(status: str) -> list[str]:
    return [s for s in S.values if s in ALLOWED_TRANSITIONS.get(status, frozenset())]


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())
