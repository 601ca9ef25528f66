"""Reads of cases, always through ``case_qs_for_user`` (the jurisdiction rule in accounts.scoping)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from openprobation.accounts.models import Office, User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import Level, level_of, office_q
from openprobation.cases.models import OPEN_STATUSES, Case, CaseAllocation, CaseStatusChange, CaseTransfer
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
    """Cases in the user's jurisdiction, plus cases transferred out of it (read-only history)."""
    q = office_q(user, "office")
    if q is None:
        return Case.objects.none()
    base = Case.objects.select_related("person", "office", "officer")
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


@dataclass
class CaseloadFilters:
    q: str = ""
    case_type: str = ""
    status: str = ""
    office: int | None = None
    officer: int | None = None
    mine: bool = False
    open_only: bool = False
    sort: str = "-received"


def caseload(*, user: Any, filters: CaseloadFilters) -> QuerySet[Case]:
    qs = case_qs_for_user(user)
    text = filters.q.strip()
    if text:
        if text.isdigit():
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
    return qs.order_by(*SORTS.get(filters.sort, SORTS["-received"]))


def case_detail(*, user: Any, pk: int) -> Case:
    """Raises Case.DoesNotExist (a 404) outside the user's jurisdiction."""
    return case_qs_for_user(user).get(pk=pk)


def case_by_number(*, user: Any, number: str) -> Case:
    return case_qs_for_user(user).get(number=number)


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # status, allocation, transfer
    title: str
    detail: str
    by: str


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """Status changes, allocations and transfers of a case, oldest first."""
    from django.utils.translation import gettext as _

    from openprobation.cases.models import CaseStatus

    entries: list[TimelineEntry] = []
    labels = dict(CaseStatus.choices)
    for ch in CaseStatusChange.objects.filter(case=case).select_related("by"):
        title = (
            _("Status: %(from)s → %(to)s") % {"from": labels.get(ch.from_status, ""), "to": labels[ch.to_status]}
            if ch.from_status
            else _("Opened as “%(to)s”") % {"to": labels[ch.to_status]}
        )
        entries.append(TimelineEntry(ch.at, "status", str(title), ch.reason, str(ch.by or "")))
    for al in CaseAllocation.objects.filter(case=case).select_related("by", "officer", "previous_officer"):
        if al.officer is None:
            title = _("Allocation removed (was %(prev)s)") % {"prev": al.previous_officer}
        elif al.previous_officer is None:
            title = _("Allocated to %(officer)s") % {"officer": al.officer}
        else:
            title = _("Re-allocated from %(prev)s to %(officer)s") % {
                "prev": al.previous_officer,
                "officer": al.officer,
            }
        entries.append(TimelineEntry(al.at, "allocation", str(title), al.reason, str(al.by or "")))
    for tr in CaseTransfer.objects.filter(case=case).select_related("by", "from_office", "to_office"):
        title = _("Transferred from %(from)s to %(to)s") % {"from": tr.from_office, "to": tr.to_office}
        entries.append(TimelineEntry(tr.at, "transfer", str(title), tr.reason, str(tr.by or "")))
    entries.sort(key=lambda e: e.at)
    return entries


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
    """Open cases per officer of an office against the office's capacity, and unallocated count."""
    if not has_cap(user, Cap.OFFICE_CASELOAD):
        return [], 0
    cases = case_qs_for_user(user).filter(office=office, status__in=OPEN_STATUSES)
    counts: dict[int | None, int] = dict(
        cases.values_list("officer_id").annotate(n=Count("id")).values_list("officer_id", "n")
    )
    officers = User.objects.filter(office=office, is_active=True, role__in=["officer", "senior_officer"]).order_by(
        "last_name", "first_name"
    )
    loads = [OfficerLoad(o, counts.get(o.pk, 0), office.officer_capacity) for o in officers]
    return loads, counts.get(None, 0)
