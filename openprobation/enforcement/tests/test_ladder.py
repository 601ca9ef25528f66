"""The enforcement ladder: the threshold at its boundary, what the rulebook allows per sentence,
each step and its refusal, the court's outcome as a decision on the case, early cancellation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus, CourtDecision
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.enforcement import ladder
from openprobation.enforcement.models import EnforcementStep, Violation, ViolationStatus
from openprobation.enforcement.services import (
    StepInput,
    enforcement_court_outcome,
    enforcement_step,
    enforcement_submit,
    enforcement_warn,
    enforcement_written_warning,
    violation_record,
)
from openprobation.enforcement.tests.conftest import make_case

pytestmark = pytest.mark.django_db
D = dt.date
FIRST = D(2026, 3, 2)


def violation(case: Any, *, on: dt.date = FIRST, **over: Any) -> Violation:
    data: dict[str, Any] = {"kind": "missed_report", "source": "officer", "description": "Не явился"}
    data.update(over)
    return violation_record(actor=None, case=case, occurred_on=on, **data)


# --- The threshold ----------------------------------------------------------------------------------


def test_one_confirmed_violation_is_not_enough_two_are(personas, case):
    today = local_today()
    violation(case)
    assert not ladder.submission_due(case, today).due
    violation(case, on=D(2026, 4, 1), kind="curfew_breach")
    grounds = ladder.submission_due(case, today)
    assert grounds.due
    assert grounds.count == 2 and grounds.threshold == 2


def test_one_malicious_violation_is_enough(personas, case):
    violation(case, malicious=True)
    grounds = ladder.submission_due(case, local_today())
    assert grounds.due and grounds.malicious == 1


def test_candidates_and_dismissed_violations_do_not_count(personas, case):
    violation(case, candidate=True, source_ref="a")
    violation(case, candidate=True, source_ref="b", source="police_report")
    assert not ladder.submission_due(case, local_today()).due


def test_the_threshold_comes_from_the_rulebook():
    assert ladder.grounds_reached(count=1, malicious=0, threshold=2, malicious_threshold=1) is False
    assert ladder.grounds_reached(count=2, malicious=0, threshold=2, malicious_threshold=1) is True
    assert ladder.grounds_reached(count=0, malicious=1, threshold=2, malicious_threshold=1) is True
    assert ladder.grounds_reached(count=2, malicious=1, threshold=3, malicious_threshold=2) is False


# --- Warnings ----------------------------------------------------------------------------------------


def test_a_warning_answers_the_violations_with_one_audit_event(personas, case):
    v = violation(case)
    events = AuditEvent.objects.count()
    step = enforcement_warn(actor=personas["officer"], case=case, violations=[v.pk], reason="Первое нарушение")
    v.refresh_from_db()
    assert v.status == ViolationStatus.RESPONDED
    assert [h.to_status for h in v.history.all()] == ["confirmed", "responded"]
    assert list(step.violations.all()) == [v]
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.filter(action="enforcement.warning").count() == 1
    # A violation already answered cannot be answered again by a warning.
    with pytest.raises(DomainError):
        enforcement_warn(actor=personas["officer"], case=case, violations=[v.pk], reason="again")


def test_a_step_needs_a_reason_and_violations_of_this_case(personas, case):
    other = make_case(personas)
    v = violation(other)
    with pytest.raises(DomainError) as err:
        enforcement_warn(actor=personas["officer"], case=case, violations=[v.pk], reason="x")
    assert err.value.field == "violations"
    with pytest.raises(DomainError) as err:
        enforcement_warn(actor=personas["officer"], case=case, violations=[], reason="x")
    assert err.value.field == "violations"
    mine = violation(case)
    with pytest.raises(DomainError) as err:
        enforcement_warn(actor=personas["officer"], case=case, violations=[mine.pk], reason="  ")
    assert err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        enforcement_warn(actor=personas["officer"], case=case, violations=[mine.pk], reason="x", taken_on=D(2026, 3, 1))
    assert err.value.field == "taken_on"
    with pytest.raises(DomainError):
        enforcement_warn(actor=personas["officer"], case=case, violations=[mine.pk], reason="x", taken_on=D(9999, 1, 1))
    assert not EnforcementStep.objects.exists()


def test_a_written_warning_is_refused_for_a_conditional_sentence(personas, case):
    v = violation(case)
    with pytest.raises(DomainError) as err:
        enforcement_written_warning(actor=personas["officer"], case=case, violations=[v.pk], reason="x")
    assert err.value.code == "step_not_allowed"
    assert not EnforcementStep.objects.exists()
    v.refresh_from_db()
    assert v.status == ViolationStatus.CONFIRMED


def test_a_written_warning_is_issued_for_restriction_of_liberty(personas):
    case = make_case(personas, sentence_kind="restriction_of_liberty")
    v = violation(case)
    step = enforcement_written_warning(
        actor=personas["officer"], case=case, violations=[v.pk], reason="Второе нарушение", document_number="ПП-1"
    )
    assert step.step == "written_warning"
    assert step.rule_key == "enforcement.written_warning"


@pytest.mark.parametrize("who", ["other_district", "other_region", "analyst", "auditor", "sysadmin", "colleague"])
def test_a_step_is_refused_to_who_may_not_change_the_case_and_nothing_changes(personas, case, who):
    v = violation(case)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError):
        enforcement_warn(actor=personas[who], case=case, violations=[v.pk], reason="x")
    v.refresh_from_db()
    assert v.status == ViolationStatus.CONFIRMED
    assert not EnforcementStep.objects.exists()
    assert AuditEvent.objects.count() == events


# --- Submission and the court's outcome ------------------------------------------------------------------


def test_a_submission_below_the_threshold_is_refused(personas, case):
    v = violation(case)
    with pytest.raises(DomainError) as err:
        enforcement_submit(
            actor=personas["officer"], case=case, violations=[v.pk], requested_outcome="extend_control", reason="x"
        )
    assert err.value.code == "threshold_not_reached"


def test_a_submission_asks_only_for_what_the_rulebook_allows_for_the_sentence(personas, case):
    a, b = violation(case), violation(case, on=D(2026, 4, 1))
    with pytest.raises(DomainError) as err:
        enforcement_submit(
            actor=personas["officer"],
            case=case,
            violations=[a.pk, b.pk],
            requested_outcome="replace_with_imprisonment",
            reason="x",
        )
    assert err.value.field == "requested_outcome"
    assert ladder.submission_outcomes("conditional", on=local_today()) == ["extend_control", "cancel_conditional"]
    assert ladder.submission_outcomes("restriction_of_liberty", on=local_today()) == ["replace_with_imprisonment"]


def test_submission_then_the_court_extends_control_through_a_case_decision(personas, case):
    officer = personas["officer"]
    a, b = violation(case), violation(case, on=D(2026, 4, 1), kind="curfew_breach")
    # A warning first: answered violations still count towards the submission.
    enforcement_warn(actor=officer, case=case, violations=[a.pk], reason="Предупреждение", taken_on=D(2026, 3, 3))
    assert ladder.submission_due(case, local_today()).due
    submission = enforcement_submit(
        actor=officer,
        case=case,
        violations=[a.pk, b.pk],
        requested_outcome="extend_control",
        reason="Систематические нарушения",
        taken_on=D(2026, 4, 10),
        document_number="П-15",
    )
    assert not ladder.submission_due(case, local_today()).due  # answered by the submission
    assert ladder.pending_submission(case) == submission
    with pytest.raises(DomainError):  # one submission at a time
        enforcement_submit(
            actor=officer, case=case, violations=[a.pk, b.pk], requested_outcome="extend_control", reason="x"
        )
    end_before = case.control_end
    outcome = enforcement_court_outcome(
        actor=officer,
        case=case,
        data=StepInput(
            step="court_outcome",
            result="granted",
            court="Алматы аудандық соты",
            decision_number="4-77/2026",
            decision_date=D(2026, 5, 5),
            effective_date=D(2026, 5, 20),
            extension_months=3,
            reason="Суд продлил испытательный срок",
            taken_on=D(2026, 5, 20),
        ),
    )
    decision = CourtDecision.objects.get(case=case)
    assert decision.kind == "extension" and decision.extension_months == 3
    assert outcome.court_decision == decision and outcome.submission == submission
    case.refresh_from_db()
    assert case.control_end is not None and end_before is not None and case.control_end > end_before
    assert AuditEvent.objects.filter(action="case.decision").count() == 1
    assert AuditEvent.objects.filter(action="enforcement.court_outcome").count() == 1
    assert ladder.pending_submission(case) is None
    # New violations count afresh; the ones put before the court do not.
    violation(case, on=D(2026, 6, 1))
    assert not ladder.submission_due(case, local_today()).due


def test_the_court_cancels_a_conditional_sentence(personas, case):
    a = violation(case, malicious=True)
    enforcement_submit(
        actor=personas["senior"], case=case, violations=[a.pk], requested_outcome="cancel_conditional", reason="x"
    )
    enforcement_step(
        actor=personas["senior"],
        case=case,
        data=StepInput(
            step="court_outcome",
            result="granted",
            court="Суд",
            decision_number="4-1/2026",
            decision_date=local_today(),
            reason="Отменено",
        ),
    )
    assert CourtDecision.objects.get(case=case).kind == "conditional_cancelled"


def test_a_refused_submission_writes_no_decision(personas, case):
    a = violation(case, malicious=True)
    enforcement_submit(
        actor=personas["officer"], case=case, violations=[a.pk], requested_outcome="extend_control", reason="x"
    )
    step = enforcement_step(
        actor=personas["officer"], case=case, data=StepInput(step="court_outcome", result="refused", reason="Отказ")
    )
    assert step.court_decision is None
    assert not CourtDecision.objects.exists()


def test_a_court_outcome_without_a_pending_submission_is_refused(personas, case):
    with pytest.raises(DomainError):
        enforcement_step(
            actor=personas["officer"], case=case, data=StepInput(step="court_outcome", result="refused", reason="x")
        )


def test_a_granted_outcome_with_bad_decision_data_rolls_everything_back(personas, case):
    a = violation(case, malicious=True)
    enforcement_submit(
        actor=personas["officer"], case=case, violations=[a.pk], requested_outcome="extend_control", reason="x"
    )
    with pytest.raises(DomainError):
        enforcement_step(
            actor=personas["officer"],
            case=case,
            data=StepInput(
                step="court_outcome",
                result="granted",
                court="Суд",
                decision_number="1",
                decision_date=local_today(),
                extension_months=999,
                reason="x",
            ),
        )
    assert EnforcementStep.objects.filter(step="court_outcome").count() == 0
    assert not CourtDecision.objects.exists()


# --- Early cancellation --------------------------------------------------------------------------------


def test_early_cancellation_at_the_share_boundary(personas):
    case = make_case(
        personas,
        ordered_control_start=D(2026, 1, 1),
        ordered_control_end=D(2026, 12, 31),
        control_start=D(2026, 1, 1),
        control_end=D(2026, 12, 31),
    )
    # 365 days, half is 182.5: from the 183rd day served, 3 July.
    assert ladder.early_cancellation_from(start=D(2026, 1, 1), end=D(2026, 12, 31), share=0.5) == D(2026, 7, 3)
    assert not ladder.early_cancellation(case, D(2026, 7, 2)).possible
    assert ladder.early_cancellation(case, D(2026, 7, 3)).possible
    violation(case, on=D(2026, 2, 1))
    assert not ladder.early_cancellation(case, D(2026, 7, 3)).possible


def test_early_cancellation_is_only_for_a_conditional_sentence_in_control(personas):
    for over in ({"sentence_kind": "restriction_of_liberty"}, {"status": CaseStatus.WANTED}):
        case = make_case(personas, **over)
        assert not ladder.early_cancellation(case, D(2027, 6, 1)).possible
