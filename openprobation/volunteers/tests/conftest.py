"""Fixtures of the volunteers tests: an active case of office A allocated to the officer, and an
eligible volunteer serving office A."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.testing.factories import a_case, a_person
from openprobation.volunteers.models import Volunteer
from openprobation.volunteers.tests.matrix import eligible_volunteer


def case_in(personas: dict[str, Any], office_key: str = "office_a", officer: str = "officer") -> Case:
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


@pytest.fixture
def case(personas: dict[str, Any]) -> Case:
    return case_in(personas)


@pytest.fixture
def volunteer(personas: dict[str, Any]) -> Volunteer:
    return eligible_volunteer(personas["office_a"], personas["head"])
