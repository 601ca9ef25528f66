"""Reads of employment records. A case's records are read for a case found through the scoped case
selectors (``employment_case`` finds one and records the read); a district's employers, quotas and
vacancies for an office of the user's jurisdiction (``district_office``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from openprobation.accounts.models import Office
from openprobation.accounts.scoping import office_in_jurisdiction
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail
from openprobation.employment.domain import PlacementFact, QuotaUsage, quota_usage
from openprobation.employment.models import (
    EmploymentReferral,
    EmploymentStatusChange,
    JobQuota,
    JobRefusal,
    Placement,
    ReferralStatus,
    Vacancy,
    VacancyStatus,
)
from openprobation.employment.services import DISTRICT_ROLES
from openprobation.programmes.catalogue import OrganisationKind
from openprobation.programmes.models import PartnerOrganisation


def employment_case(*, user: Any, pk: int) -> Case:
    """The case if the user may see it, recorded as a view of its employment records (404 otherwise)."""
    return case_detail(user=user, pk=pk, part="employment")


def district_office(*, user: Any, pk: int, roles: frozenset[str] = DISTRICT_ROLES) -> Office:
    """An office of the user's jurisdiction whose employment records the user's role may see;
    Office.DoesNotExist (a 404) otherwise."""
    office = Office.objects.select_related("region").filter(pk=pk).first()
    if office is None or getattr(user, "role", None) not in roles or not office_in_jurisdiction(user, office):
        raise Office.DoesNotExist
    return office


def district_employers(office: Office) -> QuerySet[PartnerOrganisation]:
    """Employers of the district: active employers of its region serving it or with a quota there."""
    return (
        PartnerOrganisation.objects.filter(kind=OrganisationKind.EMPLOYER, active=True, region_id=office.region_id)
        .filter(Q(districts=office) | Q(job_quotas__office=office))
        .distinct()
        .order_by("name", "id")
    )


def region_employers(office: Office) -> QuerySet[PartnerOrganisation]:
    return PartnerOrganisation.objects.filter(
        kind=OrganisationKind.EMPLOYER, active=True, region_id=office.region_id
    ).order_by("name", "id")


def district_centres(office: Office) -> QuerySet[PartnerOrganisation]:
    return PartnerOrganisation.objects.filter(
        kind=OrganisationKind.EMPLOYMENT_CENTRE, active=True, region_id=office.region_id, districts=office
    ).order_by("name", "id")


@dataclass(frozen=True)
class QuotaRow:
    quota: JobQuota
    usage: QuotaUsage


def quota_rows(*, office: Office, year: int) -> list[QuotaRow]:
    """The district's quotas of the year with their usage (``domain.quota_usage``): two queries."""
    quotas = list(
        JobQuota.objects.filter(office=office, year=year).select_related("employer").order_by("employer__name", "id")
    )
    facts: dict[int, list[PlacementFact]] = defaultdict(list)
    for quota_id, started, ended in Placement.objects.filter(quota__in=quotas).values_list(
        "quota_id", "started_on", "ended_on"
    ):
        facts[quota_id].append(PlacementFact(started_on=started, ended_on=ended))
    return [QuotaRow(quota=q, usage=quota_usage(places=q.places, year=q.year, placements=facts[q.pk])) for q in quotas]


def vacancies(*, office: Office, status: str = "") -> QuerySet[Vacancy]:
    qs = Vacancy.objects.filter(office=office).select_related("employer")
    if status in VacancyStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-opened_on", "-id")


def open_vacancies(office: Office) -> list[Vacancy]:
    return list(vacancies(office=office, status=VacancyStatus.OPEN))


@dataclass
class CaseEmployment:
    """Everything the case's employment page and its API answer show."""

    case: Case
    history: list[EmploymentStatusChange] = field(default_factory=list)
    referrals: list[EmploymentReferral] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    refusals: list[JobRefusal] = field(default_factory=list)

    @property
    def open_referrals(self) -> list[EmploymentReferral]:
        return [r for r in self.referrals if r.status == ReferralStatus.ISSUED]

    @property
    def current_placements(self) -> list[Placement]:
        return [p for p in self.placements if p.ended_on is None]


def case_employment(*, case: Case) -> CaseEmployment:
    """The person's employment status history (all their cases: it is the person's) and the case's
    referrals, placements and refusals."""
    return CaseEmployment(
        case=case,
        history=list(
            EmploymentStatusChange.objects.filter(person_id=case.person_id).select_related("recorded_by", "case")
        ),
        referrals=list(
            EmploymentReferral.objects.filter(case=case).select_related("centre", "employer", "vacancy", "issued_by")
        ),
        placements=list(Placement.objects.filter(case=case).select_related("employer", "vacancy", "quota")),
        refusals=list(JobRefusal.objects.filter(case=case).select_related("employer", "referral", "judged_by")),
    )


def district_read(*, user: Any, office: Office, part: str) -> None:
    """Record that a district's employment lists were read (they name no person, but who looked at
    an office's records is kept as for any office list)."""
    audit_record(actor=user, action="employment.district_view", subject=office, details={"part": part})
