"""People over the API: scoping, registration rules, sub-resources, audit and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from rest_framework.test import APIClient

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case
from openprobation.people.iin import make_iin
from openprobation.people.models import Address, FamilyMember, IdentityDocument, Person
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def a_person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


def a_case(**fields: Any) -> Case:
    return cast(Case, CaseFactory(**fields))


BIRTH = dt.date(1988, 3, 9)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def new_person(**over):
    data = {
        "iin": make_iin(BIRTH, "M", 4242),
        "surname": "Жұмабаев",
        "first_name": "Нұрлан",
        "patronymic": "Серікұлы",
        "birth_date": BIRTH.isoformat(),
        "sex": "M",
        "native_language": "kk",
        "languages": ["kk", "ru"],
    }
    data.update(over)
    return data


@pytest.fixture
def person_a(personas):
    return a_person(registered_office=personas["office_a"])


# --- scoping -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "colleague", "head", "court_liaison", "regional_admin"])
def test_staff_of_the_jurisdiction_find_the_person_in_their_list(personas, person_a, who):
    client = signed_in(personas[who])
    assert person_a.pk in [p["id"] for p in client.get("/api/v1/people/").json()["results"]]


@pytest.mark.parametrize("who", ["other_district", "other_head", "other_region"])
def test_staff_of_another_district_or_region_get_404_and_an_empty_list(personas, person_a, who):
    client = signed_in(personas[who])
    answer = client.get(f"/api/v1/people/{person_a.pk}/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert person_a.pk not in [p["id"] for p in client.get("/api/v1/people/").json()["results"]]
    for sub in ("cases/", ""):
        assert client.get(f"/api/v1/people/{person_a.pk}/{sub}").status_code == 404
    assert client.patch(f"/api/v1/people/{person_a.pk}/", {"phone": "1"}, format="json").status_code == 404
    assert client.post(f"/api/v1/people/{person_a.pk}/family/", {}, format="json").status_code == 404
    assert not AuditEvent.objects.filter(action="person.view").exists()


@pytest.mark.parametrize("who", ["analyst", "auditor", "monitoring", "partner", "sysadmin"])
def test_roles_without_case_work_see_no_people(personas, person_a, who):
    client = signed_in(personas[who])
    listing = client.get("/api/v1/people/")
    assert listing.status_code == 200
    assert listing.json()["count"] == 0
    assert client.get(f"/api/v1/people/{person_a.pk}/").status_code == 404


def test_a_case_in_another_district_makes_the_person_visible_there(personas, person_a):
    a_case(person=person_a, office=personas["office_b"])
    assert signed_in(personas["other_district"]).get(f"/api/v1/people/{person_a.pk}/").status_code == 200


# --- reads are audited -------------------------------------------------------------------------


def test_viewing_a_person_is_audited(personas, person_a):
    body = signed_in(personas["officer"]).get(f"/api/v1/people/{person_a.pk}/").json()
    assert body["iin"] == person_a.iin
    assert body["registered_office"]["code"] == "NA1"
    event = AuditEvent.objects.get(action="person.view")
    assert event.actor_username == "officer"
    assert event.subject_type == "people.person"
    assert event.subject_id == str(person_a.pk)


def test_searching_people_is_audited_with_the_query(personas, person_a):
    client = signed_in(personas["officer"])
    answer = client.get("/api/v1/people/", {"q": person_a.surname})
    assert [p["id"] for p in answer.json()["results"]] == [person_a.pk]
    event = AuditEvent.objects.get(action="person.search")
    assert event.details == {"query": person_a.surname, "filters": {}}
    assert event.subject_id == ""
    # A plain list is a read of personal data too: recorded, with an empty query.
    client.get("/api/v1/people/")
    assert AuditEvent.objects.filter(action="person.search").latest("id").details == {"query": "", "filters": {}}


def test_search_by_iin_prefix_and_paging(personas):
    people = [a_person(registered_office=personas["office_a"]) for _ in range(3)]
    client = signed_in(personas["officer"])
    page = client.get("/api/v1/people/", {"page_size": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    by_iin = client.get("/api/v1/people/", {"q": str(people[1].iin)}).json()
    assert [p["id"] for p in by_iin["results"]] == [people[1].pk]


# --- registration ---------------------------------------------------------------------------


def test_registering_a_person_with_addresses_documents_and_family(personas):
    data = new_person(
        addresses=[
            {"kind": "registered", "locality": "Алматы", "street": "Абай даңғылы", "building": "10"},
            {"kind": "actual", "locality": "Алматы", "street": "Сәтбаев", "building": "5", "apartment": "12"},
        ],
        documents=[{"kind": "id_card", "number": "041234567", "issued_on": "2019-04-01", "valid_until": "2029-03-31"}],
        family=[{"relation": "child", "full_name": "Жұмабаев Әли", "birth_date": "2020-06-01", "dependant": True}],
    )
    answer = signed_in(personas["officer"]).post("/api/v1/people/", data, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    person = Person.objects.get(pk=body["id"])
    assert person.registered_office == personas["office_a"]
    assert person.surname_latin == body["surname_latin"] != ""
    assert person.languages == ["kk", "ru"]
    assert {a["kind"] for a in body["addresses"]} == {"registered", "actual"}
    assert body["documents"][0]["number"] == "041234567"
    assert body["family"][0]["relation"] == "child"
    event = AuditEvent.objects.get(action="person.create")
    assert event.subject_id == str(person.pk)
    assert event.actor_username == "officer"


def test_iin_with_a_wrong_check_digit_is_refused_naming_the_part(personas):
    iin = make_iin(BIRTH, "M", 4242)
    wrong = iin[:11] + str((int(iin[11]) + 1) % 10)
    answer = signed_in(personas["officer"]).post("/api/v1/people/", new_person(iin=wrong), format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "iin_check_digit"
    assert body["part"] == "check_digit"
    assert "iin" in body["errors"]
    assert body["detail"]
    assert not Person.objects.exists()


def test_iin_that_disagrees_with_the_birth_date_is_refused(personas):
    answer = signed_in(personas["officer"]).post("/api/v1/people/", new_person(birth_date="1988-03-10"), format="json")
    assert answer.status_code == 400
    assert answer.json()["part"] == "birth_date"


def test_the_same_iin_cannot_be_registered_twice(personas, person_a):
    answer = signed_in(personas["officer"]).post(
        "/api/v1/people/",
        new_person(iin=person_a.iin, birth_date=person_a.birth_date.isoformat(), sex=person_a.sex),
        format="json",
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "duplicate_iin"
    assert body["existing"] == person_a.pk
    assert Person.objects.count() == 1


def test_duplicate_iin_registered_elsewhere_does_not_reveal_the_person(personas):
    elsewhere = a_person(registered_office=personas["office_c"])
    answer = signed_in(personas["officer"]).post(
        "/api/v1/people/",
        new_person(iin=elsewhere.iin, birth_date=elsewhere.birth_date.isoformat(), sex=elsewhere.sex),
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "duplicate_iin"
    assert "existing" not in answer.json()


def test_a_near_duplicate_needs_confirmation_and_only_visible_ids_are_returned(personas):
    mine = a_person(registered_office=personas["office_a"], surname="Жұмабаев", first_name="Нұрлан", birth_date=BIRTH)
    a_person(registered_office=personas["office_c"], surname="Жұмабаев", first_name="Нұрлан", birth_date=BIRTH)
    client = signed_in(personas["officer"])
    data = new_person(iin=make_iin(BIRTH, "M", 777))
    first = client.post("/api/v1/people/", data, format="json")
    assert first.status_code == 400
    body = first.json()
    assert body["code"] == "possible_duplicate"
    assert body["duplicates"] == [mine.pk]
    assert body["registered_elsewhere"] is True
    assert Person.objects.count() == 2

    confirmed = client.post("/api/v1/people/", {**data, "confirm_not_duplicate": True}, format="json")
    assert confirmed.status_code == 201
    assert Person.objects.count() == 3


def test_court_liaison_may_register_but_not_for_another_office(personas):
    client = signed_in(personas["court_liaison"])
    assert client.post("/api/v1/people/", new_person(), format="json").status_code == 201
    other = client.post(
        "/api/v1/people/", new_person(iin=make_iin(BIRTH, "M", 999), office=personas["office_b"].pk), format="json"
    )
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden"


@pytest.mark.parametrize("who", ["regional_admin", "analyst", "auditor", "partner", "monitoring", "sysadmin"])
def test_roles_that_may_not_register_people_get_403_before_any_validation(personas, who):
    answer = signed_in(personas[who]).post("/api/v1/people/", {}, format="json")
    assert answer.status_code == 403
    assert answer.json()["detail"]


def test_the_registering_office_must_exist(personas):
    answer = signed_in(personas["officer"]).post("/api/v1/people/", new_person(office=999999), format="json")
    assert answer.status_code == 400
    assert "office" in answer.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "31.02.1988"}, "birth_date"),
        ({"birth_date": "1988-02-31"}, "birth_date"),
        ({"sex": "X"}, "sex"),
        ({"native_language": "klingon"}, "native_language"),
        ({"languages": "kk"}, "languages"),
        ({"disability_group": 7}, "disability_group"),
        ({"surname": ""}, "surname"),
        ({"surname": "Smith"}, "surname"),
        ({"iin": "12345"}, "iin"),
        ({"office": "abc"}, "office"),
        ({"office": 999999}, "office"),
        ({"addresses": [{"kind": "summer"}]}, "addresses"),
        ({"addresses": [{"kind": "actual", "locality": "A"}, {"kind": "actual", "locality": "B"}]}, "addresses"),
        ({"documents": [{"kind": "id_card", "issued_on": "yesterday"}]}, "documents"),
        ({"family": [{"relation": "cousin", "full_name": "X"}]}, "family"),
        ({"pregnant": True}, "pregnant"),
    ],
)
def test_bad_input_gets_400_naming_the_field_and_saves_nothing(personas, change, field):
    answer = signed_in(personas["officer"]).post("/api/v1/people/", new_person(**change), format="json")
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert field in body["errors"]
    assert body["detail"]
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action="person.create").exists()


def test_malformed_json_is_a_400_not_a_500(personas):
    answer = signed_in(personas["officer"]).post("/api/v1/people/", "{not json", content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "parse_error"


# --- changes --------------------------------------------------------------------------------


def test_patching_a_person_changes_only_the_given_fields_and_is_audited(personas, person_a):
    answer = signed_in(personas["officer"]).patch(
        f"/api/v1/people/{person_a.pk}/", {"phone": "+7 701 000 00 00", "employment_status": "employed"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    person_a.refresh_from_db()
    assert person_a.phone == "+7 701 000 00 00"
    assert person_a.employment_status == "employed"
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes["phone"] == ["", "+7 701 000 00 00"]


def test_patch_with_a_bad_value_changes_nothing(personas, person_a):
    answer = signed_in(personas["officer"]).patch(
        f"/api/v1/people/{person_a.pk}/", {"phone": "1", "birth_date": "1990-02-30"}, format="json"
    )
    assert answer.status_code == 400
    person_a.refresh_from_db()
    assert person_a.phone == ""


def test_adding_family_setting_an_address_and_adding_a_document(personas, person_a):
    client = signed_in(personas["officer"])
    family = client.post(
        f"/api/v1/people/{person_a.pk}/family/",
        {"relation": "spouse", "full_name": "Ахметова Айгүл", "lives_with": True},
        format="json",
    )
    assert family.status_code == 201, family.json()
    assert FamilyMember.objects.filter(person=person_a, relation="spouse").exists()

    address = client.put(
        f"/api/v1/people/{person_a.pk}/addresses/registered/",
        {"locality": "Астана", "street": "Кенесары"},
        format="json",
    )
    assert address.status_code == 200, address.json()
    again = client.put(f"/api/v1/people/{person_a.pk}/addresses/registered/", {"locality": "Қарағанды"}, format="json")
    assert again.status_code == 200
    assert Address.objects.get(person=person_a, kind="registered").locality == "Қарағанды"

    doc = client.post(
        f"/api/v1/people/{person_a.pk}/documents/", {"kind": "passport", "number": "N1234567"}, format="json"
    )
    assert doc.status_code == 201
    assert IdentityDocument.objects.filter(person=person_a, kind="passport").exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["person.family_add", "person.address_set", "person.address_set", "person.document_add"]


def test_sub_resources_refuse_bad_input(personas, person_a):
    client = signed_in(personas["officer"])
    assert client.put(f"/api/v1/people/{person_a.pk}/addresses/summer/", {"locality": "A"}, format="json").json()[
        "errors"
    ].keys() == {"kind"}
    assert (
        client.put(f"/api/v1/people/{person_a.pk}/addresses/actual/", {"locality": ""}, format="json").status_code
        == 400
    )
    future = client.post(
        f"/api/v1/people/{person_a.pk}/family/",
        {"relation": "child", "full_name": "Бала", "birth_date": "2999-01-01"},
        format="json",
    )
    assert future.status_code == 400
    assert "birth_date" in future.json()["errors"]
    backwards = client.post(
        f"/api/v1/people/{person_a.pk}/documents/",
        {"kind": "passport", "issued_on": "2020-01-01", "valid_until": "2019-01-01"},
        format="json",
    )
    assert backwards.status_code == 400
    assert "valid_until" in backwards.json()["errors"]
    assert not AuditEvent.objects.exists()


def test_person_cases_lists_the_story_and_is_audited(personas, person_a):
    older = a_case(person=person_a, office=personas["office_a"], received_on=dt.date(2025, 1, 10))
    newer = a_case(person=person_a, office=personas["office_a"], case_type="post_penitentiary")
    a_case(person=person_a, office=personas["office_c"])  # another region: not shown
    answer = signed_in(personas["officer"]).get(f"/api/v1/people/{person_a.pk}/cases/")
    assert answer.status_code == 200
    assert [c["id"] for c in answer.json()] == [older.pk, newer.pk]
    assert AuditEvent.objects.filter(action="person.view", subject_id=str(person_a.pk)).exists()


# --- IIN check ------------------------------------------------------------------------------


def test_validate_iin_reports_what_it_encodes(personas):
    client = signed_in(personas["analyst"])
    iin = make_iin(BIRTH, "F", 55)
    ok = client.get("/api/v1/people/validate-iin/", {"iin": iin}).json()
    assert ok == {
        "valid": True,
        "birth_date": BIRTH.isoformat(),
        "sex": "F",
        "error": None,
        "part": None,
        "registered": None,
    }
    wrong_sex = client.get("/api/v1/people/validate-iin/", {"iin": iin, "sex": "M"}).json()
    assert wrong_sex["valid"] is False
    assert wrong_sex["part"] == "sex"
    assert wrong_sex["error"]
    bad = client.get("/api/v1/people/validate-iin/", {"iin": iin[:11] + str((int(iin[11]) + 1) % 10)}).json()
    assert bad["part"] == "check_digit"
    assert client.get("/api/v1/people/validate-iin/", {"iin": "abc"}).json()["part"] == "format"
    assert client.get("/api/v1/people/validate-iin/", {"iin": iin, "birth_date": "nope"}).status_code == 400
    assert not AuditEvent.objects.exists()


# --- language -------------------------------------------------------------------------------


def test_errors_follow_accept_language(personas):
    client = signed_in(personas["officer"])
    ru = client.post("/api/v1/people/", {}, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert ru.status_code == 400
    assert ru.json()["errors"]["surname"] == ["Обязательное поле."]
    en = client.post("/api/v1/people/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["errors"]["surname"] == ["This field is required."]
    domain = client.post("/api/v1/people/", new_person(surname="Smith"), format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert domain.status_code == 400
    assert domain.json()["detail"]


# --- names ----------------------------------------------------------------------------------


def foreigner(**over):
    data = {
        "iin": "",
        "surname": "Doe",
        "first_name": "John",
        "patronymic": "",
        "citizenship": "USA",
        "native_language": "en",
        "languages": ["en"],
        "documents": [{"kind": "passport", "number": "X1234567"}],
    }
    return new_person(**{**data, **over})


def test_foreign_national_with_a_latin_name_is_registered_and_found_by_it(personas):
    client = signed_in(personas["officer"])
    answer = client.post("/api/v1/people/", foreigner(), format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["surname"], body["surname_latin"], body["full_name"]) == ("Doe", "Doe", "Doe John")
    assert (body["iin"], body["citizenship"]) == (None, "USA")
    found = client.get("/api/v1/people/", {"q": "DOE"}).json()["results"]
    assert [p["id"] for p in found] == [body["id"]]
    again = client.post("/api/v1/people/", foreigner(surname="DOE", first_name="JOHN"), format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "possible_duplicate"
    assert again.json()["duplicates"] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field", "label"),
    [
        ({"surname": "Dое"}, "surname", "Surname"),  # Cyrillic о and е
        ({"first_name": "Jоhn"}, "first_name", "First name"),
        ({"patronymic": "Jоhnson"}, "patronymic", "Patronymic"),
        ({"surname_latin": "Dое"}, "surname_latin", "Surname (Latin)"),
    ],
)
def test_a_name_mixing_alphabets_gets_400_naming_the_field_and_saves_nothing(personas, change, field, label):
    answer = signed_in(personas["officer"]).post(
        "/api/v1/people/", foreigner(**change), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 400
    body = answer.json()
    assert list(body["errors"]) == [field]
    assert body["detail"].startswith(label)
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_latin_name_without_citizenship_is_refused_as_a_citizen_of_kazakhstan(personas):
    data = foreigner()
    del data["citizenship"]
    answer = signed_in(personas["officer"]).post("/api/v1/people/", data, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "cyrillic_required"
    assert "surname" in answer.json()["errors"]


def test_a_name_in_capitals_gets_a_latin_form_in_capitals(personas):
    answer = signed_in(personas["officer"]).post(
        "/api/v1/people/", new_person(surname="ЖҰМАБАЕВ", first_name="НҰРЛАН", patronymic="СЕРІКҰЛЫ"), format="json"
    )
    assert answer.status_code == 201
    assert answer.json()["full_name_latin"] == "ZHUMABAEV NURLAN SERIKULY"
    assert answer.json()["citizenship"] == "KAZ"


def test_patching_a_foreign_nationals_surname_follows_in_the_latin_form(personas):
    client = signed_in(personas["officer"])
    pk = client.post("/api/v1/people/", foreigner(), format="json").json()["id"]
    answer = client.patch(f"/api/v1/people/{pk}/", {"surname": "Dow"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["surname"], answer.json()["surname_latin"]) == ("Dow", "Dow")
    refused = client.patch(f"/api/v1/people/{pk}/", {"first_name": "Jоhn"}, format="json")
    assert refused.status_code == 400
    assert "first_name" in refused.json()["errors"]
    assert Person.objects.get(pk=pk).first_name == "John"
