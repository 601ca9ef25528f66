"""Only the ASCII digits 0–9 make an IIN or an id: Arabic-Indic, full-width and superscript digits
are refused with a clear 400 (they registered a duplicate, or gave a 500), and so is JSON nested
too deeply to decode."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openprobation.people.iin import IinError, make_iin, parse_iin
from openprobation.people.models import Person
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_person

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("table", [ARABIC_INDIC, FULL_WIDTH])
def test_an_iin_in_other_digits_is_not_an_iin(table):
    iin = make_iin(__import__("datetime").date(1990, 5, 17), "M", 4242)
    assert parse_iin(iin).iin == iin
    with pytest.raises(IinError) as err:
        parse_iin(iin.translate(table))
    assert err.value.part == "format"
    assert "0–9" in str(err.value)


def test_a_superscript_digit_is_refused_not_a_crash():
    with pytest.raises(IinError):
        parse_iin("87040350123²")


def test_the_iin_check_endpoint_answers_400_style_not_500(personas):
    answer = api_client(personas["officer"]).get("/api/v1/people/validate-iin/", {"iin": "87040350123²"})
    assert answer.status_code == 200
    assert answer.json()["valid"] is False
    assert answer.json()["part"] == "format"


@pytest.mark.parametrize("table", [ARABIC_INDIC, FULL_WIDTH])
def test_registering_a_duplicate_through_other_digits_is_refused(personas, table):
    existing = a_person(registered_office=personas["office_a"])
    body = {
        "iin": str(existing.iin).translate(table),
        "surname": "Ахметов",
        "first_name": "Ерлан",
        "birth_date": existing.birth_date.isoformat(),
        "sex": existing.sex,
        "office": personas["office_a"].pk,
        "confirm_not_duplicate": True,
    }
    answer = api_client(personas["officer"]).post("/api/v1/people/", body, format="json")
    assert answer.status_code == 400
    assert "iin" in answer.json()["errors"]
    assert Person.objects.count() == 1


@pytest.mark.parametrize("pk", ["²", "٣", "３"])
def test_odd_digits_in_an_id_are_not_found(personas, pk):
    assert web_client(personas["officer"]).get(reverse("cases:open"), {"person": pk}).status_code == 404
    assert web_client(personas["head"]).get(reverse("cases:office_caseload"), {"office": pk}).status_code == 404


def test_json_nested_too_deeply_is_a_400(personas):
    client = api_client(personas["officer"])
    answer = client.generic("POST", "/api/v1/people/", "[" * 5000 + "]" * 5000, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "parse_error"
    assert Person.objects.count() == 0
