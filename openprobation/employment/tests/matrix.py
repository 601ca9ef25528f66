"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the employment routes: the
records they name (``RECORDS``: URL name -> a function making one on the case, returning its pk) and
a valid payload for each write (``PAYLOADS``: (URL name, method) -> a function of world and side)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openprobation.accounts.models import Office
from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today
from openprobation.employment.models import EmploymentReferral, Placement, Vacancy
from openprobation.programmes.catalogue import OrganisationKind
from openprobation.programmes.models import PartnerOrganisation


def organisation(office: Office, kind: str, name: str) -> PartnerOrganisation:
    org, _created = PartnerOrganisation.objects.get_or_create(
        name=f"{name} ({office.code})", kind=kind, region_id=office.region_id
    )
    org.districts.add(office)
    return org


def employer(office: Office) -> PartnerOrganisation:
    return organisation(office, OrganisationKind.EMPLOYER, "«Құрылыс-Сервис» ЖШС")


def centre(office: Office) -> PartnerOrganisation:
    return organisation(office, OrganisationKind.EMPLOYMENT_CENTRE, "Халықты жұмыспен қамту орталығы")


def _case(case_pk: int) -> Case:
    return Case.objects.select_related("office", "officer", "person").get(pk=case_pk)


def _actor(world: dict[str, Any], case: Case) -> Any:
    return case.officer or world["officer"]


def _vacancy(world: dict[str, Any], office_pk: int) -> int:
    office = Office.objects.get(pk=office_pk)
    return Vacancy.objects.create(
        employer=employer(office),
        office=office,
        title="Жүк тиеуші",
        places=2,
        opened_on=local_today() - dt.timedelta(days=5),
        created_by=world["head"],
    ).pk


def _referral(world: dict[str, Any], case_pk: int) -> int:
    case = _case(case_pk)
    day = local_today() - dt.timedelta(days=2)
    return EmploymentReferral.objects.create(
        case=case,
        person=case.person,
        office=case.office,
        centre=centre(case.office),
        employer=employer(case.office),
        issued_on=day,
        status_on=day,
        issued_by=_actor(world, case),
    ).pk


def _placement(world: dict[str, Any], case_pk: int) -> int:
    case = _case(case_pk)
    return Placement.objects.create(
        case=case,
        person=case.person,
        office=case.office,
        employer=employer(case.office),
        position="Күзетші",
        started_on=local_today() - dt.timedelta(days=10),
        recorded_by=_actor(world, case),
    ).pk


def _quota(w: Any, s: Any) -> dict[str, Any]:
    return {
        "employer": employer(s.office).pk,
        "year": local_today().year,
        "places": 4,
        "decision_number": "12/3",
        "decision_date": (local_today() - dt.timedelta(days=1)).isoformat(),
    }


def _vacancy_payload(w: Any, s: Any) -> dict[str, Any]:
    return {
        "employer": employer(s.office).pk,
        "title": "Аспаз",
        "places": 1,
        "opened_on": local_today().isoformat(),
        "counts_toward_quota": True,
    }


def _close(w: Any, s: Any) -> dict[str, Any]:
    return {"status": "filled", "on": local_today().isoformat()}


def _close_json(w: Any, s: Any) -> dict[str, Any]:
    return {"outcome": "filled", "on": local_today().isoformat()}


def _referral_payload(w: Any, s: Any) -> dict[str, Any]:
    return {
        "centre": centre(s.office).pk,
        "employer": employer(s.office).pk,
        "number": "ЖК-17",
        "issued_on": local_today().isoformat(),
    }


def _expire(w: Any, s: Any) -> dict[str, Any]:
    return {"on": local_today().isoformat(), "reason": "Келмеді"}


def _placement_payload(w: Any, s: Any) -> dict[str, Any]:
    return {"employer": employer(s.office).pk, "position": "Аула сыпырушы", "started_on": local_today().isoformat()}


def _end(w: Any, s: Any) -> dict[str, Any]:
    return {"ended_on": local_today().isoformat(), "end_reason": "resigned"}


def _refusal_form(w: Any, s: Any) -> dict[str, Any]:
    return {
        "employer": employer(s.office).pk,
        "refused_on": local_today().isoformat(),
        "reason": "Алыс",
        "good_reason": "yes",
    }


def _refusal_json(w: Any, s: Any) -> dict[str, Any]:
    return {**_refusal_form(w, s), "good_reason": True}


def _status(w: Any, s: Any) -> dict[str, Any]:
    return {"status": "student", "since": local_today().isoformat(), "note": "Колледж"}


def _status_json(w: Any, s: Any) -> dict[str, Any]:
    return {"employment_status": "student", "since": local_today().isoformat(), "note": "Колледж"}


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "employment:vacancy_close": _vacancy,
    "api-employment-vacancy-close": _vacancy,
    "employment:referral_expire": _referral,
    "api-case-employment-referral-expire": _referral,
    "employment:placement_end": _placement,
    "api-case-employment-placement-end": _placement,
}
PAYLOADS: dict[tuple[str, str], Callable[[dict[str, Any], Any], Any]] = {
    ("employment:quota", "POST"): _quota,
    ("api-employment-quotas", "POST"): _quota,
    ("employment:vacancy", "POST"): _vacancy_payload,
    ("api-employment-vacancies", "POST"): _vacancy_payload,
    ("employment:vacancy_close", "POST"): _close,
    ("api-employment-vacancy-close", "POST"): _close_json,
    ("employment:referral", "POST"): _referral_payload,
    ("api-case-employment-referrals", "POST"): _referral_payload,
    ("employment:referral_expire", "POST"): _expire,
    ("api-case-employment-referral-expire", "POST"): _expire,
    ("employment:placement", "POST"): _placement_payload,
    ("api-case-employment-placements", "POST"): _placement_payload,
    ("employment:placement_end", "POST"): _end,
    ("api-case-employment-placement-end", "POST"): _end,
    ("employment:refusal", "POST"): _refusal_form,
    ("api-case-employment-refusals", "POST"): _refusal_json,
    ("employment:status", "POST"): _status,
    ("api-case-employment-status", "POST"): _status_json,
}
