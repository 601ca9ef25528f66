"""Kazakh letters fold to their Russian-keyboard counterparts in the index, the query and the
near-duplicate check, so "бекмухан" finds "Бекмұхан" (issue 7, Search)."""

import datetime as dt
import importlib

import pytest
from django.db import connection

from openprobation.people.models import Person, fold, make_name_key
from openprobation.people.selectors import person_search
from openprobation.people.services import DuplicatePersonError, person_create
from openprobation.people.translit import search_fold
from openprobation.testing.factories import a_person

PAIRS = [
    ("ә", "а"), ("ғ", "г"), ("қ", "к"), ("ң", "н"), ("ө", "о"), ("ұ", "у"), ("ү", "у"), ("һ", "х"), ("і", "и"),
    ("ё", "е"),
]  # fmt: skip


@pytest.mark.parametrize(("kazakh", "russian"), PAIRS)
def test_each_kazakh_letter_folds_to_its_russian_keyboard_letter_in_either_case(kazakh, russian):
    assert search_fold(kazakh) == russian
    assert search_fold(kazakh.upper()) == russian
    assert search_fold(f"Б{kazakh.upper()}к") == f"б{russian}к"


def test_folding_keeps_other_letters_and_strips_latin_accents():
    assert search_fold("  Бекмұханов ") == "бекмуханов"
    assert search_fold("ӘЛІҚҰЛЫ") == "аликулы"
    assert search_fold("Müller") == "muller"
    # й stays й (it is a letter of its own, not и with a mark), also when typed decomposed.
    assert search_fold("Қайрат") == "кайрат"
    assert search_fold("Каи\u0306рат") == "кайрат"
    assert fold is not None and fold("Бекмұхан") == search_fold("Бекмұхан")


def test_the_duplicate_key_uses_the_same_folding():
    assert make_name_key("Бекмұханов", "Әлия") == make_name_key("Бекмуханов", "Алия")


def _register(personas, surname, first_name, **extra):
    return person_create(
        actor=personas["officer"],
        office=personas["office_a"],
        data={"surname": surname, "first_name": first_name, "birth_date": dt.date(1985, 3, 4), "sex": "F", **extra},
        **{k: v for k, v in extra.items() if k == "confirm_not_duplicate"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["бекмухан", "БЕКМУХАН", "Бекмұхан", "бекмұх", "bekmukhan", "алия бекмух"])
def test_a_name_typed_without_kazakh_letters_finds_the_kazakh_name(personas, query):
    person = _register(personas, "Бекмұханова", "Әлия")
    other = _register(personas, "Иванова", "Мария")
    found = list(person_search(user=personas["officer"], query=query))
    assert found == [person]
    assert other not in found


@pytest.mark.django_db
def test_a_kazakh_query_finds_a_name_stored_with_russian_letters(personas):
    person = _register(personas, "Кайратова", "Гулнур")
    assert list(person_search(user=personas["officer"], query="Қайратова Гүлнұр")) == [person]


@pytest.mark.django_db
def test_near_duplicate_detection_folds_kazakh_letters(personas):
    _register(personas, "Бекмұханова", "Әлия")
    with pytest.raises(DuplicatePersonError) as err:
        _register(personas, "Бекмуханова", "Алия")
    assert err.value.answer.code == "possible_duplicate"
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_the_data_migration_rebuilds_stored_search_text_and_duplicate_key(personas):
    person = a_person(surname="Бекмұханов", first_name="Ерғали", registered_office=personas["office_a"])
    Person.objects.filter(pk=person.pk).update(search_text="бекмұханов ерғали", name_key="бекмұханов|ерғали")
    migration = importlib.import_module("openprobation.people.migrations.0003_search_fold_trigram")
    from django.apps import apps

    migration.rebuild_search_keys(apps, None)
    person.refresh_from_db()
    assert person.search_text.startswith("бекмуханов ергали")
    assert person.name_key == "бекмуханов|ергали"


@pytest.mark.django_db
def test_on_postgresql_a_trigram_index_serves_the_contains_search(personas):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'person_search_trgm_idx'")
        (definition,) = cursor.fetchone()
        assert "gin_trgm_ops" in definition
        # A realistic table: many people, few matching; the planner then reads the trigram index.
        office = personas["office_a"]
        Person.objects.bulk_create(
            Person(
                surname=f"Фамилия{i}",
                first_name="Имя",
                birth_date=dt.date(1980, 1, 1),
                sex="M",
                registered_office=office,
                name_key=f"фамилия{i}|имя",
                search_text=f"фамилия{i} имя familiia{i} imia",
            )
            for i in range(20000)
        )
        cursor.execute("ANALYZE people_person")
        # The planner's choice between the index and a scan of a table this small varies with the
        # machine's load; with scans priced out, a plan through the index shows it can serve the
        # contains search (a wrong operator class would leave a scan).
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Person.objects.filter(search_text__contains=fold("Бекмұхан")).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_search_trgm_idx" in plan
