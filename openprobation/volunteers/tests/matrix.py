"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the volunteers routes: the
records they name (``RECORDS``: URL name -> a function making one on the case, returning its pk) and
a valid payload for each write (``PAYLOADS``: (URL name, method) -> a function of world and side).

A volunteer's own addresses are declared with the office as subject: the matrix passes the side's
office and the record maker registers a volunteer serving that district."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openprobation.accounts.models import Office
from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today
from openprobation.volunteers.domain import check_valid_until
from openprobation.volunteers.models import Volunteer, VolunteerAssignment, VolunteerCheck


def eligible_volunteer(office: Office, recorded_by: Any, *, name: str = "Ахметова Гүлнар") -> Volunteer:
    """An active volunteer serving ``office`` with every check kind passed a month ago."""
    volunteer = Volunteer.objects.create(
        full_name=name, region_id=office.region_id, registered_by=recorded_by, phone="+7 701 555 00 11"
    )
    volunteer.offices.set([office])
    on = local_today() - dt.timedelta(days=30)
    VolunteerCheck.objects.bulk_create(
        VolunteerCheck(
            volunteer=volunteer,
            kind=kind,
            passed=True,
            on=on,
            valid_until=check_valid_until(on, valid_months=12),
            rule_key="volunteers.checks",
            rule_version=1,
            recorded_by=recorded_by,
        )
        for kind in ("criminal_record", "training", "interview", "medical")
    )
    return volunteer


def _volunteer(world: dict[str, Any], office_pk: int) -> int:
    return eligible_volunteer(Office.objects.get(pk=office_pk), world["head"]).pk


def _assignment(world: dict[str, Any], case_pk: int) -> int:
    case = Case.objects.select_related("office").get(pk=case_pk)
    volunteer = eligible_volunteer(case.office, world["head"], name="Сейітов Ерлан")
    return VolunteerAssignment.objects.create(
        volunteer=volunteer,
        case=case,
        consent_on=local_today() - dt.timedelta(days=10),
        consent_note="Жазбаша келісім",
        started_on=local_today() - dt.timedelta(days=10),
        assigned_by=world["head"],
        rule_key="volunteers.checks",
        rule_version=1,
    ).pk


def _today() -> str:
    return local_today().isoformat()


def _new_form(w: Any, s: Any) -> dict[str, Any]:
    return {"full_name": "Нұрланова Әйгерім", "kind": "mentor", "offices": [w["office_a"].pk], "languages": ["kk"]}


def _new_json(w: Any, s: Any) -> dict[str, Any]:
    return {"full_name": "Нұрланова Әйгерім", "kind": "mentor", "offices": [w["office_a"].pk], "languages": ["kk"]}


def _edit_form(w: Any, s: Any) -> dict[str, Any]:
    return {"full_name": "Ахметова Гүлнар Сейітқызы", "kind": "volunteer", "offices": [s.office.pk]}


def _check_form(w: Any, s: Any) -> dict[str, Any]:
    return {"kind": "training", "passed": "yes", "on": _today(), "reference": "№ 12"}


def _check_json(w: Any, s: Any) -> dict[str, Any]:
    return {"kind": "training", "passed": True, "on": _today()}


def _status(w: Any, s: Any) -> dict[str, Any]:
    return {"to_status": "suspended", "reason": "Ұзақ іссапар"}


def _assign(w: Any, s: Any) -> dict[str, Any]:
    volunteer = eligible_volunteer(s.office, w["head"], name="Қасымов Бауыржан")
    return {
        "volunteer": volunteer.pk,
        "consent": "on",
        "consent_on": _today(),
        "consent_note": "Жазбаша келісім",
        "started_on": _today(),
    }


def _session(w: Any, s: Any) -> dict[str, Any]:
    return {"held_on": _today(), "minutes": 60, "kind": "meeting", "summary": "Жұмыс іздеу туралы әңгіме"}


def _end(w: Any, s: Any) -> dict[str, Any]:
    return {"ended_on": _today(), "reason": "Пробация мерзімі аяқталуда"}


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "volunteers:detail": _volunteer,
    "volunteers:edit": _volunteer,
    "volunteers:check": _volunteer,
    "volunteers:status": _volunteer,
    "api-volunteer": _volunteer,
    "api-volunteer-checks": _volunteer,
    "api-volunteer-status": _volunteer,
    "volunteers:session": _assignment,
    "volunteers:end": _assignment,
    "api-case-volunteer-sessions": _assignment,
    "api-case-volunteer-end": _assignment,
}
PAYLOADS: dict[tuple[str, str], Callable[[dict[str, Any], Any], Any]] = {
    ("volunteers:new", "POST"): _new_form,
    ("api-volunteers", "POST"): _new_json,
    ("volunteers:edit", "POST"): _edit_form,
    ("api-volunteer", "PATCH"): lambda w, s: {"phone": "+7 702 000 11 22"},
    ("volunteers:check", "POST"): _check_form,
    ("api-volunteer-checks", "POST"): _check_json,
    ("volunteers:status", "POST"): _status,
    ("api-volunteer-status", "POST"): _status,
    ("volunteers:assign", "POST"): _assign,
    ("api-case-volunteers", "POST"): _assign,
    ("volunteers:session", "POST"): _session,
    ("api-case-volunteer-sessions", "POST"): _session,
    ("volunteers:end", "POST"): _end,
    ("api-case-volunteer-end", "POST"): _end,
}
