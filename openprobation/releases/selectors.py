"""Reads of release plans. The sending side reads through the scoped case selectors (its
jurisdiction, 404 otherwise); the receiving office may read a plan once it has been told the person
arrives (``notified_at``), by the plan's receiving office being in its jurisdiction. Every read of
personal data is recorded here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import CaseAction, may, office_q
from openprobation.audit.services import audit_record
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_qs_for_user
from openprobation.releases.models import PlanStatus, ReleasePlan, ReleasePlanEvent, ReleasePlanItem
from openprobation.releases.readiness import Readiness, plan_readiness

PART = "release_plan"
LIST_LIMIT = 200


@dataclass(frozen=True)
class PlanView:
    """What the plan page and the API show: the case, its plan (None before one is opened), the
    readiness on the day, and whether the reader reads as the receiving office and may change it."""

    case: Case
    plan: ReleasePlan | None
    readiness: Readiness | None
    receiving: bool
    may_change: bool


def _items_qs() -> QuerySet[ReleasePlanItem]:
    return ReleasePlanItem.objects.select_related("owner_organisation", "owner_user").order_by("id")


def _plans_qs() -> QuerySet[ReleasePlan]:
    return ReleasePlan.objects.select_related(
        "case", "case__office", "person", "office", "receiving_office", "handed_over_case"
    ).prefetch_related(Prefetch("items", queryset=_items_qs()))


def receiving_q(user: Any) -> Q | None:
    """Plans the user reads as the receiving office: told, and received in their jurisdiction."""
    q = office_q(user, "receiving_office")
    if q is None:
        return None
    return q & Q(notified_at__isnull=False)


def may_change(user: Any, case: Case) -> bool:
    return may(user, CaseAction.EDIT, case) and case.status not in TERMINAL


def plan_view(*, user: Any, pk: int, on: dt.date) -> PlanView:
    """The plan of case ``pk`` as the user may read it (recorded as a read of the case); raises
    Case.DoesNotExist (a 404) when they may read neither the case nor its plan as the receiving office."""
    receiving = False
    try:
        case = case_detail(user=user, pk=pk, part=PART)
    except Case.DoesNotExist:
        q = receiving_q(user)
        plan = _plans_qs().filter(q, case_id=pk).first() if q is not None else None
        if plan is None:
            raise
        case = plan.case
        audit_record(actor=user, action="case.view", subject=case, details={"part": PART, "as": "receiving_office"})
        receiving = True
    else:
        plan = _plans_qs().filter(case=case).first()
    readiness = plan_readiness(plan, on=on, items=list(plan.items.all())) if plan is not None else None
    return PlanView(
        case=case,
        plan=plan,
        readiness=readiness,
        receiving=receiving,
        may_change=not receiving and may_change(user, case),
    )


def plan_events(*, plan: ReleasePlan) -> list[ReleasePlanEvent]:
    return list(plan.events.select_related("by", "item").order_by("-at", "-id")[:50])


@dataclass(frozen=True)
class PlanRow:
    plan: ReleasePlan
    readiness: Readiness


def _rows(plans: QuerySet[ReleasePlan], on: dt.date) -> list[PlanRow]:
    return [PlanRow(plan=p, readiness=plan_readiness(p, on=on, items=list(p.items.all()))) for p in plans]


def office_plans(*, user: Any, on: dt.date, status: str = PlanStatus.OPEN) -> list[PlanRow]:
    """Release plans of the cases the user's offices hold, by release date, with their readiness
    (the read is recorded)."""
    if not has_cap(user, Cap.CASE_VIEW):
        return []
    cases = case_qs_for_user(user).values("pk")
    plans = _plans_qs().filter(case__in=cases)
    if status in PlanStatus.values:
        plans = plans.filter(status=status)
    rows = _rows(plans.order_by("release_date", "pk")[:LIST_LIMIT], on)
    audit_record(actor=user, action="release.plans_list", details={"status": status, "count": len(rows)})
    return rows


def arriving_plans(*, user: Any, on: dt.date) -> list[PlanRow]:
    """Plans of people arriving in the user's jurisdiction from prison: the receiving office has
    been told and the plan is not handed over yet (the read is recorded)."""
    q = receiving_q(user)
    if q is None or not has_cap(user, Cap.CASE_VIEW):
        return []
    plans = _plans_qs().filter(q, status=PlanStatus.OPEN).order_by("release_date", "pk")[:LIST_LIMIT]
    rows = _rows(plans, on)
    audit_record(actor=user, action="release.arriving_list", details={"count": len(rows)})
    return rows
