"""Reads of cases, always through ``case_qs_for_user`` (the jurisdiction rule in accounts.scoping).

Reads of personal data are audited here, not in the views: ``case_detail`` records the view,
``caseload`` the search and ``office_caseload`` the office list, so the page and the API count the
same things and a new endpoint cannot forget it. ``case_for_change`` finds a case for a write
(the service records the change itself).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from openprobation.accounts.models import Office, User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import (
    AggregateOnly,
    Level,
    aggregates_for_user,
    level_of,
    office_q,
    offices_for_user,
    relationship_of,
)
from openprobation.accounts.selectors import caseworkers
from openprobation.audit.services import audit_record
from openprobation.cases.models import OPEN_STATUSES, Case, CaseTransfer
from openprobation.cases.terms import registration_overdue_q
from openprobation.core.caseload import annotate_caseload
from openprobation.core.text import is_ascii_number
from openprobation.core.timeutil import local_today
from openprobation.people.models import Person, fold

SORTS = {
    "received": ("received_on", "id"),
    "-received": ("-received_on", "-id"),
    "number": ("number",),
    "-number": ("-number",),
    "name": ("person__surname", "person__first_name", "id"),
    "-name": ("-person__surname", "-person__first_name", "-id"),
    "status": ("status", "-received_on", "-id"),
    "due": ("registration_due", "id"),
    "control_end": ("control_end", "id"),
}


def case_qs_for_user(user: Any) -> QuerySet[Case]:
    """Cases the user may see: by jurisdiction, the cases of their offices plus those transferred
    out of them (read-only history); by relationship, the cases the registered relationship ties
    them to (a partner's referrals, a monitoring operator's people); otherwise none."""
    base = Case.objects.select_related("person", "office", "officer")
    relationship = relationship_of(user)
    if relationship is not None:
        # Case pages and the case API need the capability too: partner staff are tied to the
        # cases of their referrals but read them only through the partner portal.
        if not has_cap(user, Cap.CASE_VIEW):
            return Case.objects.none()
        return base.filter(pk__in=relationship.case_ids(user))
    q = office_q(user, "office")
    if q is None:
        return Case.objects.none()
    if level_of(user) is Level.NATIONAL:
        return base
    from_q = office_q(user, "from_office") or Q(pk__in=[])
    # One id set, UNION of the jurisdiction's cases and the cases transferred out of it: the
    # database plans each half on its own index (an OR across the two made PostgreSQL scan every
    # case in the country to count an office's caseload).
    visible_ids = (
        Case.objects.filter(q)
        .order_by()
        .values("pk")
        .union(CaseTransfer.objects.filter(from_q).order_by().values("case_id"))
    )
    return base.filter(pk__in=visible_ids)


def case_aggregates(user: Any) -> AggregateOnly | None:
    """Cases of the user's statistics jurisdiction as counts only (analysts, heads, regional)."""
    return aggregates_for_user(user, Case.objects.all())


@dataclass
class CaseloadFilters:
    q: str = ""
    case_type: str = ""
    status: str = ""
    office: int | None = None
    officer: int | None = None
    mine: bool = False
    open_only: bool = False
    overdue: bool = False
    unallocated: bool = False
    sort: str = "-received"

    def given(self) -> dict[str, Any]:
        """The filters in force, for the audit event (defaults left out)."""
        out: dict[str, Any] = {}
        for key in ("case_type", "status", "office", "officer", "mine", "open_only", "overdue", "unallocated"):
            value = getattr(self, key)
            if value not in (None, "", False):
                out[key] = value
        return out


def caseload(*, user: Any, filters: CaseloadFilters, today: dt.date | None = None) -> QuerySet[Case]:
    """The user's cases, searched, filtered and sorted. Every read of the list is recorded as a
    search with its query and filters (the page's preset and the API's defaults alike)."""
    audit_record(actor=user, action="case.search", details={"query": filters.q.strip(), "filters": filters.given()})
    qs = case_qs_for_user(user)
    text = filters.q.strip()
    if text:
        if is_ascii_number(text):
            qs = qs.filter(person__iin__startswith=text)
        elif any(ch.isdigit() for ch in text) and "-" in text:
            qs = qs.filter(number__icontains=text)
        else:
            for word in text.split():
                qs = qs.filter(Q(person__search_text__contains=fold(word)) | Q(number__icontains=word))
    if filters.case_type:
        qs = qs.filter(case_type=filters.case_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif filters.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.office:
        qs = qs.filter(office_id=filters.office)
    if filters.officer:
        qs = qs.filter(officer_id=filters.officer)
    if filters.mine:
        qs = qs.filter(officer_id=user.pk)
    if filters.overdue:
        qs = qs.filter(registration_overdue_q(today=today or local_today()))
    if filters.unallocated:
        qs = qs.filter(officer__isnull=True)
    # The columns the apps above register (next appointment, open violations): one annotation each,
    # so the page's query count does not grow with its size.
    qs = annotate_caseload(qs, today or local_today())
    return qs.order_by(*SORTS.get(filters.sort, SORTS["-received"]))


def current_case_qs(user: Any) -> QuerySet[Case]:
    """The cases the user's offices hold now (not those transferred away), for counts and lists of
    work to do."""
    return case_qs_for_user(user).filter(office__in=offices_for_user(user))


def overdue_registrations(*, user: Any, today: dt.date, limit: int) -> list[Case]:
    """The cases of the user's current jurisdiction whose registration is overdue, soonest due first
    (the overview lists them by the person's name). Listing names is a read of personal data, so a
    non-empty list is recorded like any list of cases."""
    cases = list(
        current_case_qs(user)
        .filter(registration_overdue_q(today=today))
        .select_related("person", "office")
        .order_by("registration_due", "id")[:limit]
    )
    if cases:
        audit_record(
            actor=user,
            action="case.search",
            details={"query": "", "filters": {"overdue": True}, "shown": [case.pk for case in cases]},
        )
    return cases


def case_detail(*, user: Any, pk: int, part: str = "") -> Case:
    """The case if the user may see it, recorded as a view (``part`` names a part of the case read
    on its own, such as the timeline). Raises Case.DoesNotExist (a 404) outside the jurisdiction."""
    # The later decisions are read with it: the current terms, the punishment now and forced labour
    # all derive from them.
    case = case_qs_for_user(user).prefetch_related("decisions").get(pk=pk)
    case_shown(user=user, case=case, part=part)
    return case


def case_shown(*, user: Any, case: Case, part: str = "") -> None:
    """Record that ``case`` (found with ``case_for_change``) was shown after all: a form posted with
    errors, or refused, brings the case page back though nothing was saved."""
    audit_record(actor=user, action="case.view", subject=case, details={"part": part} if part else None)


def case_for_change(*, user: Any, pk: int) -> Case:
    """The case to act on, if the user may see it (the service checks the action and records the
    change). Raises Case.DoesNotExist (a 404) outside the jurisdiction."""
    return case_qs_for_user(user).prefetch_related("decisions").get(pk=pk)


def person_cases(*, user: Any, person: Person) -> list[Case]:
    """One person's cases of every type that the user may see, as one story (oldest first)."""
    return list(case_qs_for_user(user).filter(person=person).order_by("received_on", "id"))


@dataclass
class OfficerLoad:
    officer: User
    open_cases: int
    capacity: int

    @property
    def percent(self) -> int:
        return round(100 * self.open_cases / self.capacity) if self.capacity else 0

    @property
    def over(self) -> bool:
        return self.open_cases > self.capacity


def office_caseload(*, user: Any, office: Office) -> tuple[list[OfficerLoad], int]:
    """Open cases per caseworker of an office against the office's capacity, and the unallocated
    count; the read is recorded (it names the office's staff and their loads)."""
    if not has_cap(user, Cap.OFFICE_CASELOAD):
        return [], 0
    audit_record(actor=user, action="office.caseload", subject=office)
    cases = case_qs_for_user(user).filter(office=office, status__in=OPEN_STATUSES)
    counts: dict[int | None, int] = dict(
        cases.values_list("officer_id").annotate(n=Count("id")).values_list("officer_id", "n")
    )
    loads = [OfficerLoad(o, counts.get(o.pk, 0), office.officer_capacity) for o in caseworkers(offices=[office])]
    return loads, counts.get(None, 0)
