"""The release plan's status pipeline: open → handed over, open → cancelled (declared once;
``core.lifecycle`` locks the row, writes the history row and the audit event)."""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, Move
from openprobation.releases.models import EventKind, PlanStatus, ReleasePlan, ReleasePlanEvent

PLAN_MOVES: dict[str, frozenset[str]] = {
    PlanStatus.OPEN: frozenset({PlanStatus.HANDED_OVER, PlanStatus.CANCELLED}),
    PlanStatus.HANDED_OVER: frozenset(),
    PlanStatus.CANCELLED: frozenset(),
}

_EVENT = {PlanStatus.HANDED_OVER: EventKind.HANDED_OVER, PlanStatus.CANCELLED: EventKind.CANCELLED}


def _write_history(plan: ReleasePlan, move: Move) -> None:
    ReleasePlanEvent.objects.create(
        plan=plan,
        kind=_EVENT[PlanStatus(move.to_state)],
        changes={"status": [move.from_state, move.to_state]},
        note=move.reason,
        by=move.actor,
    )


PLAN_LIFECYCLE: Lifecycle[ReleasePlan] = Lifecycle(
    name="release_plan",
    model=ReleasePlan,
    moves=PLAN_MOVES,
    labels=dict(PlanStatus.choices),
    write_history=_write_history,
    audit=audit_record,
    audited_fields=("status", "handed_over_case_id", "released_on"),
)
