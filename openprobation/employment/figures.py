"""District figures: per district (office) of the user's statistics jurisdiction and a calendar year,
counts only — the one computation the page and the API both show.

- people needing work: people with an open case whose person is unemployed, or whose court
  employment duty (labour) is still seeking work (each person once per district). Assessed needs are not counted here: the
  needs assessment already feeds programmes, and an assessed need without either of the two
  facts above is not yet a person needing work.
- referred: employment-centre referrals issued in the year;
- placed: placements started in the year (within or outside a quota);
- refusals: refusals in the year, with and without a good reason;
- quota places / used: the akimat's quotas of the year and the places used in them
  (``domain.quota_usage`` per quota, summed), and the share used.

Who: heads of office and regional administrators (their statistics jurisdiction) and analysts,
through ``accounts.scoping.aggregates_for_user`` (counts, never rows); senior officers their
office, through the case scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from openprobation.accounts.models import Office
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import AggregateOnly, Level, aggregates_for_user, level_of, offices_for_user
from openprobation.audit.services import audit_record
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.employment.models import EmploymentReferral, JobQuota, JobRefusal, Placement
from openprobation.labour.models import DutyStatus
from openprobation.people.models import Employment


def may_see_figures(user: Any) -> bool:
    return has_cap(user, Cap.STATS_VIEW) or has_cap(user, Cap.OFFICE_CASELOAD)


def figure_offices(user: Any) -> QuerySet[Office]:
    """The districts of the user's statistics jurisdiction (their case jurisdiction for seniors)."""
    if has_cap(user, Cap.STATS_VIEW):
        level = level_of(user)
        if level is Level.OFFICE:
            return Office.objects.filter(pk=user.office_id)
        if level is Level.REGION:
            return Office.objects.filter(region_id=user.region_id)
        if level is Level.NATIONAL:
            return Office.objects.all()
        return Office.objects.none()
    if has_cap(user, Cap.OFFICE_CASELOAD):
        return offices_for_user(user)
    return Office.objects.none()


def _counts(user: Any, qs: QuerySet[Any], offices: QuerySet[Office]) -> AggregateOnly:
    if has_cap(user, Cap.STATS_VIEW):
        scoped = aggregates_for_user(user, qs)
        if scoped is not None:
            return scoped
    return AggregateOnly(qs.filter(office__in=offices))


@dataclass
class DistrictRow:
    office_id: int
    office: str
    needing_work: int = 0
    referred: int = 0
    placed: int = 0
    refusals: int = 0
    refusals_good_reason: int = 0
    refusals_without_good_reason: int = 0
    quota_places: int = 0
    quota_used: int = 0

    @property
    def quota_percent(self) -> int | None:
        return round(100 * self.quota_used / self.quota_places) if self.quota_places else None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "quota_percent": self.quota_percent}


@dataclass
class Figures:
    year: int
    rows: list[DistrictRow] = field(default_factory=list)

    @property
    def total(self) -> DistrictRow:
        total = DistrictRow(office_id=0, office="")
        for row in self.rows:
            for name in (
                "needing_work",
                "referred",
                "placed",
                "refusals",
                "refusals_good_reason",
                "refusals_without_good_reason",
                "quota_places",
                "quota_used",
            ):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def district_figures(*, user: Any, year: int) -> Figures:
    """The district figures of ``year`` for the user (see the module's docstring); recorded as a
    read of statistics."""
    offices = figure_offices(user).select_related("region").order_by("region__code", "code", "id")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    office_ids = [office.pk for office in offices]
    # People, not cases: a person with two open cases in a district is one person needing work.
    needing_people = (
        _counts(
            user,
            Case.objects.filter(status__in=OPEN_STATUSES).filter(
                Q(person__employment_status=Employment.UNEMPLOYED) | Q(employment_duty__status=DutyStatus.SEEKING)
            ),
            offices,
        ).aggregate(**{f"o{pk}": Count("person_id", distinct=True, filter=Q(office_id=pk)) for pk in office_ids})
        if office_ids
        else {}
    )
    referred = _counts(user, EmploymentReferral.objects.filter(issued_on__range=(start, end)), offices).count_by(
        "office_id"
    )
    placed = _counts(user, Placement.objects.filter(started_on__range=(start, end)), offices).count_by("office_id")
    refusals = _counts(user, JobRefusal.objects.filter(refused_on__range=(start, end)), offices).count_by(
        "office_id", "good_reason"
    )
    sums = (
        _counts(user, JobQuota.objects.filter(year=year), offices).aggregate(
            **{f"o{pk}": Sum("places", filter=Q(office_id=pk)) for pk in office_ids}
        )
        if office_ids
        else {}
    )
    # A quota's used places are its placements started in its year (``domain.quota_usage``).
    used = _counts(user, Placement.objects.filter(quota__year=year, started_on__range=(start, end)), offices).count_by(
        "office_id"
    )
    rows = []
    for office in offices:
        good = refusals.get((office.pk, True), 0)
        bad = refusals.get((office.pk, False), 0)
        rows.append(
            DistrictRow(
                office_id=office.pk,
                office=str(office),
                needing_work=int(needing_people.get(f"o{office.pk}") or 0),
                referred=referred.get(office.pk, 0),
                placed=placed.get(office.pk, 0),
                refusals=good + bad,
                refusals_good_reason=good,
                refusals_without_good_reason=bad,
                quota_places=int(sums.get(f"o{office.pk}") or 0),
                quota_used=used.get(office.pk, 0),
            )
        )
    audit_record(actor=user, action="employment.figures", details={"year": year, "offices": len(rows)})
    return Figures(year=year, rows=rows)
