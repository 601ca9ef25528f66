"""Reads of individual programmes, always for a case found through the scoped case selectors
(``programme_case`` finds one the user may see and records the read), and the small rule readings
the services and pages share (is the person a minor, the review interval, the proposal from the
needs assessment, the organisations that may carry a measure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet

from openprobation.accounts.models import Office
from openprobation.assessments.instrument import pick
from openprobation.assessments.selectors import case_state
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail
from openprobation.people.models import FamilyMember, Person, Relation
from openprobation.programmes import rules
from openprobation.programmes.catalogue import NeedDomain, OrganisationKind, measures_for_domain
from openprobation.programmes.content import diff, freeze
from openprobation.programmes.models import (
    PartnerOrganisation,
    Programme,
    ProgrammeStatus,
    ProgrammeVersion,
    Referral,
)
from openprobation.rules.rulebook import rule


def programme_case(*, user: Any, pk: int) -> Case:
    """The case if the user may see it, recorded as a view of its programme (404 otherwise)."""
    return case_detail(user=user, pk=pk, part="programme")


def case_programme(case: Case) -> Programme | None:
    """The programme run under the case: the one in work, else the last closed one."""
    found = (
        Programme.objects.filter(case=case)
        .select_related("person", "case", "office", "created_by")
        .order_by("-opened_on", "-id")
    )
    open_one = found.exclude(status=ProgrammeStatus.CLOSED).first()
    return open_one or found.first()


# --- Rules ----------------------------------------------------------------------------------------


def is_minor(person: Person, *, on: dt.date) -> bool:
    return person.age_on(on) < int(rule(rules.MINORS, on=on)["age_below"])


def minors_rule(*, on: dt.date) -> Any:
    return rule(rules.MINORS, on=on)


@dataclass(frozen=True)
class ReviewInterval:
    months: int
    rule_key: str
    rule_version: int
    minor: bool


def review_interval(person: Person, *, on: dt.date) -> ReviewInterval:
    """How often the person's programme is reviewed (``programmes.review_interval``): the minor's
    interval while the person is under the age of ``programmes.minors``."""
    found = rule(rules.REVIEW_INTERVAL, on=on)
    minor = is_minor(person, on=on)
    months = int(found["minor_months"] if minor else found["months"])
    return ReviewInterval(months=months, rule_key=found.key, rule_version=found.version, minor=minor)


def next_review(person: Person, *, start: dt.date) -> tuple[dt.date, ReviewInterval]:
    interval = review_interval(person, on=start)
    return start + relativedelta(months=interval.months), interval


# --- The proposal from the needs assessment -------------------------------------------------------------


@dataclass
class ProposedGoal:
    domain: str
    label: str
    points: int
    measures: list[str] = field(default_factory=list)


@dataclass
class Proposal:
    assessment_id: int | None
    assessed_on: dt.date | None
    goals: list[ProposedGoal]


def needs_proposal(case: Case) -> Proposal:
    """One goal per need the latest needs assessment rated above zero (highest first), each with
    the catalogue's measures for it; no goals without a needs assessment (the officer's study)."""
    state = case_state(case)
    needs = state.needs if state is not None else None
    if needs is None:
        return Proposal(assessment_id=None, assessed_on=None, goals=[])
    goals = []
    rated = sorted((d for d in needs.result.get("domains", []) if d.get("points", 0) > 0), key=lambda d: -d["points"])
    for d in rated:
        domain = d["domain"] if d["domain"] in NeedDomain.values else NeedDomain.OTHER
        goals.append(
            ProposedGoal(
                domain=domain,
                label=pick(d.get("label")) or domain,
                points=int(d["points"]),
                measures=measures_for_domain(domain),
            )
        )
    return Proposal(assessment_id=needs.pk, assessed_on=needs.assessed_on, goals=goals)


# --- Organisations ------------------------------------------------------------------------------------


def serving_q(office: Office) -> Q:
    """Organisations serving the office's district: named for it, or for its whole region (no districts)."""
    return Q(districts=office) | Q(region_id=office.region_id, districts__isnull=True)


def organisations_for(office: Office, measure: str | None = None) -> QuerySet[PartnerOrganisation]:
    """Active organisations serving the office's district, offering ``measure`` when given."""
    qs = PartnerOrganisation.objects.filter(serving_q(office), active=True)
    ids = list(qs.values_list("pk", "services"))
    keep = [pk for pk, services in ids if measure is None or measure in (services or [])]
    return PartnerOrganisation.objects.filter(pk__in=keep).order_by("name", "id")


def minors_organisations(office: Office) -> QuerySet[PartnerOrganisation]:
    return (
        PartnerOrganisation.objects.filter(serving_q(office), active=True)
        .filter(kind__in=[OrganisationKind.GUARDIANSHIP, OrganisationKind.CHILD_RIGHTS])
        .distinct()
        .order_by("kind", "name")
    )


def representatives(person: Person) -> list[FamilyMember]:
    """The person's parents, guardians and legal representatives (who may speak for a minor)."""
    return list(
        person.family.filter(Q(relation__in=[Relation.PARENT, Relation.GUARDIAN]) | Q(legal_representative=True))
    )


# --- The programme page -------------------------------------------------------------------------------


def referrals_by_measure(programme: Programme) -> dict[int, list[Referral]]:
    out: dict[int, list[Referral]] = {}
    rows = (
        Referral.objects.filter(measure__programme=programme)
        .select_related("organisation")
        .order_by("created_at", "id")
    )
    for r in rows:
        out.setdefault(r.measure_id, []).append(r)
    return out


def versions(programme: Programme) -> list[ProgrammeVersion]:
    return list(programme.versions.select_related("created_by").order_by("-number"))


def version_of(programme: Programme, number: int) -> ProgrammeVersion:
    return programme.versions.select_related("created_by").get(pk=number)


def pending_changes(programme: Programme) -> list[dict[str, Any]]:
    """What the draft changes against the last frozen version (nothing for a first draft)."""
    if programme.status != ProgrammeStatus.DRAFT:
        return []
    last = programme.versions.filter(number__lt=programme.version).order_by("-number").first()
    if last is None:
        return []
    return diff(last.content, freeze(programme))


def current_version(programme: Programme) -> ProgrammeVersion | None:
    return programme.versions.filter(number=programme.version).first()
