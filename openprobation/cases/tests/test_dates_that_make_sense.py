"""Dates are checked against the dates they relate to, the same on the page and in the API: a case
cannot be completed before it was received or before its previous status change; a family member
cannot be born in the future (and so count as a child under 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus, CaseStatusChange
from openprobation.people.models import FamilyMember, Person
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    c = a_case(
        person=a_person(registered_office=personas["office_a"]), status=CaseStatus.ACTIVE, officer=personas["officer"]
    )
    CaseStatusChange.objects.create(
        case=c, from_status="registered", to_status="active", reason="x", effective_on=dt.date(2026, 2, 1)
    )
    return c


@pytest.mark.parametrize(
    ("day", "says"), [("0001-01-01", "court order was received"), ("2026-01-20", "previous change")]
)
def test_a_case_cannot_end_before_it_began_or_before_its_last_change(personas, case, day, says):
    body = {"to_status": "completed", "reason": "Срок истёк", "effective_on": day}
    answer = api_client(personas["officer"]).post(f"/api/v1/cases/{case.pk}/transition/", body, format="json")
    assert answer.status_code == 400
    assert says in answer.json()["errors"]["effective_on"][0]
    page = web_client(personas["officer"]).post(reverse("cases:transition", args=[case.pk]), body)
    assert page.status_code == 200
    assert says in page.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="case.transition").exists()


def test_the_day_of_the_last_change_is_allowed(personas, case):
    body = {"to_status": "completed", "reason": "Срок истёк", "effective_on": "2026-02-01"}
    answer = api_client(personas["officer"]).post(f"/api/v1/cases/{case.pk}/transition/", body, format="json")
    assert answer.status_code == 200, answer.json()


@pytest.mark.parametrize("born", ["9999-12-31", "1850-01-01"])
def test_a_family_member_born_in_the_future_or_long_ago_is_refused_everywhere(personas, born):
    person = a_person(registered_office=personas["office_a"])
    client = api_client(personas["officer"])
    child = {"relation": "child", "full_name": "Бала", "birth_date": born}
    answer = client.post(f"/api/v1/people/{person.pk}/family/", child, format="json")
    assert answer.status_code == 400
    assert "birth_date" in answer.json()["errors"]
    registering = {
        "surname": "Сейтқали",
        "first_name": "Дәурен",
        "birth_date": "1991-02-03",
        "sex": "M",
        "office": personas["office_a"].pk,
        "family": [child],
    }
    answer = client.post("/api/v1/people/", registering, format="json")
    assert answer.status_code == 400
    assert not FamilyMember.objects.exists()
    assert Person.objects.count() == 1
