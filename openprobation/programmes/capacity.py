"""Capacity against need, per district (office): how many people have each assessed need, how many
measures are planned, how referrals are answered, and how many places the partners offer — so a
head of office sees where places are missing. Counts only, never a person.

Who sees which offices: senior officers and heads their own office, a regional administrator the
region's offices (``accounts.scoping.offices_for_user``); an analyst the offices of their statistics
jurisdiction, as aggregates (``accounts.scoping.aggregates_for_user``). The page and the API call
``capacity_report``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import Level, Scope, aggregates_for_user, level_of, offices_for_user, scope_of
from openprobation.assessments.models import CaseAssessmentState
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.programmes.catalogue import MEASURES, CapacityPeriod, NeedDomain, measure_label
from openprobation.programmes.models import (
    WAITING_FOR_ANSWER,
    MeasureStatus,
    PartnerOrganisation,
    ProgrammeMeasure,
    ProgrammeStatus,
    Referral,
)

# Places per month that a capacity stated per period stands for.
PER_MONTH = {CapacityPeriod.MONTH: Decimal(1), CapacityPeriod.QUARTER: Decimal(3), CapacityPeriod.YEAR: Decimal(12)}


@dataclass
class DomainRow:
    domain: str
    label: str
    people: int


@dataclass
class MeasureRow:
    measure: str
    label: str
    people_in_need: int = 0
    planned: int = 0
    waiting: int = 0
    waiting_late: int = 0
    answered_in_time: int = 0
    answered_late: int = 0
    places: Decimal = Decimal(0)
    organisations: int = 0
    places_unknown: int = 0  # organisations offering the measure without a stated capacity

    @property
    def gap(self) -> Decimal:
        """People in need beyond the places a month (above zero: places are missing)."""
        return max(Decimal(self.people_in_need) - self.places, Decimal(0))

    @property
    def short(self) -> bool:
        return self.gap > 0


@dataclass
class OfficeCapacity:
    office_id: int
    office: str
    open_cases: int
    people_assessed: int
    domains: list[DomainRow] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)

    @property
    def short_measures(self) -> int:
        return sum(1 for m in self.measures if m.short)


@dataclass
class CapacityReport:
    on: dt.date
    offices: list[OfficeCapacity]
    aggregate_only: bool


def may_see_capacity(user: Any) -> bool:
    if scope_of(user) is Scope.JURISDICTION and has_cap(user, Cap.OFFICE_CASELOAD):
        return True
    return scope_of(user) is Scope.AGGREGATE and has_cap(user, Cap.STATS_VIEW)


def _offices(user: Any) -> tuple[list[Office], bool]:
    if scope_of(user) is Scope.JURISDICTION and has_cap(user, Cap.OFFICE_CASELOAD):
        return list(offices_for_user(user).order_by("code", "id")), False
    if aggregates_for_user(user, Case.objects.none()) is None:
        raise PermissionDeniedError(_("You may not see the capacity of the districts."))
    level = level_of(user)
    qs = Office.objects.all()
    if level is Level.OFFICE:
        qs = qs.filter(pk=user.office_id)
    elif level is Level.REGION:
        qs = qs.filter(region_id=user.region_id)
    return list(qs.order_by("code", "id")), True


def _monthly(capacity: int, period: str) -> Decimal:
    return (Decimal(capacity) / PER_MONTH.get(CapacityPeriod(period), Decimal(1))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _needs(office_ids: list[int]) -> tuple[dict[int, dict[str, set[int]]], dict[int, set[int]]]:
    """Per office: the people (ids, kept inside this function) with each need rated above zero by
    the latest needs assessment of an open case; and the people assessed at all."""
    per: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    assessed: dict[int, set[int]] = defaultdict(set)
    rows = CaseAssessmentState.objects.filter(
        case__office_id__in=office_ids, case__status__in=OPEN_STATUSES, needs__isnull=False
    ).values_list("case__office_id", "case__person_id", "needs__result")
    for office_id, person_id, result in rows.iterator():
        assessed[office_id].add(person_id)
        for d in (result or {}).get("domains", []):
            if (d.get("points") or 0) > 0:
                domain = d.get("domain") if d.get("domain") in NeedDomain.values else NeedDomain.OTHER
                per[office_id][str(domain)].add(person_id)
    return per, assessed


def _referrals(office_ids: list[int], today: dt.date) -> dict[tuple[int, str], dict[str, int]]:
    out: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Referral.objects.filter(office_id__in=office_ids).exclude(status="draft")
    for office_id, code, status, due, answered in rows.values_list(
        "office_id", "measure__measure", "status", "answer_due", "answered_at"
    ).iterator():
        counts = out[(office_id, code)]
        if answered is not None:
            late = due is not None and answered.date() > due
            counts["answered_late" if late else "answered_in_time"] += 1
        elif status in WAITING_FOR_ANSWER:
            counts["waiting"] += 1
            if due is not None and due < today:
                counts["waiting_late"] += 1
    return out


def _places(offices: list[Office]) -> dict[tuple[int, str], list[Decimal | None]]:
    """Per office and measure: each serving active organisation's places a month (None: not stated)."""
    out: dict[tuple[int, str], list[Decimal | None]] = defaultdict(list)
    orgs = PartnerOrganisation.objects.filter(
        active=True, region_id__in={o.region_id for o in offices}
    ).prefetch_related("districts")
    for org in orgs:
        districts = {d.pk for d in org.districts.all()}
        monthly = _monthly(org.capacity, org.capacity_period) if org.capacity is not None else None
        for office in offices:
            serves = office.pk in districts or (not districts and org.region_id == office.region_id)
            if not serves:
                continue
            for code in org.services or []:
                if code in MEASURES:
                    out[(office.pk, code)].append(monthly)
    return out


def capacity_report(*, user: Any, today: dt.date | None = None) -> CapacityReport:
    """The capacity-against-need table of each district the user may see (PermissionDeniedError
    for anyone else)."""
    if not may_see_capacity(user):
        raise PermissionDeniedError(_("You may not see the capacity of the districts."))
    on = today or local_today()
    offices, aggregate_only = _offices(user)
    ids = [o.pk for o in offices]
    open_qs = Case.objects.filter(office_id__in=ids, status__in=OPEN_STATUSES)
    aggregates = aggregates_for_user(user, open_qs) if aggregate_only else None
    if aggregates is not None:
        # An analyst's counts come through the aggregate-only door of their statistics jurisdiction.
        open_cases: dict[Any, int] = aggregates.count_by("office_id")
    else:
        open_cases = dict(
            open_qs.order_by().values_list("office_id").annotate(n=Count("id")).values_list("office_id", "n")
        )
    needs, assessed = _needs(ids)
    planned = {
        (office_id, code): n
        for office_id, code, n in ProgrammeMeasure.objects.filter(
            programme__office_id__in=ids,
            status__in=[MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS],
        )
        .exclude(programme__status=ProgrammeStatus.CLOSED)
        .order_by()
        .values_list("programme__office_id", "measure")
        .annotate(n=Count("id"))
        .values_list("programme__office_id", "measure", "n")
    }
    referrals = _referrals(ids, on)
    places = _places(offices)
    report: list[OfficeCapacity] = []
    for office in offices:
        per = needs.get(office.pk, {})
        block = OfficeCapacity(
            office_id=office.pk,
            office=str(office),
            open_cases=open_cases.get(office.pk, 0),
            people_assessed=len(assessed.get(office.pk, set())),
            domains=[
                DomainRow(domain=d, label=str(label), people=len(per.get(d, set())))
                for d, label in NeedDomain.choices
                if d != NeedDomain.OTHER or per.get(d)
            ],
        )
        for code, info in MEASURES.items():
            in_need: set[int] = set()
            for d in info.domains:
                in_need |= per.get(d, set())
            offered = places.get((office.pk, code), [])
            counts = referrals.get((office.pk, code), {})
            block.measures.append(
                MeasureRow(
                    measure=code,
                    label=str(measure_label(code)),
                    people_in_need=len(in_need),
                    planned=planned.get((office.pk, code), 0),
                    waiting=counts.get("waiting", 0),
                    waiting_late=counts.get("waiting_late", 0),
                    answered_in_time=counts.get("answered_in_time", 0),
                    answered_late=counts.get("answered_late", 0),
                    places=sum((p for p in offered if p is not None), Decimal(0)),
                    organisations=len(offered),
                    places_unknown=sum(1 for p in offered if p is None),
                )
            )
        report.append(block)
    return CapacityReport(on=on, offices=report, aggregate_only=aggregate_only)
