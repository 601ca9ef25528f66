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
from openprobation.accounts.roles import Cap, carries_cases, has_cap
from openprobation.accounts.scoping import CaseAction, may, office_in_jurisdiction
from openprobation.audit.services import audit_record, diff, snapshot
from openprobation.cases import legal
from openprobation.cases.lifecycle import CASE_LIFECYCLE, TERMINAL
from openprobation.cases.models import (
    Case,
    CaseAllocation,
    CaseNumberSequence,
    CaseStatus,
    CaseStatusChange,
    CaseTask,
    CaseTransfer,
    CaseType,
    CourtDecision,
    DecisionKind,
    SentenceKind,
    TaskStatus,
)
from openprobation.cases.terms import CaseTerms, current_terms, registration_overdue_q
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Move
from openprobation.core.timeutil import local_today
from openprobation.people.models import Person

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
    "replaces_punishment",
    "offence_date",
    "term_months",
    "term_days",
    "term_hours",
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
    replaces_punishment: bool = False
    offence_date: dt.date | None = None
    term_months: int | None = None
    term_days: int = 0
    term_hours: int | None = None
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
    if data.offence_date and data.offence_date > today:
        raise DomainError(_("The offence date cannot be in the future."), field="offence_date")


def case_locked_for_change(actor: User, case: Case) -> Case:
    """The case row locked for a change by another app's service, judged again under the lock:
    refused when the actor may not edit it, or when it is finished."""
    locked = Case.objects.select_for_update().select_related("office", "person").get(pk=case.pk)
    if not may(actor, CaseAction.EDIT, locked):
        raise PermissionDeniedError(_("You may not change this case."))
    if locked.status in TERMINAL:
        raise DomainError(_("A finished case cannot be changed."), code="case_finished")
    return locked


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
    allowed_kinds = legal.kinds_for_type(data.case_type, on=data.received_on)
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
        replaces_punishment=bool(data.replaces_punishment and kind == SentenceKind.RESTRICTION_OF_LIBERTY),
        offence_date=data.offence_date,
        term_months=data.term_months,
        term_days=data.term_days or 0,
        term_hours=data.term_hours,
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
        if data.case_type == CaseType.PENITENTIARY and data.release_date is None:
            raise DomainError(_("Enter the expected release date."), field="release_date")
        if data.case_type == CaseType.POST_PENITENTIARY and data.release_date is None:
            raise DomainError(_("Enter the date of release."), field="release_date")
        period = legal.control_period(
            person=person,
            sentence_kind=kind,
            decision_date=data.decision_date,
            effective_date=data.effective_date,
            term_months=data.term_months,
            term_days=data.term_days or 0,
            control_months=data.control_months,
            release_date=data.release_date,
            offence_date=data.offence_date,
            replaces_punishment=case.replaces_punishment,
            term_hours=data.term_hours,
        )
        if period is not None:
            case.control_start, case.control_end = period.start, period.end
            case.ordered_control_start, case.ordered_control_end = period.start, period.end
            case.control_rule_key, case.control_rule_version = period.rule_key, period.rule_version
    deadline = legal.registration_deadline(
        sentence_kind=kind, received_on=data.received_on, release_date=data.release_date, appeared_on=data.appeared_on
    )
    case.registration_due = deadline.due
    case.registration_rule_key, case.registration_rule_version = deadline.rule_key, deadline.rule_version
    # An officer who carries cases and opens one for their own office carries it from the start;
    # anyone else leaves it for the head of office to allocate.
    takes_it = carries_cases(actor) and actor.office_id == office.pk
    with transaction.atomic():
        case.number = _next_number(office, data.received_on.year)
        case.status = CaseStatus.AWAITING_REGISTRATION
        case.status_changed_at = timezone.now()
        case.officer = actor if takes_it else None
        case.save()
        CaseStatusChange.objects.create(
            case=case,
            from_status="",
            to_status=CaseStatus.AWAITING_REGISTRATION,
            reason=_("Case opened"),
            effective_on=data.received_on,
            by=actor,
        )
        if takes_it:
            CaseAllocation.objects.create(
                case=case,
                officer=actor,
                previous_officer=None,
                reason=_("Opened by the officer who carries it"),
                by=actor,
            )
        audit_record(
            actor=actor,
            action="case.open",
            subject=case,
            changes=diff({}, snapshot(case, AUDITED_FIELDS)),
            details={"person_id": person.pk, "officer_id": case.officer_id},
        )
    return case


def case_transition(
    *, actor: User, case: Case, to_status: str, reason: str, effective_on: dt.date | None = None
) -> Case:
    """Move a case along the declared pipeline (``lifecycle.CASE_LIFECYCLE``) with a reason."""
    if not may(actor, CaseAction.TRANSITION, case):
        raise PermissionDeniedError(_("You may not change the status of this case."))
    on = effective_on or local_today()
    if on > local_today():
        raise DomainError(_("The date of the change cannot be in the future."), field="effective_on")

    def apply(locked: Case, move: Move) -> None:
        if move.to_state == CaseStatus.REGISTERED and on < locked.received_on:
            raise DomainError(
                _("A case cannot be registered before the court order was received (%(date)s).")
                % {"date": locked.received_on.strftime("%d.%m.%Y")},
                field="effective_on",
            )
        # A status cannot change before the case existed, nor before its previous change.
        if on < locked.received_on:
            raise DomainError(
                _("The status cannot change before the court order was received (%(date)s).")
                % {"date": locked.received_on.strftime("%d.%m.%Y")},
                field="effective_on",
            )
        last = locked.status_history.order_by("-effective_on").values_list("effective_on", flat=True).first()
        if last is not None and on < last:
            raise DomainError(
                _("The status cannot change before its previous change (%(date)s).")
                % {"date": last.strftime("%d.%m.%Y")},
                field="effective_on",
            )
        locked.status_changed_at = timezone.now()
        if move.to_state == CaseStatus.REGISTERED:
            locked.registered_on = on
        if move.to_state in TERMINAL:
            locked.closed_on = on

    def authorize(locked: Case) -> None:
        # Judged again under the row lock: a transfer committed meanwhile takes the case away.
        if not may(actor, CaseAction.TRANSITION, locked):
            raise PermissionDeniedError(_("You may not change the status of this case."))

    CASE_LIFECYCLE.move(
        actor=actor,
        obj=case,
        to_state=to_status,
        reason=reason,
        effective_on=on,
        apply=apply,
        authorize=authorize,
        illegal_message=lambda frm, to: (
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": CASE_LIFECYCLE.label(frm), "to": CASE_LIFECYCLE.label(to)}
        ),
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
        if not officer.is_active or officer.office_id != case.office_id or not carries_cases(officer):
            raise DomainError(_("Choose an active officer of the case's office."), field="officer")
        if officer.pk == case.officer_id:
            raise DomainError(_("The case is already allocated to this officer."), field="officer")
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        # Judged again under the row lock (a transfer may have been committed meanwhile).
        if not may(actor, CaseAction.ALLOCATE, locked):
            raise PermissionDeniedError(_("You may not allocate this case."))
        if locked.status in TERMINAL:
            raise DomainError(_("A finished case cannot be allocated."), code="case_finished")
        if officer is not None and officer.office_id != locked.office_id:
            raise DomainError(_("Choose an active officer of the case's office."), field="officer")
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
        # Judged again under the row lock: two heads transferring at once, one after the other.
        if not may(actor, CaseAction.TRANSFER, locked):
            raise PermissionDeniedError(_("You may not transfer this case."))
        if locked.status in TERMINAL:
            raise DomainError(_("A finished case cannot be transferred."), code="case_finished")
        if to_office.pk == locked.office_id:
            raise DomainError(_("The case is already in this office."), field="to_office")
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


def case_record_appearance(*, actor: User, case: Case, appeared_on: dt.date) -> Case:
    """Record the day a person released on deferral appeared at the office: it starts the
    3-working-day registration deadline (PEC art. 163)."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        if not may(actor, CaseAction.EDIT, locked):
            raise PermissionDeniedError(_("You may not change this case."))
        if locked.status != CaseStatus.AWAITING_REGISTRATION:
            raise DomainError(
                _("The appearance is recorded only while the case awaits registration."), code="not_awaiting"
            )
        if locked.release_date is None:
            raise DomainError(
                _("Enter the release date first: the appearance is counted from it."), field="appeared_on"
            )
        if appeared_on > local_today():
            raise DomainError(_("The appearance date cannot be in the future."), field="appeared_on")
        if appeared_on < locked.release_date:
            raise DomainError(_("The person cannot appear at the office before the release date."), field="appeared_on")
        before = snapshot(locked, AUDITED_FIELDS)
        deadline = legal.registration_deadline(
            sentence_kind=locked.sentence_kind,
            received_on=locked.received_on,
            release_date=locked.release_date,
            appeared_on=appeared_on,
        )
        locked.appeared_on = appeared_on
        locked.registration_due = deadline.due
        locked.registration_rule_key, locked.registration_rule_version = deadline.rule_key, deadline.rule_version
        locked.save()
        audit_record(
            actor=actor,
            action="case.appearance",
            subject=locked,
            changes=diff(before, snapshot(locked, AUDITED_FIELDS)),
        )
    case.refresh_from_db()
    return case


@dataclass
class DecisionInput:
    """A later court decision as the form and the API enter it."""

    kind: str
    court: str
    number: str
    decision_date: dt.date
    effective_date: dt.date | None = None
    extension_months: int | None = None
    new_control_end: dt.date | None = None
    new_sentence_kind: str = ""
    new_term_months: int | None = None
    duties_added: list[str] = field(default_factory=list)
    duties_removed: list[str] = field(default_factory=list)
    note: str = ""


def _check_decision(case: Case, data: DecisionInput, terms: CaseTerms, today: dt.date) -> None:
    if data.kind not in DecisionKind.values:
        raise DomainError(_("Choose the kind of decision."), field="kind")
    if not data.court.strip() or not data.number.strip():
        raise DomainError(_("Enter the court and the decision number."), field="court")
    effective = data.effective_date or data.decision_date
    if data.decision_date > today or effective > today:
        raise DomainError(
            _("Record a decision once it is in force: its dates cannot be in the future."), field="effective_date"
        )
    if effective < data.decision_date:
        raise DomainError(_("The date of legal effect cannot be before the decision date."), field="effective_date")
    if case.decision_date and data.decision_date < case.decision_date:
        raise DomainError(
            _("A later decision cannot be dated before the original decision (%(date)s).")
            % {"date": case.decision_date.strftime("%d.%m.%Y")},
            field="decision_date",
        )
    needs_period = {DecisionKind.EXTENSION, DecisionKind.SHORTENED, DecisionKind.CONDITIONAL_CANCELLED}
    if data.kind in needs_period and terms.control_end is None:
        raise DomainError(_("This case has no probation-control period to change."), field="kind")
    if data.kind == DecisionKind.EXTENSION:
        limit = legal.rule("sentence.control_extension", on=data.decision_date)
        if not data.extension_months or not 1 <= data.extension_months <= int(limit["max_months"]):
            raise DomainError(
                _("An extension is 1 to %(max)s months (%(source)s).")
                % {"max": limit["max_months"], "source": limit.source},
                field="extension_months",
                code="term_out_of_bounds",
            )
    if data.kind == DecisionKind.SHORTENED:
        if data.new_control_end is None:
            raise DomainError(_("Enter the new end of probation control."), field="new_control_end")
        start, end = terms.control_start, terms.control_end
        if (start and data.new_control_end < start) or (end and data.new_control_end >= end):
            raise DomainError(
                _("The new end must fall within the current control period and before its end."),
                field="new_control_end",
            )
    if data.kind == DecisionKind.CONDITIONAL_CANCELLED and terms.sentence_kind != SentenceKind.CONDITIONAL:
        raise DomainError(_("Only a conditional sentence can be cancelled this way."), field="kind")
    if data.kind == DecisionKind.SENTENCE_REPLACED:
        if data.new_sentence_kind not in SentenceKind.values:
            raise DomainError(_("Choose the punishment that replaces the sentence."), field="new_sentence_kind")
        if data.new_sentence_kind != SentenceKind.IMPRISONMENT and not data.new_term_months:
            raise DomainError(_("Enter the term of the new punishment in months."), field="new_term_months")
    if data.kind == DecisionKind.DUTIES_CHANGED and not (data.duties_added or data.duties_removed):
        raise DomainError(_("Enter the duties the court added or removed."), field="duties_added")


def court_decision_record(*, actor: User, case: Case, data: DecisionInput) -> CourtDecision:
    """Record a court decision made after the case was opened (control extended or shortened,
    duties changed, the sentence replaced, a conditional sentence cancelled). The case's current
    control period is derived again from the original order and every decision in force
    (``terms.current_terms``); the row keeps it only for sorting and work queues."""
    with transaction.atomic():
        # Judged on the row as it is now (locked), not on what the caller loaded earlier: a case
        # transferred away in between is no longer this office's to change.
        locked = Case.objects.select_for_update().select_related("office", "person").get(pk=case.pk)
        if not may(actor, CaseAction.EDIT, locked):
            raise PermissionDeniedError(_("You may not change this case."))
        if locked.status in TERMINAL:
            raise DomainError(_("A finished case cannot take a new decision."), code="case_finished")
        _check_decision(locked, data, current_terms(locked), local_today())
        before = snapshot(locked, AUDITED_FIELDS)
        decision = CourtDecision.objects.create(
            case=locked,
            kind=data.kind,
            court=data.court.strip(),
            number=data.number.strip(),
            decision_date=data.decision_date,
            effective_date=data.effective_date or data.decision_date,
            extension_months=data.extension_months if data.kind == DecisionKind.EXTENSION else None,
            new_control_end=data.new_control_end if data.kind == DecisionKind.SHORTENED else None,
            new_sentence_kind=data.new_sentence_kind if data.kind == DecisionKind.SENTENCE_REPLACED else "",
            new_term_months=data.new_term_months if data.kind == DecisionKind.SENTENCE_REPLACED else None,
            duties_added=[d.strip() for d in data.duties_added if d.strip()],
            duties_removed=[d.strip() for d in data.duties_removed if d.strip()],
            note=data.note.strip(),
            recorded_by=actor,
        )
        terms = current_terms(locked, decisions=list(locked.decisions.all()))
        locked.control_start, locked.control_end = terms.control_start, terms.control_end
        locked.save(update_fields=["control_start", "control_end", "updated_at"])
        audit_record(
            actor=actor,
            action="case.decision",
            subject=locked,
            changes=diff(before, snapshot(locked, AUDITED_FIELDS)),
            details={
                "decision_id": decision.pk,
                "kind": decision.kind,
                "number": decision.number,
                "decision_date": decision.decision_date,
                "effective_date": decision.effective_date,
            },
        )
    case.refresh_from_db()
    return decision


def registration_overdue_scan(*, today: dt.date | None = None) -> int:
    """Count cases past their registration deadline (the worker runs this daily and logs it;
    the caseload shows the same flag)."""
    on = today or local_today()
    return Case.objects.filter(registration_overdue_q(today=on)).count()


TASK_FIELDS = ["kind", "title_code", "due_on", "assignee_id", "status", "source_ref"]
MAX_TASK_DAYS_AHEAD = 3660


def case_task_create(
    *,
    actor: User | None,
    case: Case,
    kind: str,
    title_code: str,
    due_on: dt.date,
    assignee: User | None = None,
    source_ref: str = "",
) -> CaseTask:
    """Create a task on the case for its officer (or ``assignee``). ``actor`` None is the system
    (a nightly job). Idempotent: with a non-empty ``source_ref`` a second call for the same
    (case, kind, source_ref) returns the existing task and writes nothing."""
    kind = (kind or "").strip()
    title_code = (title_code or "").strip() or kind
    source_ref = (source_ref or "").strip()
    if not kind or len(kind) > 48 or len(title_code) > 64 or len(source_ref) > 100:
        raise DomainError(_("Choose the kind of task."), field="kind")
    with transaction.atomic():
        # The case row lock serialises two callers creating the same task at once.
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        if actor is not None and not may(actor, CaseAction.EDIT, locked):
            raise PermissionDeniedError(_("You may not change this case."))
        if source_ref:
            existing = CaseTask.objects.filter(case=locked, kind=kind, source_ref=source_ref).first()
            if existing is not None:
                return existing
        if locked.status in TERMINAL:
            raise DomainError(_("A finished case cannot take a new task."), code="case_finished")
        if (due_on - local_today()).days > MAX_TASK_DAYS_AHEAD:
            raise DomainError(_("The due date is too far ahead."), field="due_on")
        who = assignee if assignee is not None else locked.officer
        if who is not None and (not who.is_active or who.office_id != locked.office_id):
            if assignee is not None:
                raise DomainError(_("Choose an active officer of the case's office."), field="assignee")
            who = None  # the case's officer has left the office: the office's head sees it unassigned
        task = CaseTask.objects.create(
            case=locked,
            kind=kind,
            title_code=title_code,
            due_on=due_on,
            assignee=who,
            source_ref=source_ref,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="case.task_create",
            subject=locked,
            changes=diff({}, snapshot(task, TASK_FIELDS)),
            details={"task_id": task.pk},
        )
    return task


def case_task_complete(*, actor: User, task: CaseTask, note: str = "", cancel: bool = False) -> CaseTask:
    """Mark an open task done (or cancelled, which needs a note saying why)."""
    note = (note or "").strip()
    if cancel and not note:
        raise DomainError(_("Give the reason for the change."), field="note")
    with transaction.atomic():
        locked = CaseTask.objects.select_for_update().select_related("case", "case__office").get(pk=task.pk)
        if not may(actor, CaseAction.EDIT, locked.case) and not (
            locked.assignee_id == actor.pk and may(actor, CaseAction.VIEW, locked.case)
        ):
            raise PermissionDeniedError(_("You may not change this case."))
        if locked.status != TaskStatus.OPEN:
            raise DomainError(_("This task is no longer open."), code="task_closed")
        before = snapshot(locked, TASK_FIELDS)
        locked.status = TaskStatus.CANCELLED if cancel else TaskStatus.DONE
        locked.done_at = timezone.now()
        locked.done_by = actor
        locked.note = note
        locked.save()
        audit_record(
            actor=actor,
            action="case.task_cancel" if cancel else "case.task_complete",
            subject=locked.case,
            changes=diff(before, snapshot(locked, TASK_FIELDS)),
            details={"task_id": locked.pk, "note": note},
        )
    return locked
