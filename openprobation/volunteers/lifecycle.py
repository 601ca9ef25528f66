"""A volunteer's status: active ⇄ suspended, either → left (final), declared once (``core.lifecycle``)."""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, Move
from openprobation.volunteers.models import Volunteer, VolunteerStatus, VolunteerStatusChange

S = VolunteerStatus

MOVES: dict[str, frozenset[str]] = {
    S.ACTIVE: frozenset({S.SUSPENDED, S.LEFT}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.LEFT}),
    S.LEFT: frozenset(),
}


def _write_history(volunteer: Volunteer, move: Move) -> None:
    VolunteerStatusChange.objects.create(
        volunteer=volunteer,
        from_status=move.from_state,
        to_status=move.to_state,
        reason=move.reason,
        effective_on=move.effective_on,
        by=move.actor,
    )


VOLUNTEER_LIFECYCLE: Lifecycle[Volunteer] = Lifecycle(
    name="volunteers.volunteer",
    model=Volunteer,
    moves=MOVES,
    labels=dict(S.choices),
    write_history=_write_history,
    audit=audit_record,
    audited_fields=("status",),
)
