"""The lifecycle helper (core.lifecycle): allowed moves, a reason, the row lock, a history row and
exactly one audit event — or, on any refusal, nothing at all. Cases are the first user."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.lifecycle import CASE_LIFECYCLE
from openprobation.cases.models import CaseStatus, CaseStatusChange
from openprobation.core.exceptions import DomainError, TransitionError
from openprobation.core.lifecycle import Move
from openprobation.testing.factories import a_case

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 1)


def test_declared_moves_terminal_states_and_labels():
    assert CASE_LIFECYCLE.can_move(CaseStatus.ACTIVE, CaseStatus.SUSPENDED)
    assert not CASE_LIFECYCLE.can_move(CaseStatus.COMPLETED, CaseStatus.ACTIVE)
    assert CaseStatus.COMPLETED in CASE_LIFECYCLE.terminal
    assert CaseStatus.ACTIVE not in CASE_LIFECYCLE.terminal
    # allowed moves come in the declaration order of the states
    assert CASE_LIFECYCLE.allowed(CaseStatus.AWAITING_REGISTRATION) == [
        CaseStatus.REGISTERED,
        CaseStatus.WANTED,
        CaseStatus.TRANSFERRED,
        CaseStatus.CLOSED,
    ]


def test_a_move_locks_changes_writes_history_and_one_audit_event(personas):
    case = a_case(status=CaseStatus.ACTIVE)
    seen: list[Move] = []

    def apply(locked: Any, move: Move) -> None:
        seen.append(move)
        locked.closed_on = move.effective_on

    moved = CASE_LIFECYCLE.move(
        actor=personas["officer"],
        obj=case,
        to_state=CaseStatus.COMPLETED,
        reason="Срок истёк",
        effective_on=ON,
        apply=apply,
    )
    assert moved.status == CaseStatus.COMPLETED
    assert seen[0].from_state == CaseStatus.ACTIVE
    history = CaseStatusChange.objects.get(case=case)
    assert (history.from_status, history.to_status, history.reason, history.by) == (
        "active",
        "completed",
        "Срок истёк",
        personas["officer"],
    )
    event = AuditEvent.objects.get()
    assert event.action == "case.transition"
    assert event.changes == {"status": ["active", "completed"], "closed_on": [None, "2026-03-01"]}
    assert event.details == {"reason": "Срок истёк"}


@pytest.mark.parametrize(
    ("to_state", "reason", "error", "field"),
    [
        (CaseStatus.ACTIVE, "x", TransitionError, "to_status"),  # completed → active is not a move
        ("flying", "x", DomainError, "to_status"),
        (CaseStatus.CLOSED, "   ", DomainError, "reason"),
    ],
)
def test_refused_moves_leave_nothing_behind(personas, to_state, reason, error, field):
    case = a_case(status=CaseStatus.COMPLETED if to_state == CaseStatus.ACTIVE else CaseStatus.ACTIVE)
    before = case.status
    with pytest.raises(error) as err:
        CASE_LIFECYCLE.move(actor=personas["officer"], obj=case, to_state=to_state, reason=reason, effective_on=ON)
    assert err.value.field == field
    case.refresh_from_db()
    assert case.status == before
    assert not CaseStatusChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_refusal_raised_by_the_apps_own_check_rolls_everything_back(personas):
    case = a_case(status=CaseStatus.ACTIVE)

    def apply(locked: Any, move: Move) -> None:
        locked.closed_on = ON
        raise DomainError("no", field="effective_on")

    with pytest.raises(DomainError):
        CASE_LIFECYCLE.move(
            actor=personas["officer"], obj=case, to_state=CaseStatus.CLOSED, reason="x", effective_on=ON, apply=apply
        )
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.ACTIVE, None)
    assert not AuditEvent.objects.exists()


def test_the_move_is_judged_on_the_locked_row_not_on_a_stale_copy(personas):
    case = a_case(status=CaseStatus.ACTIVE)
    stale = type(case).objects.get(pk=case.pk)
    CASE_LIFECYCLE.move(actor=personas["officer"], obj=case, to_state=CaseStatus.COMPLETED, reason="x", effective_on=ON)
    with pytest.raises(TransitionError):
        CASE_LIFECYCLE.move(
            actor=personas["officer"], obj=stale, to_state=CaseStatus.CLOSED, reason="y", effective_on=ON
        )
    assert CaseStatusChange.objects.count() == 1
