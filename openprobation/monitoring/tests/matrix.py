"""What the access matrix (``web/tests/test_access_matrix.py``) needs for these monitoring routes: the
records they name (``RECORDS``) and a valid payload for each write (``PAYLOADS``).

A device route names an office (the device is held by it); every other route names a case, and the
record (an assignment, zone, permission or alert) is made on that case."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from openprobation.cases.models import Case
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus, Rule, Severity, ZoneKind
from openprobation.monitoring.models import Alert, Assignment, Device, ScheduleException, Zone, ZoneVersion
from openprobation.monitoring.relationship import RECENTLY_REMOVED

_serials = itertools.count(1)


def _serial() -> str:
    return f"MX-{next(_serials):06d}"


def monitored(case_id: int) -> bool:
    """Is the case under electronic monitoring (what an operator's relationship needs)?"""
    since = timezone.now() - RECENTLY_REMOVED
    return Assignment.objects.filter(Q(removed_at__isnull=True) | Q(removed_at__gte=since), case_id=case_id).exists()


def _device(office_id: int, *, kind: str = DeviceKind.BRACELET, status: str = DeviceStatus.IN_STOCK) -> Device:
    return Device.objects.create(kind=kind, serial=_serial(), office_id=office_id, status=status)


def _device_of_office(w: dict[str, Any], office_id: int) -> int:
    return _device(office_id).pk


def _assignment(w: dict[str, Any], case_id: int) -> Assignment:
    case = Case.objects.select_related("office").get(pk=case_id)
    device = _device(case.office_id, status=DeviceStatus.ASSIGNED)
    return Assignment.objects.create(
        device=device,
        case=case,
        installed_at=timezone.now() - dt.timedelta(days=2),
        time_zone=case.office.time_zone,
        created_by=w["senior"],
    )


def _zone(w: dict[str, Any], case_id: int) -> int:
    assignment = _assignment(w, case_id)
    zone = Zone.objects.create(assignment=assignment, kind=ZoneKind.HOME, name="Үй", created_by=w["senior"])
    ZoneVersion.objects.create(
        zone=zone,
        number=1,
        geometry={"type": "Point", "coordinates": [71.43, 51.13]},
        radius_m=100,
        windows=[{"day": 0, "start": "22:00", "end": "06:00"}],
        valid_from=timezone.now() - dt.timedelta(hours=1),
        changed_by=w["senior"],
    )
    return zone.pk


def _exception(w: dict[str, Any], case_id: int) -> int:
    assignment = _assignment(w, case_id)
    now = timezone.now()
    return ScheduleException.objects.create(
        assignment=assignment,
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=5),
        reason="Ауруханаға бару",
        created_by=w["senior"],
    ).pk


def _alert(w: dict[str, Any], case_id: int) -> int:
    assignment = _assignment(w, case_id)
    return Alert.objects.create(
        assignment=assignment,
        device=assignment.device,
        case=assignment.case,
        rule=Rule.STRAP,
        severity=Severity.CRITICAL,
        opened_at=timezone.now() - dt.timedelta(minutes=5),
    ).pk


def _assignment_pk(w: dict[str, Any], case_id: int) -> int:
    return _assignment(w, case_id).pk


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "api-em-device": _device_of_office,
    "api-em-device-status": _device_of_office,
    "api-em-device-credential": _device_of_office,
    "api-em-device-state": _device_of_office,
    "api-em-assignment": _assignment_pk,
    "api-em-assignment-end": _assignment_pk,
    "api-em-assignment-zones": _assignment_pk,
    "api-em-assignment-exceptions": _assignment_pk,
    "api-em-assignment-track": _assignment_pk,
    "api-em-zone": _zone,
    "api-em-zone-schedule": _zone,
    "api-em-zone-retire": _zone,
    "api-em-exception-cancel": _exception,
    "api-em-alert": _alert,
}


def _new_device(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"kind": "bracelet", "serial": _serial(), "office": w["office_a"].pk, "supplier": "ҚазТрек"}


def _fit(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"device": _device(s.office.pk).pk, "rules": ["curfew", "strap"]}


def _permission(w: dict[str, Any], s: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "starts_at": (now + dt.timedelta(hours=2)).isoformat(),
        "ends_at": (now + dt.timedelta(hours=6)).isoformat(),
        "reason": "Емханаға бару",
    }


PAYLOADS: dict[tuple[str, str], Callable[..., Any]] = {
    ("api-em-devices", "POST"): _new_device,
    ("api-em-device", "PATCH"): lambda w, s: {"firmware": "2.4.1"},
    ("api-em-device-status", "POST"): lambda w, s: {"to_status": "in_repair", "reason": "Батарея ісінген"},
    ("api-em-device-credential", "POST"): lambda w, s: {},
    ("api-em-case-assignments", "POST"): _fit,
    ("api-em-assignment-end", "POST"): lambda w, s: {"reason": "Мерзімі аяқталды"},
    ("api-em-assignment-zones", "POST"): lambda w, s: {
        "kind": "home",
        "name": "Үй",
        "geometry": {"type": "Point", "coordinates": [71.43, 51.13]},
        "radius_m": 120,
        "windows": [{"day": d, "start": "22:00", "end": "06:00"} for d in range(7)],
    },
    ("api-em-zone", "PATCH"): lambda w, s: {"buffer_m": 25, "reason": "GPS дәлдігі"},
    ("api-em-zone-schedule", "PUT"): lambda w, s: {"windows": [{"day": 4, "start": "23:00", "end": "06:00"}]},
    ("api-em-zone-retire", "POST"): lambda w, s: {"reason": "Сот қаулысы өзгерді"},
    ("api-em-assignment-exceptions", "POST"): _permission,
    ("api-em-exception-cancel", "POST"): lambda w, s: {"reason": "Қажет емес"},
}


# --- Shared by the monitoring tests ----------------------------------------------------------------------


def active_case(personas: dict[str, Any], office_key: str = "office_a", officer: str = "officer") -> Case:
    """An active case of ``office_key`` allocated to ``officer``."""
    from openprobation.cases.models import CaseStatus  # noqa: PLC0415 - test helper
    from openprobation.core.timeutil import local_today  # noqa: PLC0415
    from openprobation.testing.factories import a_case, a_person  # noqa: PLC0415

    office = personas[office_key]
    received = local_today() - dt.timedelta(days=100)
    return a_case(
        person=a_person(registered_office=office),
        office=office,
        officer=personas[officer],
        status=CaseStatus.ACTIVE,
        received_on=received,
        decision_date=received - dt.timedelta(days=20),
        effective_date=received - dt.timedelta(days=5),
    )


def stock_device(office: Any, kind: str = DeviceKind.BRACELET) -> Device:
    return _device(office.pk, kind=kind)


def fitted(actor: Any, case: Case, **fields: Any) -> Assignment:
    """An open assignment on ``case`` made through the service by ``actor`` (a senior officer or head)."""
    from openprobation.monitoring.services import assignment_create  # noqa: PLC0415

    return assignment_create(actor=actor, case=case, device=stock_device(case.office), **fields)


# --- Alert handling: the console, an alert's page and their API -------------------------------------------


def _acknowledged_alert(w: dict[str, Any], case_id: int) -> int:
    from openprobation.monitoring.alerting import AlertStatus  # noqa: PLC0415

    pk = _alert(w, case_id)
    Alert.objects.filter(pk=pk).update(status=AlertStatus.ACKNOWLEDGED, acknowledged_at=timezone.now())
    return pk


RECORDS.update(
    {
        "api-em-alert-acknowledge": _alert,
        "api-em-alert-resolve": _acknowledged_alert,
        "api-em-alert-escalate": _acknowledged_alert,
        "api-em-alert-calls": _alert,
        "monitoring:alert": _alert,
        "monitoring:alert_acknowledge": _alert,
        "monitoring:alert_resolve": _acknowledged_alert,
        "monitoring:alert_escalate": _acknowledged_alert,
        "monitoring:alert_call": _alert,
    }
)


def _call(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"party": "person", "number": "+7 701 123 45 67", "outcome": "no_answer", "note": "Жауап бермеді"}


def _resolve(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"resolution": "false_alarm", "note": "GPS ауытқуы"}


def _escalate(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"reason": "Телефонға жауап бермейді"}


PAYLOADS.update(
    {
        ("api-em-alert-acknowledge", "POST"): lambda w, s: {},
        ("api-em-alert-resolve", "POST"): _resolve,
        ("api-em-alert-escalate", "POST"): _escalate,
        ("api-em-alert-calls", "POST"): _call,
        ("monitoring:alert_acknowledge", "POST"): lambda w, s: {"note": ""},
        ("monitoring:alert_resolve", "POST"): _resolve,
        ("monitoring:alert_escalate", "POST"): _escalate,
        ("monitoring:alert_call", "POST"): _call,
    }
)
