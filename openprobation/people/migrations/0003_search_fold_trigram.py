"""Names are folded for search (Kazakh letters read as their Russian-keyboard counterparts): the
stored search text and duplicate key are rebuilt, and on PostgreSQL a trigram index (pg_trgm)
serves the "contains" search. SQLite has no trigram index; the search works the same there."""

from django.db import migrations

from openprobation.people.translit import search_fold

TRIGRAM_INDEX = "person_search_trgm_idx"


def _fold_names(*names):  # type: ignore[no-untyped-def]
    return " ".join(search_fold(n) for n in names if n)


def rebuild_search_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    person_model = apps.get_model("people", "Person")
    batch = []
    fields = ("surname", "first_name", "patronymic", "surname_latin", "first_name_latin", "patronymic_latin")
    for person in person_model.objects.only(*fields).order_by("pk").iterator(chunk_size=2000):
        person.search_text = _fold_names(*(getattr(person, f) for f in fields))
        person.name_key = f"{search_fold(person.surname)}|{search_fold(person.first_name)}"
        batch.append(person)
        if len(batch) >= 2000:
            person_model.objects.bulk_update(batch, ["search_text", "name_key"])
            batch = []
    if batch:
        person_model.objects.bulk_update(batch, ["search_text", "name_key"])


def create_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON people_person USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_person_search_text"),
    ]

    operations = [
        migrations.RunPython(rebuild_search_keys, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
