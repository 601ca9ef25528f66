"""The work queue ("Today"): the due work of the cases a user carries or manages, from every
registered source (``core.workqueue``), merged and counted. The page, the API and the overview call
``work_queue``; the read is recorded once per call, like the caseload.

Who gets a queue, and over which cases:
- an officer: the open cases allocated to them;
- a senior officer or a head of office: every open case their office holds now, or one officer's;
- a regional administrator: every open case the offices of their region hold now (optionally one
  officer's). They allocate and act on any case of the region, so the region's overdue deadlines
  are theirs to chase; the queue stays bounded by ``limit`` and costs a constant number of queries;
- everyone else (court liaison, analyst, auditor, system administrator, partner staff, monitoring
  operators) carries and manages no cases: refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.accounts.models import User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import offices_for_user
from openprobation.accounts.selectors import caseworkers
from openprobation.audit.services import audit_record
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.cases.selectors import current_case_qs
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.workqueue import WorkItem, WorkScope, work_sources

# The kinds of work, in the order of the tabs (a source may add another; it is shown after these).
KINDS: dict[str, Any] = {
    "appointment": gettext_lazy("Appointments"),
    "deadline": gettext_lazy("Deadlines"),
    "violation": gettext_lazy("Violations"),
    "task": gettext_lazy("Tasks"),
    # Risk assessments due (first, scheduled, after an event), and level overrides to countersign.
    "assessment": gettext_lazy("Assessments"),
    "countersign": gettext_lazy("To countersign"),
    # Messages to the person that could not be delivered (notifications).
    "message": gettext_lazy("Undelivered messages"),
}
SORTS: dict[str, Any] = {
    "due": gettext_lazy("Due date"),
    "kind": gettext_lazy("What is due"),
    "case": gettext_lazy("Case number"),
    "officer": gettext_lazy("Officer"),
}
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int
    overdue: int


@dataclass
class WorkQueue:
    items: list[WorkItem]
    counts: list[KindCount]  # every kind, in tab order, whatever the filter
    total: int
    overdue: int
    sort: str
    kinds: tuple[str, ...] | None
    officer: User | None
    manages: bool  # the whole office (or region): an officer column and an officer filter
    officers: list[User] = field(default_factory=list)

    @property
    def shown_count(self) -> int:
        """How many items of the chosen kinds there are in all (the list shows at most ``limit``)."""
        if self.kinds is None:
            return self.total
        return sum(c.count for c in self.counts if c.kind in self.kinds)

    def count_of(self, kind: str) -> KindCount | None:
        return next((c for c in self.counts if c.kind == kind), None)


def may_see_work_queue(user: Any) -> bool:
    """Staff who carry cases or manage an office's caseload (see the module docstring)."""
    return has_cap(user, Cap.CASE_CARRY) or has_cap(user, Cap.OFFICE_CASELOAD)


def manages_queue(user: Any) -> bool:
    return has_cap(user, Cap.OFFICE_CASELOAD)


def queue_cases(*, user: Any, officer: User | None = None) -> QuerySet[Case]:
    """The open cases the user's queue covers (see the module docstring)."""
    cases = current_case_qs(user).filter(status__in=OPEN_STATUSES)
    if manages_queue(user):
        return cases.filter(officer=officer) if officer is not None else cases
    return cases.filter(officer_id=user.pk)


def queue_officers(user: Any) -> QuerySet[User]:
    """The caseworkers whose queue a manager may pick (none for an officer)."""
    if not manages_queue(user):
        return User.objects.none()
    return caseworkers(offices=offices_for_user(user))


def _sort_key(sort: str) -> Any:
    order = {kind: n for n, kind in enumerate(KINDS)}

    def kind_rank(item: WorkItem) -> int:
        return order.get(item.kind, len(order))

    if sort == "kind":
        return lambda i: (kind_rank(i), i.due, i.case_number, i.key)
    if sort == "case":
        return lambda i: (i.case_number, i.due, kind_rank(i), i.key)
    if sort == "officer":
        # Unallocated work last; then each officer's work by due date.
        return lambda i: (not i.officer_name, i.officer_name.casefold(), i.due, kind_rank(i), i.key)
    return lambda i: (i.due, kind_rank(i), i.case_number, i.key)


def work_queue(
    *,
    user: Any,
    today: dt.date,
    kinds: list[str] | tuple[str, ...] | None = None,
    officer: int | User | None = None,
    sort: str = "due",
    limit: int = DEFAULT_LIMIT,
    audit: bool = True,
) -> WorkQueue:
    """The user's work queue on ``today``: counts and overdue counts per kind over the whole scope,
    and at most ``limit`` items of the chosen kinds — the soonest due of each source, merged and
    ordered by ``sort`` (due date, kind, case number or officer).

    Refuses (PermissionDeniedError) users who neither carry nor manage cases, and an officer filter
    from an officer or naming someone who is not a caseworker of the user's offices (DomainError).
    The read is recorded as one ``workqueue.view`` event naming the cases shown."""
    if not may_see_work_queue(user):
        raise PermissionDeniedError(_("Your role does not include a work queue."))
    if sort not in SORTS:
        raise DomainError(_("Choose a sort order from the list."), field="sort")
    limit = max(0, min(int(limit), MAX_LIMIT))
    wanted = tuple(dict.fromkeys(kinds)) if kinds else None
    manages = manages_queue(user)
    officers = list(queue_officers(user)) if manages else []
    chosen: User | None = None
    if officer is not None:
        officer_pk = officer.pk if isinstance(officer, User) else officer
        if not manages:
            if officer_pk != user.pk:
                raise DomainError(_("You can only see your own work queue."), field="officer")
        else:
            chosen = next((o for o in officers if o.pk == officer_pk), None)
            if chosen is None:
                raise DomainError(_("There is no such officer in your offices."), field="officer")
    scope = WorkScope(user=user, cases=queue_cases(user=user, officer=chosen), today=today, limit=limit)

    per_kind: dict[str, list[int]] = {kind: [0, 0] for kind in KINDS}
    items: list[WorkItem] = []
    for source in work_sources().values():
        batch = source(scope)
        counts = per_kind.setdefault(batch.kind, [0, 0])
        counts[0] += batch.count
        counts[1] += batch.overdue
        if wanted is None or batch.kind in wanted:
            items.extend(batch.items)
    # The soonest-due ``limit`` items across sources, then in the order asked for.
    items.sort(key=_sort_key("due"))
    items = items[:limit]
    if sort != "due":
        items.sort(key=_sort_key(sort))

    counts_list = [
        KindCount(kind=kind, label=str(KINDS.get(kind, kind)), count=c[0], overdue=c[1]) for kind, c in per_kind.items()
    ]
    if audit:
        details: dict[str, Any] = {"sort": sort, "shown": sorted({item.case_id for item in items})}
        if wanted:
            details["kinds"] = list(wanted)
        if chosen is not None:
            details["officer"] = chosen.pk
        audit_record(actor=user, action="workqueue.view", details=details)
    return WorkQueue(
        items=items,
        counts=counts_list,
        total=sum(c.count for c in counts_list),
        overdue=sum(c.overdue for c in counts_list),
        sort=sort,
        kinds=wanted,
        officer=chosen,
        manages=manages,
        officers=officers,
    )


@dataclass(frozen=True)
class OfficerQueue:
    officer: User
    counts: list[KindCount]
    total: int
    overdue: int


def office_queue_counts(*, user: Any, today: dt.date) -> list[OfficerQueue]:
    """Per caseworker of a manager's offices, the counts of their queue (no items are read, so no
    personal data is shown and nothing is recorded). Each source answers with its counts once per
    officer: the cost grows with the number of officers, never with the number of cases — so it is
    an office's table (a head's, a senior officer's), not a region's."""
    if not manages_queue(user) or getattr(user, "office_id", None) is None:
        return []
    out = []
    for officer in queue_officers(user):
        scope = WorkScope(user=user, cases=queue_cases(user=user, officer=officer), today=today, limit=0)
        per_kind: dict[str, list[int]] = {kind: [0, 0] for kind in KINDS}
        for source in work_sources().values():
            batch = source(scope)
            counts = per_kind.setdefault(batch.kind, [0, 0])
            counts[0] += batch.count
            counts[1] += batch.overdue
        kinds = [KindCount(kind=k, label=str(KINDS.get(k, k)), count=c[0], overdue=c[1]) for k, c in per_kind.items()]
        out.append(
            OfficerQueue(
                officer=officer,
                counts=kinds,
                total=sum(c.count for c in kinds),
                overdue=sum(c.overdue for c in kinds),
            )
        )
    return out


def unallocated_cases(*, user: Any, limit: int) -> tuple[int, list[Case]]:
    """The open cases of a manager's offices with no officer: how many, and the oldest ``limit``
    of them (a non-empty list names people, so it is recorded as a list of cases)."""
    if not manages_queue(user):
        return 0, []
    qs = current_case_qs(user).filter(status__in=OPEN_STATUSES, officer__isnull=True)
    count = qs.count()
    cases = list(qs.select_related("person", "office").order_by("received_on", "id")[:limit]) if count else []
    if cases:
        audit_record(
            actor=user,
            action="case.search",
            details={"query": "", "filters": {"unallocated": True, "open_only": True}, "shown": [c.pk for c in cases]},
        )
    return count, cases
