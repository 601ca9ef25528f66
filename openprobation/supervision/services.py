"""Writes of reporting schedules and appointments: atomic, permission-checked, one audit event each.

Rules enforced here (Order 511: the person reports on the schedule set by the court or the officer;
LoP art. 13): appointments fall on working days of the Kazakhstan calendar; the default frequency
comes from the rulebook (``supervision.reporting_frequency``) and an officer's different choice needs
a reason; an attendance outcome cannot be recorded for an appointment that has not taken place; an
outcome is recorded once and corrected only with a reason; a missed report without a good reason
is a violation (enforcement records it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.accounts.scoping import CaseAction, may
from openprobation.assessments.selectors import supervision_level
from openprobation.audit.services import audit_record
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import KZ_TZ, local_today
from openprobation.rules.rulebook import rule, working_calendar
from openprobation.supervision import links
from openprobation.supervision.models import (
    ATTENDANCE_OUTCOMES,
    RECORDABLE_OUTCOMES,
    AbsenceReason,
    Appointment,
    AppointmentKind,
    Outcome,
    ReportingSchedule,
    RescheduledBy,
    ScheduleOrigin,
)
from openprobation.supervision.rules import RULE_KEY, Frequency, default_frequency, schedule_days

# Statuses in which the person reports (generation runs and schedules are set).
REPORTING_STATUSES = (CaseStatus.REGISTERED, CaseStatus.ACTIVE)
# How far from today an appointment may be placed (a typo in the year is refused, not stored).
MAX_DAYS_AHEAD = 366
MAX_DAYS_BEHIND = 366
VIOLATING_OUTCOMES = {Outcome.UNACCEPTABLE_ABSENCE, Outcome.FAILED_TO_ATTEND}
CANDIDATE_OUTCOMES = {Outcome.ATTENDED_NOT_COMPLIED}


def is_working_day(day: dt.date) -> bool:
    return working_calendar(on=day).is_working_day(day)


def local_start(day: dt.date, time_of_day: dt.time) -> dt.datetime:
    """The aware UTC instant of a local (Asia/Almaty) day and time."""
    return dt.datetime.combine(day, time_of_day, tzinfo=KZ_TZ).astimezone(dt.UTC)


def _locked_case(actor: Any, case: Case, *, open_only: bool = True) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("office", "person", "officer").get(pk=case.pk)
    if not may(actor, CaseAction.EDIT, locked):
        raise PermissionDeniedError(_("You may not change this case."))
    if open_only and locked.status in TERMINAL:
        raise DomainError(_("A finished case takes no new appointments."), code="case_finished")
    return locked


# --- Schedules -------------------------------------------------------------------------------------


@dataclass
class ScheduleInput:
    """What the officer enters (the form and the API build one)."""

    frequency: Frequency
    time_of_day: dt.time
    valid_from: dt.date
    valid_until: dt.date | None = None
    kind: str = AppointmentKind.OFFICE_REPORT
    place: str = ""
    reason: str = ""


def schedule_default(*, case: Case, on: dt.date) -> tuple[Frequency, dt.time, Any]:
    """The rulebook's frequency for this case (its supervision level when there is one) and time."""
    params = rule(RULE_KEY, on=on)
    level = supervision_level(case, on=on)
    minutes = int(params["time_minutes"])
    return default_frequency(params.params, level), dt.time(minutes // 60, minutes % 60), params


def _check_schedule(case: Case, data: ScheduleInput, today: dt.date) -> None:
    problem = data.frequency.problem()
    if problem == "weekdays":
        raise DomainError(_("Choose at least one weekday."), field="weekdays")
    if problem == "month_days":
        raise DomainError(_("Choose at least one day of the month (1 to 31)."), field="month_days")
    if problem == "interval_weeks":
        raise DomainError(_("Every 1 to 52 weeks."), field="interval_weeks")
    if problem:
        raise DomainError(_("Choose how often the person reports."), field="pattern")
    if data.kind not in AppointmentKind.values:
        raise DomainError(_("Choose the kind of appointment."), field="kind")
    if data.valid_from < today:
        raise DomainError(
            _("A schedule starts today or later; past appointments stay as they are."), field="valid_from"
        )
    if case.control_start and data.valid_from < case.control_start:
        raise DomainError(
            _("The schedule cannot start before probation control (%(date)s).")
            % {"date": case.control_start.strftime("%d.%m.%Y")},
            field="valid_from",
        )
    if case.control_end and data.valid_from > case.control_end:
        raise DomainError(
            _("The schedule cannot start after probation control ends (%(date)s).")
            % {"date": case.control_end.strftime("%d.%m.%Y")},
            field="valid_from",
        )
    if data.valid_until is not None:
        if data.valid_until < data.valid_from:
            raise DomainError(_("The end cannot be before the start."), field="valid_until")
        if case.control_end and data.valid_until > case.control_end:
            raise DomainError(
                _("The schedule cannot run past the end of probation control (%(date)s).")
                % {"date": case.control_end.strftime("%d.%m.%Y")},
                field="valid_until",
            )
    if (data.valid_until or data.valid_from) > today + dt.timedelta(days=MAX_DAYS_AHEAD * 10):
        raise DomainError(_("The date is too far ahead."), field="valid_until")


def _schedule_summary(schedule: ReportingSchedule | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return {
        "pattern": schedule.pattern,
        "weekdays": schedule.weekdays,
        "month_days": schedule.month_days,
        "interval_weeks": schedule.interval_weeks,
        "time": schedule.time_of_day.strftime("%H:%M"),
        "kind": schedule.kind,
        "place": schedule.place,
        "valid_from": schedule.valid_from.isoformat(),
        "valid_until": schedule.valid_until.isoformat() if schedule.valid_until else None,
        "origin": schedule.origin,
    }


def schedule_set(*, actor: User, case: Case, data: ScheduleInput) -> ReportingSchedule:
    """Set the case's reporting schedule, replacing the one in force: the old schedule's future
    appointments without an outcome are cancelled, past ones are never touched; appointments are
    generated for the horizon at once. The rulebook's default frequency needs no reason; any other
    is the officer's override and needs one (Order 511)."""
    today = local_today()
    with transaction.atomic():
        locked = _locked_case(actor, case)
        freq = data.frequency.normalised()
        _check_schedule(locked, data, today)
        default, _time, params = schedule_default(case=locked, on=data.valid_from)
        reason = (data.reason or "").strip()
        level = supervision_level(locked, on=data.valid_from)
        if freq == default:
            origin = ScheduleOrigin.LEVEL_DEFAULT if level else ScheduleOrigin.DEFAULT
        else:
            origin = ScheduleOrigin.OVERRIDE
            if not reason:
                raise DomainError(
                    _("This frequency differs from the default set by the rulebook: give the reason for the change."),
                    field="reason",
                    code="reason_required",
                )
        now = timezone.now()
        old = ReportingSchedule.objects.select_for_update().filter(case=locked, active=True).first()
        cancelled = 0
        if old is not None:
            cancelled = Appointment.objects.filter(schedule=old, outcome="", starts_at__gte=now).update(
                outcome=Outcome.CANCELLED, recorded_at=now, recorded_by=actor, updated_at=now
            )
            old.active = False
            old.replaced_at = now
            old.save(update_fields=["active", "replaced_at", "updated_at"])
        schedule = ReportingSchedule.objects.create(
            case=locked,
            pattern=freq.pattern,
            weekdays=list(freq.weekdays),
            month_days=list(freq.month_days),
            interval_weeks=freq.interval_weeks,
            time_of_day=data.time_of_day,
            kind=data.kind,
            place=data.place.strip(),
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            origin=origin,
            override_reason=reason,
            rule_key=params.key,
            rule_version=params.version,
            created_by=actor,
        )
        created = generate_for_schedule(schedule, locked, today=today, horizon_days=int(params["horizon_days"]))
        audit_record(
            actor=actor,
            action="supervision.schedule_set",
            subject=locked,
            changes={"schedule": [_schedule_summary(old), _schedule_summary(schedule)]},
            details={"origin": origin, "reason": reason, "cancelled": cancelled, "created": created},
        )
    return schedule


def generate_for_schedule(schedule: ReportingSchedule, case: Case, *, today: dt.date, horizon_days: int) -> int:
    """Create the schedule's appointments from today to the horizon (existing ones are kept: the
    unique constraint on (schedule, starts_at) makes a second run create nothing)."""
    start = max(today, schedule.valid_from)
    last = schedule.valid_until or case.control_end
    target = today + dt.timedelta(days=horizon_days)
    end = min(target, last) if last is not None else target
    if schedule.generated_until is None or schedule.generated_until < target:
        # The job skips a schedule already generated to the horizon (one pass a day does the work).
        ReportingSchedule.objects.filter(pk=schedule.pk).update(generated_until=target)
        schedule.generated_until = target
    if end < start:
        return 0
    freq = Frequency(
        schedule.pattern,
        tuple(schedule.weekdays),
        tuple(schedule.month_days),
        schedule.interval_weeks,
    ).normalised()
    found = schedule_days(
        freq, start=start, end=end, anchor=schedule.valid_from, is_working_day=is_working_day, last_day=last
    )
    now = timezone.now()
    # Never one that has already begun: a schedule set in the afternoon starts with the next report.
    wanted = [when for when in (local_start(day, schedule.time_of_day) for day in found.days) if when > now]
    existing = set(
        Appointment.objects.filter(schedule=schedule, starts_at__in=wanted).values_list("starts_at", flat=True)
    )
    rows = [
        Appointment(
            case_id=case.pk,
            kind=schedule.kind,
            starts_at=when,
            place=schedule.place,
            officer_id=case.officer_id,
            schedule=schedule,
        )
        for when in wanted
        if when not in existing
    ]
    Appointment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- Appointments ----------------------------------------------------------------------------------


def _check_when(case: Case, starts_at: dt.datetime, field: str) -> None:
    if timezone.is_naive(starts_at):
        raise DomainError(_("Enter the date and time."), field=field)
    local = starts_at.astimezone(KZ_TZ).date()
    today = local_today()
    if local > today + dt.timedelta(days=MAX_DAYS_AHEAD) or local < today - dt.timedelta(days=MAX_DAYS_BEHIND):
        raise DomainError(_("The date is too far from today."), field=field, code="out_of_range")
    if not is_working_day(local):
        raise DomainError(
            _("%(date)s is a day off: appointments fall on working days.") % {"date": local.strftime("%d.%m.%Y")},
            field=field,
            code="day_off",
        )
    if case.control_end and local > case.control_end:
        raise DomainError(
            _("Probation control ends on %(date)s.") % {"date": case.control_end.strftime("%d.%m.%Y")}, field=field
        )
    if local < case.received_on:
        raise DomainError(_("The appointment cannot be before the case was received."), field=field)


def appointment_create(
    *, actor: User, case: Case, kind: str, starts_at: dt.datetime, place: str = "", officer: User | None = None
) -> Appointment:
    """An appointment outside the schedule (a home visit, a call), on a working day."""
    with transaction.atomic():
        locked = _locked_case(actor, case)
        if kind not in AppointmentKind.values:
            raise DomainError(_("Choose the kind of appointment."), field="kind")
        _check_when(locked, starts_at, "starts_at")
        if officer is not None and officer.office_id != locked.office_id:
            raise DomainError(_("Choose an officer of the case's office."), field="officer")
        appointment = Appointment.objects.create(
            case=locked,
            kind=kind,
            starts_at=starts_at.astimezone(dt.UTC),
            place=(place or "").strip(),
            officer=officer or locked.officer or actor,
        )
        audit_record(
            actor=actor,
            action="supervision.appointment_create",
            subject=locked,
            changes={"appointment": [None, appointment.pk]},
            details={"kind": kind, "starts_at": appointment.starts_at.isoformat(), "place": appointment.place},
        )
    return appointment


@dataclass
class OutcomeInput:
    outcome: str
    reason_code: str = ""
    note: str = ""
    evidence: str = ""
    rescheduled_by: str = ""
    rescheduled_to: dt.datetime | None = None


def _check_outcome(appointment: Appointment, data: OutcomeInput, today: dt.date) -> None:
    if data.outcome not in RECORDABLE_OUTCOMES:
        raise DomainError(_("Choose the outcome."), field="outcome")
    held_on = appointment.starts_at.astimezone(KZ_TZ).date()
    if data.outcome in ATTENDANCE_OUTCOMES and held_on > today:
        raise DomainError(
            _("The appointment on %(date)s has not taken place yet: only rescheduling can be recorded now.")
            % {"date": held_on.strftime("%d.%m.%Y")},
            field="outcome",
            code="not_yet_held",
        )
    if data.outcome == Outcome.ACCEPTABLE_ABSENCE:
        if data.reason_code not in AbsenceReason.values:
            raise DomainError(_("Choose the reason for the absence."), field="reason_code")
        if data.reason_code == AbsenceReason.OTHER and not data.note.strip():
            raise DomainError(_("Describe the reason in the note."), field="note")
        if data.reason_code == AbsenceReason.ILLNESS and not data.evidence.strip():
            raise DomainError(
                _("Enter the evidence of illness (the medical certificate's number and date)."), field="evidence"
            )
    if data.outcome == Outcome.RESCHEDULED:
        if data.rescheduled_by not in RescheduledBy.values:
            raise DomainError(_("Say who asked to reschedule."), field="rescheduled_by")
        if data.rescheduled_to is None:
            raise DomainError(_("Enter the new date and time."), field="rescheduled_to")
        if data.rescheduled_to <= timezone.now():
            raise DomainError(_("The new time must be in the future."), field="rescheduled_to")


def _apply(actor: User, appointment: Appointment, case: Case, data: OutcomeInput) -> Appointment | None:
    """Write the outcome on the (locked) appointment; returns the new appointment of a rescheduling."""
    new: Appointment | None = None
    if data.outcome == Outcome.RESCHEDULED and data.rescheduled_to is not None:
        if case.status in TERMINAL:
            raise DomainError(_("A finished case takes no new appointments."), code="case_finished")
        _check_when(case, data.rescheduled_to, "rescheduled_to")
        new = Appointment.objects.create(
            case=case,
            kind=appointment.kind,
            starts_at=data.rescheduled_to.astimezone(dt.UTC),
            place=appointment.place,
            officer=appointment.officer,
            rescheduled_from=appointment,
        )
    appointment.outcome = data.outcome
    appointment.reason_code = data.reason_code if data.outcome == Outcome.ACCEPTABLE_ABSENCE else ""
    appointment.rescheduled_by = data.rescheduled_by if data.outcome == Outcome.RESCHEDULED else ""
    appointment.outcome_note = data.note.strip()
    appointment.evidence = data.evidence.strip() if data.outcome == Outcome.ACCEPTABLE_ABSENCE else ""
    appointment.recorded_by = actor
    appointment.recorded_at = timezone.now()
    appointment.save()
    if data.outcome in VIOLATING_OUTCOMES or data.outcome in CANDIDATE_OUTCOMES:
        held_on = appointment.starts_at.astimezone(KZ_TZ).date()
        links.record_missed_report(
            actor=actor,
            case=case,
            appointment_id=appointment.pk,
            occurred_on=held_on,
            description=_("%(kind)s on %(date)s: %(outcome)s.")
            % {
                "kind": appointment.get_kind_display(),
                "date": appointment.starts_at.astimezone(KZ_TZ).strftime("%d.%m.%Y %H:%M"),
                "outcome": Outcome(data.outcome).label,
            },
            candidate=data.outcome in CANDIDATE_OUTCOMES,
        )
    return new


def _outcome_changes(before: dict[str, Any], appointment: Appointment) -> dict[str, Any]:
    after = {
        "outcome": appointment.outcome,
        "reason_code": appointment.reason_code,
        "rescheduled_by": appointment.rescheduled_by,
        "note": appointment.outcome_note,
        "evidence": appointment.evidence,
    }
    return {k: [before[k], v] for k, v in after.items() if before[k] != v}


def _locked_appointment(actor: User, appointment: Appointment) -> tuple[Appointment, Case]:
    case = _locked_case(actor, appointment.case, open_only=False)
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk, case=case)
    return locked, case


def appointment_record_outcome(
    *,
    actor: User,
    appointment: Appointment,
    outcome: str,
    reason_code: str = "",
    note: str = "",
    evidence: str = "",
    rescheduled_by: str = "",
    rescheduled_to: dt.datetime | None = None,
) -> Appointment:
    """Record what happened at an appointment, once (a correction needs a reason:
    ``appointment_correct_outcome``). An absence without good reason or a failure to attend records
    a missed-report violation; attending without complying records a violation candidate for the
    officer to confirm (enforcement)."""
    data = OutcomeInput(outcome, reason_code or "", note or "", evidence or "", rescheduled_by or "", rescheduled_to)
    with transaction.atomic():
        locked, case = _locked_appointment(actor, appointment)
        if locked.outcome == Outcome.CANCELLED:
            raise DomainError(_("This appointment was cancelled when the schedule changed."), code="cancelled")
        if locked.outcome:
            raise DomainError(
                _("The outcome is already recorded; correct it with a reason instead."),
                field="outcome",
                code="already_recorded",
            )
        _check_outcome(locked, data, local_today())
        before = {"outcome": "", "reason_code": "", "rescheduled_by": "", "note": "", "evidence": ""}
        new = _apply(actor, locked, case, data)
        audit_record(
            actor=actor,
            action="supervision.outcome_record",
            subject=case,
            changes=_outcome_changes(before, locked),
            details={
                "appointment": locked.pk,
                "rescheduled_to": new.pk if new else None,
                "starts_at": locked.starts_at.isoformat(),
            },
        )
    appointment.refresh_from_db()
    return appointment


def appointment_correct_outcome(
    *,
    actor: User,
    appointment: Appointment,
    outcome: str,
    reason: str,
    reason_code: str = "",
    note: str = "",
    evidence: str = "",
) -> Appointment:
    """Correct a recorded outcome, with the reason for the correction. A rescheduling is not
    corrected (its new appointment has its own outcome); a violation already recorded stays with
    enforcement, where the officer dismisses it with a reason."""
    data = OutcomeInput(outcome, reason_code or "", note or "", evidence or "")
    with transaction.atomic():
        locked, case = _locked_appointment(actor, appointment)
        if not locked.outcome or locked.outcome == Outcome.CANCELLED:
            raise DomainError(_("There is no outcome to correct."), code="not_recorded")
        if Outcome.RESCHEDULED in (locked.outcome, outcome):
            raise DomainError(
                _("A rescheduling cannot be corrected: record the outcome of the new appointment."),
                field="outcome",
                code="rescheduled",
            )
        if not (reason or "").strip():
            raise DomainError(_("Give the reason for the correction."), field="reason", code="reason_required")
        _check_outcome(locked, data, local_today())
        before = {
            "outcome": locked.outcome,
            "reason_code": locked.reason_code,
            "rescheduled_by": locked.rescheduled_by,
            "note": locked.outcome_note,
            "evidence": locked.evidence,
        }
        _apply(actor, locked, case, data)
        changes = _outcome_changes(before, locked)
        if not changes:
            raise DomainError(_("Nothing changed."), field="outcome", code="unchanged")
        audit_record(
            actor=actor,
            action="supervision.outcome_correct",
            subject=case,
            changes=changes,
            details={"appointment": locked.pk, "reason": reason.strip()},
        )
    appointment.refresh_from_db()
    return appointment
