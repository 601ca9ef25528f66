"""Registering a person (issue 7): the IIN fills the date of birth and sex on the server (spaces and
other scripts' digits accepted in the form), citizenship from a list, blocks added on demand, an
expired identity document, and what happens next to a case just opened."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case
from openprobation.core.text import typed_digits
from openprobation.core.timeutil import local_today
from openprobation.people.countries import CODES, citizenship_choices
from openprobation.people.iin import make_iin
from openprobation.people.models import IdentityDocument, Person
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_person

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1990, 5, 17)
IIN = make_iin(BIRTH, "F", 77)
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "iin": IIN,
        "surname": "Сейітова",
        "first_name": "Әйгерім",
        "birth_date": "",
        "citizenship": "KAZ",
        "native_language": "kk",
        "disability_group": "0",
        "employment_status": "unknown",
        "education_level": "unknown",
        "family-TOTAL_FORMS": "0",
        "family-INITIAL_FORMS": "0",
        "family-MIN_NUM_FORMS": "0",
        "family-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _spaced(iin: str) -> str:
    return f"{iin[:6]} {iin[6]} {iin[7:]}"


@pytest.mark.parametrize(
    "typed",
    [IIN, _spaced(IIN), f" {IIN[:6]}\u00a0{IIN[6:]} ", IIN.translate(ARABIC_INDIC), _spaced(IIN).translate(FULL_WIDTH)],
)
def test_the_iin_fills_a_blank_birth_date_and_sex_on_the_server(personas, typed):
    response = web_client(personas["officer"]).post(reverse("people:create"), _form(iin=typed))
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get()
    assert (person.iin, person.birth_date, person.sex) == (IIN, BIRTH, "F")


def test_an_entered_birth_date_that_disagrees_with_the_iin_is_a_clear_error(personas):
    response = web_client(personas["officer"]).post(reverse("people:create"), _form(birth_date="18.05.1990", sex="F"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_iin_error"' in html
    assert "17.05.1990" in html and "18.05.1990" in html
    assert not Person.objects.exists()


def test_an_entered_sex_that_disagrees_with_the_iin_is_a_clear_error(personas):
    response = web_client(personas["officer"]).post(reverse("people:create"), _form(sex="M"))
    assert 'id="id_iin_error"' in response.content.decode()
    assert not Person.objects.exists()


def test_without_an_iin_the_birth_date_and_sex_are_required(personas):
    response = web_client(personas["officer"]).post(reverse("people:create"), _form(iin="", citizenship="UZB"))
    html = response.content.decode()
    assert 'id="id_birth_date_error"' in html
    assert not Person.objects.exists()


def test_superscript_digits_are_not_read_as_an_iin(personas):
    assert typed_digits("9005173²0077") == "9005173²0077"
    response = web_client(personas["officer"]).post(reverse("people:create"), _form(iin=IIN[:11] + "²"))
    assert 'id="id_iin_error"' in response.content.decode()
    assert not Person.objects.exists()


def test_the_api_fills_birth_date_and_sex_from_the_iin_too(personas):
    answer = api_client(personas["officer"]).post(
        "/api/v1/people/", {"iin": IIN, "surname": "Сейітова", "first_name": "Әйгерім"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["birth_date"], answer.json()["sex"]) == ("1990-05-17", "F")


def test_the_api_without_iin_nor_birth_date_is_a_400_naming_the_field(personas):
    answer = api_client(personas["officer"]).post(
        "/api/v1/people/", {"surname": "Сейітова", "first_name": "Әйгерім", "citizenship": "UZB"}, format="json"
    )
    assert answer.status_code == 400
    assert "birth_date" in answer.json()["errors"]
    assert not Person.objects.exists()


# --- Citizenship from a list ---


def test_the_citizenship_list_starts_with_kazakhstan_and_holds_iso_codes():
    codes = [code for code, _name in citizenship_choices()]
    assert codes[0] == "KAZ"
    assert {"RUS", "UZB", "KGZ", "CHN", "USA", "IRL"} <= CODES
    assert all(len(c) == 3 and c.isascii() and c.isupper() for c in CODES)
    assert "" in codes  # stateless


@pytest.mark.parametrize("value", ["ZZZ", "kazakhstan", "K", "Қаз", "<b>", "KAZ" * 100])
def test_a_citizenship_outside_the_list_is_refused_on_the_page(personas, value):
    response = web_client(personas["officer"]).post(reverse("people:create"), _form(citizenship=value))
    assert response.status_code == 200
    assert 'id="id_citizenship_error"' in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize("value", ["ZZZ", "XK", "123"])
def test_a_citizenship_outside_the_list_is_refused_by_the_api(personas, value):
    answer = api_client(personas["officer"]).post(
        "/api/v1/people/",
        {"iin": IIN, "surname": "Сейітова", "first_name": "Әйгерім", "citizenship": value},
        format="json",
    )
    assert answer.status_code == 400
    assert "citizenship" in answer.json()["errors"]
    assert not Person.objects.exists()


def test_the_registration_page_offers_the_citizenship_as_a_list(personas):
    html = web_client(personas["officer"], "ru").get(reverse("people:create")).content.decode()
    assert '<select name="citizenship"' in html
    assert '<option value="KAZ" selected>' in html


# --- Family members and documents on demand ---


def test_the_form_starts_without_family_blocks_and_with_the_document_block_hidden(personas):
    html = web_client(personas["officer"]).get(reverse("people:create")).content.decode()
    assert 'name="family-0-full_name"' not in html
    assert 'name="family-__prefix__-full_name"' in html  # only inside the inert <template>
    assert 'id="document-block" data-reveal-block hidden' in html
    assert 'name="add_family"' in html and 'name="add_document"' in html


def test_without_script_add_a_family_member_posts_back_with_one_more_block_and_registers_nothing(personas):
    client = web_client(personas["officer"])
    response = client.post(reverse("people:create"), _form(add_family="1", surname=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="family-0-full_name"' in html
    assert 'name="family-TOTAL_FORMS" value="1"' in html
    assert "usa-error-message" not in html  # what was typed so far is not judged yet
    again = client.post(
        reverse("people:create"), _form(**{"add_document": "1", "family-TOTAL_FORMS": "1"})
    ).content.decode()
    assert 'id="document-block" data-reveal-block>' in again
    assert not Person.objects.exists()


def test_registering_with_one_family_member_and_a_document(personas):
    response = web_client(personas["officer"]).post(
        reverse("people:create"),
        _form(
            **{
                "family-TOTAL_FORMS": "1",
                "family-0-relation": "child",
                "family-0-full_name": "Сейітов Нұрсұлтан",
                "family-0-birth_date": "01.02.2020",
                "doc-shown": "1",
                "doc-kind": "id_card",
                "doc-number": "044556677",
                "doc-status": "valid",
                "doc-valid_until": "01.01.2035",
            }
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.family.get().birth_date == dt.date(2020, 2, 1)
    assert person.documents.get().valid_until == dt.date(2035, 1, 1)


# --- An identity document past its validity date ---


def _document(person: Person, valid_until: dt.date | None, status: str = "valid") -> IdentityDocument:
    return IdentityDocument.objects.create(
        person=person, kind="id_card", number="1", valid_until=valid_until, status=status
    )


def test_a_document_past_its_validity_date_reads_expired_on_the_page_and_in_the_api(personas):
    person = a_person(registered_office=personas["office_a"])
    today = local_today()
    _document(person, today - dt.timedelta(days=1))
    _document(person, today)  # valid through today
    _document(person, None)
    html = web_client(personas["officer"]).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert html.count("data-document-expired") == 1
    assert 'class="usa-tag op-tag-overdue" data-document-expired>Expired<' in html
    body = api_client(personas["officer"]).get(f"/api/v1/people/{person.pk}/").json()
    assert sorted(d["expired"] for d in body["documents"]) == [False, False, True]


def test_a_document_recorded_as_expired_is_expired_whatever_its_date(personas):
    person = a_person(registered_office=personas["office_a"])
    doc = _document(person, None, status="expired")
    assert doc.expired
    assert not _document(person, local_today() + dt.timedelta(days=30)).expired


# --- A case just opened: what happens next ---


def _open_case(user, person) -> Any:
    today = local_today()
    return web_client(user).post(
        reverse("cases:open"),
        {
            "person": str(person.pk),
            "case_type": "sentence",
            "received_on": (today - dt.timedelta(days=5)).strftime("%d.%m.%Y"),
            "court": "Алматы аудандық соты",
            "decision_number": "1-77/2026",
            "decision_date": (today - dt.timedelta(days=30)).strftime("%d.%m.%Y"),
            "effective_date": (today - dt.timedelta(days=15)).strftime("%d.%m.%Y"),
            "cc_articles": "188 ч.2",
            "sentence_kind": "restriction_of_liberty",
            "term_months": "12",
            "term_days": "0",
        },
        follow=True,
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer", "The case is allocated to you"),
        ("court_liaison", "The head of office will allocate it"),
        ("head", "Allocate it to an officer from this page"),
    ],
)
def test_who_opens_a_case_is_told_what_happens_next(personas, who, expected):
    person = a_person(registered_office=personas["office_a"], birth_date=dt.date(1990, 1, 1))
    response = _open_case(personas[who], person)
    html = response.content.decode()
    assert Case.objects.count() == 1, html[:3000]
    assert expected in html
    # Only an officer who carries cases takes the case they open.
    assert Case.objects.get().officer == (personas[who] if who == "officer" else None)
    assert AuditEvent.objects.filter(action="case.open").count() == 1


# --- Places from lists ---


def test_the_region_is_chosen_from_the_regions_and_the_locality_is_suggested(personas):
    client = web_client(personas["officer"])
    html = client.get(reverse("people:create")).content.decode()
    assert '<select name="reg-region"' in html
    assert f'<option value="{personas["north"].name_en}">' in html
    assert 'list="locality-options"' in html
    refused = client.post(reverse("people:create"), _form(**{"reg-region": "Атлантида", "reg-locality": "Алматы"}))
    assert 'id="id_reg-region_error"' in refused.content.decode()
    assert not Person.objects.exists()
    ok = client.post(
        reverse("people:create"), _form(**{"reg-region": personas["north"].name_en, "reg-locality": "Алматы"})
    )
    assert ok.status_code == 302
    assert Person.objects.get().addresses.get().region == personas["north"].name_en
    again = client.get(reverse("people:create")).content.decode()
    assert '<datalist id="locality-options"><option value="Алматы"></option></datalist>' in again


def test_localities_of_people_out_of_jurisdiction_are_not_suggested(personas):
    from openprobation.people.models import Address

    far = a_person(registered_office=personas["office_c"])
    Address.objects.create(person=far, kind="registered", locality="Шалқар")
    html = web_client(personas["officer"]).get(reverse("people:create")).content.decode()
    assert "Шалқар" not in html


def test_the_registration_page_shows_no_template_source(personas):
    html = web_client(personas["officer"]).get(reverse("people:create")).content.decode()
    assert "{#" not in html and "{%" not in html
