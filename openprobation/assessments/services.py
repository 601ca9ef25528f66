"""Writes on assessments: each service is atomic, checks permission and its invariants, and
records one audit event of its own. The case's assessment state (level, due date) changes only
here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import office_in_jurisdiction
from openprobation.assessments import facts as case_file
from openprobation.assessments.instruments import instrument_in_force, spec_of
from openprobation.assessments.models import (
    Assessment,
    AssessmentReason,
    CaseAssessmentState,
    DueReason,
    InstrumentKind,
    LevelOverride,
    OverrideStatus,
    ReassessmentTrigger,
    TriggerKind,
)
from openprobation.assessments.rules import scheduled_reassessment
from openprobation.assessments.scoring import AnswersInvalid, clean_answers, score_answers
from openprobation.audit.services import audit_record
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.cases.services import case_locked_for_change
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import ESTABLISHED, Violation, ViolationKind
from openprobation.people.models import Address, AddressKind

EARLIEST = dt.date(2000, 1, 1)
MAX_NOTE = 2000
MIN_REASON = 10

# Which reason an assessment answers, by the trigger that called for it.
TRIGGER_REASON = {
    TriggerKind.VIOLATION: AssessmentReason.VIOLATION,
    TriggerKind.NEW_OFFENCE: AssessmentReason.NEW_OFFENCE,
    TriggerKind.CHANGE_OF_WORK: AssessmentReason.CHANGE_OF_WORK,
    TriggerKind.CHANGE_OF_ADDRESS: AssessmentReason.CHANGE_OF_ADDRESS,
}


def _locked_case(actor: User, case: Case) -> Case:
    return case_locked_for_change(actor, case)


def _circumstances(case: Case) -> dict[str, Any]:
    """What a later change of work or address is measured against."""
    address = Address.objects.filter(person_id=case.person_id, kind=AddressKind.ACTUAL).first()
    return {
        "employment": case.person.employment_status,
        "address": str(address) if address else "",
        "address_updated": address.updated_at.isoformat() if address else "",
    }


def state_for(case: Case) -> CaseAssessmentState:
    """The case's state row, created (due at once, as a first assessment) when missing."""
    state, _created = CaseAssessmentState.objects.get_or_create(
        case=case, defaults={"due_on": case.registered_on or case.received_on, "due_reason": DueReason.INITIAL}
    )
    return state


def assessment_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    answers: dict[str, Any],
    reason: str = "",
    assessed_on: dt.date | None = None,
    note: str = "",
) -> Assessment:
    """Score and keep an assessment of ``kind`` with the instrument in force. A risk assessment
    sets the case's level (ending any override of the previous one), answers the open triggers
    and schedules the next; a needs assessment becomes the case's current needs."""
    today = local_today()
    on = assessed_on or today
    if kind not in InstrumentKind.values:
        raise DomainError(_("Unknown kind of assessment."), field="kind")
    if on > today:
        raise DomainError(_("The date cannot be in the future."), field="assessed_on")
    if on < EARLIEST:
        raise DomainError(_("The date cannot be before %(date)s.") % {"date": "01.01.2000"}, field="assessed_on")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": MAX_NOTE}, field="note")
    if not isinstance(answers, dict):
        raise DomainError(_("The answers must be an object of item codes and values."), field="answers")
    with transaction.atomic():
        locked = _locked_case(actor, case)
        instrument = instrument_in_force(kind, on=on)
        spec = spec_of(instrument)
        try:
            cleaned = clean_answers(spec, answers)
            result = score_answers(spec, cleaned)
        except AnswersInvalid as exc:
            raise DomainError(
                _("Some answers need correcting: %(items)s.") % {"items": ", ".join(sorted(exc.errors))},
                field="answers",
                code="invalid_answers",
            ) from exc
        state = CaseAssessmentState.objects.select_for_update().filter(case=locked).first() or state_for(locked)
        open_triggers = list(ReassessmentTrigger.objects.filter(case=locked, resolved_by__isnull=True))
        if not reason:
            if kind == InstrumentKind.RISK and state.risk_id is None:
                reason = AssessmentReason.INITIAL
            elif open_triggers:
                reason = TRIGGER_REASON[TriggerKind(open_triggers[0].kind)]
            else:
                reason = AssessmentReason.SCHEDULED if state.due_on and state.due_on <= on else AssessmentReason.OTHER
        if reason not in AssessmentReason.values:
            raise DomainError(_("Unknown reason for the assessment."), field="reason")
        assessment = Assessment.objects.create(
            case=locked,
            instrument=instrument,
            kind=kind,
            assessed_on=on,
            assessed_by=actor,
            reason=reason,
            answers=cleaned,
            prefilled=case_file.prefill(spec, locked, on=on),
            result=result.as_dict(),
            score=result.score,
            probability=result.probability,
            level=result.level,
            note=note,
            circumstances=_circumstances(locked),
        )
        before = {"level": state.level, "due_on": state.due_on.isoformat() if state.due_on else None}
        if kind == InstrumentKind.RISK:
            due = scheduled_reassessment(assessed_on=on)
            state.risk = assessment
            state.assessed_level = result.level
            state.level = result.level
            state.override = None
            state.due_on = due.due_on
            state.due_reason = DueReason.SCHEDULED
            ReassessmentTrigger.objects.filter(pk__in=[t.pk for t in open_triggers]).update(resolved_by=assessment)
            LevelOverride.objects.filter(assessment__case=locked, status=OverrideStatus.PENDING).update(
                status=OverrideStatus.REFUSED,
                decided_at=timezone.now(),
                decision_note=_("Replaced by a new assessment."),
            )
        else:
            state.needs = assessment
        state.save()
        audit_record(
            actor=actor,
            action="assessment.record",
            subject=locked,
            changes={
                "level": [before["level"], state.level],
                "due_on": [before["due_on"], state.due_on.isoformat() if state.due_on else None],
            }
            if kind == InstrumentKind.RISK
            else None,
            details={
                "assessment_id": assessment.pk,
                "instrument": str(instrument),
                "kind": kind,
                "reason": reason,
                "score": round(result.score, 6),
                "level": result.level,
            },
        )
    return assessment


def _latest_risk(case: Case) -> Assessment | None:
    return Assessment.objects.filter(case=case, kind=InstrumentKind.RISK).order_by("-assessed_on", "-id").first()


def level_override_request(*, actor: User, assessment: Assessment, level: str, reason: str) -> LevelOverride:
    """An officer's different level for the case's latest risk assessment, with a reason; it
    waits for the head of office's countersignature and changes nothing until then."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError(_("Explain the override in at least %(n)s characters.") % {"n": MIN_REASON}, field="reason")
    if len(reason) > MAX_NOTE:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": MAX_NOTE}, field="reason")
    with transaction.atomic():
        locked = _locked_case(actor, assessment.case)
        if assessment.kind != InstrumentKind.RISK or _latest_risk(locked) != assessment:
            raise DomainError(_("Only the latest risk assessment of the case can be overridden."), code="not_latest")
        levels = spec_of(assessment.instrument).level_codes
        if level not in levels:
            raise DomainError(_("Choose one of the instrument's levels."), field="level")
        state = CaseAssessmentState.objects.select_for_update().get(case=locked)
        if level == state.level:
            raise DomainError(_("The case already has this level."), field="level")
        if LevelOverride.objects.filter(assessment=assessment, status=OverrideStatus.PENDING).exists():
            raise DomainError(_("An override of this assessment already awaits countersignature."), code="pending")
        override = LevelOverride.objects.create(
            assessment=assessment, computed_level=assessment.level, level=level, reason=reason, requested_by=actor
        )
        audit_record(
            actor=actor,
            action="assessment.override_request",
            subject=locked,
            changes={"level": [state.level, level]},
            details={"override_id": override.pk, "assessment_id": assessment.pk, "reason": reason},
        )
    return override


def level_override_decide(*, actor: User, override: LevelOverride, approve: bool, note: str = "") -> LevelOverride:
    """The head of office countersigns (the level changes) or refuses an override. Nobody
    countersigns their own."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": MAX_NOTE}, field="note")
    if not approve and len(note) < MIN_REASON:
        raise DomainError(_("Say why in at least %(n)s characters.") % {"n": MIN_REASON}, field="note")
    with transaction.atomic():
        locked = (
            LevelOverride.objects.select_for_update().select_related("assessment__case__office").get(pk=override.pk)
        )
        case = locked.assessment.case
        if not has_cap(actor, Cap.LEVEL_COUNTERSIGN) or not office_in_jurisdiction(actor, case.office):
            raise PermissionDeniedError(_("Only the head of the office may countersign an override."))
        if locked.requested_by_id == actor.pk:
            raise PermissionDeniedError(_("An override is countersigned by someone other than who asked for it."))
        if locked.status != OverrideStatus.PENDING:
            raise DomainError(_("This override has already been decided."), code="decided")
        if case.status in TERMINAL:
            raise DomainError(_("A finished case cannot be changed."), code="case_finished")
        state = CaseAssessmentState.objects.select_for_update().get(case=case)
        before = state.level
        locked.status = OverrideStatus.COUNTERSIGNED if approve else OverrideStatus.REFUSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save()
        if approve and state.risk_id == locked.assessment_id:
            state.level = locked.level
            state.override = locked
            state.save(update_fields=["level", "override"])
        audit_record(
            actor=actor,
            action="assessment.override_countersign" if approve else "assessment.override_refuse",
            subject=case,
            changes={"level": [before, state.level]},
            details={"override_id": locked.pk, "note": note},
        )
    return locked


# --- The job: states for new cases, and triggers --------------------------------------------------


def reassessment_scan(*, today: dt.date | None = None) -> dict[str, int]:
    """Hourly: give every open case a state (a first assessment due at once), and record the events
    since each case's last risk assessment that call for a new one — an established violation
    (a new offence by its kind), a change of employment or of the actual address — making the case
    due today. Set-based and idempotent (a trigger is recorded once per source)."""
    on = today or local_today()
    counts = {"states": 0, "triggers": 0}
    with transaction.atomic():
        missing = Case.objects.filter(status__in=OPEN_STATUSES).exclude(
            Exists(CaseAssessmentState.objects.filter(case=OuterRef("pk")))
        )
        fresh = [
            CaseAssessmentState(case_id=pk, due_on=registered or received, due_reason=DueReason.INITIAL)
            for pk, registered, received in missing.values_list("pk", "registered_on", "received_on")
        ]
        CaseAssessmentState.objects.bulk_create(fresh, ignore_conflicts=True)
        counts["states"] = len(fresh)

        assessed = CaseAssessmentState.objects.filter(case__status__in=OPEN_STATUSES, risk__isnull=False)
        triggers: list[ReassessmentTrigger] = []
        violations = Violation.objects.filter(
            status__in=ESTABLISHED,
            case__assessment_state__in=assessed,
            occurred_on__gte=F("case__assessment_state__risk__assessed_on"),
        ).values_list("pk", "case_id", "kind", "occurred_on")
        for pk, case_id, kind, occurred in violations:
            trigger_kind = TriggerKind.NEW_OFFENCE if kind == ViolationKind.NEW_OFFENCE else TriggerKind.VIOLATION
            triggers.append(
                ReassessmentTrigger(
                    case_id=case_id, kind=trigger_kind, occurred_on=occurred, source_ref=f"violation:{pk}"
                )
            )
        rows = assessed.select_related("risk", "case__person").only(
            "case_id",
            "risk__circumstances",
            "risk__assessed_on",
            "risk__id",
            "case__person__employment_status",
            "case__person_id",
        )
        changed_address = dict(
            Address.objects.filter(kind=AddressKind.ACTUAL, person__cases__assessment_state__in=assessed).values_list(
                "person_id", "updated_at"
            )
        )
        for state in rows:
            risk = state.risk
            if risk is None:  # filtered above; for the type checker
                continue
            before = risk.circumstances or {}
            person = state.case.person
            if "employment" in before and person.employment_status != before["employment"]:
                triggers.append(
                    ReassessmentTrigger(
                        case_id=state.case_id,
                        kind=TriggerKind.CHANGE_OF_WORK,
                        occurred_on=on,
                        source_ref=f"work:{risk.pk}:{person.employment_status}",
                    )
                )
            updated = changed_address.get(person.pk)
            if updated is not None and "address_updated" in before and updated.isoformat() != before["address_updated"]:
                triggers.append(
                    ReassessmentTrigger(
                        case_id=state.case_id,
                        kind=TriggerKind.CHANGE_OF_ADDRESS,
                        occurred_on=timezone.localdate(updated),
                        source_ref=f"address:{risk.pk}:{updated.isoformat()}",
                    )
                )
        known = set(
            ReassessmentTrigger.objects.filter(source_ref__in=[t.source_ref for t in triggers]).values_list(
                "case_id", "source_ref"
            )
        )
        new = [t for t in triggers if (t.case_id, t.source_ref) not in known]
        ReassessmentTrigger.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            due_cases = set(
                ReassessmentTrigger.objects.filter(
                    resolved_by__isnull=True, case__assessment_state__in=assessed
                ).values_list("case_id", flat=True)
            )
            CaseAssessmentState.objects.filter(case_id__in=due_cases).filter(
                Q(due_on__isnull=True) | Q(due_on__gt=on)
            ).update(due_on=on, due_reason=DueReason.EVENT)
        counts["triggers"] = len(new)
    return counts
