"""The people pages: registering (with IIN, duplicate checks), the person page, search, editing."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today
from openprobation.people.iin import make_iin
from openprobation.people.models import DocumentStatus, FamilyMember, IdentityDocument, Person, Relation
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def make_person(**kwargs: Any) -> Person:
    return cast(Person, PersonFactory(**kwargs))


def make_case(**kwargs: Any) -> Case:
    return cast(Case, CaseFactory(**kwargs))


BIRTH = dt.date(1988, 3, 9)


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "iin": make_iin(BIRTH, "M", 4242),
        "surname": "Жақсылықов",
        "first_name": "Нұрлан",
        "patronymic": "Серікұлы",
        "birth_date": BIRTH.isoformat(),
        "sex": "M",
        "citizenship": "KAZ",
        "native_language": "kk",
        "languages": ["kk", "ru"],
        "disability_group": "0",
        "employment_status": "unemployed",
        "education_level": "secondary",
        "reg-locality": "Алматы",
        "reg-street": "Абай даңғылы",
        "reg-building": "10",
        "doc-shown": "1",
        "doc-kind": "id_card",
        "doc-number": "012345678",
        "doc-status": "valid",
        "family-TOTAL_FORMS": "3",
        "family-INITIAL_FORMS": "0",
        "family-MIN_NUM_FORMS": "0",
        "family-MAX_NUM_FORMS": "20",
        "family-0-relation": "child",
        "family-0-full_name": "Жақсылықова Айару",
        "family-0-birth_date": (local_today() - dt.timedelta(days=400)).isoformat(),
        "family-0-dependant": "on",
    }
    data.update(overrides)
    return data


def test_officer_registers_a_person_with_address_document_and_child(personas):
    client = signed_in(personas["officer"])
    assert client.get(reverse("people:create")).status_code == 200
    response = client.post(reverse("people:create"), _form(actual_same="1"))
    assert response.status_code == 302
    person = Person.objects.get(surname="Жақсылықов")
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.surname_latin == "Zhaksylykov"
    assert person.registered_office == personas["office_a"]
    assert person.languages == ["kk", "ru"]
    assert {a.kind for a in person.addresses.all()} == {"registered", "actual"}
    assert person.documents.get().number == "012345678"
    assert person.family.get().relation == Relation.CHILD
    assert AuditEvent.objects.filter(action="person.create", subject_id=str(person.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "1 child under 3" in page


def test_wrong_iin_check_digit_is_shown_on_the_iin_field(personas):
    good = make_iin(BIRTH, "M", 4242)
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    response = signed_in(personas["officer"]).post(reverse("people:create"), _form(iin=bad))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_iin_error"' in html
    assert "check digit" in html
    assert 'aria-invalid="true"' in html
    assert not Person.objects.filter(surname="Жақсылықов").exists()


def test_iin_that_disagrees_with_the_birth_date_names_the_date(personas):
    response = signed_in(personas["officer"]).post(reverse("people:create"), _form(birth_date="1988-03-10"))
    assert "encodes the date of birth 09.03.1988" in response.content.decode()


def test_the_same_iin_twice_links_to_the_existing_person(personas):
    existing = make_person(registered_office=personas["office_a"], iin=make_iin(BIRTH, "M", 4242), birth_date=BIRTH)
    response = signed_in(personas["officer"]).post(reverse("people:create"), _form())
    html = response.content.decode()
    assert "is already registered" in html
    assert reverse("people:detail", args=[existing.pk]) in html
    assert Person.objects.count() == 1


def test_near_duplicate_is_shown_then_registered_after_confirmation(personas):
    mine = make_person(
        registered_office=personas["office_a"], surname="Жақсылықов", first_name="Нұрлан", birth_date=BIRTH, iin=None
    )
    make_person(
        registered_office=personas["office_c"], surname="Жақсылықов", first_name="Нұрлан", birth_date=BIRTH, iin=None
    )
    client = signed_in(personas["officer"])
    response = client.post(reverse("people:create"), _form())
    html = response.content.decode()
    assert 'id="duplicates"' in html
    assert reverse("people:detail", args=[mine.pk]) in html
    assert "registered with the probation service outside your jurisdiction" in html
    assert 'name="confirm_not_duplicate"' in html
    assert Person.objects.count() == 2
    response = client.post(reverse("people:create"), _form(confirm_not_duplicate="on"))
    assert response.status_code == 302
    assert Person.objects.count() == 3


def test_cyrillic_name_required_error_is_next_to_the_surname(personas):
    response = signed_in(personas["officer"]).post(reverse("people:create"), _form(surname="Smith"))
    html = response.content.decode()
    assert 'id="id_surname_error"' in html
    assert "Cyrillic" in html


def test_family_row_with_name_but_no_relation_is_refused_and_nothing_saved(personas):
    response = signed_in(personas["officer"]).post(reverse("people:create"), _form(**{"family-1-full_name": "Кто-то"}))
    assert response.status_code == 200
    assert 'id="id_family-1-relation_error"' in response.content.decode()
    assert Person.objects.count() == 0


def test_person_page_is_audited_and_shows_the_story(personas):
    person = make_person(registered_office=personas["office_a"])
    IdentityDocument.objects.create(person=person, kind="passport", number="N123", status=DocumentStatus.LOST)
    case = make_case(person=person)
    client = signed_in(personas["officer"])
    response = client.get(reverse("people:detail", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html
    assert "op-highlight" in html  # the lost document stands out
    assert 'id="open-case-link"' in html
    assert AuditEvent.objects.filter(action="person.view", subject_id=str(person.pk)).count() == 1


def test_a_refused_person_page_is_not_recorded_as_a_view(personas):
    person = make_person(registered_office=personas["office_a"])
    assert signed_in(personas["other_district"]).get(reverse("people:detail", args=[person.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="person.view").exists()


def test_minor_without_legal_representative_is_warned(personas):
    minor = make_person(
        registered_office=personas["office_a"],
        birth_date=local_today().replace(year=local_today().year - 15) - dt.timedelta(days=3),
    )
    client = signed_in(personas["officer"])
    assert 'id="minor-warning"' in client.get(reverse("people:detail", args=[minor.pk])).content.decode()
    FamilyMember.objects.create(person=minor, relation=Relation.PARENT, full_name="Ата-ана", legal_representative=True)
    assert 'id="minor-warning"' not in client.get(reverse("people:detail", args=[minor.pk])).content.decode()


def test_people_search_finds_by_surname_and_is_audited(personas):
    make_person(registered_office=personas["office_a"], surname="Сейтқали")
    make_person(registered_office=personas["office_c"], surname="Сейтқали")
    response = signed_in(personas["officer"]).get(reverse("people:list"), {"q": "Сейтқали"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1
    event = AuditEvent.objects.get(action="person.search")
    assert event.details["query"] == "Сейтқали"


def test_people_list_without_query_is_audited_as_a_read(personas):
    signed_in(personas["officer"]).get(reverse("people:list"))
    assert AuditEvent.objects.get(action="person.search").details == {"query": "", "filters": {}}


def test_editing_a_person_saves_and_audits_the_change(personas):
    person = make_person(registered_office=personas["office_a"])
    client = signed_in(personas["officer"])
    assert client.get(reverse("people:edit", args=[person.pk])).status_code == 200
    data = {
        "iin": person.iin,
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "citizenship": "KAZ",
        "native_language": "kk",
        "disability_group": "0",
        "employment_status": "employed",
        "education_level": "higher",
        "phone": "+7 701 000 00 00",
    }
    response = client.post(reverse("people:edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "+7 701 000 00 00"
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes["phone"] == ["", "+7 701 000 00 00"]


def test_small_forms_add_family_address_and_document(personas):
    person = make_person(registered_office=personas["office_a"])
    client = signed_in(personas["officer"])
    for name in ("people:add_family", "people:set_address", "people:add_document"):
        assert client.get(reverse(name, args=[person.pk])).status_code == 200
    r = client.post(reverse("people:add_family", args=[person.pk]), {"relation": "spouse", "full_name": "Әйелі"})
    assert r.status_code == 302
    r = client.post(reverse("people:set_address", args=[person.pk]), {"kind": "actual", "locality": "Астана"})
    assert r.status_code == 302
    r = client.post(
        reverse("people:add_document", args=[person.pk]),
        {"kind": "passport", "issued_on": "2020-01-01", "valid_until": "2019-01-01", "status": "valid"},
    )
    assert r.status_code == 200
    assert "cannot expire before it was issued" in r.content.decode()
    assert person.family.count() == 1
    assert person.addresses.get().locality == "Астана"
    assert person.documents.count() == 0
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"person.family_add", "person.address_set"} <= actions


# --- names ----------------------------------------------------------------------------------


def _foreigner_form(**overrides: Any) -> dict[str, Any]:
    foreigner = {
        "iin": "",
        "surname": "O'Connor",
        "first_name": "Siobhán",
        "patronymic": "",
        "citizenship": "IRL",
        "native_language": "en",
        "languages": ["en"],
        "doc-kind": "passport",
        "doc-number": "PA1234567",
    }
    return _form(**{**foreigner, **overrides})


def test_foreign_national_with_latin_only_documents_is_registered_and_found_by_the_latin_surname(personas):
    client = signed_in(personas["officer"])
    response = client.post(reverse("people:create"), _foreigner_form())
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get()
    assert (person.surname, person.first_name, person.citizenship) == ("O'Connor", "Siobhán", "IRL")
    assert (person.surname_latin, person.first_name_latin) == ("O'Connor", "Siobhán")
    page = client.get(response["Location"]).content.decode()
    assert page.count("O&#x27;Connor Siobhán") >= 2  # the title and the heading; the Latin line is not repeated
    assert 'lang="en">O&#x27;Connor' not in page
    for query in ("o'connor", "SIOBHAN"):
        found = client.get(reverse("people:list"), {"q": query})
        assert list(found.context["page_obj"]) == [person], query


def test_name_mixing_cyrillic_and_latin_letters_is_refused_next_to_the_field(personas):
    response = signed_in(personas["officer"]).post(
        reverse("people:create"),
        _foreigner_form(first_name="Siobhаn"),  # a Cyrillic а
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_first_name_error"' in html
    assert "First name mixes Cyrillic and Latin letters" in html
    assert not Person.objects.exists()


def test_name_typed_in_capitals_gets_a_latin_form_in_capitals(personas):
    response = signed_in(personas["officer"]).post(
        reverse("people:create"), _form(surname="ЖАҚСЫЛЫҚОВ", first_name="ЕРЖАН-ӘЛІ", patronymic="СЕРІКҰЛЫ")
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.full_name_latin == "ZHAKSYLYKOV ERZHAN-ALI SERIKULY"


def test_editing_a_foreign_national_keeps_the_latin_name(personas):
    client = signed_in(personas["officer"])
    client.post(reverse("people:create"), _foreigner_form())
    person = Person.objects.get()
    data = {k: v for k, v in _foreigner_form().items() if "-" not in k}  # the person's own fields
    response = client.post(reverse("people:edit", args=[person.pk]), {**data, "surname": "O'Conor"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.surname, person.surname_latin) == ("O'Conor", "O'Conor")
    response = client.post(reverse("people:edit", args=[person.pk]), {**data, "citizenship": "KAZ"})
    assert response.status_code == 200
    assert 'id="id_surname_error"' in response.content.decode()
    person.refresh_from_db()
    assert person.citizenship == "IRL"
