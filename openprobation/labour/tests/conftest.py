"""Fixtures of the labour tests: a restriction-of-liberty case in office A allocated to the
officer, and stand-ins for the conditions and enforcement functions labour calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from openprobation.cases.models import Case, CaseStatus, SentenceKind
from openprobation.core.timeutil import local_today
from openprobation.labour import ports
from openprobation.labour.selectors import ForcedLabourStatus, forced_labour_status
from openprobation.testing.factories import a_case, a_person


@dataclass
class Fakes:
    """The work-or-study duty in force per case id, and the violation candidates recorded
    (idempotent on (case, source_ref), as the enforcement interface promises)."""

    work_ordered: set[int] = field(default_factory=set)
    candidates: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    calls: int = 0


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Fakes:
    state = Fakes()

    def case_has_condition(*, case: Any, code: str, on: dt.date) -> bool:
        assert code == "work_or_study"
        return case.pk in state.work_ordered

    def violation_candidate(**kwargs: Any) -> Any:
        state.calls += 1
        assert kwargs["kind"] == "work_refusal"
        state.candidates.setdefault((kwargs["case"].pk, kwargs["source_ref"]), kwargs)
        return None

    def cases_with_condition(*, code: str, on: dt.date) -> Any:
        assert code == "work_or_study"
        return Case.objects.filter(pk__in=sorted(state.work_ordered)).values("pk")

    monkeypatch.setattr(ports, "case_has_condition", case_has_condition)
    monkeypatch.setattr(ports, "cases_with_condition", cases_with_condition)
    monkeypatch.setattr(ports, "violation_candidate", violation_candidate)
    return state


def rol_case(personas: dict[str, Any], *, start: dt.date | None = None, **fields: Any) -> Case:
    office = personas["office_a"]
    start = start or local_today() - dt.timedelta(days=100)
    values: dict[str, Any] = {
        "person": a_person(registered_office=office, employment_status="unemployed"),
        "office": office,
        "officer": personas["officer"],
        "status": CaseStatus.ACTIVE,
        "sentence_kind": SentenceKind.RESTRICTION_OF_LIBERTY,
        "decision_date": start - dt.timedelta(days=15),
        "effective_date": start,
        "received_on": start,
        "term_months": 24,
        "control_start": start,
        "control_end": start + relativedelta(years=2) - dt.timedelta(days=1),
        "ordered_control_start": start,
        "ordered_control_end": start + relativedelta(years=2) - dt.timedelta(days=1),
    }
    values.update(fields)
    return a_case(**values)


@pytest.fixture
def case(personas: dict[str, Any]) -> Case:
    return rol_case(personas)


def status_of(case: Case, on: dt.date) -> ForcedLabourStatus:
    """The forced-labour status of a case that has forced labour."""
    status = forced_labour_status(case, on)
    assert status is not None
    return status
