"""Existence probing: the duplicate check is national, so its answer must not become a way to look
people up across the country. Within the asker's jurisdiction the answer links to the person; outside
it says only that the person is registered with the service and how to proceed. Every such answer
— on the page, over the API, from the IIN check — is recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

import pytest
from django.urls import reverse
from django.utils.html import escape

from openprobation.audit.models import AuditEvent
from openprobation.people.iin import make_iin
from openprobation.people.models import Person
from openprobation.people.tests.test_api_people import new_person
from openprobation.people.tests.test_views_people import _form
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1988, 3, 9)
IIN = make_iin(BIRTH, "M", 4242)
ACTION = "person.duplicate_answer"


def a_person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


@pytest.fixture
def elsewhere(personas) -> Person:
    """A person registered in another region, with the IIN the officer is about to type."""
    return a_person(
        registered_office=personas["office_c"],
        iin=IIN,
        birth_date=BIRTH,
        sex="M",
        surname="Қайырбеков",
        first_name="Ерболат",
    )


@pytest.fixture
def namesake_elsewhere(personas) -> Person:
    """Someone in another region with the name and birth date the officer types, but no IIN."""
    return a_person(
        registered_office=personas["office_c"], iin=None, birth_date=BIRTH, surname="Жақсылықов", first_name="Нұрлан"
    )


def _answers() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ACTION).order_by("id"))


def _reveals_nothing_of(text: str, person: Person, personas: dict[str, Any], *, names: bool = True) -> None:
    """Neither the person's name (unless the asker typed it), nor a link, office or region."""
    office = personas["office_c"]
    region = personas["south"]
    # The lists of every country and every region are reference data, not an answer about the
    # person ("South Korea" and the region list both hold the region's name "South").
    text = re.sub(r'<select[^>]*name="(?:citizenship|\w+-region)".*?</select>', "", text, flags=re.S)
    for secret in (
        *((person.surname, person.first_name, person.surname_latin) if names else ()),
        office.name,
        office.code,
        region.name,
        region.code,
        reverse("people:detail", args=[person.pk]),
    ):
        assert secret and escape(secret) not in text, secret


def _notice(html: str, element_id: str, end: str = "</div>") -> str:
    found = re.search(rf'id="{element_id}".*?{end}', html, flags=re.S)
    assert found, f"#{element_id} is missing"
    return re.sub(r"<[^>]+>", " ", found.group(0))


# --- the page -----------------------------------------------------------------------------------


def test_an_iin_registered_elsewhere_on_the_page_says_only_registered_and_how_to_proceed(personas, elsewhere):
    response = web_client(personas["officer"]).post(reverse("people:create"), _form())
    html = response.content.decode()
    assert response.status_code == 200
    _reveals_nothing_of(html, elsewhere, personas)
    notice = _notice(html, "id_iin_error", "</span>")
    assert "already registered with the probation service" in notice
    assert "regional department" in notice
    assert BIRTH.strftime("%d.%m.%Y") not in notice
    assert Person.objects.count() == 1

    [event] = _answers()
    assert event.actor == personas["officer"]
    assert event.details["context"] == "register"
    assert event.details["probe"] == "iin"
    assert event.details["iin"] == IIN
    assert event.details["in_jurisdiction"] is False
    assert event.subject_id == str(elsewhere.pk)


def test_an_iin_registered_in_the_jurisdiction_links_to_the_person_and_is_audited(personas):
    mine = a_person(registered_office=personas["office_a"], iin=IIN, birth_date=BIRTH, sex="M")
    html = web_client(personas["officer"]).post(reverse("people:create"), _form()).content.decode()
    assert reverse("people:detail", args=[mine.pk]) in html
    [event] = _answers()
    assert event.details["in_jurisdiction"] is True
    assert event.subject_id == str(mine.pk)


def test_a_namesake_elsewhere_on_the_page_reveals_no_count_office_or_link(personas, namesake_elsewhere):
    a_person(
        registered_office=personas["office_c"], iin=None, birth_date=BIRTH, surname="Жақсылықов", first_name="Нұрлан"
    )
    response = web_client(personas["officer"]).post(reverse("people:create"), _form(iin=""))
    html = response.content.decode()
    _reveals_nothing_of(html, namesake_elsewhere, personas, names=False)
    assert 'name="confirm_not_duplicate"' in html  # the protection stays: confirm to register anyway
    notice = _notice(html, "duplicates", "</section>")
    assert not re.search(r"\d", notice)  # not how many, nor a birth date
    assert "registered with the probation service outside your jurisdiction" in notice
    assert "already registered with the probation service, outside your jurisdiction" in html
    [event] = _answers()
    assert event.details["probe"] == "name"
    assert event.details["surname"] == "Жақсылықов"
    assert event.details["first_name"] == "Нұрлан"
    assert event.details["birth_date"] == BIRTH.isoformat()
    assert event.details["in_jurisdiction"] is False


def test_changing_a_persons_iin_to_one_registered_elsewhere_says_no_more_and_is_audited(personas, elsewhere):
    mine = a_person(registered_office=personas["office_a"], iin=None, birth_date=BIRTH, sex="M")
    answer = api_client(personas["officer"]).patch(f"/api/v1/people/{mine.pk}/", {"iin": IIN}, format="json")
    assert answer.status_code == 400
    _reveals_nothing_of(answer.content.decode(), elsewhere, personas)
    [event] = _answers()
    assert event.details["context"] == "edit"
    assert event.details["in_jurisdiction"] is False


# --- the API ------------------------------------------------------------------------------------


def test_an_iin_registered_elsewhere_over_the_api_says_only_registered_and_how_to_proceed(personas, elsewhere):
    answer = api_client(personas["officer"]).post("/api/v1/people/", new_person(iin=IIN), format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "duplicate_iin"
    assert body["in_jurisdiction"] is False
    assert "existing" not in body
    assert "regional department" in body["detail"]
    _reveals_nothing_of(answer.content.decode(), elsewhere, personas)
    [event] = _answers()
    assert event.details["context"] == "register"
    assert event.details["in_jurisdiction"] is False


def test_a_namesake_elsewhere_over_the_api_is_a_yes_not_a_count(personas, namesake_elsewhere):
    a_person(
        registered_office=personas["office_c"], iin=None, birth_date=BIRTH, surname="Жұмабаев", first_name="Нұрлан"
    )
    a_person(
        registered_office=personas["office_c"], iin=None, birth_date=BIRTH, surname="Жұмабаев", first_name="Нұрлан"
    )
    answer = api_client(personas["officer"]).post("/api/v1/people/", new_person(iin=""), format="json")
    body = answer.json()
    assert body["code"] == "possible_duplicate"
    assert body["duplicates"] == []
    assert body["registered_elsewhere"] is True
    assert "duplicates_elsewhere" not in body
    [event] = _answers()
    assert event.details["probe"] == "name"
    assert event.details["in_jurisdiction"] is False


# --- the IIN check ------------------------------------------------------------------------------


def test_the_iin_check_answers_registered_elsewhere_without_details_and_is_audited(personas, elsewhere):
    answer = api_client(personas["officer"]).get("/api/v1/people/validate-iin/", {"iin": IIN})
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is True
    assert body["registered"]["in_jurisdiction"] is False
    assert body["registered"]["person"] is None
    assert "regional department" in body["registered"]["detail"]
    _reveals_nothing_of(answer.content.decode(), elsewhere, personas)
    [event] = _answers()
    assert event.details["context"] == "iin_check"
    assert event.details["iin"] == IIN
    assert event.details["in_jurisdiction"] is False


def test_the_iin_check_links_a_person_of_the_jurisdiction(personas):
    mine = a_person(registered_office=personas["office_a"], iin=IIN, birth_date=BIRTH, sex="M")
    body = api_client(personas["officer"]).get("/api/v1/people/validate-iin/", {"iin": IIN}).json()
    assert body["registered"]["in_jurisdiction"] is True
    assert body["registered"]["person"] == mine.pk
    assert len(_answers()) == 1


def test_the_iin_check_of_an_unregistered_iin_records_nothing(personas):
    body = api_client(personas["officer"]).get("/api/v1/people/validate-iin/", {"iin": IIN}).json()
    assert body["registered"] is None
    assert _answers() == []


def test_who_may_not_register_people_learns_nothing_from_the_iin_check(personas, elsewhere):
    body = api_client(personas["analyst"]).get("/api/v1/people/validate-iin/", {"iin": IIN}).json()
    assert body["valid"] is True
    assert body["registered"] is None
    assert _answers() == []
