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

from django.db.models import Prefetch, Q, QuerySet

from openprobation.accounts.models import Role
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import (
    CaseAction,
    Scope,
    may,
    monitored_region_ids,
    office_in_jurisdiction,
    office_q,
    scope_of,
)
from openprobation.audit.services import audit_record
from openprobation.monitoring.models import (
    Alert,
    Assignment,
    Device,
    DeviceState,
    EmResolution,
    Position,
    ResolutionStatus,
    ScheduleException,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.relationship import monitored_assignments

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
