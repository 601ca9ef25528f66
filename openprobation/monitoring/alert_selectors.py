"""Reads of alert handling (the console's queue, an alert's page), scoped through
``selectors.alert_qs_for_user`` and nowhere else: operators see the alerts of the regions they
monitor, jurisdiction staff those of their cases' offices.

Who may handle an alert (``may_handle_alert``): a monitoring operator on an alert of a region they
monitor, and — on the case of their jurisdiction — the case's officer, a senior officer or the head
(``Cap.EM_ZONES`` with the right to change the case). Once escalated, only the officer's side
moves it on (acknowledges or resolves); an operator may still record calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openprobation.accounts.models import Region
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import CaseAction, may, monitored_region_ids, offices_for_user
from openprobation.core.timeutil import local_today
from openprobation.monitoring import selectors
from openprobation.monitoring.alerting import UNRESOLVED, AlertStatus
from openprobation.monitoring.catalogue import Severity
from openprobation.monitoring.models import Alert, AlertCall, AlertStatusChange, ZoneVersion
from openprobation.monitoring.relationship import monitored_assignments
from openprobation.monitoring.sla import ResponseTimes, Timer, alert_timer, response_times

# The rows of the queue a page or an API answer carries, oldest waiting first (the counts cover every
# one; the filters narrow it): more than an operator works through before the next look, and at
# 25,000 monitored people a queue of hundreds is ordinary — 200 rows took longer to build and render
# than a page may, 100 left no margin on a busy machine (bench/em_console.py).
QUEUE_LIMIT = 50
# The live stream re-reads this far behind its cursor: a transaction that began before the cursor
# may commit after it was read (its rows carry the earlier moment).
STREAM_OVERLAP = dt.timedelta(seconds=5)
STREAM_BATCH = 100


def is_operator(user: Any) -> bool:
    return selectors._operator(user)


def may_handle(user: Any) -> bool:
    """May the user handle alerts at all (some of their scope, maybe none)?"""
    return selectors._operator(user) or (selectors._staff(user) and has_cap(user, Cap.EM_ZONES))


def may_handle_alert(user: Any, alert: Alert, *, moving_on_escalated: bool = False) -> bool:
    """On the alert as it is now (the services call it under the row lock)."""
    if selectors._operator(user):
        if moving_on_escalated:
            return False
        return monitored_assignments(user).filter(pk=alert.assignment_id).exists()
    if selectors._staff(user) and has_cap(user, Cap.EM_ZONES):
        return may(user, CaseAction.EDIT, alert.case)
    return False


@dataclass(frozen=True)
class QueueFilters:
    severity: str = ""
    region: int | None = None
    rule: str = ""


@dataclass
class QueueRow:
    alert: Alert
    timer: Timer | None


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int
    overdue: int
    by_severity: dict[str, int]
    truncated: bool
    now: dt.datetime
    times: ResponseTimes
    regions: list[Region] = field(default_factory=list)


def queue_qs(*, user: Any, filters: QueueFilters) -> QuerySet[Alert]:
    qs = selectors.alert_qs_for_user(user).filter(status__in=UNRESOLVED)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.region is not None:
        qs = qs.filter(case__office__region_id=filters.region)
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    return qs


def _queue_rows(qs: QuerySet[Alert], *, limit: int) -> list[Alert]:
    """The first ``limit`` alerts of the scoped queue in two steps: their ids (a narrow query the
    planner serves from ``em_alert_unresolved``), then those alerts with what a row shows, by
    primary key. As one query joining everything, the planner scanned every alert of the history
    in parallel (tens of milliseconds at a month of alerts) and spent as long again planning it."""
    ids = list(qs.order_by("opened_at", "id").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    # What a row shows (the page and the API): the person, the office (scoping), who it went to, the
    # device's serial, the zone's name; each joined model costs ~30 µs a row to build.
    return list(
        Alert.objects.filter(pk__in=ids)
        .select_related("case__person", "case__office", "escalated_to", "device", "zone")
        .order_by("opened_at", "id")
    )


def queue_regions(user: Any) -> list[Region]:
    """The regions the filter offers: an operator's monitored regions, staff's own."""
    if selectors._operator(user):
        return list(Region.objects.filter(pk__in=monitored_region_ids(user)).order_by("code"))
    if selectors._staff(user):
        return list(Region.objects.filter(offices__in=offices_for_user(user)).distinct().order_by("code"))
    return []


def alert_queue(*, user: Any, filters: QueueFilters, now: dt.datetime | None = None) -> Queue:
    """The unresolved alerts of the user's scope, oldest waiting first (at most ``QUEUE_LIMIT``),
    with their timers against the response times, and counts (all, overdue, per severity)."""
    now = now or timezone.now()
    times = response_times(on=local_today())
    qs = queue_qs(user=user, filters=filters)
    counts = qs.order_by().aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=times.overdue_q(now)),
        **{s: Count("pk", filter=Q(severity=s)) for s in Severity.values},
    )
    rows = _queue_rows(qs, limit=QUEUE_LIMIT)
    return Queue(
        rows=[QueueRow(alert=a, timer=alert_timer(a, now=now, times=times)) for a in rows],
        total=counts["total"],
        overdue=counts["overdue"],
        by_severity={s: counts[s] for s in Severity.values},
        truncated=counts["total"] > len(rows),
        now=now,
        times=times,
    )


def queue_row(*, user: Any, alert: Alert, now: dt.datetime, times: ResponseTimes) -> QueueRow:
    return QueueRow(alert=alert, timer=alert_timer(alert, now=now, times=times))


def changed_since(*, user: Any, since: dt.datetime) -> list[Alert]:
    """Alerts of the user's scope changed (raised or handled) after ``since`` − ``STREAM_OVERLAP``,
    oldest change first: what the console's live stream sends. One indexed query."""
    qs = selectors.alert_qs_for_user(user).filter(changed_at__gt=since - STREAM_OVERLAP)
    return list(
        qs.select_related("case__person", "case__office__region", "escalated_to").order_by("changed_at", "id")[
            :STREAM_BATCH
        ]
    )


def matches(alert: Alert, filters: QueueFilters) -> bool:
    """Is the alert in the queue the filters show?"""
    return (
        alert.status in UNRESOLVED
        and (not filters.severity or alert.severity == filters.severity)
        and (filters.region is None or alert.case.office.region_id == filters.region)
        and (not filters.rule or alert.rule == filters.rule)
    )


def alert_history(alert: Alert) -> list[AlertStatusChange]:
    return list(AlertStatusChange.objects.filter(alert=alert).select_related("changed_by").order_by("changed_at", "id"))


def alert_calls(alert: Alert) -> list[AlertCall]:
    return list(AlertCall.objects.filter(alert=alert).select_related("called_by").order_by("called_at", "id"))


def zones_in_force(alert: Alert) -> list[ZoneVersion]:
    """The version of each of the assignment's zones that was in force when the alert opened."""
    versions = (
        ZoneVersion.objects.filter(zone__assignment_id=alert.assignment_id, valid_from__lte=alert.opened_at)
        .exclude(valid_to__lte=alert.opened_at)
        .select_related("zone")
        .order_by("zone_id", "-number")
    )
    in_force: dict[int, ZoneVersion] = {}
    for version in versions:
        in_force.setdefault(version.zone_id, version)
    return list(in_force.values())


def past_alerts(alert: Alert, limit: int = 20) -> list[Alert]:
    """Earlier alerts of the same assignment, newest first."""
    return list(
        Alert.objects.filter(assignment_id=alert.assignment_id)
        .exclude(pk=alert.pk)
        .filter(opened_at__lte=alert.opened_at)
        .order_by("-opened_at", "-id")[:limit]
    )


def escalated_to_me(user: Any) -> QuerySet[Alert]:
    """Alerts escalated to the user, still waiting (an officer's list)."""
    return selectors.alert_qs_for_user(user).filter(status=AlertStatus.ESCALATED, escalated_to=user)
