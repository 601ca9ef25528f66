"""Writes on violations and the enforcement ladder: each service is atomic, checks permission and
its invariants, and records exactly one audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.accounts.scoping import CaseAction, may
from openprobation.audit.services import audit_record, diff, snapshot
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case, CaseStatus, CaseTask, DecisionKind, SentenceKind
from openprobation.cases.services import DecisionInput, case_task_create, case_transition, court_decision_record
from openprobation.cases.terms import registration_state
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Move
from openprobation.core.timeutil import local_today
from openprobation.enforcement import ladder
from openprobation.enforcement.lifecycle import VIOLATION_LIFECYCLE
from openprobation.enforcement.models import (
    ESTABLISHED,
    CourtResult,
    EnforcementStep,
    RequestedOutcome,
    Step,
    Violation,
    ViolationKind,
    ViolationSource,
    ViolationStatus,
    ViolationStatusChange,
)
from openprobation.enforcement.rules import LADDER, WRITTEN_WARNING
from openprobation.rules.rulebook import rule

VIOLATION_FIELDS = [
    "kind",
    "source",
    "source_ref",
    "occurred_on",
    "description",
    "evidence",
    "malicious",
    "status",
]
MAX_TEXT = 10_000


def _earliest_violation_date(case: Case) -> dt.date:
    dates = [d for d in (case.control_start, case.decision_date, case.received_on) if d is not None]
    return min(dates)


def violation_record(
    *,
    actor: User | None,
    case: Case,
    kind: str,
    source: str,
    occurred_on: dt.date,
    description: str,
    source_ref: str = "",
    evidence: str = "",
    candidate: bool = False,
    malicious: bool = False,
) -> Violation:
    """Record a violation of the conditions of probation. ``actor`` None is the system (a job).

    ``candidate=True`` records a candidate an officer must confirm or dismiss with a reason (a
    monitoring alert, an employment deadline passed); ``candidate=False`` a violation the officer
    has established (an appointment outcome "unacceptable absence", the officer's own finding).
    Idempotent: with a non-empty ``source_ref`` a second call for the same (case, source,
    source_ref) returns the existing violation and writes nothing."""
    source_ref = (source_ref or "").strip()
    description = (description or "").strip()
    evidence = (evidence or "").strip()
    with transaction.atomic():
        # The case row lock serialises two callers recording the same source at once, and the
        # permission is judged on the case as it is now.
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        if actor is not None and not may(actor, CaseAction.EDIT, locked):
            raise PermissionDeniedError(_("You may not change this case."))
        if source_ref:
            existing = Violation.objects.filter(case=locked, source=source, source_ref=source_ref).first()
            if existing is not None:
                return existing
        if kind not in ViolationKind.values:
            raise DomainError(_("Choose the kind of violation."), field="kind")
        if source not in ViolationSource.values:
            raise DomainError(_("Choose where the violation was reported from."), field="source")
        if len(source_ref) > 100:
            raise DomainError(_("The source reference is too long."), field="source_ref")
        if not description:
            raise DomainError(_("Describe what happened."), field="description")
        if len(description) > MAX_TEXT or len(evidence) > MAX_TEXT:
            raise DomainError(_("The text is too long."), field="description")
        if locked.status in TERMINAL:
            raise DomainError(_("A finished case cannot take a new violation."), code="case_finished")
        if occurred_on > local_today():
            raise DomainError(_("A violation cannot be dated in the future."), field="occurred_on")
        earliest = _earliest_violation_date(locked)
        if occurred_on < earliest:
            raise DomainError(
                _("A violation cannot be dated before probation began (%(date)s).")
                % {"date": earliest.strftime("%d.%m.%Y")},
                field="occurred_on",
            )
        status = ViolationStatus.CANDIDATE if candidate else ViolationStatus.CONFIRMED
        violation = Violation.objects.create(
            case=locked,
            kind=kind,
            source=source,
            source_ref=source_ref,
            occurred_on=occurred_on,
            description=description,
            evidence=evidence,
            malicious=bool(malicious),
            status=status,
            status_changed_at=timezone.now(),
            recorded_by=actor,
        )
        ViolationStatusChange.objects.create(
            violation=violation,
            from_status="",
            to_status=status,
            reason=_("Violation candidate recorded") if candidate else _("Violation recorded"),
            effective_on=local_today(),
            by=actor,
        )
        audit_record(
            actor=actor,
            action="violation.record",
            subject=violation,
            changes=diff({}, snapshot(violation, VIOLATION_FIELDS)),
            details={"case_id": locked.pk},
        )
    return violation


def _authorizer(actor: User):  # type: ignore[no-untyped-def]
    def authorize(locked: Violation) -> None:
        if not may(actor, CaseAction.EDIT, locked.case):
            raise PermissionDeniedError(_("You may not change this case."))

    return authorize


def violation_confirm(*, actor: User, violation: Violation, reason: str, malicious: bool | None = None) -> Violation:
    """An officer confirms a candidate (it now counts towards the ladder), saying why; ``malicious``
    marks it malicious at the same time."""

    def apply(locked: Violation, move: Move) -> None:
        locked.status_changed_at = timezone.now()
        if malicious is not None:
            locked.malicious = bool(malicious)

    return VIOLATION_LIFECYCLE.move(
        actor=actor,
        obj=violation,
        to_state=ViolationStatus.CONFIRMED,
        reason=reason,
        effective_on=local_today(),
        apply=apply,
        authorize=_authorizer(actor),
        details={"case_id": violation.case_id},
    )


def violation_dismiss(*, actor: User, violation: Violation, reason: str) -> Violation:
    """An officer dismisses a candidate (a false alarm, a good reason), saying why."""

    def apply(locked: Violation, move: Move) -> None:
        locked.status_changed_at = timezone.now()

    return VIOLATION_LIFECYCLE.move(
        actor=actor,
        obj=violation,
        to_state=ViolationStatus.DISMISSED,
        reason=reason,
        effective_on=local_today(),
        apply=apply,
        authorize=_authorizer(actor),
        details={"case_id": violation.case_id},
    )


def violation_explain(*, actor: User, violation: Violation, explanation: str, received_on: dt.date) -> Violation:
    """Record the person's written explanation of a confirmed violation."""
    explanation = (explanation or "").strip()
    if not explanation:
        raise DomainError(_("Enter the person's explanation."), field="explanation")
    if len(explanation) > MAX_TEXT:
        raise DomainError(_("The text is too long."), field="explanation")
    if received_on > local_today():
        raise DomainError(_("The explanation cannot be received in the future."), field="received_on")

    def apply(locked: Violation, move: Move) -> None:
        if received_on < locked.occurred_on:
            raise DomainError(_("The explanation cannot be received before the violation."), field="received_on")
        locked.explanation = explanation
        locked.explanation_received_on = received_on
        locked.status_changed_at = timezone.now()

    return VIOLATION_LIFECYCLE.move(
        actor=actor,
        obj=violation,
        to_state=ViolationStatus.EXPLAINED,
        reason=_("The person's explanation received"),
        effective_on=received_on,
        apply=apply,
        authorize=_authorizer(actor),
        details={"case_id": violation.case_id},
    )


def violation_transition(*, actor: User, violation: Violation, to_status: str, reason: str) -> Violation:
    """The page's and the API's one entry for an officer's decision on a violation."""
    if to_status == ViolationStatus.CONFIRMED:
        return violation_confirm(actor=actor, violation=violation, reason=reason)
    if to_status == ViolationStatus.DISMISSED:
        return violation_dismiss(actor=actor, violation=violation, reason=reason)
    if to_status in ViolationStatus.values:
        # Explained and responded are reached through the explanation and the ladder's steps.
        raise DomainError(_("This status is set by recording an explanation or a step."), field="to_status")
    raise DomainError(_("Unknown status."), field="to_status")


# --- The ladder -------------------------------------------------------------------------------------


@dataclass
class StepInput:
    """What the officer enters for a step (the form and the API both build one)."""

    step: str
    violations: list[int] = field(default_factory=list)
    taken_on: dt.date | None = None
    reason: str = ""
    document_number: str = ""
    requested_outcome: str = ""
    # The court's outcome: granted or refused, and when granted the decision's particulars.
    result: str = ""
    court: str = ""
    decision_number: str = ""
    decision_date: dt.date | None = None
    effective_date: dt.date | None = None
    extension_months: int | None = None
    new_term_months: int | None = None


STEP_FIELDS = ["step", "taken_on", "reason", "document_number", "requested_outcome", "result"]
ANSWERABLE = (ViolationStatus.CONFIRMED, ViolationStatus.EXPLAINED)


def _respond(violations: list[Violation], *, actor: User, step: EnforcementStep) -> dict[int, list[str]]:
    """Mark the violations answered by ``step`` (one history row each; the step's audit event
    lists them, so the step stays one audited act)."""
    moved: dict[int, list[str]] = {}
    reason = _("Answered by: %(step)s") % {"step": step.get_step_display()}
    for v in violations:
        if v.status == ViolationStatus.RESPONDED:
            continue
        VIOLATION_LIFECYCLE.check(v.status, ViolationStatus.RESPONDED)
        ViolationStatusChange.objects.create(
            violation=v,
            from_status=v.status,
            to_status=ViolationStatus.RESPONDED,
            reason=reason,
            effective_on=step.taken_on,
            by=actor,
        )
        moved[v.pk] = [v.status, ViolationStatus.RESPONDED]
        v.status = ViolationStatus.RESPONDED
        v.status_changed_at = timezone.now()
        v.save(update_fields=["status", "status_changed_at", "updated_at"])
    return moved


def _chosen_violations(case: Case, ids: list[int], *, allowed: tuple[str, ...]) -> list[Violation]:
    wanted = {int(i) for i in ids}
    if not wanted:
        raise DomainError(_("Choose the violations this step answers."), field="violations")
    found = list(Violation.objects.select_for_update().filter(case=case, pk__in=wanted).order_by("occurred_on", "id"))
    if len(found) != len(wanted) or any(v.status not in allowed for v in found):
        raise DomainError(
            _("Choose confirmed violations of this case that are still to be answered."), field="violations"
        )
    return found


def _court_decision_input(data: StepInput, submission: EnforcementStep) -> DecisionInput:
    if not data.decision_date:
        raise DomainError(_("Enter the date of the court's decision."), field="decision_date")
    decision = DecisionInput(
        kind=DecisionKind.SENTENCE_REPLACED,
        court=data.court,
        number=data.decision_number,
        decision_date=data.decision_date,
        effective_date=data.effective_date,
        note=data.reason,
    )
    outcome = submission.requested_outcome
    if outcome == RequestedOutcome.EXTEND_CONTROL:
        decision.kind = DecisionKind.EXTENSION
        decision.extension_months = data.extension_months
    elif outcome == RequestedOutcome.CANCEL_CONDITIONAL:
        decision.kind = DecisionKind.CONDITIONAL_CANCELLED
    else:
        decision.new_sentence_kind = SentenceKind.IMPRISONMENT
        decision.new_term_months = data.new_term_months
    return decision


def enforcement_step(*, actor: User, case: Case, data: StepInput) -> EnforcementStep:
    """Take one step of the ladder on the case, with a reason: a warning, a written warning (only
    for the sentences the rulebook lists), a submission to court (only once the threshold is
    reached, asking for an outcome the rulebook allows for the sentence) or the court's outcome of
    the pending submission (granted: recorded as a court decision on the case)."""
    if data.step not in Step.values:
        raise DomainError(_("Choose the step."), field="step")
    reason = (data.reason or "").strip()
    document_number = (data.document_number or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the change."), field="reason")
    if len(reason) > MAX_TEXT:
        raise DomainError(_("The text is too long."), field="reason")
    if len(document_number) > 64:
        raise DomainError(_("The document number is too long."), field="document_number")
    today = local_today()
    on = data.taken_on or today
    if on > today:
        raise DomainError(_("A step cannot be dated in the future."), field="taken_on")
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        if not may(actor, CaseAction.EDIT, locked):
            raise PermissionDeniedError(_("You may not change this case."))
        if locked.status in TERMINAL:
            raise DomainError(_("A finished case cannot take a new step."), code="case_finished")
        kind = ladder.sentence_kind_now(locked)
        step = EnforcementStep(
            case=locked,
            step=data.step,
            taken_on=on,
            reason=reason,
            document_number=document_number,
            recorded_by=actor,
        )
        violations: list[Violation]
        decision = None
        if data.step in (Step.WARNING, Step.WRITTEN_WARNING):
            if data.step == Step.WRITTEN_WARNING and not ladder.written_warning_allowed(kind, on=on):
                raise DomainError(
                    _("A written warning of replacement is issued only for the sentences %(source)s names.")
                    % {"source": rule(WRITTEN_WARNING, on=on).source},
                    field="step",
                    code="step_not_allowed",
                )
            violations = _chosen_violations(locked, data.violations, allowed=ANSWERABLE)
            version = rule(WRITTEN_WARNING if data.step == Step.WRITTEN_WARNING else LADDER, on=on)
        elif data.step == Step.SUBMISSION:
            version = rule(LADDER, on=on)
            allowed_outcomes = ladder.submission_outcomes(kind, on=on)
            if data.requested_outcome not in allowed_outcomes:
                raise DomainError(
                    _("The court cannot be asked for this for the sentence in force (%(source)s).")
                    % {"source": version.source},
                    field="requested_outcome",
                    code="step_not_allowed",
                )
            if ladder.pending_submission(locked) is not None:
                raise DomainError(
                    _("A submission is already waiting for the court's outcome."), field="step", code="pending"
                )
            violations = _chosen_violations(locked, data.violations, allowed=ESTABLISHED)
            if any(v.steps.filter(step=Step.SUBMISSION).exists() for v in violations):
                raise DomainError(_("A violation was already put before the court."), field="violations")
            grounds = ladder.submission_due(locked, on, violations=violations)
            if not grounds.due:
                raise DomainError(
                    _(
                        "A submission needs %(count)s confirmed violations or %(malicious)s malicious one(s) "
                        "(%(source)s)."
                    )
                    % {"count": grounds.threshold, "malicious": grounds.malicious_threshold, "source": grounds.source},
                    field="violations",
                    code="threshold_not_reached",
                )
            step.requested_outcome = data.requested_outcome
        else:
            version = rule(LADDER, on=on)
            submission = ladder.pending_submission(locked)
            if submission is None:
                raise DomainError(_("There is no submission waiting for the court's outcome."), field="step")
            if data.result not in CourtResult.values:
                raise DomainError(_("Choose the court's result."), field="result")
            if on < submission.taken_on:
                raise DomainError(_("The outcome cannot be dated before the submission."), field="taken_on")
            step.submission = submission
            step.result = data.result
            step.requested_outcome = submission.requested_outcome
            violations = list(submission.violations.all())
            if data.result == CourtResult.GRANTED:
                decision = court_decision_record(actor=actor, case=locked, data=_court_decision_input(data, submission))
                step.court_decision = decision
                if not step.document_number:
                    step.document_number = decision.number
        if any(v.occurred_on > on for v in violations):
            raise DomainError(_("A step cannot be dated before the violation it answers."), field="taken_on")
        step.rule_key, step.rule_version = version.key, version.version
        step.save()
        step.violations.set(violations)
        moved = _respond(violations, actor=actor, step=step) if data.step != Step.COURT_OUTCOME else {}
        audit_record(
            actor=actor,
            action=f"enforcement.{data.step}",
            subject=step,
            changes=diff({}, snapshot(step, STEP_FIELDS)),
            details={
                "case_id": locked.pk,
                "violations": sorted(v.pk for v in violations),
                "responded": {str(k): v for k, v in moved.items()},
                "court_decision_id": decision.pk if decision else None,
            },
        )
    return step


def enforcement_warn(
    *,
    actor: User,
    case: Case,
    violations: list[int],
    reason: str,
    taken_on: dt.date | None = None,
    document_number: str = "",
) -> EnforcementStep:
    return enforcement_step(
        actor=actor,
        case=case,
        data=StepInput(
            step=Step.WARNING, violations=violations, reason=reason, taken_on=taken_on, document_number=document_number
        ),
    )


def enforcement_written_warning(
    *,
    actor: User,
    case: Case,
    violations: list[int],
    reason: str,
    taken_on: dt.date | None = None,
    document_number: str = "",
) -> EnforcementStep:
    return enforcement_step(
        actor=actor,
        case=case,
        data=StepInput(
            step=Step.WRITTEN_WARNING,
            violations=violations,
            reason=reason,
            taken_on=taken_on,
            document_number=document_number,
        ),
    )


def enforcement_submit(
    *,
    actor: User,
    case: Case,
    violations: list[int],
    requested_outcome: str,
    reason: str,
    taken_on: dt.date | None = None,
    document_number: str = "",
) -> EnforcementStep:
    return enforcement_step(
        actor=actor,
        case=case,
        data=StepInput(
            step=Step.SUBMISSION,
            violations=violations,
            requested_outcome=requested_outcome,
            reason=reason,
            taken_on=taken_on,
            document_number=document_number,
        ),
    )


def enforcement_court_outcome(*, actor: User, case: Case, data: StepInput) -> EnforcementStep:
    data.step = Step.COURT_OUTCOME
    return enforcement_step(actor=actor, case=case, data=data)


# --- Wanted (PEC art. 163) --------------------------------------------------------------------------


def case_mark_wanted(*, actor: User, case: Case, reason: str, effective_on: dt.date | None = None) -> Case:
    """Declare the person wanted: the case moves to "wanted" with a reason (the case's pipeline)."""
    return case_transition(
        actor=actor, case=case, to_status=CaseStatus.WANTED, reason=reason, effective_on=effective_on
    )


def case_mark_found(*, actor: User, case: Case, reason: str, effective_on: dt.date | None = None) -> Case:
    """The person is found: control resumes (wanted → active) with a reason."""
    if case.status != CaseStatus.WANTED:
        raise DomainError(
            _("Only a case whose person is wanted can resume this way."), field="to_status", code="illegal_transition"
        )
    return case_transition(
        actor=actor, case=case, to_status=CaseStatus.ACTIVE, reason=reason, effective_on=effective_on
    )


SEARCH_TASKS = (("search_measures", "search_measures"), ("materials_to_court", "materials_to_court"))


def wanted_scan(*, today: dt.date | None = None) -> int:
    """The daily job: every case of a person released on deferral who has not appeared by the PEC
    art. 163 deadline gets its two tasks ("initial search measures", "send the materials to court"),
    once (idempotent on the release date). Returns the number of tasks created."""
    on = today or local_today()
    created = 0
    candidates = Case.objects.filter(
        status=CaseStatus.AWAITING_REGISTRATION,
        registration_rule_key="registration.deferral_release",
        appeared_on__isnull=True,
        release_date__lt=on,
    ).select_related("office", "officer")
    for case in candidates.iterator(chunk_size=500):
        state = registration_state(case, today=on)
        if not state.search_due or state.appear_by is None:
            continue
        due = state.appear_by + dt.timedelta(days=1)
        ref = f"pec163:{case.release_date.isoformat() if case.release_date else ''}"
        for kind, title in SEARCH_TASKS:
            if CaseTask.objects.filter(case=case, kind=kind, source_ref=ref).exists():
                continue
            case_task_create(actor=None, case=case, kind=kind, title_code=title, due_on=due, source_ref=ref)
            created += 1
    return created
