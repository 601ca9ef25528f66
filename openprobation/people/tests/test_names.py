"""Names in one alphabet (Latin letters for a foreign national), with what search and the
duplicate check make of them, and the Latin form following corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError
from openprobation.people.models import Person, fold, make_name_key
from openprobation.people.selectors import person_search
from openprobation.people.services import person_create, person_update
from openprobation.people.translit import plain_latin
from openprobation.testing.factories import PersonFactory

BIRTH = dt.date(1985, 7, 1)


def test_search_folds_latin_accents_but_not_cyrillic_letters() -> None:
    assert plain_latin("Müller Łukasz Şahin Straße") == "Muller Lukasz Sahin Strasse"
    assert fold(" MÜLLER ") == "muller"
    assert fold("Семён Йошкин") == "семен йошкин"
    assert make_name_key("SMITH", "John") == make_name_key("Smith", "JOHN")


def _foreigner(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "surname": "Müller",
        "first_name": "Anna",
        "birth_date": BIRTH,
        "sex": "F",
        "citizenship": "deu",
    }
    data.update(over)
    return data


@pytest.mark.django_db
def test_latin_name_of_a_foreign_national_is_its_own_latin_form_and_searchable(personas):
    person = person_create(actor=personas["officer"], office=personas["office_a"], data=_foreigner())
    assert (person.surname, person.first_name, person.patronymic) == ("Müller", "Anna", "")
    assert (person.surname_latin, person.first_name_latin) == ("Müller", "Anna")
    assert person.citizenship == "DEU"
    for query in ("müller", "MULLER", "muller anna"):
        assert list(person_search(user=personas["officer"], query=query)) == [person]


@pytest.mark.django_db
def test_a_stateless_person_may_be_written_in_latin_letters(personas):
    person = person_create(actor=personas["officer"], office=personas["office_a"], data=_foreigner(citizenship=""))
    assert person.citizenship == ""


@pytest.mark.django_db
def test_the_same_latin_name_in_capitals_is_a_near_duplicate(personas):
    person_create(actor=personas["officer"], office=personas["office_a"], data=_foreigner())
    with pytest.raises(DomainError) as err:
        person_create(
            actor=personas["officer"],
            office=personas["office_a"],
            data=_foreigner(surname="MULLER", first_name="ANNA"),
        )
    assert err.value.code == "possible_duplicate"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"surname": "Jохн"}, "surname", "mixed_script"),
        ({"first_name": "Аnna"}, "first_name", "mixed_script"),  # Cyrillic А
        ({"first_name": "Анна"}, "first_name", "mixed_script"),  # whole name not in one alphabet
        ({"patronymic": "Smith2"}, "patronymic", "invalid"),
        ({"surname_latin": "Мuller"}, "surname_latin", "latin_required"),
        ({"citizenship": "KAZ"}, "surname", "cyrillic_required"),
        ({"citizenship": "kaz "}, "surname", "cyrillic_required"),
    ],
)
def test_names_not_in_one_alphabet_are_refused_naming_the_field(personas, over, field, code):
    with pytest.raises(DomainError) as err:
        person_create(actor=personas["officer"], office=personas["office_a"], data=_foreigner(**over))
    assert (err.value.field, err.value.code) == (field, code)
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_omitted_citizenship_is_kazakhstan_so_the_name_must_be_cyrillic(personas):
    data = _foreigner()
    del data["citizenship"]
    with pytest.raises(DomainError) as err:
        person_create(actor=personas["officer"], office=personas["office_a"], data=data)
    assert err.value.code == "cyrillic_required"
    person = person_create(
        actor=personas["officer"], office=personas["office_a"], data={**data, "surname": "МЮЛЛЕР", "first_name": "АННА"}
    )
    assert (person.citizenship, person.surname_latin, person.first_name_latin) == ("KAZ", "MIULLER", "ANNA")


@pytest.mark.django_db
def test_a_corrected_name_gets_a_new_latin_form_unless_it_was_typed_by_hand(personas):
    officer = personas["officer"]
    person = person_create(
        actor=officer,
        office=personas["office_a"],
        data={
            "surname": "ЖАНАРОВ",
            "first_name": "Асхат",
            "birth_date": BIRTH,
            "sex": "M",
            "first_name_latin": "Askhat",
        },
    )
    assert person.surname_latin == "ZHANAROV"
    person_update(actor=officer, person=person, data={"surname": "Жанаров", "first_name": "Асқат"})
    person.refresh_from_db()
    assert (person.surname_latin, person.first_name_latin) == ("Zhanarov", "Askat")
    person_update(actor=officer, person=person, data={"surname": "Жаңаров", "surname_latin": "Janarov"})
    person.refresh_from_db()
    assert person.surname_latin == "Janarov"
    person_update(actor=officer, person=person, data={"surname": "Жанаров"})
    person.refresh_from_db()
    assert person.surname_latin == "Janarov"  # typed by hand: kept
    assert "janarov" in person.search_text


@pytest.mark.django_db
def test_unrelated_edit_keeps_an_old_latin_form_that_is_not_latin(personas):
    """Rows from before the check (the factory copies the Cyrillic) can still be edited."""
    person = PersonFactory(registered_office=personas["office_a"])
    assert isinstance(person, Person)
    person_update(actor=personas["officer"], person=person, data={"phone": "+7 701 000 00 00"})
    person.refresh_from_db()
    assert person.phone == "+7 701 000 00 00"
