"""Writes on cases: each service is atomic, checks its invariants and permission, and records
exactly one audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import CaseAction, may, office_in_jurisdiction
from openprobation.audit.services import audit_record, diff, snapshot
from openprobation.cases import legal
from openprobation.cases.lifecycle import TERMINAL, can_move
from openprobation.cases.models import (
    Case,
    CaseAllocation,
    CaseNumberSequence,
    CaseStatus,
    CaseStatusChange,
    CaseTransfer,
    CaseType,
    SentenceKind,
)
from openprobation.core.exceptions import DomainError, PermissionDeniedError, TransitionError
from openprobation.core.timeutil import local_today
from openprobation.people.models import Person

KINDS_BY_TYPE: dict[str, set[str]] = {
    CaseType.PRE_TRIAL: set(),
    CaseType.SENTENCE: {
        SentenceKind.RESTRICTION_OF_LIBERTY,
        SentenceKind.CONDITIONAL,
        SentenceKind.PAROLE,
        SentenceKind.CORRECTIONAL_LABOUR,
        SentenceKind.COMMUNITY_SERVICE,
        SentenceKind.DEPRIVATION_OF_RIGHT,
        SentenceKind.DEFERRAL,
    },
    CaseType.PENITENTIARY: {SentenceKind.IMPRISONMENT},
    CaseType.POST_PENITENTIARY: {SentenceKind.IMPRISONMENT, SentenceKind.PAROLE, ""},
}

AUDITED_FIELDS = [
    "number",
    "case_type",
    "office_id",
    "officer_id",
    "status",
    "received_on",
    "court",
    "decision_number",
    "decision_date",
    "effective_date",
    "cc_articles",
    "sentence_kind",
    "term_months",
    "term_days",
    "control_months",
    "control_start",
    "control_end",
    "restraint_measure",
    "consent_given",
    "consent_date",
    "institution",
    "release_date",
    "appeared_on",
    "registration_due",
    "registered_on",
    "closed_on",
]


@dataclass
class CaseInput:
    """What a user enters to open a case (the form and the API both build one)."""

    case_type: str
    received_on: dt.date
    court: str = ""
    decision_number: str = ""
    decision_date: dt.date | None = None
    effective_date: dt.date | None = None
    cc_articles: str = ""
    sentence_kind: str = ""
    term_months: int | None = None
    term_days: int = 0
    control_months: int | None = None
    restraint_measure: str = ""
    consent_date: dt.date | None = None
    institution: str = ""
    release_date: dt.date | None = None
    appeared_on: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _next_number(office: Office, year: int) -> str:
    seq, _created = CaseNumberSequence.objects.select_for_update().get_or_create(office=office, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{office.code}-{year}-{seq.last:05d}"


def _check_dates(data: CaseInput, today: dt.date) -> None:
    if data.received_on > today:
        raise DomainError(_("The date the court order was received cannot be in the future."), field="received_on")
    if data.decision_date and data.decision_date > today:
        raise DomainError(_("The decision date cannot be in the future."), field="decision_date")
    if data.decision_date and data.received_on < data.decision_date:
        raise DomainError(_("The court order cannot be received before the decision was made."), field="received_on")
    if data.appeared_on and data.release_date and data.appeared_on < data.release_date:
        raise DomainError(_("The person cannot appear at the office before the release date."), field="appeared_on")
    if data.appeared_on and data.appeared_on > today:
        raise DomainError(_("The appearance date cannot be in the future."), field="appeared_on")


def case_open(*, actor: User, person: Person, office: Office, data: CaseInput) -> Case:
    """Open a case from a court order or other legal basis. Terms are checked against the
    rulebook (CC art. 44, 63); pre-trial eligibility is decided and explained (LoP ch. 3)."""
    if not has_cap(actor, Cap.CASE_OPEN) or not office_in_jurisdiction(actor, office):
        raise PermissionDeniedError(_("You may not open cases for this office."))
    if data.case_type not in CaseType.values:
        raise DomainError(_("Choose the type of probation."), field="case_type")
    today = local_today()
    _check_dates(data, today)
    kind = data.sentence_kind or ""
    allowed_kinds = KINDS_BY_TYPE[data.case_type]
    if data.case_type == CaseType.PRE_TRIAL:
        kind = ""
    elif kind not in allowed_kinds:
        raise DomainError(_("Choose a sentence kind that fits this type of probation."), field="sentence_kind")
    case = Case(
        person=person,
        office=office,
        case_type=data.case_type,
        received_on=data.received_on,
        court=data.court.strip(),
        decision_number=data.decision_number.strip(),
        decision_date=data.decision_date,
        effective_date=data.effective_date,
        cc_articles=data.cc_articles.strip(),
        sentence_kind=kind,
        term_months=data.term_months,
        term_days=data.term_days or 0,
        control_months=data.control_months,
        institution=data.institution.strip(),
        release_date=data.release_date,
        appeared_on=data.appeared_on,
    )
    if data.case_type == CaseType.PRE_TRIAL:
        decision = legal.pretrial_eligibility(
            person=person,
            restraint_measure=data.restraint_measure or "none",
            consent_date=data.consent_date,
            on=data.received_on,
        )
        case.restraint_measure = data.restraint_measure or "none"
        case.consent_given = data.consent_date is not None
        case.consent_date = data.consent_date
        case.eligibility = decision.as_json()
        if not decision.eligible:
            raise DomainError(
                _("Pre-trial probation cannot be applied: %(reasons)s")
                % {"reasons": " ".join(legal.explain(decision.as_json()))},
                field="restraint_measure",
                code="not_eligible",
            )
    else:
        if not data.court.strip() or not data.decision_number.strip() or data.decision_date is None:
            raise DomainError(
                _("Enter the legal basis: the court, the decision number and the decision date."), field="court"
            )
        if data.case_type == CaseType.SENTENCE:
            period = legal.control_period(
                person=person,
                sentence_kind=kind,
                decision_date=data.decision_date,
                effective_date=data.effective_date,
                term_months=data.term_months,
                term_days=data.term_days or 0,
                control_months=data.control_months,
            )
            if period is not None:
                case.control_start, case.control_end = period.start, period.end
        elif data.case_type == CaseType.PENITENTIARY and data.release_date is None:
            raise DomainError(_("Enter the expected release date."), field="release_date")
        elif data.case_type == CaseType.POST_PENITENTIARY and data.release_date is None:
            raise DomainError(_("Enter the date of release."), field="release_date")
    deadline = legal.registration_deadline(
        sentence_kind=kind, received_on=data.received_on, release_date=data.release_date, appeared_on=data.appeared_on
    )
    case.registration_due = deadline.due
    case.registration_rule = deadline.rule_label
    with transaction.atomic():
        case.number = _next_number(office, data.received_on.year)
        case.status = CaseStatus.AWAITING_REGISTRATION
        case.status_changed_at = timezone.now()
        case.save()
        CaseStatusChange.objects.create(
            case=case,
            from_status="",
            to_status=CaseStatus.AWAITING_REGISTRATION,
            reason=_("Case opened"),
            effective_on=data.received_on,
            by=actor,
        )
        audit_record(
            actor=actor,
            action="case.open",
            subject=case,
            changes=diff({}, snapshot(case, AUDITED_FIELDS)),
            details={"person_id": person.pk},
        )
    return case


def case_transition(
    *, actor: User, case: Case, to_status: str, reason: str, effective_on: dt.date | None = None
) -> Case:
    """Move a case along the declared pipeline (``lifecycle.ALLOWED_TRANSITIONS``) with a reason."""
    if not may(actor, CaseAction.TRANSITION, case):
        raise PermissionDeniedError(_("You may not change the status of this case."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the change."), field="reason")
    if to_status not in CaseStatus.values:
        raise DomainError(_("Unknown status."), field="to_status")
    on = effective_on or local_today()
    if on > local_today():
        raise DomainError(_("The date of the change cannot be in the future."), field="effective_on")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not can_move(locked.status, to_status):
            raise TransitionError(
                _("A case that is “%(from)s” cannot become “%(to)s”.")
                % {"from": locked.get_status_display(), "to": CaseStatus(to_status).label},
                field="to_status",
                code="illegal_transition",
            )
        if to_status == CaseStatus.REGISTERED and on < locked.received_on:
            raise DomainError(
                _("A case cannot be registered before the court order was received (%(date)s).")
                % {"date": locked.received_on.strftime("%d.%m.%Y")},
                field="effective_on",
            )
        before = snapshot(locked, AUDITED_FIELDS)
        from_status = locked.status
        locked.status = to_status
        locked.status_changed_at = timezone.now()
        if to_status == CaseStatus.REGISTERED:
            locked.registered_on = on
        if to_status in TERMINAL:
            locked.closed_on = on
        locked.save()
        CaseStatusChange.objects.create(
            case=locked, from_status=from_status, to_status=to_status, reason=reason, effective_on=on, by=actor
        )
        audit_record(
            actor=actor,
            action="case.transition",
            subject=locked,
            changes=diff(before, snapshot(locked, AUDITED_FIELDS)),
            details={"reason": reason},
        )
    case.refresh_from_db()
    return case


def case_register(*, actor: User, case: Case, registered_on: dt.date, reason: str = "") -> Case:
    """Register the case (the deadline is shown from PEC art. 163 / the office rule)."""
    return case_transition(
        actor=actor,
        case=case,
        to_status=CaseStatus.REGISTERED,
        reason=reason or _("Registered with the probation service"),
        effective_on=registered_on,
    )


def case_allocate(*, actor: User, case: Case, officer: User | None, reason: str) -> Case:
    """Allocate (or re-allocate) the case to an officer of the case's office."""
    if not may(actor, CaseAction.ALLOCATE, case):
        raise PermissionDeniedError(_("You may not allocate this case."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the change."), field="reason")
    if case.status in TERMINAL:
        raise DomainError(_("A finished case cannot be allocated."), code="case_finished")
    if officer is not None:
        if not officer.is_active or officer.office_id != case.office_id or not has_cap(officer, Cap.CASE_EDIT_OWN):
            raise DomainError(_("Choose an active officer of the case's office."), field="officer")
        if officer.pk == case.officer_id:
            raise DomainError(_("The case is already allocated to this officer."), field="officer")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        previous = locked.officer
        locked.officer = officer
        locked.save(update_fields=["officer", "updated_at"])
        CaseAllocation.objects.create(case=locked, officer=officer, previous_officer=previous, reason=reason, by=actor)
        audit_record(
            actor=actor,
            action="case.allocate",
            subject=locked,
            changes={"officer": [str(previous) if previous else None, str(officer) if officer else None]},
            details={"reason": reason, "officer_id": officer.pk if officer else None},
        )
    case.refresh_from_db()
    return case


def case_transfer(*, actor: User, case: Case, to_office: Office, reason: str) -> Case:
    """Transfer the case to another probation office (the person moved). The case keeps its
    status, loses its officer (the new office allocates) and both offices keep its history."""
    if not may(actor, CaseAction.TRANSFER, case):
        raise PermissionDeniedError(_("You may not transfer this case."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the change."), field="reason")
    if case.status in TERMINAL:
        raise DomainError(_("A finished case cannot be transferred."), code="case_finished")
    if to_office.pk == case.office_id:
        raise DomainError(_("The case is already in this office."), field="to_office")
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        from_office = locked.office
        previous_officer = locked.officer
        locked.office = to_office
        locked.officer = None
        locked.save(update_fields=["office", "officer", "updated_at"])
        CaseTransfer.objects.create(case=locked, from_office=from_office, to_office=to_office, reason=reason, by=actor)
        if previous_officer is not None:
            CaseAllocation.objects.create(
                case=locked, officer=None, previous_officer=previous_officer, reason=reason, by=actor
            )
        audit_record(
            actor=actor,
            action="case.transfer",
            subject=locked,
            changes={
                "office": [from_office.code, to_office.code],
                "officer": [str(previous_officer) if previous_officer else None, None],
            },
            details={"reason": reason},
        )
    case.refresh_from_db()
    return case


def registration_overdue_scan(*, today: dt.date | None = None) -> int:
    """Count cases past their registration deadline (the worker runs this daily and logs it;
    the caseload shows the same flag)."""
    on = today or local_today()
    return Case.objects.filter(status=CaseStatus.AWAITING_REGISTRATION, registration_due__lt=on).count()
