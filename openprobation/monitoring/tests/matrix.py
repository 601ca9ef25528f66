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
        resolution=resolved(case),
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


def _resolution_pk(w: dict[str, Any], case_id: int) -> int:
    return resolved(Case.objects.select_related("office").get(pk=case_id)).pk


def _open_assignment_pk(w: dict[str, Any], case_id: int) -> int:
    """An open assignment under a resolution in force (what replacing or removing needs)."""
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
    "api-em-resolution": _resolution_pk,
    "api-em-resolution-memo": _resolution_pk,
    "api-em-resolution-co-residents": _resolution_pk,
    "api-em-resolution-close": _resolution_pk,
    "api-em-assignment-replace": _open_assignment_pk,
    "monitoring:resolution_memo": _resolution_pk,
    "monitoring:resolution_co_residents": _resolution_pk,
    "monitoring:resolution_close": _resolution_pk,
    "monitoring:assignment_replace": _open_assignment_pk,
    "monitoring:assignment_remove": _open_assignment_pk,
}


def _new_device(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"kind": "bracelet", "serial": _serial(), "office": w["office_a"].pk, "supplier": "ҚазТрек"}


def _today() -> dt.date:
    from openprobation.core.timeutil import local_today  # noqa: PLC0415

    return local_today()


def _fit(w: dict[str, Any], s: Any, *, form: bool = False) -> dict[str, Any]:
    resolved(s.active)
    device = _device(s.office.pk).pk
    return {"device": device} if form else {"device": device, "rules": ["curfew", "strap"]}


def _replacement(w: dict[str, Any], s: Any, *, form: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"device": _device(s.office.pk).pk, "reason": "Бау зақымданған"}
    if form:
        body["device_status"] = "in_repair"
    return body


def _decision(*, form: bool = False) -> dict[str, Any]:
    """A resolution on another court restriction for a year from today (acting-head flag set, so a
    senior officer may send it too)."""
    from openprobation.monitoring.resolution_terms import term_end  # noqa: PLC0415

    today = _today()
    return {
        "number": f"ЭК-{next(_serials)}",
        "decided_on": today.isoformat(),
        "grounds": "other_court",
        "grounds_text": "Сот белгілеген шектеу",
        "ends_on": term_end(today, 6).isoformat(),
        "acting_head": "on" if form else True,
    }


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
    ("api-em-case-resolutions", "POST"): lambda w, s: _decision(),
    ("api-em-resolution-memo", "POST"): lambda w, s: {},
    ("api-em-resolution-co-residents", "POST"): lambda w, s: {"note": "Анасы мен әйелі"},
    ("api-em-resolution-close", "POST"): lambda w, s: {
        "to_status": "ended",
        "reason": "Қажет емес",
        "acting_head": True,
    },
    ("api-em-assignment-replace", "POST"): _replacement,
    ("monitoring:resolution_decide", "POST"): lambda w, s: _decision(form=True),
    ("monitoring:resolution_memo", "POST"): lambda w, s: {"signed_on": _today().isoformat()},
    ("monitoring:resolution_co_residents", "POST"): lambda w, s: {"informed_on": _today().isoformat(), "note": "Анасы"},
    ("monitoring:resolution_close", "POST"): lambda w, s: {
        "to_status": "revoked",
        "reason": "Прокурор наразылығы",
        "acting_head": "on",
    },
    ("monitoring:assignment_fit", "POST"): lambda w, s: _fit(w, s, form=True),
    ("monitoring:assignment_replace", "POST"): lambda w, s: _replacement(w, s, form=True),
    ("monitoring:assignment_remove", "POST"): lambda w, s: {"reason": "Мерзімі аяқталды", "device_status": "in_stock"},
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


def resolved(case: Case, *, decided_by: Any = None, days_back: int = 10, months: int = 12, **fields: Any) -> Any:
    """A resolution in force on ``case`` (recorded directly, on other court grounds), decided by
    ``decided_by`` (default: a head of the case's office) ``days_back`` days ago."""
    from openprobation.accounts.models import Role, User  # noqa: PLC0415
    from openprobation.core.timeutil import local_today  # noqa: PLC0415
    from openprobation.monitoring.models import EmResolution, ResolutionGrounds  # noqa: PLC0415
    from openprobation.monitoring.resolution_terms import term_end  # noqa: PLC0415

    if decided_by is None:
        decided_by = User.objects.filter(role=Role.HEAD_OF_OFFICE, office_id=case.office_id).first()
        if decided_by is None:
            from openprobation.testing.factories import UserFactory  # noqa: PLC0415

            decided_by = UserFactory(role=Role.HEAD_OF_OFFICE, office=case.office)
    start = local_today() - dt.timedelta(days=days_back)
    values: dict[str, Any] = {
        "number": f"EM-{case.pk}-{next(_serials)}",
        "decided_on": start,
        "decided_by": decided_by,
        "grounds": ResolutionGrounds.OTHER_COURT,
        "grounds_text": "Сот шектеуі",
        "starts_on": start,
        "ends_on": term_end(start, months),
        "recorded_by": decided_by,
        **fields,
    }
    return EmResolution.objects.create(case=case, **values)


def fitted(actor: Any, case: Case, **fields: Any) -> Assignment:
    """An open assignment on ``case`` made through the service by ``actor`` (a senior officer or
    head), under a resolution in force (made first when the case has none)."""
    from openprobation.core.timeutil import local_today  # noqa: PLC0415
    from openprobation.monitoring import selectors  # noqa: PLC0415
    from openprobation.monitoring.services import assignment_create  # noqa: PLC0415

    if selectors.resolution_in_force(case, local_today()) is None:
        resolved(case)
    return assignment_create(actor=actor, case=case, device=stock_device(case.office), **fields)


# --- Device inventory pages ------------------------------------------------------------------------------

RECORDS.update(
    {
        "monitoring:device": _device_of_office,
        "monitoring:device_edit": _device_of_office,
        "monitoring:device_transfer": _device_of_office,
        "monitoring:device_status": _device_of_office,
        "monitoring:device_credential": _device_of_office,
        "monitoring:zones": _assignment_pk,
        "monitoring:permission_create": _assignment_pk,
        "monitoring:track": _assignment_pk,
        "monitoring:zone_change": _zone,
        "monitoring:zone_curfew": _zone,
        "monitoring:zone_retire": _zone,
        "monitoring:permission_cancel": _exception,
    }
)


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


def _page_device(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"kind": "bracelet", "serial": _serial(), "office": w["office_a"].pk, "supplier": "ҚазТрек"}


def _edited_device(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"kind": "bracelet", "serial": _serial(), "supplier": "ҚазТрек", "firmware": "2.4.1"}


def _neighbour(w: dict[str, Any], s: Any) -> dict[str, Any]:
    """Another office of the device's region (side A: office B; side C has none: office A, refused)."""
    target = w["office_b"] if s.office.pk == w["office_a"].pk else w["office_a"]
    return {"office": target.pk, "reason": "Қоймалар арасында теңестіру"}


def _page_permission(w: dict[str, Any], s: Any) -> dict[str, Any]:
    at = timezone.localtime(timezone.now() + dt.timedelta(hours=2), dt.timezone(dt.timedelta(hours=5)))
    return {
        "p-starts_at": at.strftime("%Y-%m-%dT%H:%M"),
        "p-ends_at": (at + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "p-reason": "Емханаға бару",
    }


def _call(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"party": "person", "number": "+7 701 123 45 67", "outcome": "no_answer", "note": "Жауап бермеді"}


def _resolve(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"resolution": "false_alarm", "note": "GPS ауытқуы"}


def _escalate(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"reason": "Телефонға жауап бермейді"}


PAYLOADS.update(
    {
        ("monitoring:device_register", "POST"): _page_device,
        ("monitoring:device_edit", "POST"): _edited_device,
        ("monitoring:device_transfer", "POST"): _neighbour,
        ("monitoring:device_status", "POST"): lambda w, s: {"to_status": "in_repair", "reason": "Батарея ісінген"},
        ("monitoring:device_credential", "POST"): lambda w, s: {},
        ("monitoring:zones", "POST"): lambda w, s: {
            "new-kind": "home",
            "new-name": "Үй",
            "new-geometry": '{"type": "Point", "coordinates": [71.43, 51.13]}',
            "new-radius_m": "120",
            "new-buffer_m": "20",
            "new-reason": "Соттың қаулысы",
        },
        ("monitoring:zone_change", "POST"): lambda w, s: {
            "name": "Үй",
            "geometry": '{"type": "Point", "coordinates": [71.43, 51.13]}',
            "radius_m": "150",
            "buffer_m": "25",
            "reason": "GPS дәлдігі",
        },
        ("monitoring:zone_curfew", "POST"): lambda w, s: {f"day{d}": "22:00–06:00" for d in range(7)},
        ("monitoring:zone_retire", "POST"): lambda w, s: {"reason": "Сот қаулысы өзгерді"},
        ("monitoring:permission_create", "POST"): _page_permission,
        ("monitoring:permission_cancel", "POST"): lambda w, s: {"reason": "Қажет емес"},
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
