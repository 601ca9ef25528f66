"""Writes on release plans: each service is atomic, checks permission and its invariants under the
case's row lock, and records one audit event of its own. Who writes: the staff of the penitentiary
case's office, as for any other work on the case (``accounts.scoping.may`` through
``cases.services.case_locked_for_change``). ``actor`` None is the scheduled scan."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, User
from openprobation.audit.services import audit_record
from openprobation.cases.models import OPEN_STATUSES, Case, CaseType
from openprobation.cases.services import case_locked_for_change
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import PartnerOrganisation
from openprobation.releases.lifecycle import PLAN_LIFECYCLE
from openprobation.releases.models import (
    SENTENCE_KINDS,
    Area,
    EventKind,
    HandoverKind,
    ItemStatus,
    PlanStatus,
    ReleasePlan,
    ReleasePlanEvent,
    ReleasePlanItem,
)
from openprobation.rules.rulebook import rule

log = logging.getLogger(__name__)

PREPARATION_RULE = "penitentiary.release_preparation"
NOTICE_RULE = "release.handover_notice"
# Dates further than this from the release date are typing errors (service practice).
FAR_DAYS = 3 * 366
MAX_TEXT = 300
MAX_NOTE = 2000
MAX_TERM_MONTHS = 600


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _text(value: Any, *, field: str, limit: int = MAX_TEXT, required: bool = False, message: str = "") -> str:
    if value is not None and not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    text = (value or "").strip()
    if required and not text:
        raise DomainError(message or _("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=field)
    return text


def preparation_start(*, release_date: dt.date, on: dt.date) -> tuple[dt.date, str, int]:
    """The day release preparation starts: the rulebook's months before the release date (as the
    rule stands on ``on``), with the rule's key and version."""
    version = rule(PREPARATION_RULE, on=on)
    return release_date - relativedelta(months=int(version["months_before_release"])), version.key, version.version


def notice_day(*, release_date: dt.date, on: dt.date) -> tuple[dt.date, str, int]:
    """The day the receiving office is told: the rulebook's days before the release date."""
    version = rule(NOTICE_RULE, on=on)
    return release_date - dt.timedelta(days=int(version["days_before_release"])), version.key, version.version


def _event(
    plan: ReleasePlan, kind: str, actor: User | None, *, item: Any = None, changes: Any = None, note: str = ""
) -> None:
    ReleasePlanEvent.objects.create(plan=plan, kind=kind, item=item, changes=changes or {}, note=note, by=actor)


def _locked(actor: User | None, case: Case) -> Case:
    if actor is None:
        return Case.objects.select_for_update(of=("self",)).select_related("office", "person").get(pk=case.pk)
    return case_locked_for_change(actor, case)


def _locked_plan(actor: User, plan: ReleasePlan) -> tuple[Case, ReleasePlan]:
    """The plan's case and the plan, both locked and judged again; refused on a plan no longer open."""
    case = case_locked_for_change(actor, plan.case)
    locked = ReleasePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.OPEN:
        raise DomainError(_("This release plan is no longer open."), code="plan_closed")
    _sync(locked, case, actor)
    return case, locked


def _sync(plan: ReleasePlan, case: Case, actor: User | None) -> bool:
    """Keep the plan in step with its case: the release date (a change is recorded and the notice
    day follows it) and the case's office (after a transfer). True when something changed."""
    changed: dict[str, list[Any]] = {}
    if case.release_date and case.release_date != plan.release_date:
        changed["release_date"] = [plan.release_date.isoformat(), case.release_date.isoformat()]
        plan.release_date = case.release_date
        opens_on, plan.rule_key, plan.rule_version = preparation_start(release_date=case.release_date, on=local_today())
        plan.opens_on = opens_on
        if plan.notice_due_on is not None:
            plan.notice_due_on, plan.notice_rule_key, plan.notice_rule_version = notice_day(
                release_date=case.release_date, on=local_today()
            )
    if case.office_id != plan.office_id:
        changed["office"] = [plan.office_id, case.office_id]
        plan.office_id = case.office_id
    if not changed:
        return False
    plan.save()
    _event(plan, EventKind.DATE_CHANGED, actor, changes=changed)
    audit_record(
        actor=actor, action="release.plan_sync", subject=plan.case, changes=changed, details={"plan_id": plan.pk}
    )
    return True


# --- Opening ------------------------------------------------------------------------------------------


def release_plan_open(*, actor: User | None, case: Case, today: dt.date | None = None) -> ReleasePlan:
    """Open the release plan of a penitentiary case with an expected release date, with an item
    for each of the eight areas. The officer may open it any time before release; the scan opens
    it when the rulebook's months before release begin."""
    on = today or local_today()
    with transaction.atomic():
        locked = _locked(actor, case)
        if locked.case_type != CaseType.PENITENTIARY:
            raise DomainError(_("Release plans are made for penitentiary probation cases."), code="not_penitentiary")
        if locked.status not in OPEN_STATUSES:
            raise DomainError(_("A finished case cannot be changed."), code="case_finished")
        if locked.release_date is None:
            raise DomainError(_("Enter the expected release date of the case first."), field="release_date")
        if locked.release_date < on:
            raise DomainError(
                _("The expected release date (%(date)s) has passed: correct it on the case first.")
                % {"date": _d(locked.release_date)},
                field="release_date",
            )
        if ReleasePlan.objects.filter(case=locked).exists():
            raise DomainError(_("This case already has a release plan."), code="plan_exists")
        opens_on, key, version = preparation_start(release_date=locked.release_date, on=on)
        plan = ReleasePlan.objects.create(
            case=locked,
            person=locked.person,
            office=locked.office,
            release_date=locked.release_date,
            opens_on=opens_on,
            rule_key=key,
            rule_version=version,
            opened_by=actor,
        )
        ReleasePlanItem.objects.bulk_create(
            [
                ReleasePlanItem(
                    plan=plan,
                    area=area,
                    due_on=locked.release_date if area == Area.REGISTRATION else None,
                    updated_by=actor,
                )
                for area in Area.values
            ]
        )
        _event(plan, EventKind.OPENED, actor, changes={"release_date": [None, plan.release_date.isoformat()]})
        audit_record(
            actor=actor,
            action="release.plan_open",
            subject=locked,
            changes={"release_plan": [None, plan.pk], "opens_on": [None, opens_on.isoformat()]},
            details={"plan_id": plan.pk, "rule": f"{key} v{version}", "by_scan": actor is None},
        )
    return plan


# --- Items ----------------------------------------------------------------------------------------------


@dataclass
class ItemInput:
    status: str
    owner_name: str = ""
    owner_organisation_id: int | None = None
    owner_user_id: int | None = None
    due_on: dt.date | None = None
    note: str = ""


ITEM_FIELDS = ("status", "owner_name", "owner_organisation_id", "owner_user_id", "due_on", "note")


def _item_values(plan: ReleasePlan, case: Case, data: ItemInput, today: dt.date) -> dict[str, Any]:
    if data.status not in ItemStatus.values:
        raise DomainError(_("Choose the status."), field="status")
    org_id = data.owner_organisation_id
    if org_id is not None and not PartnerOrganisation.objects.filter(pk=org_id, active=True).exists():
        raise DomainError(_("Choose an active partner organisation."), field="owner_organisation")
    user_id = data.owner_user_id
    if user_id is not None and not User.objects.filter(pk=user_id, is_active=True, office_id=case.office_id).exists():
        raise DomainError(_("Choose an active member of staff of the case's office."), field="owner_user")
    if data.due_on is not None:
        low, high = today - dt.timedelta(days=FAR_DAYS), plan.release_date + dt.timedelta(days=FAR_DAYS)
        if not low <= data.due_on <= high:
            raise DomainError(
                _("Enter a due date between %(from)s and %(to)s.") % {"from": _d(low), "to": _d(high)}, field="due_on"
            )
    return {
        "status": data.status,
        "owner_name": _text(data.owner_name, field="owner_name"),
        "owner_organisation_id": org_id,
        "owner_user_id": user_id,
        "due_on": data.due_on,
        "note": _text(data.note, field="note", limit=MAX_NOTE),
    }


def release_item_update(*, actor: User, plan: ReleasePlan, item_id: int, data: ItemInput) -> ReleasePlanItem:
    """Change an item's status, owner (free text, a partner organisation, a member of staff), due
    date or note; the change is kept in the plan's history."""
    with transaction.atomic():
        case, locked = _locked_plan(actor, plan)
        item = ReleasePlanItem.objects.select_for_update().filter(plan=locked, pk=item_id).first()
        if item is None:
            raise DomainError(_("There is no such item in this plan."), code="does_not_exist")
        values = _item_values(locked, case, data, local_today())
        before = {f: getattr(item, f) for f in ITEM_FIELDS}
        changes = {f: [before[f], v] for f, v in values.items() if before[f] != v}
        if not changes:
            raise DomainError(_("Nothing changes: the item already reads so."), field="status")
        for name, value in values.items():
            setattr(item, name, value)
        item.updated_by = actor
        item.save()
        _event(locked, EventKind.ITEM, actor, item=item, changes=_jsonable(changes))
        audit_record(
            actor=actor,
            action="release.item_update",
            subject=case,
            changes=changes,
            details={"plan_id": locked.pk, "item_id": item.pk, "area": item.area},
        )
    return item


def _jsonable(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: [v.isoformat() if isinstance(v, dt.date) else v for v in pair] for k, pair in changes.items()}


# --- Receiving office and handover kind --------------------------------------------------------------


@dataclass
class HandoverDetails:
    receiving_office_id: int | None
    handover_kind: str
    decision_court: str = ""
    decision_number: str = ""
    decision_date: dt.date | None = None
    decision_effective_date: dt.date | None = None
    term_months: int | None = None
    term_days: int = 0


DETAIL_FIELDS = (
    "receiving_office_id",
    "handover_kind",
    "decision_court",
    "decision_number",
    "decision_date",
    "decision_effective_date",
    "term_months",
    "term_days",
)


def _details_values(case: Case, data: HandoverDetails, today: dt.date) -> dict[str, Any]:
    if data.handover_kind not in HandoverKind.values:
        raise DomainError(_("Choose what the person is released to."), field="handover_kind")
    if data.receiving_office_id is None or not Office.objects.filter(pk=data.receiving_office_id).exists():
        raise DomainError(_("Choose the office of the district the person will live in."), field="receiving_office")
    values: dict[str, Any] = {
        "receiving_office_id": data.receiving_office_id,
        "handover_kind": data.handover_kind,
        "decision_court": _text(data.decision_court, field="decision_court"),
        "decision_number": _text(data.decision_number, field="decision_number", limit=64),
        "decision_date": data.decision_date,
        "decision_effective_date": data.decision_effective_date,
        "term_months": data.term_months,
        "term_days": data.term_days or 0,
    }
    if data.handover_kind not in SENTENCE_KINDS:
        values.update(decision_court="", decision_number="", decision_date=None, decision_effective_date=None)
        values.update(term_months=None, term_days=0)
        return values
    for name in ("decision_date", "decision_effective_date"):
        value = values[name]
        if value is not None and value > today:
            raise DomainError(_("The date cannot be in the future."), field=name)
        if value is not None and case.decision_date and value < case.decision_date:
            raise DomainError(
                _("The decision cannot be dated before the sentence (%(date)s).") % {"date": _d(case.decision_date)},
                field=name,
            )
    effective = values["decision_effective_date"]
    if effective is not None and values["decision_date"] is not None and effective < values["decision_date"]:
        raise DomainError(
            _("The date of legal effect cannot be before the decision date."), field="decision_effective_date"
        )
    months = values["term_months"]
    if months is not None and not 0 <= months <= MAX_TERM_MONTHS:
        raise DomainError(_("Enter the term as 0 to %(n)s months.") % {"n": MAX_TERM_MONTHS}, field="term_months")
    if not 0 <= values["term_days"] <= 31:
        raise DomainError(_("Enter the term as months and at most 31 days."), field="term_days")
    return values


def release_plan_set_handover(*, actor: User, plan: ReleasePlan, data: HandoverDetails) -> ReleasePlan:
    """Set the receiving office (the district the person will live in; needed before the notice)
    and what the person is released to; for parole or deferral, the court's decision the sentence
    case will be opened from. A new receiving office after the notice is told again."""
    with transaction.atomic():
        case, locked = _locked_plan(actor, plan)
        values = _details_values(case, data, local_today())
        before = {f: getattr(locked, f) for f in DETAIL_FIELDS}
        changes = {f: [before[f], v] for f, v in values.items() if before[f] != v}
        if not changes:
            raise DomainError(_("Nothing changes: the plan already reads so."), field="receiving_office")
        for name, value in values.items():
            setattr(locked, name, value)
        if "receiving_office_id" in changes and locked.notified_at is not None:
            # The office told before is no longer the one that takes the person: tell the new one.
            changes["notified_at"] = [locked.notified_at, None]
            locked.notified_at = None
        locked.save()
        _event(locked, EventKind.HANDOVER_DETAILS, actor, changes=_jsonable(changes))
        audit_record(
            actor=actor,
            action="release.handover_details",
            subject=case,
            changes=changes,
            details={"plan_id": locked.pk},
        )
    return locked


# --- Cancelling -------------------------------------------------------------------------------------------


def release_plan_cancel(*, actor: User, plan: ReleasePlan, reason: str) -> ReleasePlan:
    """Cancel the plan with a reason (the person is not released: a new sentence, a transfer to
    another institution, death)."""
    reason = _text(reason, field="reason", limit=MAX_NOTE, required=True, message=_("Give the reason for the change."))

    with transaction.atomic():
        # The case first, then the plan (the order every release service locks them in).
        case_locked_for_change(actor, plan.case)
        PLAN_LIFECYCLE.move(
            actor=actor,
            obj=plan,
            to_state=PlanStatus.CANCELLED,
            reason=reason,
            effective_on=local_today(),
            illegal_message=lambda frm, to: _("This release plan is no longer open."),
        )
    plan.refresh_from_db()
    return plan


# The notice, the handover and the scheduled scan are in ``handover`` (which builds on these).
__all__ = [
    "HandoverDetails",
    "ItemInput",
    "release_item_update",
    "release_plan_cancel",
    "release_plan_open",
    "release_plan_set_handover",
]
