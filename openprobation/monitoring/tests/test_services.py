"""The monitoring services: devices, assignments, zones with versions, permissions — every write
refused for another office, a former office, a read-only role and the system administrator, with
nothing changed; allowed writes audited and revised for the evaluators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.monitoring import selectors, services
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus
from openprobation.monitoring.credentials import credential_matches
from openprobation.monitoring.models import (
    Assignment,
    ConfigRevision,
    Device,
    DeviceStatusChange,
    ScheduleException,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.tests.matrix import active_case, fitted, resolved, stock_device

pytestmark = pytest.mark.django_db

CIRCLE = {"type": "Point", "coordinates": [71.43, 51.13]}
CURFEW = [{"day": d, "start": "22:00", "end": "06:00"} for d in range(7)]


def counts() -> tuple[int, ...]:
    return (
        Device.objects.count(),
        Assignment.objects.count(),
        Zone.objects.count(),
        ZoneVersion.objects.count(),
        ScheduleException.objects.count(),
        ConfigRevision.objects.count(),
        DeviceStatusChange.objects.count(),
    )


def home(personas, assignment, actor="officer", **shape):
    return services.zone_create(
        actor=personas[actor],
        assignment=assignment,
        kind="home",
        name="Home",
        shape=services.ZoneShape(geometry=CIRCLE, radius_m=100, windows=CURFEW, **shape),
    )


# --- Devices ---------------------------------------------------------------------------------------------


def test_a_head_registers_a_device_and_gets_its_credential_once(personas):
    device, secret = services.device_register(
        actor=personas["head"],
        data=services.DeviceInput(kind="bracelet", serial="BR-1", office=personas["office_a"]),
    )
    assert device.status == DeviceStatus.IN_STOCK
    assert credential_matches(secret, device.credential_hash)
    event = AuditEvent.objects.get(action="monitoring.device.register")
    assert secret not in str(event.changes) + str(event.details)
    rotated, new_secret = services.device_rotate_credential(actor=personas["head"], device=device)
    assert not credential_matches(secret, rotated.credential_hash)
    assert credential_matches(new_secret, rotated.credential_hash)
    assert AuditEvent.objects.filter(action="monitoring.device.rotate_credential").count() == 1


@pytest.mark.parametrize(
    "who", ["officer", "senior", "other_head", "court_liaison", "auditor", "sysadmin", "monitoring"]
)
def test_only_stock_keepers_of_the_office_register_devices(personas, who):
    before = counts()
    with pytest.raises(DomainError):
        services.device_register(
            actor=personas[who], data=services.DeviceInput(kind="bracelet", serial="BR-2", office=personas["office_a"])
        )
    assert counts() == before


def test_a_duplicate_serial_is_a_clear_error(personas):
    data = services.DeviceInput(kind="bracelet", serial="BR-3", office=personas["office_a"])
    services.device_register(actor=personas["head"], data=data)
    with pytest.raises(DomainError) as caught:
        services.device_register(actor=personas["regional_admin"], data=data)
    assert caught.value.field == "serial"


def test_the_device_lifecycle_refuses_illegal_moves_and_keeps_history(personas):
    device = stock_device(personas["office_a"])
    head = personas["head"]
    services.device_set_status(actor=head, device=device, to_status="in_repair", reason="Screen")
    services.device_set_status(actor=head, device=device, to_status="in_stock", reason="Fixed")
    with pytest.raises(DomainError):
        services.device_set_status(actor=head, device=device, to_status="assigned", reason="By hand")
    services.device_set_status(actor=head, device=device, to_status="lost", reason="Missing")
    services.device_set_status(actor=head, device=device, to_status="retired", reason="Written off")
    with pytest.raises(DomainError):
        services.device_set_status(actor=head, device=device, to_status="in_stock", reason="Back")
    moves = list(DeviceStatusChange.objects.filter(device=device).order_by("id").values_list("to_status", flat=True))
    assert moves == ["in_repair", "in_stock", "lost", "retired"]
    with pytest.raises(PermissionDeniedError):
        services.device_set_status(actor=personas["other_head"], device=device, to_status="in_stock", reason="x")


# --- Assignments -----------------------------------------------------------------------------------------


def test_fitting_and_removing_a_device_moves_its_status(personas):
    case = active_case(personas)
    assignment = fitted(personas["senior"], case, rules=["curfew"])
    assignment.device.refresh_from_db()
    assert assignment.device.status == DeviceStatus.ASSIGNED
    assert assignment.time_zone == case.office.time_zone
    assert ConfigRevision.objects.filter(assignment=assignment).count() == 1
    with pytest.raises(DomainError) as caught:
        services.assignment_create(actor=personas["senior"], case=case, device=assignment.device)
    assert caught.value.code == "device_not_in_stock"
    services.assignment_end(actor=personas["head"], assignment=assignment, reason="Term served")
    assignment.refresh_from_db()
    assignment.device.refresh_from_db()
    assert assignment.removed_at is not None
    assert assignment.device.status == DeviceStatus.IN_STOCK
    assert AuditEvent.objects.filter(action__startswith="monitoring.assignment").count() == 2


def test_a_victim_device_is_fitted_with_the_bracelet(personas):
    case = active_case(personas)
    victim = stock_device(personas["office_b"], kind=DeviceKind.VICTIM_DEVICE)
    assignment = fitted(personas["senior"], case, victim_device=victim, proximity_m=800)
    victim.refresh_from_db()
    assert victim.status == DeviceStatus.ASSIGNED
    assert assignment.proximity_m == 800
    with pytest.raises(DomainError):
        fitted(personas["senior"], active_case(personas), victim_device=stock_device(personas["office_a"]))


def test_a_device_of_another_region_or_a_closed_case_is_refused(personas):
    case = active_case(personas)
    resolved(case)
    with pytest.raises(DomainError):
        services.assignment_create(actor=personas["senior"], case=case, device=stock_device(personas["office_c"]))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED)
    with pytest.raises(DomainError):
        fitted(personas["senior"], case)


@pytest.mark.parametrize("who", ["officer", "other_head", "other_region", "court_liaison", "auditor", "sysadmin"])
def test_fitting_is_refused_outside_the_role_or_office_and_changes_nothing(personas, who):
    case = active_case(personas)
    device = stock_device(personas["office_a"])
    before = counts()
    with pytest.raises(DomainError):
        services.assignment_create(actor=personas[who], case=case, device=device)
    assert counts() == before
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_STOCK


def test_the_former_office_cannot_change_a_transferred_case(personas):
    case = active_case(personas)
    assignment = fitted(personas["senior"], case)
    zone = home(personas, assignment)
    Case.objects.filter(pk=case.pk).update(office=personas["office_b"])
    before = counts()
    with pytest.raises(DomainError):
        services.assignment_end(actor=personas["senior"], assignment=assignment, reason="x")
    with pytest.raises(DomainError):
        services.zone_change(actor=personas["senior"], zone=zone, buffer_m=30)
    with pytest.raises(DomainError):
        home(personas, assignment, actor="officer")
    assert counts() == before
    services.zone_change(actor=personas["other_head"], zone=zone, buffer_m=30)


# --- Zones, versions, permissions ------------------------------------------------------------------------


def test_a_zone_change_writes_a_new_version_and_the_old_one_stays_in_force_before(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    zone = home(personas, assignment)
    first = zone.versions.get()
    later = timezone.now() + dt.timedelta(hours=2)
    second = services.zone_change(actor=personas["officer"], zone=zone, buffer_m=40, valid_from=later, reason="GPS")
    first.refresh_from_db()
    assert (second.number, first.valid_to) == (2, later)
    assert selectors.version_in_force(zone, later - dt.timedelta(seconds=1)) == first
    assert selectors.version_in_force(zone, later) == second
    assert second.windows == first.windows and second.buffer_m == 40
    assert ConfigRevision.objects.filter(assignment=assignment).count() == 3
    change = AuditEvent.objects.get(action="monitoring.zone.change")
    assert list(change.changes) == ["buffer_m"]


def test_a_change_cannot_take_effect_in_the_past(personas):
    zone = home(personas, fitted(personas["senior"], active_case(personas)))
    with pytest.raises(DomainError) as caught:
        services.zone_change(
            actor=personas["officer"], zone=zone, buffer_m=10, valid_from=timezone.now() - dt.timedelta(hours=1)
        )
    assert caught.value.field == "valid_from"


def test_a_schedule_change_and_retirement_close_the_versions(personas):
    zone = home(personas, fitted(personas["senior"], active_case(personas)))
    version = services.zone_set_schedule(
        actor=personas["officer"],
        zone=zone,
        windows=[{"day": 6, "start": "23:00", "end": "05:00"}],
        valid_from=timezone.now() + dt.timedelta(minutes=5),
    )
    assert version.windows == [{"day": 6, "start": "23:00", "end": "05:00"}]
    retired = services.zone_retire(
        actor=personas["senior"], zone=zone, reason="Order changed", at=timezone.now() + dt.timedelta(hours=1)
    )
    version.refresh_from_db()
    assert retired.retired_at == version.valid_to
    with pytest.raises(DomainError):
        services.zone_change(actor=personas["officer"], zone=zone, buffer_m=10)


@pytest.mark.parametrize("who", ["colleague", "other_district", "regional_admin", "court_liaison", "sysadmin"])
def test_zones_are_set_only_by_the_case_officer_or_senior_staff(personas, who):
    assignment = fitted(personas["senior"], active_case(personas))
    before = counts()
    with pytest.raises(DomainError):
        home(personas, assignment, actor=who)
    assert counts() == before


def test_a_permission_is_bounded_and_can_be_cancelled(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    now = timezone.now()
    with pytest.raises(DomainError):
        services.exception_create(
            actor=personas["officer"],
            assignment=assignment,
            starts_at=now,
            ends_at=now + dt.timedelta(days=40),
            reason="x",
        )
    with pytest.raises(DomainError):
        services.exception_create(
            actor=personas["officer"],
            assignment=assignment,
            starts_at=now - dt.timedelta(days=3),
            ends_at=now - dt.timedelta(days=2),
            reason="x",
        )
    with pytest.raises(DomainError):
        services.exception_create(
            actor=personas["officer"],
            assignment=assignment,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=3),
            reason=" ",
        )
    permission = services.exception_create(
        actor=personas["officer"],
        assignment=assignment,
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=4),
        reason="Hospital",
    )
    cancelled = services.exception_cancel(actor=personas["senior"], exception=permission, reason="Not needed")
    assert cancelled.cancelled_at is not None
    assert AuditEvent.objects.filter(action__startswith="monitoring.exception").count() == 2
