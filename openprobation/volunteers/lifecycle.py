"""A volunteer's status: active ⇄ suspended, either → left (final), declared once (``core.lifecycle``)."""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, status_history
from openprobation.volunteers.models import Volunteer, VolunteerStatus, VolunteerStatusChange

S = VolunteerStatus

MOVES: dict[str, frozenset[str]] = {
    S.ACTIVE: frozenset({S.SUSPENDED, S.LEFT}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.LEFT}),
    S.LEFT: frozenset(),
}


VOLUNTEER_LIFECYCLE: Lifecycle[Volunteer] = Lifecycle(
    name="volunteers.volunteer",
    model=Volunteer,
    moves=MOVES,
    labels=dict(S.choices),
    write_history=status_history(VolunteerStatusChange, "volunteer", by="by"),
    audit=audit_record,
    audited_fields=("status",),
)
