"""Writes on labour duties: each service is atomic, checks permission and its invariants, and
records exactly one audit event of its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.audit.services import audit_record
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.cases.services import case_locked_for_change
from openprobation.cases.terms import case_forced_labour
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.labour import ports
from openprobation.labour.domain import employment_deadline, employment_deadline_passed, hours_text
from openprobation.labour.models import (
    MET_STATUSES,
    DutyStatus,
    EmploymentDuty,
    ForcedLabourDecision,
    JobOffer,
    JobReferral,
    LabourHours,
    OfferAnswer,
    ReferralKind,
)
from openprobation.people.models import Employment
from openprobation.people.services import person_update

# Far enough back for any case of the service; earlier dates are typing errors.
EARLIEST = dt.date(2000, 1, 1)
MAX_TEXT = 300


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _locked_case(actor: User, case: Case) -> Case:
    return case_locked_for_change(actor, case)


def _check_date(value: dt.date, *, field: str, today: dt.date, earliest: dt.date | None = None) -> None:
    if value > today:
        raise DomainError(_("The date cannot be in the future."), field=field)
    if value < (earliest or EARLIEST):
        raise DomainError(_("The date cannot be before %(date)s.") % {"date": _d(earliest or EARLIEST)}, field=field)


def _text(value: str, *, field: str, required: bool, message: str = "", limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(message or _("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=field)
    return value


# --- Employment duty ----------------------------------------------------------------------------------


def employment_duty_start(*, actor: User | None, case: Case, today: dt.date | None = None) -> EmploymentDuty:
    """Start tracking the court's duty to work or study (the condition ``work_or_study`` must be in
    force): the deadline comes from the rulebook, counted from the decision taking effect.
    ``actor`` None is the daily job."""
    on = today or local_today()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk) if actor is None else _locked_case(actor, case)
        if EmploymentDuty.objects.filter(case=locked).exists():
            raise DomainError(_("The employment duty of this case is already tracked."), code="duty_exists")
        if not ports.case_has_condition(case=locked, code=ports.WORK_OR_STUDY, on=on):
            raise DomainError(
                _("The court has not ordered this person to work or study (no such duty is in force)."),
                code="no_work_duty",
            )
        if locked.effective_date is None:
            raise DomainError(
                _("Enter the date the decision took effect first: the deadline is counted from it."),
                code="no_effective_date",
            )
        deadline = employment_deadline(
            effective_date=locked.effective_date,
            court_deadline=ports.court_deadline(case=locked, effective_date=locked.effective_date, on=on),
        )
        duty = EmploymentDuty.objects.create(
            case=locked,
            deadline=deadline.due,
            rule_key=deadline.rule_key,
            rule_version=deadline.rule_version,
            status=DutyStatus.SEEKING,
            status_on=on,
        )
        audit_record(
            actor=actor,
            action="labour.duty_start",
            subject=locked,
            changes={"deadline": [None, deadline.due.isoformat()], "status": [None, duty.status]},
            details={"duty_id": duty.pk, "rule": f"{deadline.rule_key} v{deadline.rule_version}"},
        )
    return duty


def _duty(locked: Case, details: dict[str, Any]) -> EmploymentDuty:
    """The case's employment duty, locked; started here on the first entry about it when the
    court's duty to work or study is in force (the daily job starts the others). A duty started
    here is named in the ``details`` of the caller's audit event."""
    duty = EmploymentDuty.objects.select_for_update().filter(case=locked).first()
    if duty is not None:
        return duty
    today = local_today()
    if not ports.case_has_condition(case=locked, code=ports.WORK_OR_STUDY, on=today):
        raise DomainError(
            _("The court has not ordered this person to work or study (no such duty is in force)."),
            code="no_work_duty",
        )
    if locked.effective_date is None:
        raise DomainError(
            _("Enter the date the decision took effect first: the deadline is counted from it."),
            code="no_effective_date",
        )
    deadline = employment_deadline(
        effective_date=locked.effective_date,
        court_deadline=ports.court_deadline(case=locked, effective_date=locked.effective_date, on=today),
    )
    duty = EmploymentDuty.objects.create(
        case=locked,
        deadline=deadline.due,
        rule_key=deadline.rule_key,
        rule_version=deadline.rule_version,
        status=DutyStatus.SEEKING,
        status_on=today,
    )
    details["duty_started"] = {"duty_id": duty.pk, "deadline": deadline.due.isoformat()}
    return duty


# The person's employment status that each duty status stands for (through the people service).
PERSON_STATUS = {DutyStatus.EMPLOYED: Employment.EMPLOYED, DutyStatus.STUDYING: Employment.STUDENT}


def employment_record(
    *, actor: User, case: Case, status: str, on: dt.date, employer: str = "", note: str = ""
) -> EmploymentDuty:
    """Record that the person found work, started studying, is seeking again or that the duty
    ended. Work or study also updates the person's employment status (the people service, which
    records that change of the person on its own), so forced labour is judged again on it."""
    if status not in DutyStatus.values:
        raise DomainError(_("Choose the status."), field="status")
    today = local_today()
    with transaction.atomic():
        locked = _locked_case(actor, case)
        started: dict[str, Any] = {}
        duty = _duty(locked, started)
        _check_date(on, field="on", today=today, earliest=locked.received_on)
        employer = _text(
            employer,
            field="employer",
            required=status in MET_STATUSES,
            message=_("Enter the employer or the place of study."),
        )
        note = _text(note, field="note", required=False, limit=2000)
        if status == duty.status and employer == duty.employer:
            raise DomainError(_("Nothing changes: the duty already has this status."), field="status")
        before = {"status": duty.status, "status_on": duty.status_on.isoformat(), "employer": duty.employer}
        duty.status, duty.status_on, duty.employer = status, on, employer
        if note:
            duty.note = note
        duty.save()
        audit_record(
            actor=actor,
            action="labour.employment",
            subject=locked,
            changes={
                k: [before[k], v]
                for k, v in {"status": status, "status_on": on.isoformat(), "employer": employer}.items()
                if before[k] != v
            },
            details={"duty_id": duty.pk, **started},
        )
        person_status = PERSON_STATUS.get(DutyStatus(status))
        if person_status and locked.person.employment_status != person_status:
            person_update(actor=actor, person=locked.person, data={"employment_status": person_status})
    return duty


def job_referral_record(
    *, actor: User, case: Case, kind: str, organisation: str, issued_on: dt.date, note: str = ""
) -> JobReferral:
    """A referral to the employment centre or to an employer, issued by the officer."""
    if kind not in ReferralKind.values:
        raise DomainError(_("Choose where the person is referred."), field="kind")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        started: dict[str, Any] = {}
        duty = _duty(locked, started)
        _check_date(issued_on, field="issued_on", today=local_today(), earliest=locked.received_on)
        referral = JobReferral.objects.create(
            duty=duty,
            kind=kind,
            organisation=_text(organisation, field="organisation", required=True, message=_("Enter the organisation.")),
            issued_on=issued_on,
            issued_by=actor,
            note=_text(note, field="note", required=False, limit=2000),
        )
        audit_record(
            actor=actor,
            action="labour.referral",
            subject=locked,
            changes={"referral": [None, f"{referral.kind}: {referral.organisation}"]},
            details={"referral_id": referral.pk, "issued_on": issued_on.isoformat(), **started},
        )
    return referral


def job_offer_record(
    *,
    actor: User,
    case: Case,
    employer: str,
    position: str,
    offered_on: dt.date,
    referral_id: int | None = None,
) -> JobOffer:
    """A job offered to the person (the answer is recorded when given)."""
    with transaction.atomic():
        locked = _locked_case(actor, case)
        started: dict[str, Any] = {}
        duty = _duty(locked, started)
        _check_date(offered_on, field="offered_on", today=local_today(), earliest=locked.received_on)
        referral = None
        if referral_id is not None:
            referral = JobReferral.objects.filter(duty=duty, pk=referral_id).first()
            if referral is None:
                raise DomainError(_("There is no such referral in this case."), field="referral")
        offer = JobOffer.objects.create(
            duty=duty,
            referral=referral,
            employer=_text(employer, field="employer", required=True, message=_("Enter the employer.")),
            position=_text(position, field="position", required=True, message=_("Enter the position.")),
            offered_on=offered_on,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="labour.offer",
            subject=locked,
            changes={"offer": [None, str(offer)]},
            details={"offer_id": offer.pk, "referral_id": referral.pk if referral else None, **started},
        )
    return offer


def job_offer_answer(
    *, actor: User, case: Case, offer_id: int, answer: str, answered_on: dt.date, reason: str = ""
) -> JobOffer:
    """The person's answer to an offer. A refusal with a good reason needs the reason; a refusal
    without one makes a violation candidate (refusal of work) that an officer confirms or dismisses."""
    if answer not in OfferAnswer.values or answer == OfferAnswer.PENDING:
        raise DomainError(_("Choose the answer."), field="answer")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        duty = EmploymentDuty.objects.filter(case=locked).first()
        offer = JobOffer.objects.select_for_update().filter(duty=duty, pk=offer_id).first()
        if offer is None:
            raise DomainError(_("There is no such offer in this case."), field="offer", code="does_not_exist")
        if offer.answer:
            raise DomainError(_("The answer to this offer is already recorded."), field="answer", code="answered")
        _check_date(answered_on, field="answered_on", today=local_today(), earliest=offer.offered_on)
        reason = _text(
            reason,
            field="reason",
            required=answer == OfferAnswer.REFUSED_GOOD_REASON,
            message=_("Give the reason the person refused."),
            limit=2000,
        )
        offer.answer, offer.answered_on, offer.answer_reason = answer, answered_on, reason
        offer.save()
        audit_record(
            actor=actor,
            action="labour.offer_answer",
            subject=locked,
            changes={"answer": ["", answer]},
            details={"offer_id": offer.pk, "answered_on": answered_on.isoformat(), "reason": reason},
        )
        if answer == OfferAnswer.REFUSED_NO_REASON:
            ports.violation_candidate(
                actor=actor,
                case=locked,
                kind=ports.WORK_REFUSAL,
                occurred_on=answered_on,
                description=_("Refused the job offered (%(offer)s) without a good reason.") % {"offer": str(offer)},
                source_ref=f"offer:{offer.pk}",
            )
    return offer


# --- Forced labour -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursInput:
    worked_on: dt.date
    hours: Decimal
    organisation: str
    note: str = ""


def parse_hours(value: Any) -> Decimal:
    """Hours as a plain decimal number with at most two decimals (``3.5`` or ``3,5``)."""
    text = str(value).strip().replace(",", ".")
    if not text or not text.isascii() or any(c not in "0123456789." for c in text) or len(text) > 8:
        raise DomainError(_("Enter the hours as a number, such as 3.5."), field="hours")
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise DomainError(_("Enter the hours as a number, such as 3.5."), field="hours") from None
    if hours.as_tuple().exponent < -2:  # type: ignore[operator]
        raise DomainError(_("Enter the hours to at most two decimal places."), field="hours")
    return hours


def labour_hours_log(*, actor: User, case: Case, data: HoursInput) -> LabourHours:
    """Hours of forced labour worked on one day, within the control period, not in the future and
    at most the rulebook's daily maximum for the day (CC art. 44(1))."""
    today = local_today()
    hours = parse_hours(data.hours)
    if hours <= 0:
        raise DomainError(_("Enter more than 0 hours."), field="hours")
    organisation = _text(
        data.organisation, field="organisation", required=True, message=_("Enter the organising body.")
    )
    note = _text(data.note, field="note", required=False, limit=500)
    with transaction.atomic():
        locked = _locked_case(actor, case)
        if data.worked_on > today:
            raise DomainError(_("Hours cannot be recorded for a day in the future."), field="worked_on")
        start, end = locked.control_start, locked.control_end
        if start is None or data.worked_on < start or (end is not None and data.worked_on > end):
            raise DomainError(
                _("The day is outside the probation-control period (%(start)s – %(end)s).")
                % {"start": _d(start) if start else "—", "end": _d(end) if end else "—"},
                field="worked_on",
            )
        labour = case_forced_labour(locked, today=data.worked_on)
        if labour is None:
            raise DomainError(
                _("Forced labour is part of restriction of liberty only; this case has none."), code="no_forced_labour"
            )
        if not labour.applies:
            raise DomainError(
                _("The person is exempt from forced labour: %(why)s") % {"why": " ".join(labour.exemptions)},
                code="exempt",
            )
        daily_max = Decimal(labour.max_hours_per_day)
        if hours > daily_max:
            raise DomainError(
                _("At most %(max)s hours a day (%(source)s).")
                % {"max": labour.max_hours_per_day, "source": labour.source},
                field="hours",
                code="daily_max",
            )
        done = Decimal(
            LabourHours.objects.filter(case=locked, worked_on=data.worked_on).aggregate(s=Sum("hours"))["s"] or 0
        )
        if done + hours > daily_max:
            raise DomainError(
                _("%(done)s hours are already recorded on %(day)s; at most %(max)s hours a day (%(source)s).")
                % {
                    "done": hours_text(done),
                    "day": _d(data.worked_on),
                    "max": labour.max_hours_per_day,
                    "source": labour.source,
                },
                field="hours",
                code="daily_max",
            )
        entry = LabourHours.objects.create(
            case=locked,
            worked_on=data.worked_on,
            hours=hours,
            organisation=organisation,
            recorded_by=actor,
            note=note,
        )
        audit_record(
            actor=actor,
            action="labour.hours",
            subject=locked,
            changes={"hours": [None, str(hours)]},
            details={"entry_id": entry.pk, "worked_on": data.worked_on.isoformat(), "organisation": organisation},
        )
    return entry


def forced_labour_rejudge(*, actor: User, case: Case, reason: str) -> ForcedLabourDecision:
    """Judge the forced-labour exemptions again on the person's circumstances as recorded now
    (``cases.terms.case_forced_labour``) and record the decision with its reason."""
    with transaction.atomic():
        locked = _locked_case(actor, case)
        reason = _text(reason, field="reason", required=True, message=_("Give the reason for the change."), limit=2000)
        labour = case_forced_labour(locked, today=local_today())
        if labour is None:
            raise DomainError(
                _("Forced labour is part of restriction of liberty only; this case has none."), code="no_forced_labour"
            )
        previous = ForcedLabourDecision.objects.filter(case=locked).first()
        decision = ForcedLabourDecision.objects.create(
            case=locked,
            judged_on=labour.judged_on,
            applies=labour.applies,
            exemptions=[str(e) for e in labour.exemptions],
            reason=reason,
            rule_key=labour.rule_key,
            rule_version=labour.rule_version,
            decided_by=actor,
        )
        audit_record(
            actor=actor,
            action="labour.rejudge",
            subject=locked,
            changes={"applies": [previous.applies if previous else None, labour.applies]},
            details={"decision_id": decision.pk, "exemptions": decision.exemptions, "reason": reason},
        )
    return decision


# --- The daily job ---------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    duties_started: int = 0
    candidates: int = 0


def employment_deadline_scan(*, today: dt.date | None = None) -> ScanResult:
    """The daily job: start tracking the duty for open cases whose court ordered work or study, and
    make a violation candidate (refusal of work) for each duty whose deadline has passed while the
    person is still not working or studying. Running it again changes nothing more: a duty is
    started once per case and the candidate is keyed ``deadline:<duty id>``."""
    on = today or local_today()
    result = ScanResult()
    untracked = (
        Case.objects.filter(
            status__in=OPEN_STATUSES,
            effective_date__isnull=False,
            employment_duty__isnull=True,
            pk__in=ports.cases_with_condition(code=ports.WORK_OR_STUDY, on=on),
        )
        .order_by("pk")
        .iterator()
    )
    for case in untracked:
        employment_duty_start(actor=None, case=case, today=on)
        result.duties_started += 1
    late = (
        EmploymentDuty.objects.filter(status=DutyStatus.SEEKING, deadline__lt=on, case__status__in=OPEN_STATUSES)
        .select_related("case")
        .order_by("pk")
    )
    for duty in late:
        if not employment_deadline_passed(deadline=duty.deadline, today=on):
            continue
        with transaction.atomic():
            ports.violation_candidate(
                actor=None,
                case=duty.case,
                kind=ports.WORK_REFUSAL,
                occurred_on=duty.deadline + dt.timedelta(days=1),
                description=_("Did not find work or start studying by %(date)s.") % {"date": _d(duty.deadline)},
                source_ref=f"deadline:{duty.pk}",
            )
        result.candidates += 1
    return result
