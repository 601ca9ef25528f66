"""Fixtures of the programme tests: an active case of office A allocated to the officer, a needs
assessment maker, and partner organisations serving office A."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.assessments.instruments import instrument_in_force, spec_of
from openprobation.assessments.models import Assessment, CaseAssessmentState
from openprobation.assessments.scoring import score_answers
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import PartnerOrganisation
from openprobation.testing.factories import a_case, a_person

NEEDS = {
    "education_employment": "2",
    "accommodation": "1",
    "finances": "0",
    "relationships": "0",
    "associates": "0",
    "substance_use": "0",
    "attitudes": "0",
    "mental_health": "0",
    "documents": "1",
}


def needs_assessment(case: Case, answers: dict[str, str] | None = None) -> Assessment:
    instrument = instrument_in_force("needs", on=local_today())
    given = answers or NEEDS
    result = score_answers(spec_of(instrument), given)
    assessment = Assessment.objects.create(
        case=case,
        instrument=instrument,
        kind="needs",
        assessed_on=local_today() - dt.timedelta(days=3),
        assessed_by=case.officer,  # type: ignore[misc]
        reason="initial",
        answers=given,
        result=result.as_dict(),
        score=result.score,
        probability=result.probability,
        level=result.level,
    )
    CaseAssessmentState.objects.update_or_create(case=case, defaults={"needs": assessment})
    return assessment


def active_case(personas: dict[str, Any], *, office: str = "office_a", officer: str = "officer", **person: Any) -> Case:
    return a_case(
        person=a_person(registered_office=personas[office], **person),
        office=personas[office],
        officer=personas[officer],
        status=CaseStatus.ACTIVE,
        received_on=local_today() - dt.timedelta(days=60),
    )


@pytest.fixture
def case(personas: dict[str, Any]) -> Case:
    return active_case(personas)


def organisation(
    personas: dict[str, Any], *, services: list[str], office: str = "office_a", **fields: Any
) -> PartnerOrganisation:
    org = PartnerOrganisation.objects.create(
        name=fields.pop("name", "«Үміт» ҚҚ"),
        kind=fields.pop("kind", "ngo"),
        region=personas[office].region,
        services=services,
        **fields,
    )
    org.districts.add(personas[office])
    return org
