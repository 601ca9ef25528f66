"""Declared lifecycles: states, the allowed moves, a reason where required, a history row per move,
the audit event and the row lock — written once, used by cases now and by violations, referrals,
programmes and alerts later.

An app declares its lifecycle once at module level, giving the model, the moves, how to write its
history row and the audit recorder (``audit.services.audit_record``, injected because ``core``
sits below ``audit``). Its service checks permission and its own invariants, then calls
``move``; everything else — locking the row, refusing an illegal move with a translated message,
the history row and exactly one audit event — happens here, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from openprobation.core.exceptions import DomainError, TransitionError

M = TypeVar("M", bound=models.Model)


class AuditRecorder(Protocol):
    def __call__(
        self,
        *,
        actor: Any,
        action: str,
        subject: models.Model | None = ...,
        changes: dict[str, Any] | None = ...,
        details: dict[str, Any] | None = ...,
    ) -> Any: ...


@dataclass(frozen=True)
class Move:
    """What ``move`` hands to the history writer and the ``apply`` hook."""

    actor: Any
    from_state: str
    to_state: str
    reason: str
    effective_on: dt.date


def status_history(model: type[models.Model], record: str, *, by: str = "changed_by") -> Callable[[Any, Move], Any]:
    """The usual history writer: one row of ``model`` per move, naming the moved record in the field
    ``record`` and the actor in ``by``, with ``from_status``, ``to_status``, ``reason`` and
    ``effective_on``. A lifecycle whose history has another shape writes its own."""

    def write(obj: Any, move: Move) -> Any:
        return model._default_manager.create(
            **{record: obj, by: move.actor},
            from_status=move.from_state,
            to_status=move.to_state,
            reason=move.reason,
            effective_on=move.effective_on,
        )

    return write


@dataclass(frozen=True)
class Lifecycle(Generic[M]):
    name: str  # the audit action prefix: "case" → "case.transition"
    model: type[M]
    moves: Mapping[str, frozenset[str]]
    labels: Mapping[str, Any]
    write_history: Callable[[M, Move], Any]
    audit: AuditRecorder
    audited_fields: Sequence[str] = ()
    state_field: str = "status"
    reason_required: bool = True

    @property
    def terminal(self) -> frozenset[str]:
        return frozenset(state for state, targets in self.moves.items() if not targets)

    def allowed(self, state: str) -> list[str]:
        """The states ``state`` may move to, in declaration order of the labels."""
        targets = self.moves.get(state, frozenset())
        return [s for s in self.labels if s in targets]

    def can_move(self, from_state: str, to_state: str) -> bool:
        return to_state in self.moves.get(from_state, frozenset())

    def label(self, state: str) -> str:
        return str(self.labels.get(state, state))

    def check(self, from_state: str, to_state: str) -> None:
        if to_state not in self.labels:
            raise DomainError(_("Unknown status."), field="to_status")
        if not self.can_move(from_state, to_state):
            raise TransitionError(
                _("A record that is “%(from)s” cannot become “%(to)s”.")
                % {"from": self.label(from_state), "to": self.label(to_state)},
                field="to_status",
                code="illegal_transition",
            )

    def move(
        self,
        *,
        actor: Any,
        obj: M,
        to_state: str,
        reason: str,
        effective_on: dt.date,
        apply: Callable[[M, Move], None] | None = None,
        details: dict[str, Any] | None = None,
        illegal_message: Callable[[str, str], str] | None = None,
        authorize: Callable[[M], None] | None = None,
    ) -> M:
        """Lock the row, run ``authorize`` on it (the permission is judged on the row as it is
        under the lock, not on the caller's possibly stale copy), check the move, run ``apply``
        (the app's own field changes and checks, which may raise), change the state, write the
        history row and one audit event."""
        reason = (reason or "").strip()
        if not reason and self.reason_required:
            raise DomainError(_("Give the reason for the change."), field="reason")
        if to_state not in self.labels:
            raise DomainError(_("Unknown status."), field="to_status")
        with transaction.atomic():
            locked = self.model._default_manager.select_for_update().get(pk=obj.pk)
            if authorize is not None:
                authorize(locked)
            from_state = str(getattr(locked, self.state_field))
            if not self.can_move(from_state, to_state) and illegal_message is not None:
                raise TransitionError(
                    illegal_message(from_state, to_state), field="to_status", code="illegal_transition"
                )
            self.check(from_state, to_state)
            before = {name: getattr(locked, name) for name in self.audited_fields}
            step = Move(actor=actor, from_state=from_state, to_state=to_state, reason=reason, effective_on=effective_on)
            if apply is not None:
                apply(locked, step)
            setattr(locked, self.state_field, to_state)
            locked.save()
            self.write_history(locked, step)
            after = {name: getattr(locked, name) for name in self.audited_fields}
            changes = {k: [before[k], after[k]] for k in self.audited_fields if before[k] != after[k]}
            changes.setdefault(self.state_field, [from_state, to_state])
            self.audit(
                actor=actor,
                action=f"{self.name}.transition",
                subject=locked,
                changes=changes,
                details={"reason": reason, **(details or {})},
            )
        return locked
