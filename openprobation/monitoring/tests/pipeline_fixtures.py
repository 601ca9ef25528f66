"""Shared set-up for the pipeline tests: devices on assignments, a circle zone, fixes as log payloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from openprobation.accounts.models import User
from openprobation.monitoring.catalogue import Channel, DeviceKind, DeviceStatus, ZoneKind
from openprobation.monitoring.models import Assignment, Device, Zone, ZoneVersion
from openprobation.monitoring.pipeline.messages import encode
from openprobation.testing.factories import UserFactory, a_case, an_em_resolution

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday, 14:00 in Almaty
ALMATY = (43.2389, 76.8897)  # lat, lon


def monitored_device(serial: str, *, zone_radius_m: float | None = 300.0, with_zone: bool = True) -> Assignment:
    """A bracelet on a new case since a day before ``T0``, with an inclusion circle around Almaty."""
    case = a_case()
    user = cast(User, UserFactory(office=case.office))
    device = Device.objects.create(
        kind=DeviceKind.BRACELET, serial=serial, office=case.office, status=DeviceStatus.ASSIGNED
    )
    assignment = Assignment.objects.create(
        device=device,
        case=case,
        installed_at=T0 - dt.timedelta(days=1),
        time_zone="Asia/Almaty",
        created_by=user,
        resolution=an_em_resolution(case, starts_on=(T0 - dt.timedelta(days=2)).date()),
    )
    if with_zone:
        zone = Zone.objects.create(assignment=assignment, kind=ZoneKind.INCLUSION, name="City", created_by=user)
        ZoneVersion.objects.create(
            zone=zone,
            number=1,
            geometry={"type": "Point", "coordinates": [ALMATY[1], ALMATY[0]]},
            radius_m=zone_radius_m,
            buffer_m=0,
            valid_from=T0 - dt.timedelta(days=1),
            changed_by=user,
        )
    return assignment


def fixes_payload(
    device_id: int, rows: Sequence[tuple[float, int, float, float]], *, received: float, **extra: Any
) -> bytes:
    """One log entry: fixes (t, seq, lat, lon) of one device, accuracy 10 m, battery 80, strap intact."""
    fixes = [
        (
            device_id,
            t,
            seq,
            lat,
            lon,
            extra.get("accuracy", 10.0),
            extra.get("battery", 80),
            None,
            None,
            extra.get("strap", 0),
            0,
            None,
        )
        for t, seq, lat, lon in rows
    ]
    return encode(received=received, channel=Channel.HTTP, fixes=fixes)


def north_of(lat: float, metres: float) -> float:
    return lat + metres / 111_195.0
