"""Fixtures of the employment tests: a case in office A allocated to the officer, the district's
employment centre and employers (partner organisations), and shortcuts to the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.employment.tests.matrix import centre, employer, organisation
from openprobation.programmes.catalogue import OrganisationKind
from openprobation.programmes.models import PartnerOrganisation
from openprobation.testing.factories import a_case, a_person


@dataclass
class World:
    personas: dict[str, Any]
    case: Case
    employer: PartnerOrganisation
    other_employer: PartnerOrganisation
    centre: PartnerOrganisation

    def __getitem__(self, name: str) -> Any:
        return self.personas[name]


def make_case(personas: dict[str, Any], office_key: str = "office_a", officer: str = "officer", **fields: Any) -> Case:
    office = personas[office_key]
    received = local_today() - dt.timedelta(days=400)
    values: dict[str, Any] = {
        "person": a_person(registered_office=office, employment_status="unemployed"),
        "office": office,
        "officer": personas[officer],
        "status": CaseStatus.ACTIVE,
        "received_on": received,
        "decision_date": received - dt.timedelta(days=20),
        "effective_date": received - dt.timedelta(days=5),
    }
    values.update(fields)
    return a_case(**values)


@pytest.fixture
def world(personas: dict[str, Any]) -> World:
    office = personas["office_a"]
    return World(
        personas=personas,
        case=make_case(personas),
        employer=employer(office),
        other_employer=organisation(office, OrganisationKind.EMPLOYER, "«Тазалық» ЖШС"),
        centre=centre(office),
    )
