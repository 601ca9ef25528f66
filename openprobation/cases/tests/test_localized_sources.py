"""Legal citations come in the user's language: the rulebook holds each source in kk, ru and en."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from openprobation.cases.models import Case
from openprobation.people.services import person_create

pytestmark = pytest.mark.django_db


def _sentence(person_id: int, office_id: int) -> dict[str, object]:
    return {
        "person": person_id,
        "office": office_id,
        "case_type": "sentence",
        "received_on": "2026-01-20",
        "court": "Алмалинский районный суд",
        "decision_number": "1-77/2026",
        "decision_date": "2026-01-05",
        "effective_date": "2026-01-15",
        "sentence_kind": "restriction_of_liberty",
        "term_months": 4,
    }


@pytest.mark.parametrize(
    ("language", "citation", "phrase"),
    [
        ("ru", "УК, ст. 44 ч. 1", "Срок ограничения свободы"),
        ("kk", "ҚК 44-бабының 1-бөлігі", "ҚК 44-бабының"),
        ("en", "CC art. 44(1)", "A restriction of liberty of 4 months"),
    ],
)
def test_a_term_out_of_bounds_is_explained_in_the_callers_language(personas, language, citation, phrase):
    with translation.override("en"):
        person = person_create(
            actor=personas["officer"],
            office=personas["office_a"],
            data={"surname": "Ержанов", "first_name": "Нұрлан", "birth_date": dt.date(1991, 9, 9), "sex": "M"},
        )
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(personas["officer"])
    answer = client.post("/api/v1/cases/", _sentence(person.pk, personas["office_a"].pk), format="json")
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert citation in detail
    assert phrase in detail
    assert not Case.objects.exists()
