"""Fixtures of the release-plan tests: a penitentiary case in office A allocated to the officer,
released to office B (whose head opens the post-penitentiary case)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.cases.models import Case, CaseStatus, CaseType, SentenceKind
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import Programme, ProgrammeBasis, ProgrammeStatus
from openprobation.releases.models import ReleasePlan
from openprobation.releases.services import release_plan_open
from openprobation.testing.factories import a_case, a_person


def prison_case(personas: dict[str, Any], *, release_in_days: int = 100, **fields: Any) -> Case:
    today = local_today()
    office = personas["office_a"]
    values: dict[str, Any] = {
        "person": a_person(registered_office=office),
        "office": office,
        "officer": personas["officer"],
        "case_type": CaseType.PENITENTIARY,
        "status": CaseStatus.ACTIVE,
        "sentence_kind": SentenceKind.IMPRISONMENT,
        "received_on": today - dt.timedelta(days=400),
        "decision_date": today - dt.timedelta(days=800),
        "effective_date": today - dt.timedelta(days=780),
        "term_months": 36,
        "institution": "ЕЦ-166/11 мекемесі",
        "release_date": today + dt.timedelta(days=release_in_days),
    }
    values.update(fields)
    return a_case(**values)


@pytest.fixture
def case(personas: dict[str, Any]) -> Case:
    return prison_case(personas)


@pytest.fixture
def plan(personas: dict[str, Any], case: Case) -> ReleasePlan:
    return release_plan_open(actor=personas["officer"], case=case)


def programme_of(case: Case, by: Any) -> Programme:
    return Programme.objects.create(
        person=case.person,
        case=case,
        office=case.office,
        status=ProgrammeStatus.AGREED,
        basis=ProgrammeBasis.OFFICER_STUDY,
        study="Тұрғын үйі жоқ, құжаттары жоғалған.",
        opened_on=local_today() - dt.timedelta(days=60),
        created_by=by,
    )
