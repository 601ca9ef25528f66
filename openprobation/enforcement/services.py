"""Writes on violations and the enforcement ladder: each service is atomic, checks permission and
its invariants, and records exactly one audit event."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.accounts.scoping import CaseAction, may
from openprobation.audit.services import audit_record, diff, snapshot
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Move
from openprobation.core.timeutil import local_today
from openprobation.enforcement.lifecycle import VIOLATION_LIFECYCLE
from openprobation.enforcement.models import (
    Violation,
    ViolationKind,
    ViolationSource,
    ViolationStatus,
    ViolationStatusChange,
)

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
