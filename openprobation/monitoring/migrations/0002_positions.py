"""Positions: on PostgreSQL a table partitioned by day of the fix time (partitions are created
ahead and dropped after the retention period by ``monitoring.partitions``; a default partition
catches a fix outside them, so nothing is lost); elsewhere (SQLite) a plain table. The primary key
(device, fix time, sequence) is the idempotency key and the index of a device's track."""

from django.db import migrations, models

POSTGRES_TABLE = """
CREATE TABLE monitoring_position (
    device_id bigint NOT NULL,
    fix_time timestamptz NOT NULL,
    seq bigint NOT NULL,
    received_at timestamptz NOT NULL,
    assignment_id bigint NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    accuracy_m double precision NULL,
    battery smallint NULL,
    speed double precision NULL,
    course smallint NULL,
    strap smallint NULL,
    fix smallint NOT NULL DEFAULT 0,
    charging boolean NULL,
    flags integer NOT NULL DEFAULT 0,
    channel smallint NOT NULL,
    PRIMARY KEY (device_id, fix_time, seq)
) PARTITION BY RANGE (fix_time);
CREATE TABLE monitoring_position_default PARTITION OF monitoring_position DEFAULT;
"""


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_TABLE)
    else:
        schema_editor.create_model(apps.get_model("monitoring", "Position"))


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE monitoring_position CASCADE")
    else:
        schema_editor.delete_model(apps.get_model("monitoring", "Position"))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [
        # The model enters the state only; the table is made below, per database.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Position",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "device_id",
                                "fix_time",
                                "seq",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("device_id", models.BigIntegerField()),
                        ("fix_time", models.DateTimeField()),
                        ("seq", models.BigIntegerField(help_text="-1 when the device sends no sequence number")),
                        ("received_at", models.DateTimeField()),
                        ("assignment_id", models.BigIntegerField(null=True)),
                        ("lat", models.FloatField()),
                        ("lon", models.FloatField()),
                        ("accuracy_m", models.FloatField(null=True)),
                        ("battery", models.SmallIntegerField(null=True)),
                        ("speed", models.FloatField(null=True)),
                        ("course", models.SmallIntegerField(null=True)),
                        ("strap", models.SmallIntegerField(null=True)),
                        ("fix", models.SmallIntegerField(default=0)),
                        ("charging", models.BooleanField(null=True)),
                        (
                            "flags",
                            models.IntegerField(default=0, help_text="engine flags: late, duplicate, zone membership"),
                        ),
                        (
                            "channel",
                            models.SmallIntegerField(
                                choices=[(1, "HTTP (OwnTracks JSON)"), (2, "HTTP (OsmAnd)"), (3, "MQTT")]
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "position",
                        "verbose_name_plural": "positions",
                    },
                ),
            ],
        ),
        migrations.RunPython(create_table, drop_table),
    ]
