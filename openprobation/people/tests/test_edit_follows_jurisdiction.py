"""A person's record is changed only where a current case puts them: the office a case was
transferred out of, the registering office and a regional administrator of a region the person
has left still read the history, but every change is refused — in the API and on the pages — and
nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus, CaseTransfer
from openprobation.people.models import Address, FamilyMember, IdentityDocument, Person
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(personas):
    """Registered by office A (north); their case moved to office C (south)."""
    person = a_person(registered_office=personas["office_a"], phone="+7 701 000 00 00")
    case = a_case(person=person, office=personas["office_c"], status=CaseStatus.ACTIVE)
    CaseTransfer.objects.create(
        case=case, from_office=personas["office_a"], to_office=personas["office_c"], reason="Переезд"
    )
    return person


WRITES = [
    ("patch", "/api/v1/people/{pk}/", {"phone": "+7 777 111 11 11"}),
    ("put", "/api/v1/people/{pk}/addresses/actual/", {"locality": "Алматы", "street": "Абая"}),
    ("post", "/api/v1/people/{pk}/family/", {"relation": "child", "full_name": "Бала"}),
    ("post", "/api/v1/people/{pk}/documents/", {"kind": "id_card", "number": "123456789", "status": "valid"}),
]


def _nothing_changed(person: Person) -> None:
    person.refresh_from_db()
    assert person.phone == "+7 701 000 00 00"
    assert not Address.objects.filter(person=person).exists()
    assert not FamilyMember.objects.filter(person=person).exists()
    assert not IdentityDocument.objects.filter(person=person).exists()
    assert (
        not AuditEvent.objects.filter(action__startswith="person.", subject_id=str(person.pk))
        .exclude(action__in=["person.view", "person.search"])
        .exists()
    )


@pytest.mark.parametrize("who", ["officer", "head", "regional_admin"])
def test_former_offices_still_read_but_may_not_change(personas, moved, who):
    client = api_client(personas[who])
    assert client.get(f"/api/v1/people/{moved.pk}/").status_code == 200
    for method, url, body in WRITES:
        answer = getattr(client, method)(url.format(pk=moved.pk), body, format="json")
        assert answer.status_code == 403, (method, url, answer.content)
    _nothing_changed(moved)
    pages = web_client(personas[who])
    assert 'id="person-edit-link"' not in pages.get(reverse("people:detail", args=[moved.pk])).content.decode()
    assert pages.get(reverse("people:edit", args=[moved.pk])).status_code == 403
    assert pages.post(reverse("people:add_family", args=[moved.pk]), {"full_name": "Бала"}).status_code == 403
    _nothing_changed(moved)


def test_the_office_that_holds_the_case_now_may_change(personas, moved):
    answer = api_client(personas["other_region"]).patch(
        f"/api/v1/people/{moved.pk}/", {"phone": "+7 777 111 11 11"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    moved.refresh_from_db()
    assert moved.phone == "+7 777 111 11 11"


def test_with_no_case_yet_the_registering_office_may_change(personas):
    person = a_person(registered_office=personas["office_a"])
    answer = api_client(personas["officer"]).patch(f"/api/v1/people/{person.pk}/", {"phone": "+7 1"}, format="json")
    assert answer.status_code == 200, answer.json()


def test_once_every_case_is_closed_the_office_of_the_latest_case_may_change(personas):
    person = a_person(registered_office=personas["office_a"])
    a_case(person=person, office=personas["office_a"], status=CaseStatus.COMPLETED)
    latest = a_case(person=person, office=personas["office_b"], status=CaseStatus.CLOSED)
    latest.received_on = latest.received_on.replace(year=2026, month=6)
    latest.save()
    assert (
        api_client(personas["other_district"])
        .patch(f"/api/v1/people/{person.pk}/", {"phone": "+7 2"}, format="json")
        .status_code
        == 200
    )
    assert api_client(personas["officer"]).patch(
        f"/api/v1/people/{person.pk}/", {"phone": "+7 3"}, format="json"
    ).status_code in (403, 404)
