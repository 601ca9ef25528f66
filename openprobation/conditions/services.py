"""Writes on a case's duties. The system never adds a duty by itself: a duty is entered only by
staff who may change the case, from a court decision, through ``case_condition_add``; it ends only
by a later decision through ``case_condition_end``. Each write records exactly one audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.accounts.scoping import CaseAction, may
from openprobation.audit.services import audit_record
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case, CourtDecision, DecisionKind
from openprobation.conditions.catalogue import definition_for
from openprobation.conditions.models import CaseCondition
from openprobation.conditions.params import MAX_YEAR, MIN_YEAR, clean_params
from openprobation.core.exceptions import DomainError, PermissionDeniedError


def _dmy(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _lock_case(actor: User, case: Case) -> Case:
    locked = Case.objects.select_for_update().select_related("office", "person").get(pk=case.pk)
    if not may(actor, CaseAction.EDIT, locked):
        raise PermissionDeniedError(_("You may not change this case."))
    if locked.status in TERMINAL:
        raise DomainError(_("The duties of a finished case cannot be changed."), code="case_finished")
    return locked


def _check_year(day: dt.date, field: str) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DomainError(
            _("Enter a date between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}, field=field
        )


def _source_decision(case: Case, decision: CourtDecision | None, in_force_from: dt.date) -> None:
    """The duty must come from the case's original decision or a later decision that changed the
    duties, and cannot be in force before that decision is."""
    if decision is None:
        if not (case.decision_number or case.decision_date or case.effective_date):
            raise DomainError(
                _("The case has no court decision recorded: enter the legal basis or a later decision first."),
                field="decision",
            )
        start = case.effective_date or case.decision_date
    else:
        if decision.case_id != case.pk or decision.kind != DecisionKind.DUTIES_CHANGED:
            raise DomainError(
                _("Choose the case's original decision or a later decision that changed the duties."),
                field="decision",
            )
        start = decision.effective_date
    if start and in_force_from < start:
        raise DomainError(
            _("A duty cannot be in force before its decision takes effect (%(date)s).") % {"date": _dmy(start)},
            field="in_force_from",
        )


def case_condition_add(
    *,
    actor: User,
    case: Case,
    code: str,
    params: Any,
    decision: CourtDecision | None = None,
    in_force_from: dt.date,
) -> CaseCondition:
    """Enter a duty the court set: ``code`` from the catalogue (the version in force on
    ``in_force_from``), its parameters checked against that version's schema, and the decision it
    comes from (None: the case's original decision)."""
    with transaction.atomic():
        locked = _lock_case(actor, case)
        _check_year(in_force_from, "in_force_from")
        definition = definition_for(str(code or ""), in_force_from)
        if definition is None:
            raise DomainError(_("Choose a duty from the catalogue."), field="code")
        cleaned = clean_params(definition.params_schema or {}, params)
        _source_decision(locked, decision, in_force_from)
        if locked.control_end and in_force_from > locked.control_end:
            raise DomainError(
                _("A duty cannot start after probation control ends (%(date)s).") % {"date": _dmy(locked.control_end)},
                field="in_force_from",
            )
        clash = CaseCondition.objects.filter(case=locked, definition__code=definition.code).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=in_force_from)
        )
        if clash.exists():
            raise DomainError(
                _("This duty is already in force on the case: end it first if the court changed it."), field="code"
            )
        condition = CaseCondition.objects.create(
            case=locked,
            definition=definition,
            params=cleaned,
            decision=decision,
            in_force_from=in_force_from,
            entered_by=actor,
        )
        audit_record(
            actor=actor,
            action="condition.add",
            subject=locked,
            changes={"condition": [None, definition.code]},
            details={
                "condition_id": condition.pk,
                "code": definition.code,
                "version": definition.version,
                "params": cleaned,
                "decision_id": decision.pk if decision else None,
                "in_force_from": in_force_from,
            },
        )
    return condition


def case_condition_end(
    *,
    actor: User,
    condition: CaseCondition,
    decision: CourtDecision | None,
    ended_on: dt.date,
    reason: str,
) -> CaseCondition:
    """End a duty by a later court decision of the case, from ``ended_on`` (the first day it no
    longer applies). The row is kept: the duties' history stays readable."""
    with transaction.atomic():
        locked = _lock_case(actor, condition.case)
        row = CaseCondition.objects.select_for_update().select_related("definition").get(pk=condition.pk)
        if row.case_id != locked.pk:
            raise DomainError(_("This duty belongs to another case."), field="condition")
        if row.ended_on is not None:
            raise DomainError(
                _("This duty already ended on %(date)s.") % {"date": _dmy(row.ended_on)}, code="already_ended"
            )
        if decision is None or decision.case_id != locked.pk:
            raise DomainError(_("Choose the court decision that ends the duty."), field="decision")
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("Enter the reason."), field="reason")
        _check_year(ended_on, "ended_on")
        if ended_on < row.in_force_from:
            raise DomainError(
                _("A duty cannot end before it came into force (%(date)s).") % {"date": _dmy(row.in_force_from)},
                field="ended_on",
            )
        if ended_on < decision.effective_date:
            raise DomainError(
                _("A duty cannot end before the decision takes effect (%(date)s).")
                % {"date": _dmy(decision.effective_date)},
                field="ended_on",
            )
        row.ended_on, row.ended_by_decision, row.end_reason = ended_on, decision, reason
        row.ended_by, row.ended_at = actor, timezone.now()
        row.save(update_fields=["ended_on", "ended_by_decision", "end_reason", "ended_by", "ended_at"])
        audit_record(
            actor=actor,
            action="condition.end",
            subject=locked,
            changes={"ended_on": [None, ended_on]},
            details={
                "condition_id": row.pk,
                "code": row.definition.code,
                "decision_id": decision.pk,
                "reason": reason,
            },
        )
    condition.refresh_from_db()
    return condition
