"""Capacity against need per district: people with each assessed need, measures planned, referrals
waiting and answered in time, partner places a month, the gap; counts only, for those who manage
an office or region and analysts; the page and the API give the same figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openprobation.cases.models import Case, CaseStatus
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.programmes.capacity import capacity_report
from openprobation.programmes.models import Programme, ProgrammeMeasure, Referral
from openprobation.programmes.tests.conftest import active_case, needs_assessment, organisation

pytestmark = pytest.mark.django_db

ONLY_HOUSING = dict.fromkeys(
    (
        "education_employment",
        "finances",
        "relationships",
        "associates",
        "substance_use",
        "attitudes",
        "mental_health",
        "documents",
    ),
    "0",
)


def _row(report: Any, office: Any, measure: str) -> Any:
    block = next(b for b in report.offices if b.office_id == office.pk)
    return next(m for m in block.measures if m.measure == measure)


def _world(personas: dict[str, Any]) -> dict[str, Any]:
    today = local_today()
    cases = [active_case(personas) for _ in range(3)]
    for case in cases:
        needs_assessment(case, {**ONLY_HOUSING, "accommodation": "2"})
    closed = active_case(personas)
    needs_assessment(closed, {**ONLY_HOUSING, "accommodation": "2"})
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.COMPLETED)  # not an open case: not counted
    other = active_case(personas, office="office_b", officer="other_district")
    needs_assessment(other, {**ONLY_HOUSING, "accommodation": "2"})
    organisation(personas, services=["housing"], capacity=3, capacity_period="quarter", name="Баспана")  # 1 a month
    organisation(personas, services=["housing", "legal_advice"], capacity=None, name="Белгісіз")
    org = organisation(personas, services=["housing"], capacity=12, capacity_period="year", name="Жыл", active=False)
    programme = Programme.objects.create(
        person=cases[0].person,
        case=cases[0],
        office=cases[0].office,
        basis="officer_study",
        opened_on=today,
        created_by=personas["officer"],
    )
    measures = [
        ProgrammeMeasure.objects.create(programme=programme, measure="housing", due_on=today, status=status)
        for status in ("planned", "in_progress", "done")
    ]
    now = timezone.now()
    rows = [
        ("sent", today - dt.timedelta(days=1), None),  # waiting, late
        ("sent", today + dt.timedelta(days=3), None),  # waiting
        ("accepted", today, now - dt.timedelta(days=2)),  # answered in time
        ("declined", today - dt.timedelta(days=5), now),  # answered late
        ("draft", None, None),  # not sent: not counted
    ]
    for i, (status, due, answered) in enumerate(rows):
        Referral.objects.create(
            measure=measures[0],
            organisation=org,
            case=cases[0],
            office=cases[0].office,
            number=f"R-{i}",
            status=status,
            request="Баспана",
            answer_due=due,
            answered_at=answered,
            created_by=personas["officer"],
        )
    return {"cases": cases}


def test_capacity_arithmetic_for_a_head(personas):
    _world(personas)
    report = capacity_report(user=personas["head"])
    assert [b.office_id for b in report.offices] == [personas["office_a"].pk]
    block = report.offices[0]
    assert block.open_cases == 3 and block.people_assessed == 3
    assert {d.domain: d.people for d in block.domains}["accommodation"] == 3
    housing = _row(report, personas["office_a"], "housing")
    assert housing.people_in_need == 3
    assert housing.planned == 2
    assert (housing.waiting, housing.waiting_late, housing.answered_in_time, housing.answered_late) == (2, 1, 1, 1)
    assert housing.places == Decimal("1.0") and housing.organisations == 2 and housing.places_unknown == 1
    assert housing.gap == Decimal(2) and housing.short
    legal = _row(report, personas["office_a"], "legal_advice")
    assert (legal.people_in_need, legal.gap, legal.short) == (0, 0, False)


def test_regional_admin_sees_the_regions_districts_and_analyst_aggregates(personas):
    _world(personas)
    regional = capacity_report(user=personas["regional_admin"])
    assert {b.office_id for b in regional.offices} == {personas["office_a"].pk, personas["office_b"].pk}
    assert _row(regional, personas["office_b"], "housing").people_in_need == 1
    assert not regional.aggregate_only
    analyst = capacity_report(user=personas["analyst"])
    assert analyst.aggregate_only
    assert {b.office_id for b in analyst.offices} == {personas[o].pk for o in ("office_a", "office_b", "office_c")}
    assert _row(analyst, personas["office_a"], "housing").people_in_need == 3


@pytest.mark.parametrize("who", ["officer", "court_liaison", "auditor", "sysadmin", "partner", "monitoring"])
def test_others_may_not_see_capacity(personas, who):
    with pytest.raises(PermissionDeniedError):
        capacity_report(user=personas[who])
    client = Client()
    client.force_login(personas[who])
    assert client.get("/programmes/capacity/").status_code == 403
    assert client.get("/api/v1/programmes/capacity/").status_code == 403


def test_page_and_api_agree_and_show_no_person(personas):
    world = _world(personas)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["head"])
    data = client.get("/api/v1/programmes/capacity/").json()
    housing = next(m for m in data["offices"][0]["measures"] if m["measure"] == "housing")
    assert (housing["people_in_need"], housing["planned"], housing["gap"], housing["short"]) == (3, 2, "2.0", True)
    page = client.get("/programmes/capacity/").content.decode()
    assert "short by 2" in page
    for case in world["cases"]:
        assert case.person.surname not in page
        assert case.person.surname not in str(data)
