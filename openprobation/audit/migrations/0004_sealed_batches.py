"""Sealed batches: events are no longer chained one by one under a lock held until commit; a sealer
seals committed events in batches (``AuditSeal``, linked to each other and, for the first one, to the
last chained event) and records which seal holds each event (``AuditSealMember``). Both tables are
append-only in the database, like the events (0002). No existing row is rewritten.

On SQLite adding columns to the chain head rebuilds only that table; the events' triggers are
reinstalled anyway, as in 0003, in case a later rebuild drops them.
"""

import importlib
from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

append_only = importlib.import_module("openprobation.audit.migrations.0002_append_only_triggers")

TABLES = ["audit_auditseal", "audit_auditsealmember"]


def _sqlite(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;",
    ]


POSTGRES_FUNCTION = """
    CREATE OR REPLACE FUNCTION audit_seal_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit seals are append-only';
    END;
    $$ LANGUAGE plpgsql;
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    # The chained events need no seal: the sealer starts after the last of them.
    schema_editor.execute("UPDATE audit_auditchainhead SET sealed_to = last_id")
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        append_only.backwards(apps, schema_editor)
        append_only.forwards(apps, schema_editor)
        for table in TABLES:
            for sql in _sqlite(table):
                schema_editor.execute(sql)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_seal_append_only();"
            )


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_seal_append_only();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain")]
    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="seal_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="seal_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="sealed_to",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="gaps",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("key_id", models.CharField(max_length=16)),
                ("events", models.TextField()),
                ("count", models.PositiveIntegerField()),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64, unique=True)),
            ],
            options={"verbose_name": "audit seal"},
        ),
        migrations.CreateModel(
            name="AuditSealMember",
            fields=[
                ("event_id", models.BigIntegerField(primary_key=True, serialize=False)),
                (
                    "seal",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="audit.auditseal",
                    ),
                ),
            ],
            options={"verbose_name": "audit seal member"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
