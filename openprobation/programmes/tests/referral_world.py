"""The world of the referral tests (a fixture they import): an active case of office A allocated to
the officer, with a measure of an agreed programme; two organisations serving office A (the
``partner`` persona works for the first, ``partner_b`` for the second)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import pytest

from openprobation.accounts.models import Role, User
from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import PartnerOrganisation, PartnerStaff, ProgrammeMeasure
from openprobation.programmes.tests.referral_matrix import programme_measure
from openprobation.testing.factories import UserFactory, a_case, a_person


@dataclass
class World:
    p: dict[str, Any]
    case: Case
    measure: ProgrammeMeasure
    org: PartnerOrganisation
    org_b: PartnerOrganisation
    partner: Any
    partner_b: Any

    def __getitem__(self, name: str) -> Any:
        return self.p[name]


def make_org(office: Any, name: str = "Жұмыспен қамту орталығы", **fields: Any) -> PartnerOrganisation:
    values: dict[str, Any] = {
        "name": name,
        "kind": "employment_centre",
        "region_id": office.region_id,
        "services": ["employment", "legal_advice"],
        "capacity": 10,
        "email": "centre@partner.example",
        "languages": ["kk"],
    }
    values.update(fields)
    org = PartnerOrganisation.objects.create(**values)
    org.districts.set([office])
    return org


@pytest.fixture
def world(personas: dict[str, Any]) -> World:
    office = personas["office_a"]
    person = a_person(
        registered_office=office,
        phone="+7 701 555 44 33",
        surname="Сейтжанов",
        first_name="Ерлан",
        birth_date=dt.date(1991, 4, 2),
    )
    case = a_case(person=person, office=office, officer=personas["officer"], cc_articles="188 ч.2")
    measure = programme_measure(case)
    measure.due_on = local_today() + dt.timedelta(days=90)
    measure.save()
    org = make_org(office)
    org_b = make_org(office, name="«Сенім» қоғамдық қоры", kind="ngo")
    PartnerStaff.objects.create(user=personas["partner"], organisation=org)
    partner_b = cast(User, UserFactory(username="partner_b", role=Role.PARTNER_STAFF))
    PartnerStaff.objects.create(user=partner_b, organisation=org_b)
    return World(personas, case, measure, org, org_b, personas["partner"], partner_b)
