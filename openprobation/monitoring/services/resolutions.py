"""EM resolutions (Order 511 para. 140): electronic monitoring starts only by resolution of the head
of the service — the head of the case's office, or a senior officer acting as head — with its
grounds and a period from the rulebook; the person signs the usage memo (and liability for damage)
and the co-residents are informed. A resolution ends (its period is over, or monitoring is no longer
needed) or is revoked; either only once no device is fitted under it. When its period is over it
ends by itself (``resolution_expiry_scan``): a device still fitted moves to the case's next
resolution when the head has decided one, else the resolution waits, overdue, for the removal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openprobation.accounts.models import Role, User
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case, CourtDecision, DecisionKind
from openprobation.cases.terms import current_terms
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Lifecycle, Move, status_history
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import EnforcementStep, Step
from openprobation.monitoring import resolution_terms, selectors
from openprobation.monitoring.models import (
    Assignment,
    EmResolution,
    EmResolutionStatusChange,
    ResolutionGrounds,
    ResolutionStatus,
)
from openprobation.monitoring.services.common import text

R = ResolutionStatus
# How far ahead of the decision the monitoring may start (a typing guard, not a legal term).
MAX_START_AFTER_DECISION = dt.timedelta(days=31)

RESOLUTION_LIFECYCLE: Lifecycle[EmResolution] = Lifecycle(
    name="monitoring.resolution",
    model=EmResolution,
    moves={R.IN_FORCE: frozenset({R.ENDED, R.REVOKED}), R.ENDED: frozenset(), R.REVOKED: frozenset()},
    labels=dict(R.choices),
    write_history=status_history(EmResolutionStatusChange, "resolution"),
    audit=audit_record,
    audited_fields=("status", "status_reason"),
)


@dataclass(frozen=True)
class ResolutionInput:
    number: str
    decided_on: dt.date
    grounds: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None  # only for another court restriction: the end the head gives
    grounds_text: str = ""
    acting_head: bool = False


def _date(value: Any, *, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError(_("Enter a date."), field=field)
    return value


def _extension(case: Case, starts_on: dt.date) -> CourtDecision:
    decision = (
        CourtDecision.objects.filter(
            case=case, kind=DecisionKind.EXTENSION, extension_months__gt=0, effective_date__lte=starts_on
        )
        .order_by("-effective_date", "-id")
        .first()
    )
    if decision is None:
        raise DomainError(
            _("The case has no court decision extending probation control in force on the start date."),
            field="grounds",
            code="no_extension",
        )
    return decision


def resolution_decide(*, actor: User, case: Case, data: ResolutionInput) -> EmResolution:
    """Record the head's resolution on an open case: the period is computed from the grounds (one
    year after a written warning; the court's extension period; on other court grounds the end
    given, within the practice limit)."""
    number = text(data.number, field="number", required=True, limit=64, message=_("Give the resolution number."))
    grounds_text = text(data.grounds_text, field="grounds_text", required=False, limit=2000)
    if data.grounds not in ResolutionGrounds.values:
        raise DomainError(_("Choose the grounds from the list."), field="grounds")
    today = local_today()
    decided_on = _date(data.decided_on, field="decided_on")
    if decided_on > today:
        raise DomainError(_("The decision date cannot be in the future."), field="decided_on")
    back = resolution_terms.decided_back_days(on=today)
    if decided_on < today - dt.timedelta(days=back):
        raise DomainError(
            _("A resolution can be recorded at most %(days)s days after it was decided.") % {"days": back},
            field="decided_on",
        )
    starts_on = decided_on if data.starts_on is None else _date(data.starts_on, field="starts_on")
    if starts_on < decided_on or starts_on > decided_on + MAX_START_AFTER_DECISION:
        raise DomainError(_("Monitoring starts on the decision date or within 31 days after it."), field="starts_on")
    if data.grounds == ResolutionGrounds.OTHER_COURT and not grounds_text:
        raise DomainError(_("Describe the court's restriction."), field="grounds_text")
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        if not selectors.may_decide_resolution(actor, locked, acting_head=data.acting_head):
            raise PermissionDeniedError(
                _(
                    "Only the head of the case's office (or a senior officer acting as head) decides on electronic monitoring."
                )
            )
        if not locked.is_open:
            raise DomainError(_("The case is not open."), code="case_closed")
        kinds = resolution_terms.sentence_kinds(data.grounds, on=starts_on)
        sentence_kind = current_terms(locked).sentence_kind
        if kinds and sentence_kind not in kinds:
            raise DomainError(_("These grounds do not apply to the person's sentence."), field="grounds")
        decision: CourtDecision | None = None
        if data.grounds == ResolutionGrounds.WRITTEN_WARNING:
            warned = EnforcementStep.objects.filter(
                case=locked, step=Step.WRITTEN_WARNING, taken_on__lte=decided_on
            ).exists()
            if not warned:
                raise DomainError(
                    _("No written warning is recorded on the case before the decision date."),
                    field="grounds",
                    code="no_written_warning",
                )
            term = resolution_terms.written_warning_term(starts_on=starts_on)
            ends_on, rule_key, rule_version = term.ends_on, term.rule_key, term.rule_version
        elif data.grounds == ResolutionGrounds.COURT_EXTENSION:
            decision = _extension(locked, starts_on)
            term = resolution_terms.court_extension_term(
                starts_on=starts_on, extension_months=int(decision.extension_months or 0)
            )
            ends_on, rule_key, rule_version = term.ends_on, term.rule_key, term.rule_version
        else:
            if data.ends_on is None:
                raise DomainError(_("Give the last day of monitoring."), field="ends_on")
            ends_on = _date(data.ends_on, field="ends_on")
            if ends_on < starts_on:
                raise DomainError(_("Monitoring cannot end before it starts."), field="ends_on")
            if ends_on > resolution_terms.other_max_end(starts_on=starts_on):
                raise DomainError(_("The period is longer than the rulebook allows."), field="ends_on")
            rule_key, rule_version = resolution_terms.PRACTICE, None
        overlapping = EmResolution.objects.filter(
            case=locked, status=R.IN_FORCE, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exists()
        if overlapping:
            raise DomainError(
                _("A resolution in force already covers part of this period."), code="resolution_in_force"
            )
        acting = bool(data.acting_head) and actor.role != Role.HEAD_OF_OFFICE
        resolution = EmResolution.objects.create(
            case=locked,
            number=number,
            decided_on=decided_on,
            decided_by=actor,
            acting_head=acting,
            grounds=data.grounds,
            grounds_text=grounds_text,
            court_decision=decision,
            starts_on=starts_on,
            ends_on=ends_on,
            rule_key=rule_key,
            rule_version=rule_version,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="monitoring.resolution.decide",
            subject=resolution,
            changes={"starts_on": [None, starts_on], "ends_on": [None, ends_on]},
            details={
                "case": locked.pk,
                "number": number,
                "grounds": data.grounds,
                "acting_head": acting,
                "court_decision": decision.pk if decision else None,
                "rule": f"{rule_key} v{rule_version}" if rule_version else rule_key,
            },
        )
    return resolution


def _locked_resolution(resolution: EmResolution) -> EmResolution:
    return EmResolution.objects.select_for_update().select_related("case", "case__office").get(pk=resolution.pk)


def _fact_date(value: Any, resolution: EmResolution, *, field: str) -> dt.date:
    day = local_today() if value is None else _date(value, field=field)
    if day > local_today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    if day < resolution.decided_on:
        raise DomainError(_("The date cannot be before the resolution was decided."), field=field)
    return day


def _check_facts(actor: User, locked: EmResolution) -> None:
    if not selectors.may_record_resolution_facts(actor, locked.case):
        raise PermissionDeniedError(_("You may not record this on the case."))
    if locked.status != R.IN_FORCE:
        raise DomainError(_("The resolution is no longer in force."), code="not_in_force")


def resolution_acknowledge_memo(
    *, actor: User, resolution: EmResolution, signed_on: dt.date | None = None
) -> EmResolution:
    """The person signed the memo on using the device and on liability for damage to it."""
    with transaction.atomic():
        locked = _locked_resolution(resolution)
        _check_facts(actor, locked)
        if locked.memo_acknowledged_on is not None:
            raise DomainError(_("The signed memo is already recorded."), code="already_recorded")
        day = _fact_date(signed_on, locked, field="signed_on")
        locked.memo_acknowledged_on = day
        locked.save(update_fields=["memo_acknowledged_on", "updated_at"])
        audit_record(
            actor=actor,
            action="monitoring.resolution.memo",
            subject=locked,
            changes={"memo_acknowledged_on": [None, day]},
            details={"case": locked.case_id},
        )
    return locked


def resolution_inform_co_residents(
    *, actor: User, resolution: EmResolution, informed_on: dt.date | None = None, note: str = ""
) -> EmResolution:
    """The people living with the person were told of the monitoring (the note: who, or that the
    person lives alone)."""
    note = text(note, field="note", required=False, limit=2000)
    with transaction.atomic():
        locked = _locked_resolution(resolution)
        _check_facts(actor, locked)
        if locked.co_residents_informed_on is not None:
            raise DomainError(_("Informing the co-residents is already recorded."), code="already_recorded")
        day = _fact_date(informed_on, locked, field="informed_on")
        locked.co_residents_informed_on = day
        locked.co_residents_note = note
        locked.save(update_fields=["co_residents_informed_on", "co_residents_note", "updated_at"])
        audit_record(
            actor=actor,
            action="monitoring.resolution.co_residents",
            subject=locked,
            changes={"co_residents_informed_on": [None, day]},
            details={"case": locked.case_id, "note": note},
        )
    return locked


def resolution_close(
    *, actor: User, resolution: EmResolution, to_status: str, reason: str, acting_head: bool = False
) -> EmResolution:
    """End (monitoring no longer needed, or the period is over) or revoke the resolution: the head's
    (or acting head's) decision, once no device is fitted under it."""
    if to_status not in (R.ENDED, R.REVOKED):
        raise DomainError(_("Choose whether the resolution ends or is revoked."), field="to_status")
    reason = text(reason, field="reason", required=True, limit=2000, message=_("Give the reason."))

    def authorize(locked: EmResolution) -> None:
        case = Case.objects.select_related("office").get(pk=locked.case_id)
        if not selectors.may_decide_resolution(actor, case, acting_head=acting_head):
            raise PermissionDeniedError(
                _(
                    "Only the head of the case's office (or a senior officer acting as head) decides on electronic monitoring."
                )
            )
        if Assignment.objects.filter(resolution=locked, removed_at__isnull=True).exists():
            raise DomainError(
                _("A device is still fitted under this resolution: remove it first."), code="device_fitted"
            )

    def apply(locked: EmResolution, move: Move) -> None:
        locked.status_reason = move.reason

    return RESOLUTION_LIFECYCLE.move(
        actor=actor,
        obj=resolution,
        to_state=to_status,
        reason=reason,
        effective_on=local_today(),
        apply=apply,
        authorize=authorize,
        details={"case": resolution.case_id, "acting_head": bool(acting_head)},
    )


def resolution_end(*, actor: User, resolution: EmResolution, reason: str, acting_head: bool = False) -> EmResolution:
    return resolution_close(
        actor=actor, resolution=resolution, to_status=R.ENDED, reason=reason, acting_head=acting_head
    )


def resolution_revoke(*, actor: User, resolution: EmResolution, reason: str, acting_head: bool = False) -> EmResolution:
    return resolution_close(
        actor=actor, resolution=resolution, to_status=R.REVOKED, reason=reason, acting_head=acting_head
    )


@dataclass
class ExpiryResult:
    ended: int = 0  # resolutions ended because their period is over
    carried_over: int = 0  # devices moved to the case's next resolution
    still_fitted: int = 0  # resolutions past their end with a device fitted and no next resolution


def resolution_expiry_scan(*, today: dt.date | None = None) -> ExpiryResult:
    """The periodic job: every resolution in force whose last day has passed ends by itself (its
    period comes from Order 511 para. 140; nobody decides it again). A device still fitted under it
    is carried over to the case's next resolution in force today (an extension decided in time);
    without one the resolution stays in force, overdue in the work queue, until the device is
    removed — monitoring is never switched off behind the officer's back. Running it again changes
    nothing more."""
    on = today or local_today()
    result = ExpiryResult()
    due = EmResolution.objects.filter(status=R.IN_FORCE, ends_on__lt=on).order_by("pk").values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            locked = EmResolution.objects.select_for_update().select_related("case").get(pk=pk)
            if locked.status != R.IN_FORCE or locked.ends_on >= on:
                continue
            fitted = list(Assignment.objects.select_for_update().filter(resolution=locked, removed_at__isnull=True))
            if fitted:
                successor = selectors.resolution_in_force(locked.case, on)
                if successor is None:
                    result.still_fitted += 1
                    continue
                for assignment in fitted:
                    assignment.resolution = successor
                    assignment.save(update_fields=["resolution", "updated_at"])
                    audit_record(
                        actor=None,
                        action="monitoring.assignment.resolution_carried_over",
                        subject=assignment,
                        changes={"resolution": [locked.pk, successor.pk]},
                        details={"case": locked.case_id},
                    )
                result.carried_over += len(fitted)
            RESOLUTION_LIFECYCLE.move(
                actor=None,
                obj=locked,
                to_state=R.ENDED,
                reason=_("The monitoring period ended on %(date)s.") % {"date": locked.ends_on.strftime("%d.%m.%Y")},
                effective_on=locked.ends_on + dt.timedelta(days=1),
                apply=lambda row, move: setattr(row, "status_reason", move.reason),
                details={"case": locked.case_id, "automatic": True},
            )
            result.ended += 1
    return result
