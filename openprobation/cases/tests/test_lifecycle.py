"""The case status pipeline: every allowed move works and is recorded, every other move is refused
and leaves no trace."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import cast

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.audit.services import audit_verify
from openprobation.cases.lifecycle import ALLOWED_TRANSITIONS, TERMINAL, allowed_moves, can_move
from openprobation.cases.models import Case, CaseStatus, CaseStatusChange
from openprobation.cases.services import case_register, case_transition
from openprobation.core.exceptions import DomainError, TransitionError
from openprobation.core.timeutil import local_today
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

STATUSES = list(CaseStatus.values)
ALLOWED = [(a, b) for a, moves in ALLOWED_TRANSITIONS.items() for b in sorted(moves)]
DISALLOWED = [(a, b) for a, b in itertools.product(STATUSES, STATUSES) if b not in ALLOWED_TRANSITIONS[a]]
RECEIVED = dt.date(2026, 1, 15)


@pytest.fixture
def make_case(personas):
    def make(status: str) -> Case:
        person = PersonFactory(registered_office=personas["office_a"])
        return cast(
            Case,
            CaseFactory(
                person=person, status=status, officer=personas["officer"], received_on=RECEIVED, registered_on=None
            ),
        )

    return make


def test_the_map_covers_every_status_and_names_only_known_statuses():
    assert set(ALLOWED_TRANSITIONS) == set(STATUSES)
    for moves in ALLOWED_TRANSITIONS.values():
        assert moves <= set(STATUSES)
    assert {CaseStatus.COMPLETED, CaseStatus.REVOKED, CaseStatus.TRANSFERRED, CaseStatus.CLOSED} == TERMINAL
    assert allowed_moves(CaseStatus.ACTIVE) == [s for s in STATUSES if s in ALLOWED_TRANSITIONS[CaseStatus.ACTIVE]]
    assert allowed_moves("nonsense") == []
    assert not can_move(CaseStatus.ACTIVE, CaseStatus.ACTIVE)


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_move_succeeds_with_a_history_row_and_one_audit_event(
    personas, make_case, from_status, to_status
):
    case = make_case(from_status)
    on = dt.date(2026, 2, 2)
    result = case_transition(
        actor=personas["officer"], case=case, to_status=to_status, reason="Основание", effective_on=on
    )
    assert result.status == to_status
    assert Case.objects.get(pk=case.pk).status == to_status
    history = list(CaseStatusChange.objects.filter(case=case))
    assert len(history) == 1
    change = history[0]
    assert (change.from_status, change.to_status, change.reason, change.effective_on) == (
        from_status,
        to_status,
        "Основание",
        on,
    )
    assert change.by == personas["officer"]
    events = list(AuditEvent.objects.filter(subject_type="cases.case", subject_id=str(case.pk)))
    assert len(events) == 1
    assert events[0].action == "case.transition"
    assert events[0].changes["status"] == [from_status, to_status]
    assert events[0].details == {"reason": "Основание"}
    assert audit_verify().ok


@pytest.mark.parametrize(("from_status", "to_status"), DISALLOWED, ids=[f"{a}->{b}" for a, b in DISALLOWED])
def test_every_disallowed_move_is_refused_and_changes_nothing(personas, make_case, from_status, to_status):
    case = make_case(from_status)
    before = Case.objects.values().get(pk=case.pk)
    with pytest.raises(TransitionError) as err:
        case_transition(actor=personas["officer"], case=case, to_status=to_status, reason="Попытка")
    assert err.value.code == "illegal_transition"
    assert err.value.field == "to_status"
    assert Case.objects.values().get(pk=case.pk) == before
    assert not CaseStatusChange.objects.filter(case=case).exists()
    assert not AuditEvent.objects.exists()


def test_illegal_move_message_names_both_statuses(personas, make_case):
    from django.utils import translation

    case = make_case(CaseStatus.COMPLETED)
    with translation.override("en"), pytest.raises(TransitionError) as err:
        case_transition(actor=personas["officer"], case=case, to_status=CaseStatus.ACTIVE, reason="Ошибка")
    assert str(err.value) == "A case that is “Completed” cannot become “Active”."


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(personas, make_case, reason):
    case = make_case(CaseStatus.ACTIVE)
    with pytest.raises(DomainError) as err:
        case_transition(actor=personas["officer"], case=case, to_status=CaseStatus.SUSPENDED, reason=reason)
    assert err.value.field == "reason"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE
    assert not AuditEvent.objects.exists()


def test_reason_is_stored_without_surrounding_spaces(personas, make_case):
    case = make_case(CaseStatus.ACTIVE)
    case_transition(actor=personas["officer"], case=case, to_status=CaseStatus.SUSPENDED, reason="  Болезнь  ")
    assert CaseStatusChange.objects.get(case=case).reason == "Болезнь"


def test_unknown_status_is_refused(personas, make_case):
    case = make_case(CaseStatus.ACTIVE)
    with pytest.raises(DomainError) as err:
        case_transition(actor=personas["officer"], case=case, to_status="on_holiday", reason="x")
    assert err.value.field == "to_status"
    assert not isinstance(err.value, TransitionError)


def test_a_change_dated_in_the_future_is_refused(personas, make_case):
    case = make_case(CaseStatus.ACTIVE)
    with pytest.raises(DomainError) as err:
        case_transition(
            actor=personas["officer"],
            case=case,
            to_status=CaseStatus.SUSPENDED,
            reason="Болезнь",
            effective_on=local_today() + dt.timedelta(days=1),
        )
    assert err.value.field == "effective_on"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE
    assert not CaseStatusChange.objects.exists()


def test_a_change_without_a_date_is_dated_today(personas, make_case):
    case = make_case(CaseStatus.ACTIVE)
    case_transition(actor=personas["officer"], case=case, to_status=CaseStatus.WANTED, reason="Не явился")
    assert CaseStatusChange.objects.get(case=case).effective_on == local_today()
    assert Case.objects.get(pk=case.pk).status_changed_at is not None


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_terminal_statuses_set_the_closing_date(personas, make_case, terminal):
    case = make_case(CaseStatus.ACTIVE)
    case_transition(
        actor=personas["officer"], case=case, to_status=terminal, reason="Окончание", effective_on=dt.date(2026, 3, 2)
    )
    case.refresh_from_db()
    assert case.closed_on == dt.date(2026, 3, 2)
    assert not case.is_open


@pytest.mark.parametrize("status", [CaseStatus.SUSPENDED, CaseStatus.WANTED, CaseStatus.ACTIVE])
def test_non_terminal_moves_leave_the_case_open(personas, make_case, status):
    case = make_case(CaseStatus.REGISTERED)
    case_transition(actor=personas["officer"], case=case, to_status=status, reason="Движение")
    case.refresh_from_db()
    assert case.closed_on is None
    assert case.is_open


def test_registration_sets_the_registration_date(personas, make_case):
    case = make_case(CaseStatus.AWAITING_REGISTRATION)
    case_register(actor=personas["officer"], case=case, registered_on=dt.date(2026, 1, 16))
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    assert case.registered_on == dt.date(2026, 1, 16)
    change = CaseStatusChange.objects.get(case=case)
    assert change.reason
    event = AuditEvent.objects.get(action="case.transition")
    assert event.changes["registered_on"] == [None, "2026-01-16"]


def test_registration_on_the_day_the_order_arrived_is_allowed(personas, make_case):
    case = make_case(CaseStatus.AWAITING_REGISTRATION)
    case_register(actor=personas["officer"], case=case, registered_on=RECEIVED)
    assert Case.objects.get(pk=case.pk).registered_on == RECEIVED


def test_registration_cannot_precede_receipt_of_the_court_order(personas, make_case):
    case = make_case(CaseStatus.AWAITING_REGISTRATION)
    with pytest.raises(DomainError) as err:
        case_register(actor=personas["officer"], case=case, registered_on=RECEIVED - dt.timedelta(days=1))
    assert err.value.field == "effective_on"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_REGISTRATION
    assert case.registered_on is None
    assert not CaseStatusChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_stale_case_object_is_judged_by_its_current_status(personas, make_case):
    case = make_case(CaseStatus.ACTIVE)
    stale = Case.objects.get(pk=case.pk)
    case_transition(actor=personas["officer"], case=case, to_status=CaseStatus.COMPLETED, reason="Срок истёк")
    with pytest.raises(TransitionError):
        case_transition(actor=personas["officer"], case=stale, to_status=CaseStatus.SUSPENDED, reason="Болезнь")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.COMPLETED


def test_a_full_story_reads_in_order(personas, make_case):
    case = make_case(CaseStatus.AWAITING_REGISTRATION)
    officer = personas["officer"]
    case_register(actor=officer, case=case, registered_on=dt.date(2026, 1, 16))
    for to_status in (CaseStatus.ACTIVE, CaseStatus.WANTED, CaseStatus.ACTIVE, CaseStatus.COMPLETED):
        case_transition(actor=officer, case=case, to_status=to_status, reason="Шаг", effective_on=dt.date(2026, 2, 1))
    pairs = list(CaseStatusChange.objects.filter(case=case).values_list("from_status", "to_status"))
    assert pairs == [
        ("awaiting_registration", "registered"),
        ("registered", "active"),
        ("active", "wanted"),
        ("wanted", "active"),
        ("active", "completed"),
    ]
    assert AuditEvent.objects.filter(action="case.transition").count() == 5
    assert audit_verify().ok
