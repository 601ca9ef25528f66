"""The programme's status pipeline, declared once (``core.lifecycle`` does the locking, the history
row and the audit event).

draft → agreed / refused (the person's answer to this version) → draft again when its content
changes (a new version) → closed. A closed programme is finished; the person's next one is new.
"""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, status_history
from openprobation.programmes.models import Programme, ProgrammeStatusChange
from openprobation.programmes.models import ProgrammeStatus as S

MOVES: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AGREED, S.REFUSED, S.CLOSED}),
    # A change to an agreed or refused programme starts a new version, a draft again.
    S.AGREED: frozenset({S.DRAFT, S.CLOSED}),
    # The person may agree later to the version they refused.
    S.REFUSED: frozenset({S.DRAFT, S.AGREED, S.CLOSED}),
    S.CLOSED: frozenset(),
}


PROGRAMME_LIFECYCLE: Lifecycle[Programme] = Lifecycle(
    name="programme",
    model=Programme,
    moves=MOVES,
    labels=dict(S.choices),
    write_history=status_history(ProgrammeStatusChange, "programme"),
    audit=audit_record,
    audited_fields=("version", "agreement_on", "next_review_on", "closed_on"),
    reason_required=False,
)
