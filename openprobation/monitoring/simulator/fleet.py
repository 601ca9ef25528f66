"""Simulated devices in the database: each a bracelet assigned to a case, with zones matching its
trace (the home circle with the curfew, the city as the inclusion zone, an exclusion place), and a
fresh credential whose secret lives only in memory for the run.

Written in bulk (thousands of devices a second): the rows the services would write — the device
(status assigned, with its status history), the assignment, zones and their first versions, a
configuration revision per assignment — without a service call or an audit event per row; one
``monitoring.simulation_fleet`` event records the run. Cases: open demo cases of the cities'
regions without a device first; then, if short, minimal people and active cases created in a
"simulated monitoring" office of each city (plain ``bulk_create``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from openprobation.accounts.models import Office, Region, Role, User
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case, CaseStatus, CaseType, SentenceKind
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus, ZoneKind
from openprobation.monitoring.credentials import new_credential
from openprobation.monitoring.models import (
    Assignment,
    ConfigRevision,
    Device,
    DeviceStatusChange,
    EmResolution,
    ResolutionGrounds,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.resolution_terms import PRACTICE, term_end
from openprobation.monitoring.simulator import geo
from openprobation.monitoring.simulator.cities import BY_REGION, CITIES, City
from openprobation.monitoring.simulator.traces import (
    EXCLUSION_RADIUS_M,
    HOME_BUFFER_M,
    HOME_RADIUS_M,
    Person,
    draw_person,
)
from openprobation.people.models import Person as SupervisedPerson
from openprobation.people.models import make_name_key, make_search_text

BATCH = 2000
# How long a simulated case's EM resolution runs (within the rulebook's practice limit).
RESOLUTION_MONTHS = 12
MAX_DEVICES = 50_000
SIMULATOR_USERNAME = "em-simulator"
CURFEW_WINDOWS = [{"day": d, "start": "22:00", "end": "06:00"} for d in range(7)]
CITY_NAMES = {
    "ALA": ("Алматы қаласы", "город Алматы", "Almaty City"),
    "AST": ("Астана қаласы", "город Астана", "Astana City"),
    "SHY": ("Шымкент қаласы", "город Шымкент", "Shymkent City"),
}


@dataclass
class FleetDevice:
    index: int
    device_id: int
    serial: str
    subject: str  # the MQTT topic's user part: owntracks/<subject>/<serial>
    secret: str
    assignment_id: int


@dataclass
class Fleet:
    devices: list[FleetDevice]
    people: list[Person]
    created: int = 0
    reused: int = 0


def simulator_user() -> User:
    """The account simulated assignments and zones are recorded as made by (cannot log in)."""
    user, _created = User.objects.get_or_create(
        username=SIMULATOR_USERNAME,
        defaults={
            "role": Role.SYSTEM_ADMIN,
            "is_active": False,
            "first_name": "EM",
            "last_name": "Simulator",
            "password": make_password(None),
        },
    )
    return user


def _point_of(geometry: dict[str, object]) -> tuple[float, float] | None:
    coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
    if isinstance(coords, list) and len(coords) == 2:
        return float(coords[1]), float(coords[0])
    return None


def fleet_load(*, prefix: str, limit: int, seed: int, rotate: bool = True) -> Fleet:
    """The devices whose serial starts with ``prefix-`` and have an open assignment (serial order),
    with the people their zones describe and, when ``rotate``, fresh credentials."""
    devices = list(
        Assignment.objects.filter(
            removed_at__isnull=True, device__serial__startswith=f"{prefix}-", device__status=DeviceStatus.ASSIGNED
        )
        .order_by("device__serial")
        .values_list("device_id", "device__serial", "pk", "case_id", "case__office__region__code")[:limit]
    )
    assignment_ids = [a for _d, _s, a, _c, _r in devices]
    zones: dict[int, dict[str, tuple[float, float]]] = defaultdict(dict)
    versions = (
        ZoneVersion.objects.filter(zone__assignment_id__in=assignment_ids, zone__retired_at__isnull=True, valid_to=None)
        .values_list("zone__assignment_id", "zone__kind", "geometry")
        .order_by("zone__assignment_id", "zone__kind", "number")
    )
    for assignment_id, kind, geometry in versions:
        point = _point_of(geometry)
        if point is not None:
            zones[assignment_id][kind] = point
    fleet = Fleet(devices=[], people=[], reused=len(devices))
    default_city = next(iter(CITIES.values()))
    for index, (device_id, serial, assignment_id, case_id, region) in enumerate(devices):
        city = BY_REGION.get(region, default_city)
        rng = np.random.default_rng([seed, index])
        own = zones.get(assignment_id, {})
        fleet.people.append(draw_person(rng, city, home=own.get(ZoneKind.HOME), exclusion=own.get(ZoneKind.EXCLUSION)))
        fleet.devices.append(
            FleetDevice(
                index=index,
                device_id=device_id,
                serial=serial,
                subject=f"case{case_id}",
                secret="",
                assignment_id=assignment_id,
            )
        )
    if rotate:
        _rotate(fleet.devices)
    return fleet


def _rotate(devices: Sequence[FleetDevice]) -> None:
    """Fresh credentials: one parameterised UPDATE run for many rows (a ``bulk_update`` builds a
    CASE expression per row, far slower at tens of thousands)."""
    now = timezone.now()
    rows = []
    for fd in devices:
        fd.secret, hashed = new_credential()
        rows.append((hashed, now, fd.device_id))
    field = Device._meta.get_field("credential_set_at")
    table = connection.ops.quote_name(Device._meta.db_table)
    sql = f"UPDATE {table} SET credential_hash = %s, credential_set_at = %s WHERE id = %s"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = [(h, field.get_db_prep_save(at, connection), pk) for h, at, pk in rows[start : start + BATCH]]
            cursor.executemany(sql, chunk)


def _free_cases(limit: int) -> list[Case]:
    """Open sentence cases of the cities' regions with no device on them, oldest first."""
    return list(
        Case.objects.filter(
            status=CaseStatus.ACTIVE,
            office__region__code__in=list(BY_REGION),
            case_type__in=[CaseType.SENTENCE, CaseType.POST_PENITENTIARY],
        )
        .exclude(pk__in=Assignment.objects.filter(removed_at__isnull=True).values("case_id"))
        .select_related("office__region")
        .order_by("office__region__code", "pk")[:limit]
    )


def _simulation_office(city: City) -> Office:
    kk, ru, en = CITY_NAMES.get(city.region, (city.name, city.name, city.name))
    region, _created = Region.objects.get_or_create(
        code=city.region, defaults={"name_kk": kk, "name_ru": ru, "name_en": en}
    )
    office, _created = Office.objects.get_or_create(
        code=f"{city.region}-SIM",
        defaults={
            "region": region,
            "name_kk": f"{kk}: электрондық бақылау (симуляция)",
            "name_ru": f"{ru}: электронный мониторинг (симуляция)",
            "name_en": f"{en}: simulated monitoring",
            "time_zone": city.time_zone,
            "officer_capacity": 0,
        },
    )
    return office


def _create_cases(count: int, *, start: int) -> list[Case]:
    """Minimal people with one active restriction-of-liberty case each, round the cities."""
    cities = list(CITIES.values())
    offices = [_simulation_office(c) for c in cities]
    today = timezone.localdate()
    people, cases = [], []
    for i in range(start, start + count):
        office = offices[i % len(offices)]
        surname, first = "Симуляция", f"Субъект {i:06d}"
        people.append(
            SupervisedPerson(
                surname=surname,
                first_name=first,
                surname_latin="Simulyatsiya",
                first_name_latin=f"Subyekt {i:06d}",
                birth_date=dt.date(1980 + i % 25, 1 + i % 12, 1 + i % 28),
                sex="M" if i % 5 else "F",
                registered_office=office,
                name_key=make_name_key(surname, first),
                search_text=make_search_text(surname, first),
            )
        )
    SupervisedPerson.objects.bulk_create(people, batch_size=BATCH)
    for i, person in zip(range(start, start + count), people, strict=True):
        office = person.registered_office
        cases.append(
            Case(
                number=f"{office.code}-{i:06d}",
                person=person,
                case_type=CaseType.SENTENCE,
                sentence_kind=SentenceKind.RESTRICTION_OF_LIBERTY,
                office=office,
                status=CaseStatus.ACTIVE,
                status_changed_at=timezone.now(),
                received_on=today - dt.timedelta(days=30),
                registered_on=today - dt.timedelta(days=28),
                term_months=12,
                control_start=today - dt.timedelta(days=28),
                control_end=today + dt.timedelta(days=337),
            )
        )
    Case.objects.bulk_create(cases, batch_size=BATCH)
    return cases


def fleet_prepare(*, count: int, seed: int, prefix: str = "SIM", installed_at: dt.datetime | None = None) -> Fleet:
    """``count`` simulated devices ready to report: reuse those already made with this prefix, make
    the rest on free cases (creating minimal ones if short), and set fresh credentials for all."""
    if not 0 < count <= MAX_DEVICES:
        raise ValueError(f"count must be between 1 and {MAX_DEVICES}")
    with transaction.atomic():
        fleet = fleet_load(prefix=prefix, limit=count, seed=seed, rotate=False)
        missing = count - len(fleet.devices)
        if missing > 0:
            _create(fleet, missing=missing, seed=seed, prefix=prefix, installed_at=installed_at)
        _rotate(fleet.devices)
        audit_record(
            actor=None,
            action="monitoring.simulation_fleet",
            details={"prefix": prefix, "devices": count, "created": fleet.created, "reused": fleet.reused},
        )
    return fleet


def _next_number(prefix: str) -> int:
    last = Device.objects.filter(serial__startswith=f"{prefix}-").order_by("-serial").values_list("serial", flat=True)
    for serial in last[:1]:
        tail = serial.rsplit("-", 1)[-1]
        if tail.isascii() and tail.isdigit():
            return int(tail) + 1
    return 1


def _create(fleet: Fleet, *, missing: int, seed: int, prefix: str, installed_at: dt.datetime | None) -> None:
    installed = installed_at or timezone.now() - dt.timedelta(hours=1)
    cases = _free_cases(missing)
    if len(cases) < missing:
        created = _create_cases(
            missing - len(cases), start=Case.objects.filter(office__code__endswith="-SIM").count() + 1
        )
        cases += list(Case.objects.filter(pk__in=[c.pk for c in created]).select_related("office__region"))
    fleet_assign(
        fleet, cases=cases, seed=seed, prefix=prefix, actor=simulator_user(), installed_at=[installed] * len(cases)
    )


def fleet_assign(
    fleet: Fleet,
    *,
    cases: Sequence[Case],
    seed: int,
    prefix: str,
    actor: User,
    installed_at: Sequence[dt.datetime],
    supplier: str = "Simulated",
    decided_by: Sequence[User] | None = None,
) -> None:
    """New bracelets (serials ``prefix-NNNNNN``) assigned to ``cases`` from ``installed_at``, each
    under an EM resolution decided by ``decided_by`` (default ``actor``) on the installation day,
    with the zones of a person drawn for each (appended to ``fleet``). Cases need ``office__region``."""
    first = _next_number(prefix)
    base = len(fleet.devices)
    devices = [
        Device(
            kind=DeviceKind.BRACELET,
            serial=f"{prefix}-{first + i:06d}",
            supplier=supplier,
            leased=True,
            firmware="sim-1" if supplier == "Simulated" else "2.4.1",
            status=DeviceStatus.ASSIGNED,
            office=case.office,
        )
        for i, case in enumerate(cases)
    ]
    Device.objects.bulk_create(devices, batch_size=BATCH)
    DeviceStatusChange.objects.bulk_create(
        [
            DeviceStatusChange(
                device=d,
                from_status=DeviceStatus.IN_STOCK,
                to_status=DeviceStatus.ASSIGNED,
                reason="Installed on the case",
                effective_on=at.date(),
                changed_by=actor,
            )
            for d, at in zip(devices, installed_at, strict=True)
        ],
        batch_size=BATCH,
    )
    # Monitoring starts by resolution of the head of office (Order 511 para. 140): one per case,
    # decided on the day of installation, on a court's restriction, for a year.
    deciders = list(decided_by) if decided_by is not None else [actor] * len(cases)
    resolutions = []
    for n, (case, at, decider) in enumerate(zip(cases, installed_at, deciders, strict=True)):
        day = timezone.localtime(at).date()
        resolutions.append(
            EmResolution(
                case=case,
                number=f"{prefix}-R{first + n:06d}",
                decided_on=day,
                decided_by=decider,
                grounds=ResolutionGrounds.OTHER_COURT,
                grounds_text="Сот белгілеген шектеу / Ограничение, установленное судом",
                starts_on=day,
                ends_on=term_end(day, RESOLUTION_MONTHS),
                rule_key=PRACTICE,
                memo_acknowledged_on=day,
                co_residents_informed_on=day,
                recorded_by=decider,
            )
        )
    EmResolution.objects.bulk_create(resolutions, batch_size=BATCH)
    assignments = [
        Assignment(
            device=d,
            case=case,
            installed_at=at,
            time_zone=case.office.time_zone or "Asia/Almaty",
            created_by=actor,
            resolution=resolution,
        )
        for d, case, at, resolution in zip(devices, cases, installed_at, resolutions, strict=True)
    ]
    Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    default_city = next(iter(CITIES.values()))
    zones: list[Zone] = []
    shapes: list[tuple[dict[str, object], float | None, float, list[dict[str, object]]]] = []
    for offset, (device, assignment, case) in enumerate(zip(devices, assignments, cases, strict=True)):
        index = base + offset
        city = BY_REGION.get(case.office.region.code, default_city)
        person = draw_person(np.random.default_rng([seed, index]), city)
        fleet.people.append(person)
        fleet.devices.append(
            FleetDevice(
                index=index,
                device_id=device.pk,
                serial=device.serial,
                subject=f"case{case.pk}",
                secret="",
                assignment_id=assignment.pk,
            )
        )
        zones.append(Zone(assignment=assignment, kind=ZoneKind.HOME, name="Үй / Дом", created_by=actor))
        shapes.append((geo.circle(*person.home), HOME_RADIUS_M, HOME_BUFFER_M, CURFEW_WINDOWS))
        zones.append(Zone(assignment=assignment, kind=ZoneKind.INCLUSION, name=city.name, created_by=actor))
        shapes.append((city.boundary_geojson(), None, 0.0, []))
        if person.exclusion is not None:
            zones.append(
                Zone(assignment=assignment, kind=ZoneKind.EXCLUSION, name="Тыйым салынған орын", created_by=actor)
            )
            shapes.append((geo.circle(*person.exclusion), EXCLUSION_RADIUS_M, 0.0, []))
    Zone.objects.bulk_create(zones, batch_size=BATCH)
    ZoneVersion.objects.bulk_create(
        [
            ZoneVersion(
                zone=zone,
                number=1,
                geometry=geometry,
                radius_m=radius,
                buffer_m=buffer,
                windows=windows,
                valid_from=zone.assignment.installed_at,
                changed_by=actor,
                reason="Set at installation",
            )
            for zone, (geometry, radius, buffer, windows) in zip(zones, shapes, strict=True)
        ],
        batch_size=BATCH,
    )
    ConfigRevision.objects.bulk_create([ConfigRevision(assignment=a) for a in assignments], batch_size=BATCH)
    fleet.created += len(devices)
