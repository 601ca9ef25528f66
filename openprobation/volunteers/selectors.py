"""Reads of the volunteer registry and of a case's volunteers, scoped here.

Who sees the registry: office staff of the districts a volunteer serves (officers, senior officers,
heads of office) and the regional administrator of the volunteer's region. Who manages it (register,
edit, record checks, change the status): senior officers and heads of those districts and the
regional administrator. A read of a volunteer's details (personal data) is audited here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DateField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Least

from openprobation.accounts.models import Office, Role
from openprobation.accounts.scoping import Level, Scope, level_of, offices_for_user, scope_of
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_qs_for_user
from openprobation.volunteers.domain import EXPIRY_WARNING_DAYS, Eligibility, check_rule, eligibility
from openprobation.volunteers.models import (
    SupportSession,
    Volunteer,
    VolunteerAssignment,
    VolunteerCheck,
    VolunteerStatus,
)

READERS = frozenset({Role.OFFICER, Role.SENIOR_OFFICER, Role.HEAD_OF_OFFICE, Role.REGIONAL_ADMIN})
MANAGERS = frozenset({Role.SENIOR_OFFICER, Role.HEAD_OF_OFFICE, Role.REGIONAL_ADMIN})
# A day long before any check: a required check never passed counts as lapsed then.
NEVER = dt.date(1, 1, 1)


def may_read_registry(user: Any) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", "") in READERS
        and scope_of(user) is Scope.JURISDICTION
        and level_of(user) is not Level.NONE
    )


def may_manage_registry(user: Any) -> bool:
    return may_read_registry(user) and user.role in MANAGERS


def volunteer_qs_for_user(user: Any) -> QuerySet[Volunteer]:
    """The volunteers the user may see: those serving the user's office, or of the user's region."""
    if not may_read_registry(user):
        return Volunteer.objects.none()
    base = Volunteer.objects.select_related("region", "organisation")
    level = level_of(user)
    if level is Level.OFFICE:
        return base.filter(pk__in=Volunteer.objects.filter(offices=user.office_id).values("pk"))
    if level is Level.REGION:
        return base.filter(region_id=user.region_id)
    return base


def volunteer_in_jurisdiction(user: Any, volunteer: Volunteer) -> bool:
    """Under a lock in the services: the volunteer as it is now serves the user's office or region."""
    if not may_read_registry(user):
        return False
    level = level_of(user)
    if level is Level.OFFICE:
        return volunteer.offices.filter(pk=user.office_id).exists()
    if level is Level.REGION:
        return bool(volunteer.region_id == user.region_id)
    return level is Level.NATIONAL


def may_manage(user: Any, volunteer: Volunteer) -> bool:
    return may_manage_registry(user) and volunteer_in_jurisdiction(user, volunteer)


def registry_offices(user: Any) -> QuerySet[Office]:
    """The offices the user may register volunteers for (and filter the registry by)."""
    if not may_read_registry(user):
        return Office.objects.none()
    return offices_for_user(user).select_related("region").order_by("code")


def with_lapse(qs: QuerySet[Volunteer], on: dt.date) -> QuerySet[Any]:
    """Annotate ``lapse``: the day the first check the rule requires on ``on`` lapses (the latest
    passed check of each kind; ``NEVER`` for a kind never passed). The SQL twin of
    ``domain.eligibility`` for lists and counts; no annotation (None) when nothing is required."""
    required = check_rule(on).required
    if not required:
        return qs.annotate(lapse=Value(None, output_field=DateField()))
    parts = [
        Coalesce(
            Subquery(
                VolunteerCheck.objects.filter(volunteer=OuterRef("pk"), kind=kind, passed=True, on__lte=on)
                .order_by("-valid_until")
                .values("valid_until")[:1],
                output_field=DateField(),
            ),
            Value(NEVER),
            output_field=DateField(),
        )
        for kind in required
    ]
    lapse = parts[0] if len(parts) == 1 else Least(*parts, output_field=DateField())
    return qs.annotate(lapse=lapse)


@dataclass(frozen=True)
class RegistryFilters:
    q: str = ""
    kind: str = ""
    status: str = ""
    office: int | None = None
    attention: bool = False  # checks lapse within the warning period, or have lapsed


def volunteer_list(*, user: Any, filters: RegistryFilters, today: dt.date) -> QuerySet[Any]:
    qs = with_lapse(volunteer_qs_for_user(user), today).annotate(
        active_assignments=Count("assignments", filter=Q(assignments__ended_on__isnull=True), distinct=True)
    )
    if filters.q:
        qs = qs.filter(Q(full_name__icontains=filters.q) | Q(phone__icontains=filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.office:
        qs = qs.filter(pk__in=Volunteer.objects.filter(offices=filters.office).values("pk"))
    if filters.attention:
        qs = qs.filter(lapse__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
    return qs.prefetch_related("offices").order_by("full_name", "pk")


def volunteer_detail(*, user: Any, pk: int) -> Volunteer:
    """The volunteer if the user may see them, recorded as a read (raises Volunteer.DoesNotExist)."""
    volunteer = volunteer_qs_for_user(user).prefetch_related("offices").get(pk=pk)
    audit_record(actor=user, action="volunteers.view", subject=volunteer)
    return volunteer


def volunteer_for_change(*, user: Any, pk: int) -> Volunteer:
    """The volunteer to act on, if the user may see them (the service checks and records the change)."""
    return volunteer_qs_for_user(user).get(pk=pk)


def volunteer_eligibility(volunteer: Volunteer, on: dt.date) -> Eligibility:
    return eligibility(status=volunteer.status, checks=list(volunteer.checks.all()), on=on)


def volunteer_checks(volunteer: Volunteer) -> list[VolunteerCheck]:
    return list(volunteer.checks.select_related("recorded_by").order_by("-on", "-id"))


def volunteer_assignments(volunteer: Volunteer, user: Any) -> list[VolunteerAssignment]:
    """The volunteer's assignments on the cases the user may see, with their session counts."""
    visible = case_qs_for_user(user).values("pk")
    return list(
        VolunteerAssignment.objects.filter(volunteer=volunteer, case_id__in=visible)
        .select_related("case__person", "case__office")
        .annotate(session_count=Count("sessions"))
        .order_by("-started_on", "-id")
    )


def volunteer_session_count(volunteer: Volunteer) -> int:
    return SupportSession.objects.filter(assignment__volunteer=volunteer).count()


# --- A case's volunteers (the case is one the caller may see: found by the case selectors) ----------


def case_assignments(case: Case) -> list[VolunteerAssignment]:
    return list(
        VolunteerAssignment.objects.filter(case=case)
        .select_related("volunteer", "assigned_by")
        .prefetch_related("volunteer__checks")
        .annotate(session_count=Count("sessions"), last_session=Max("sessions__held_on"))
        .order_by("ended_on", "-started_on", "-id")
    )


def case_assignment(case: Case, pk: int) -> VolunteerAssignment:
    """An assignment of the case (raises VolunteerAssignment.DoesNotExist otherwise)."""
    return VolunteerAssignment.objects.select_related("volunteer", "case").get(case=case, pk=pk)


def assignment_sessions(assignment: VolunteerAssignment) -> list[SupportSession]:
    return list(assignment.sessions.select_related("logged_by").order_by("-held_on", "-id"))


def assignable_volunteers(case: Case) -> QuerySet[Volunteer]:
    """Active volunteers serving the case's district, not already assigned to it (eligibility on the
    day is judged by the service; the form shows it)."""
    return (
        Volunteer.objects.filter(status=VolunteerStatus.ACTIVE, offices=case.office_id)
        .exclude(assignments__case=case, assignments__ended_on__isnull=True)
        .prefetch_related("checks")
        .order_by("full_name", "pk")
        .distinct()
    )


# --- The daily scan and the work queue ------------------------------------------------------------------


def attention_assignments(cases: Any, today: dt.date) -> QuerySet[Any]:
    """Active assignments on ``cases`` whose volunteer is no longer active or whose required checks
    lapse within the warning period (or have lapsed), annotated ``lapse`` (the volunteer's)."""
    horizon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    flagged = with_lapse(Volunteer.objects.all(), today).filter(
        Q(lapse__lte=horizon) | ~Q(status=VolunteerStatus.ACTIVE)
    )
    lapses = with_lapse(Volunteer.objects.filter(pk=OuterRef("volunteer_id")), today).values("lapse")[:1]
    return VolunteerAssignment.objects.filter(
        case__in=cases, ended_on__isnull=True, volunteer_id__in=flagged.values("pk")
    ).annotate(lapse=Subquery(lapses, output_field=DateField()))


def check_counts(today: dt.date) -> dict[str, int]:
    """Volunteers whose required checks lapse within the warning period (active ones), and those
    with active assignments whose checks have lapsed: what the daily scan reports."""
    horizon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    annotated = with_lapse(Volunteer.objects.all(), today)
    expiring = annotated.filter(status=VolunteerStatus.ACTIVE, lapse__gte=today, lapse__lte=horizon).count()
    assigned = VolunteerAssignment.objects.filter(ended_on__isnull=True).values("volunteer_id")
    expired = annotated.filter(pk__in=assigned, lapse__lt=today).count()
    return {"expiring": expiring, "expired_with_assignments": expired}
