"""Reads of electronic monitoring, scoped here and nowhere else.

Who sees what:
- jurisdiction staff holding ``Cap.EM_VIEW`` (officers, senior officers, heads, regional
  administrators): the assignments, zones and alerts of cases held by an office of their
  jurisdiction (``scoping.office_q`` on the case's office), and the devices held by those offices;
- monitoring operators: the assignments of their relationship (``relationship``: cases monitored
  in the regions they watch) and the devices held by offices of those regions;
- everyone else: nothing.

A person's track, an alert's detail (with the fixes around it) and a device's state (its last
position) are sensitive reads: audited here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from openprobation.accounts.models import Office, Role
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import (
    CaseAction,
    Scope,
    may,
    monitored_region_ids,
    office_in_jurisdiction,
    office_q,
    offices_for_user,
    scope_of,
)
from openprobation.audit.services import audit_record
from openprobation.cases.selectors import case_qs_for_user
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus
from openprobation.monitoring.models import (
    Alert,
    Assignment,
    Device,
    DeviceState,
    DeviceStatusChange,
    DeviceTransfer,
    EmResolution,
    Position,
    ResolutionStatus,
    ScheduleException,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.relationship import monitored_assignments
from openprobation.rules.rulebook import rule

AROUND_EVENT = dt.timedelta(minutes=15)
AROUND_EVENT_LIMIT = 200
TRACK_LIMIT = 20_000
TRACK_MAX_SPAN = dt.timedelta(days=31)


def _staff(user: Any) -> bool:
    return has_cap(user, Cap.EM_VIEW) and scope_of(user) is Scope.JURISDICTION


def _operator(user: Any) -> bool:
    return has_cap(user, Cap.EM_VIEW) and scope_of(user) is Scope.RELATIONSHIP


def may_read(user: Any) -> bool:
    """Does the user see electronic monitoring at all (rows of their scope, maybe none)?"""
    return _staff(user) or _operator(user)


# --- Devices ---------------------------------------------------------------------------------------------


def device_qs_for_user(user: Any) -> QuerySet[Device]:
    base = Device.objects.select_related("office", "office__region")
    if _staff(user):
        q = office_q(user, "office")
        return base.filter(q) if q is not None else Device.objects.none()
    if _operator(user):
        return base.filter(office__region_id__in=monitored_region_ids(user))
    return Device.objects.none()


def may_manage_devices(user: Any) -> bool:
    return _staff(user) and has_cap(user, Cap.EM_DEVICES)


def may_manage_device(user: Any, device: Device) -> bool:
    """Under a lock in the services: the device as it is now is held by an office of the user's
    jurisdiction, and the user keeps the stock."""
    return may_manage_devices(user) and office_in_jurisdiction(user, device.office)


@dataclass(frozen=True)
class DeviceFilters:
    kind: str = ""
    status: str = ""
    office: int | None = None
    q: str = ""


def device_list(*, user: Any, filters: DeviceFilters) -> QuerySet[Device]:
    qs = device_qs_for_user(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.office is not None:
        qs = qs.filter(office_id=filters.office)
    if filters.q:
        qs = qs.filter(serial__icontains=filters.q)
    return qs.order_by("serial")


def device_detail(*, user: Any, pk: int) -> Device:
    """Raises Device.DoesNotExist (a 404) outside the user's scope."""
    return device_qs_for_user(user).get(pk=pk)


def device_state(*, user: Any, device: Device) -> DeviceState | None:
    """The device's health and last position (audited: it says where someone is)."""
    state = DeviceState.objects.filter(device=device).first()
    audit_record(actor=user, action="monitoring.device.state_view", subject=device)
    return state


# --- Inventory and health -------------------------------------------------------------------------------


def inventory_offices(user: Any) -> QuerySet[Office]:
    """The offices whose stock the user sees: their jurisdiction (staff), the offices of the regions
    they monitor (operators), else none."""
    if _staff(user):
        return offices_for_user(user).select_related("region").order_by("region__code", "code")
    if _operator(user):
        return (
            Office.objects.filter(region_id__in=monitored_region_ids(user))
            .select_related("region")
            .order_by("region__code", "code")
        )
    return Office.objects.none()


@dataclass
class StockRow:
    """One kind of device held by one office: how many in each status."""

    office: Office
    kind: str
    counts: dict[str, int]
    total: int


def device_stock(*, user: Any) -> list[StockRow]:
    """Counts by kind × status per office of the user's scope (an office with no device has one row
    with no kind). Two queries, whatever the size of the stock."""
    counts: dict[tuple[int, str], dict[str, int]] = {}
    grouped = device_qs_for_user(user).order_by().values_list("office_id", "kind", "status").annotate(n=Count("pk"))
    for office_id, kind, status, n in grouped:
        counts.setdefault((office_id, kind), {})[status] = n
    rows: list[StockRow] = []
    for office in inventory_offices(user):
        kinds = [kind for kind in DeviceKind.values if (office.pk, kind) in counts]
        for kind in kinds or [""]:
            by_status = counts.get((office.pk, kind), {})
            rows.append(
                StockRow(
                    office=office,
                    kind=kind,
                    counts={status: by_status.get(status, 0) for status in DeviceStatus.values},
                    total=sum(by_status.values()),
                )
            )
    return rows


@dataclass
class HistoryEvent:
    """A line of a device's history: a status move or a move to another office's stock."""

    at: dt.datetime
    effective_on: dt.date
    by: Any
    reason: str
    from_status: str = ""
    to_status: str = ""
    from_office: Office | None = None
    to_office: Office | None = None

    @property
    def status_labels(self) -> tuple[str, str]:
        labels = dict(DeviceStatus.choices)
        return str(labels.get(self.from_status, self.from_status)), str(labels.get(self.to_status, self.to_status))


def device_history(*, device: Device) -> list[HistoryEvent]:
    """Status moves and office transfers of a device, newest first (two queries)."""
    events = [
        HistoryEvent(
            at=c.changed_at,
            effective_on=c.effective_on,
            by=c.changed_by,
            reason=c.reason,
            from_status=c.from_status,
            to_status=c.to_status,
        )
        for c in DeviceStatusChange.objects.filter(device=device).select_related("changed_by")
    ]
    events += [
        HistoryEvent(
            at=t.moved_at,
            effective_on=t.effective_on,
            by=t.moved_by,
            reason=t.reason,
            from_office=t.from_office,
            to_office=t.to_office,
        )
        for t in DeviceTransfer.objects.filter(device=device).select_related("moved_by", "from_office", "to_office")
    ]
    return sorted(events, key=lambda e: e.at, reverse=True)


def cases_visible(user: Any, case_ids: set[int]) -> set[int]:
    """Which of ``case_ids`` the user may open the case page of (jurisdiction staff, by the case
    selector; an operator opens none). One query, none for an empty set."""
    if not case_ids or not _staff(user):
        return set()
    return set(case_qs_for_user(user).filter(pk__in=case_ids).values_list("pk", flat=True))


@dataclass
class DeviceAssignmentRow:
    assignment: Assignment
    case_visible: bool


def device_assignments(*, user: Any, device: Device) -> list[DeviceAssignmentRow]:
    """Every assignment of a device (newest first), each saying whether the user may open its case
    (jurisdiction staff whose case selector shows it; an operator opens no case page). Two queries."""
    rows = list(Assignment.objects.filter(device=device).select_related("case").order_by("-installed_at", "-id"))
    visible = cases_visible(user, {a.case_id for a in rows})
    return [DeviceAssignmentRow(assignment=a, case_visible=a.case_id in visible) for a in rows]


@dataclass(frozen=True)
class HealthThresholds:
    """From the rulebook (``monitoring.thresholds``): silent after ``lost_after`` without a message,
    low battery below ``low_battery_pct``."""

    lost_after: dt.timedelta
    low_battery_pct: int


def health_thresholds(on: dt.date) -> HealthThresholds:
    params = rule("monitoring.thresholds", on=on).params
    return HealthThresholds(
        lost_after=dt.timedelta(minutes=float(params["lost_communication_minutes"])),
        low_battery_pct=int(params["low_battery_pct"]),
    )


HEALTH_SORTS: dict[str, tuple[Any, ...]] = {
    "serial": ("serial",),
    "office": ("office__code", "serial"),
    "battery": (F("state__battery").asc(nulls_first=True), "serial"),
    "message": (F("state__last_message_at").asc(nulls_first=True), "serial"),
    "fix": (F("state__last_valid_fix_at").asc(nulls_first=True), "serial"),
    "strap": (F("state__strap").desc(nulls_last=True), "serial"),
    "firmware": ("firmware", "serial"),
    "connected": (F("state__connected").asc(nulls_first=True), "serial"),
}


@dataclass(frozen=True)
class HealthFilters:
    sort: str = "message"
    only: str = ""  # "silent", "low_battery" or "" (every device in use)


def device_health(*, user: Any, filters: HealthFilters, now: dt.datetime) -> QuerySet[Device]:
    """The devices in use (assigned) of the user's scope with their state (``device.state``, may be
    missing) and the case they are on (``device.current``: a list of at most one open assignment),
    sorted; ``only`` keeps those silent longer than the rulebook's lost-communication threshold
    (or never heard from) or those with a low battery. No position is shown, so not audited."""
    limits = health_thresholds(now.date())
    qs = device_qs_for_user(user).filter(status=DeviceStatus.ASSIGNED).select_related("state")
    if filters.only == "silent":
        qs = qs.filter(
            Q(state__isnull=True)
            | Q(state__last_message_at__isnull=True)
            | Q(state__last_message_at__lt=now - limits.lost_after)
        )
    elif filters.only == "low_battery":
        qs = qs.filter(state__battery__lt=limits.low_battery_pct)
    current = Assignment.objects.filter(removed_at__isnull=True).select_related("case")
    qs = qs.prefetch_related(Prefetch("assignments", queryset=current, to_attr="current"))
    return qs.order_by(*HEALTH_SORTS.get(filters.sort, HEALTH_SORTS["message"]))


@dataclass
class DeviceHealth:
    """What the health list says of one device in use (the page and the API both show this)."""

    device: Device
    case: Any
    battery: int | None
    charging: bool | None
    last_message_at: dt.datetime | None
    last_valid_fix_at: dt.datetime | None
    strap: int | None
    connected: bool | None
    silent: bool
    low_battery: bool


def device_health_row(device: Device, *, now: dt.datetime, limits: HealthThresholds) -> DeviceHealth:
    """One row of ``device_health``: silent when no message for longer than ``limits.lost_after``
    (or never), low battery below ``limits.low_battery_pct``."""
    state: DeviceState | None = getattr(device, "state", None)  # a missing state raises AttributeError
    current = getattr(device, "current", None) or []
    last = state.last_message_at if state else None
    battery = state.battery if state else None
    return DeviceHealth(
        device=device,
        case=current[0].case if current else None,
        battery=battery,
        charging=state.charging if state else None,
        last_message_at=last,
        last_valid_fix_at=state.last_valid_fix_at if state else None,
        strap=state.strap if state else None,
        connected=state.connected if state else None,
        silent=last is None or now - last > limits.lost_after,
        low_battery=battery is not None and battery < limits.low_battery_pct,
    )


# --- Assignments, zones, exceptions ----------------------------------------------------------------------


def assignment_qs_for_user(user: Any) -> QuerySet[Assignment]:
    base = Assignment.objects.select_related("device", "victim_device", "case", "case__office", "case__person")
    if _staff(user):
        q = office_q(user, "case__office")
        return base.filter(q) if q is not None else Assignment.objects.none()
    if _operator(user):
        return base.filter(pk__in=monitored_assignments(user).values("pk"))
    return Assignment.objects.none()


def assignment_detail(*, user: Any, pk: int) -> Assignment:
    """Raises Assignment.DoesNotExist (a 404) outside the user's scope."""
    return assignment_qs_for_user(user).prefetch_related(zones_prefetch()).get(pk=pk)


def case_assignments(*, user: Any, case_id: int) -> QuerySet[Assignment]:
    return assignment_qs_for_user(user).filter(case_id=case_id).prefetch_related(zones_prefetch())


def zones_prefetch() -> Prefetch[Any]:
    return Prefetch("zones", queryset=Zone.objects.prefetch_related("versions").order_by("kind", "id"))


def may_assign(user: Any, case: Any) -> bool:
    """Fit or remove a device: senior officers and heads, on a case of their jurisdiction."""
    return has_cap(user, Cap.EM_ASSIGN) and may(user, CaseAction.EDIT, case)


def may_set_zones(user: Any, case: Any) -> bool:
    """Zones, curfews and permissions: officers on their own cases, senior officers and heads."""
    return has_cap(user, Cap.EM_ZONES) and may(user, CaseAction.EDIT, case)


def zone_qs_for_user(user: Any) -> QuerySet[Zone]:
    return Zone.objects.filter(assignment__in=assignment_qs_for_user(user).values("pk")).select_related(
        "assignment", "assignment__case", "assignment__case__office"
    )


def zone_detail(*, user: Any, pk: int) -> Zone:
    return zone_qs_for_user(user).prefetch_related("versions").get(pk=pk)


def version_in_force(zone: Zone, at: dt.datetime) -> ZoneVersion | None:
    """The version of ``zone`` in force at ``at`` (None before the first or after retirement)."""
    return (
        ZoneVersion.objects.filter(zone=zone, valid_from__lte=at)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
        .order_by("-number")
        .first()
    )


def exception_qs_for_user(user: Any) -> QuerySet[ScheduleException]:
    return ScheduleException.objects.filter(assignment__in=assignment_qs_for_user(user).values("pk")).select_related(
        "assignment", "assignment__case", "assignment__case__office", "zone"
    )


# --- Resolutions ----------------------------------------------------------------------------------------


def resolution_qs_for_user(user: Any) -> QuerySet[EmResolution]:
    """Resolutions of the cases whose monitoring the user sees (the same scope as assignments)."""
    base = EmResolution.objects.select_related("case", "case__office", "decided_by", "court_decision")
    if _staff(user):
        q = office_q(user, "case__office")
        return base.filter(q) if q is not None else EmResolution.objects.none()
    if _operator(user):
        return base.filter(case_id__in=monitored_assignments(user).values("case_id"))
    return EmResolution.objects.none()


def case_resolutions(*, user: Any, case_id: int) -> QuerySet[EmResolution]:
    return resolution_qs_for_user(user).filter(case_id=case_id).order_by("-starts_on", "-id")


def resolution_detail(*, user: Any, pk: int) -> EmResolution:
    """Raises EmResolution.DoesNotExist (a 404) outside the user's scope."""
    return resolution_qs_for_user(user).prefetch_related("status_changes").get(pk=pk)


def resolution_in_force(case: Any, day: dt.date) -> EmResolution | None:
    """The case's resolution in force covering ``day`` (None without one)."""
    return (
        EmResolution.objects.filter(case=case, status=ResolutionStatus.IN_FORCE, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on", "-id")
        .first()
    )


def may_decide_resolution(user: Any, case: Any, *, acting_head: bool = False) -> bool:
    """Order 511 para. 140: electronic monitoring is the decision of the head of the service — the
    head of the case's office, or a senior officer of that office acting as head (recorded on the
    resolution). Regional staff, other offices and every other role are refused."""
    if not getattr(user, "is_active", False) or getattr(user, "office_id", None) != case.office_id:
        return False
    if not may(user, CaseAction.EDIT, case):
        return False
    if user.role == Role.HEAD_OF_OFFICE:
        return True
    return bool(acting_head) and user.role == Role.SENIOR_OFFICER


def may_record_resolution_facts(user: Any, case: Any) -> bool:
    """The memo signed and the co-residents informed: whoever sets the case's zones (the officer on
    their own case, senior officers and heads)."""
    return may_set_zones(user, case)


# --- Alerts ----------------------------------------------------------------------------------------------


def alert_qs_for_user(user: Any) -> QuerySet[Alert]:
    base = Alert.objects.select_related("device", "case", "case__office", "zone")
    if _staff(user):
        q = office_q(user, "case__office")
        return base.filter(q) if q is not None else Alert.objects.none()
    if _operator(user):
        return base.filter(assignment_id__in=monitored_assignments(user).values("pk"))
    return Alert.objects.none()


@dataclass(frozen=True)
class AlertFilters:
    rule: str = ""
    severity: str = ""
    open: bool | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    office: int | None = None
    region: int | None = None
    case: int | None = None
    device: int | None = None


def alert_list(*, user: Any, filters: AlertFilters) -> QuerySet[Alert]:
    qs = alert_qs_for_user(user)
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.open is not None:
        qs = qs.filter(cleared_at__isnull=filters.open)
    if filters.since is not None:
        qs = qs.filter(opened_at__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(opened_at__lt=filters.until)
    if filters.office is not None:
        qs = qs.filter(case__office_id=filters.office)
    if filters.region is not None:
        qs = qs.filter(case__office__region_id=filters.region)
    if filters.case is not None:
        qs = qs.filter(case_id=filters.case)
    if filters.device is not None:
        qs = qs.filter(device_id=filters.device)
    return qs.order_by("-opened_at", "-id")


@dataclass
class AlertDetail:
    alert: Alert
    assignment: Assignment
    zone_version: ZoneVersion | None
    fixes: list[Position]


def alert_detail(*, user: Any, pk: int) -> AlertDetail:
    """The alert with its assignment, the zone version it was judged against and the device's fixes
    within ``AROUND_EVENT`` of it (at most ``AROUND_EVENT_LIMIT``, nearest the event). Audited."""
    alert = alert_qs_for_user(user).select_related("assignment", "zone_version").get(pk=pk)
    version = alert.zone_version
    if version is None and alert.zone_id is not None:
        version = version_in_force(alert.zone, alert.opened_at) if alert.zone else None
    fixes = list(
        Position.objects.filter(
            device_id=alert.device_id,
            fix_time__gte=alert.opened_at - AROUND_EVENT,
            fix_time__lte=alert.opened_at + AROUND_EVENT,
        ).order_by("fix_time", "seq")[: AROUND_EVENT_LIMIT * 4]
    )
    if len(fixes) > AROUND_EVENT_LIMIT:
        fixes.sort(key=lambda p: abs((p.fix_time - alert.opened_at).total_seconds()))
        fixes = sorted(fixes[:AROUND_EVENT_LIMIT], key=lambda p: (p.fix_time, p.seq))
    audit_record(
        actor=user,
        action="monitoring.alert.view",
        subject=alert,
        details={"case": alert.case_id, "fixes": len(fixes)},
    )
    return AlertDetail(alert=alert, assignment=alert.assignment, zone_version=version, fixes=fixes)


# --- Tracks ----------------------------------------------------------------------------------------------


@dataclass
class Track:
    assignment: Assignment
    start: dt.datetime
    end: dt.datetime
    positions: list[Position]
    truncated: bool


def assignment_track(*, user: Any, assignment: Assignment, start: dt.datetime, end: dt.datetime) -> Track:
    """The positions of the assignment's device in [start, end), limited to the assignment's own
    period (never the previous wearer's), in fix-time order, at most ``TRACK_LIMIT``. Audited."""
    lower = max(start, assignment.installed_at)
    upper = min(end, assignment.removed_at) if assignment.removed_at is not None else end
    rows: list[Position] = []
    if lower < upper:
        rows = list(
            Position.objects.filter(device_id=assignment.device_id, fix_time__gte=lower, fix_time__lt=upper).order_by(
                "fix_time", "seq"
            )[: TRACK_LIMIT + 1]
        )
    truncated = len(rows) > TRACK_LIMIT
    rows = rows[:TRACK_LIMIT]
    audit_record(
        actor=user,
        action="monitoring.track.view",
        subject=assignment,
        details={
            "case": assignment.case_id,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "positions": len(rows),
        },
    )
    return Track(assignment=assignment, start=start, end=end, positions=rows, truncated=truncated)
