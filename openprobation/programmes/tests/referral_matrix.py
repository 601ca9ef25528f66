"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the referral routes: the
partner world (``referral_world``: an organisation per side, the ``partner`` persona working for
side A's, a sent referral on each side's active case), the records the addresses name
(``RECORDS``: URL name -> a function making one on the case, returning its pk) and a valid payload
for each write (``PAYLOADS``: (URL name, method) -> a function of world and side)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q

from openprobation.accounts.models import Role, User
from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import (
    PartnerOrganisation,
    PartnerStaff,
    Programme,
    ProgrammeMeasure,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from openprobation.testing.factories import UserFactory

MEASURE = "employment"


def _author(case: Case) -> User:
    """Who wrote the case's records: its officer (every matrix case has one)."""
    return case.officer or User.objects.filter(role=Role.OFFICER, office_id=case.office_id).order_by("pk").first()  # type: ignore[return-value]


def _organisation(office: Any, name: str) -> PartnerOrganisation:
    org = PartnerOrganisation.objects.create(
        name=name,
        kind="employment_centre",
        region_id=office.region_id,
        services=[MEASURE, "legal_advice"],
        capacity=20,
        email=f"{office.code.lower()}@partner.example",
        languages=["kk", "ru"],
    )
    org.districts.set([office])
    return org


def programme_measure(case: Case, *, status: str = ProgrammeStatus.AGREED) -> ProgrammeMeasure:
    """A measure of an open programme of the case (the programme made when there is none)."""
    programme = Programme.objects.filter(case=case).filter(~Q(status=ProgrammeStatus.CLOSED)).first()
    if programme is None:
        programme = Programme.objects.create(
            person=case.person,
            case=case,
            office=case.office,
            status=status,
            basis="officer_study",
            study="Жұмыссыз",
            opened_on=local_today() - dt.timedelta(days=10),
            created_by=_author(case),
        )
    return ProgrammeMeasure.objects.create(
        programme=programme,
        measure=MEASURE,
        description="Жұмысқа орналасуға көмек",
        due_on=local_today() + dt.timedelta(days=60),
    )


def _closed_programme_measure(case: Case) -> ProgrammeMeasure:
    """A measure of a closed programme: the world's referrals do not hold the person's one open
    programme (other apps' records may make it)."""
    programme = Programme.objects.create(
        person=case.person,
        case=case,
        office=case.office,
        status=ProgrammeStatus.CLOSED,
        basis="officer_study",
        opened_on=local_today() - dt.timedelta(days=40),
        closed_on=local_today() - dt.timedelta(days=1),
        created_by=_author(case),
    )
    return ProgrammeMeasure.objects.create(
        programme=programme, measure=MEASURE, due_on=local_today() + dt.timedelta(days=30), status="in_progress"
    )


def _referral(case: Case, org: PartnerOrganisation, measure: ProgrammeMeasure, status: str, number: str) -> Referral:
    today = local_today()
    sent = status != ReferralStatus.DRAFT
    return Referral.objects.create(
        measure=measure,
        organisation=org,
        case=case,
        office=case.office,
        number=number,
        status=status,
        request="Жұмыс табуға көмектесіңіз",
        sent_at=dt.datetime.now(dt.UTC) if sent else None,
        answer_due=today + dt.timedelta(days=5) if sent else None,
        complete_due=today + dt.timedelta(days=30) if sent else None,
        created_by=_author(case),
    )


def referral_world(w: dict[str, Any]) -> dict[str, Any]:
    """Organisations of office A and office C, the ``partner`` persona at A's, a spare partner-staff
    user (for the link page), and a sent referral on each side's active case addressed to that
    side's organisation."""
    sides = w["sides"]
    orgs = {
        "A": _organisation(sides["A"].office, "Жұмыспен қамту орталығы (А)"),
        "C": _organisation(sides["C"].office, "Центр занятости (С)"),
    }
    PartnerStaff.objects.create(user=w["partner"], organisation=orgs["A"])
    w["spare_partner"] = UserFactory(username="spare_partner", role=Role.PARTNER_STAFF)
    w["partner_orgs"] = orgs
    w["partner_org_by_office"] = {sides[k].office.pk: org for k, org in orgs.items()}
    referrals = {}
    for key, org in orgs.items():
        case = sides[key].active
        referrals[key] = _referral(case, org, _closed_programme_measure(case), ReferralStatus.SENT, f"R-MATRIX-{key}")
    return referrals


def _draft(w: dict[str, Any], case_pk: int) -> int:
    """A draft referral of a fresh measure of the case, to the organisation serving its office."""
    case = Case.objects.select_related("office", "person").get(pk=case_pk)
    org = w["partner_org_by_office"][case.office_id]
    measure = programme_measure(case)
    return _referral(case, org, measure, ReferralStatus.DRAFT, f"R-DRAFT-{measure.pk}").pk


def _measure(w: dict[str, Any], case_pk: int) -> int:
    return programme_measure(Case.objects.get(pk=case_pk)).pk


def _new_referral_form(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {
        "organisation": w["partner_org_by_office"][s.office.pk].pk,
        "request": "Жұмыс іздеуге көмек",
        "submit": "send",
    }


def _new_referral_json(w: dict[str, Any], s: Any) -> dict[str, Any]:
    measure = programme_measure(s.active)
    return {
        "measure": measure.pk,
        "organisation": w["partner_org_by_office"][s.office.pk].pk,
        "request": "Жұмыс іздеуге көмек",
        "send": True,
    }


def _organisation_form(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {
        "name": "Үкіметтік емес ұйым «Жол»",
        "kind": "ngo",
        "services": ["counselling"],
        "capacity": "10",
        "capacity_period": "month",
        "active": "on",
    }


def _organisation_json(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"name": "НКО «Дорога»", "kind": "ngo", "services": ["counselling"], "capacity": 10}


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "programmes:referral_new": _measure,
    "programmes:referral_detail": _draft,
    "programmes:referral_send": _draft,
    "programmes:referral_cancel": _draft,
    "api-case-referral": _draft,
    "api-case-referral-transition": _draft,
}
PAYLOADS: dict[tuple[str, str], Callable[[dict[str, Any], Any], Any]] = {
    ("programmes:referral_new", "POST"): _new_referral_form,
    ("programmes:referral_send", "POST"): lambda w, s: {},
    ("programmes:referral_cancel", "POST"): lambda w, s: {"reason": "Адам бас тартты"},
    ("programmes:organisation_new", "POST"): _organisation_form,
    ("programmes:organisation_edit", "POST"): _organisation_form,
    ("programmes:organisation_staff", "POST"): lambda w, s: {"user": w["spare_partner"].pk},
    ("programmes:portal_act", "POST"): lambda w, s: {"action": "accept"},
    ("api-partner-organisations", "POST"): _organisation_json,
    ("api-partner-organisation", "PATCH"): lambda w, s: {"capacity": 5, "active": False},
    ("api-case-referrals", "POST"): _new_referral_json,
    ("api-case-referral-transition", "POST"): lambda w, s: {"to_status": "cancelled", "reason": "Қате"},
    ("api-partner-referral-action", "POST"): lambda w, s: {"action": "decline", "note": "Орын жоқ"},
}
