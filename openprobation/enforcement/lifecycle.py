"""The violation lifecycle, declared once (``core.lifecycle`` does the rest).

candidate → confirmed | dismissed; confirmed → explained → responded (confirmed → responded when
the step is taken before an explanation arrives). A candidate comes from a job or another app (an
alert, an employment deadline) and waits for an officer to confirm or dismiss it with a reason.
"""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, Move
from openprobation.enforcement.models import Violation, ViolationStatusChange
from openprobation.enforcement.models import ViolationStatus as V

VIOLATION_MOVES: dict[str, frozenset[str]] = {
    V.CANDIDATE: frozenset({V.CONFIRMED, V.DISMISSED}),
    V.CONFIRMED: frozenset({V.EXPLAINED, V.RESPONDED}),
    V.EXPLAINED: frozenset({V.RESPONDED}),
    V.RESPONDED: frozenset(),
    V.DISMISSED: frozenset(),
}

VIOLATION_AUDITED_FIELDS = ("status", "malicious", "explanation", "explanation_received_on")


def write_violation_history(violation: Violation, move: Move) -> None:
    ViolationStatusChange.objects.create(
        violation=violation,
        from_status=move.from_state,
        to_status=move.to_state,
        reason=move.reason,
        effective_on=move.effective_on,
        by=move.actor,
    )


VIOLATION_LIFECYCLE: Lifecycle[Violation] = Lifecycle(
    name="violation",
    model=Violation,
    moves=VIOLATION_MOVES,
    labels=dict(V.choices),
    write_history=write_violation_history,
    audit=audit_record,
    audited_fields=VIOLATION_AUDITED_FIELDS,
)
