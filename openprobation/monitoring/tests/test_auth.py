"""Device authentication for the receivers and the refused-input count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openprobation.monitoring.catalogue import Channel, DeviceKind, DeviceStatus
from openprobation.monitoring.credentials import new_credential
from openprobation.monitoring.models import Assignment, Device, RejectedMessage
from openprobation.monitoring.pipeline import auth
from openprobation.testing.factories import UserFactory, a_case, an_em_resolution

pytestmark = pytest.mark.django_db


def make_device(
    serial: str = "EM-0001", *, status: str = DeviceStatus.ASSIGNED, assigned: bool = True
) -> tuple[Any, str]:
    """A device with a credential (returned) and, if ``assigned``, an open assignment on a case."""
    case = a_case()
    secret, digest = new_credential()
    device = Device.objects.create(
        kind=DeviceKind.BRACELET, serial=serial, office=case.office, status=status, credential_hash=digest
    )
    if assigned:
        creator: Any = UserFactory(office=case.office)
        Assignment.objects.create(
            device=device,
            case=case,
            installed_at=timezone.now() - dt.timedelta(days=1),
            time_zone="Asia/Almaty",
            created_by=creator,
            resolution=an_em_resolution(case),
        )
    return device, secret


@pytest.fixture(autouse=True)
def _fresh_cache():
    auth.clear_cache()
    yield
    auth.clear_cache()


def test_the_right_secret_names_the_device():
    device, secret = make_device()
    assert auth.authenticate("EM-0001", secret) == device.pk


def test_wrong_secret_unknown_device_and_empty_values_are_refused():
    _device, secret = make_device()
    assert auth.authenticate("EM-0001", secret + "x") is None
    assert auth.authenticate("EM-0001", "") is None
    assert auth.authenticate("EM-9999", secret) is None
    assert auth.authenticate("", secret) is None
    assert auth.authenticate("x" * 65, secret) is None


@pytest.mark.parametrize(
    "status", [DeviceStatus.IN_STOCK, DeviceStatus.IN_REPAIR, DeviceStatus.LOST, DeviceStatus.RETIRED]
)
def test_only_an_assigned_device_may_report(status):
    _device, secret = make_device(status=status)
    assert auth.authenticate("EM-0001", secret) is None


def test_an_assigned_device_without_an_open_assignment_is_refused():
    device, secret = make_device()
    Assignment.objects.filter(device=device).update(removed_at=timezone.now())
    assert auth.authenticate("EM-0001", secret) is None  # not cached yet
    _other, other_secret = make_device("EM-0002", assigned=False)
    assert auth.authenticate("EM-0002", other_secret) is None


def test_the_cache_answers_without_a_query_and_a_rotation_takes_effect_after_its_ttl(
    django_assert_num_queries, monkeypatch
):
    device, old = make_device()
    assert auth.authenticate("EM-0001", old) == device.pk
    with django_assert_num_queries(0):
        assert auth.authenticate("EM-0001", old) == device.pk
        assert auth.authenticate("EM-0001", "wrong") is None
    new, digest = new_credential()
    Device.objects.filter(pk=device.pk).update(credential_hash=digest)
    assert auth.authenticate("EM-0001", old) == device.pk  # still cached: the TTL bounds it
    clock = auth.time.monotonic() + auth.CACHE_TTL_S + 1
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock)
    assert auth.authenticate("EM-0001", old) is None
    assert auth.authenticate("EM-0001", new) == device.pk


def test_unknown_serials_are_cached_too(django_assert_num_queries):
    assert auth.lookup("EM-NOPE") is None
    with django_assert_num_queries(0):
        assert auth.lookup("EM-NOPE") is None


def test_rejections_are_stored_per_device_and_rate_limited():
    device, _secret = make_device()
    stored = auth.record_rejections(device.pk, Channel.HTTP, [("out_of_range", "bad")] * 30, b"x" * 10_000)
    assert stored == 30
    row = RejectedMessage.objects.filter(device=device).first()
    assert row is not None and len(row.payload) == auth.PAYLOAD_KEEP_BYTES and row.code == "out_of_range"
    assert auth.record_rejections(device.pk, Channel.HTTP, [("missing", "bad")] * 100, b"{}") == 70
    assert RejectedMessage.objects.filter(device=device).count() == auth.REJECT_RATE_PER_MIN
    assert auth.dropped_rejections[device.pk] == 30
    assert auth.record_rejections(None, Channel.HTTP, [("missing", "bad")], b"{}") == 0


def test_a_fleet_reporting_device_by_device_is_read_in_one_query(django_assert_num_queries):
    devices = [make_device(f"EM-01{i:02d}") for i in range(5)]
    with django_assert_num_queries(1):  # the snapshot of every device that may report
        for device, secret in devices:
            assert auth.authenticate(device.serial, secret) == device.pk


def test_a_device_assigned_after_the_snapshot_is_found_on_its_own(django_assert_num_queries):
    first, first_secret = make_device("EM-0001")
    assert auth.authenticate("EM-0001", first_secret) == first.pk  # the snapshot is read here
    later, later_secret = make_device("EM-0002")
    with django_assert_num_queries(1):
        assert auth.authenticate("EM-0002", later_secret) == later.pk
    with django_assert_num_queries(0):
        assert auth.authenticate("EM-0002", later_secret) == later.pk


def test_a_removed_device_leaves_the_snapshot_within_the_ttl(monkeypatch):
    device, secret = make_device()
    assert auth.authenticate("EM-0001", secret) == device.pk
    Assignment.objects.filter(device=device).update(removed_at=timezone.now())
    Device.objects.filter(pk=device.pk).update(status=DeviceStatus.LOST)
    assert auth.authenticate("EM-0001", secret) == device.pk  # the TTL bounds it
    clock = auth.time.monotonic() + auth.CACHE_TTL_S + 1
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock)
    assert auth.authenticate("EM-0001", secret) is None


def test_a_fleet_over_the_snapshot_limit_is_looked_up_serial_by_serial(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(auth, "SNAPSHOT_MAX", 1)
    devices = [make_device(f"EM-02{i:02d}") for i in range(2)]
    with django_assert_num_queries(3):  # the snapshot (refused: too many), then one per serial
        for device, secret in devices:
            assert auth.authenticate(device.serial, secret) == device.pk
    with django_assert_num_queries(0):
        for device, secret in devices:
            assert auth.authenticate(device.serial, secret) == device.pk
