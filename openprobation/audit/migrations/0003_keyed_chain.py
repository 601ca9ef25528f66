"""The keyed chain: each event records the id of the chain key its HMAC was made with (empty for
the events written before, which keep their plain SHA-256 hash; no row is rewritten).

On SQLite adding a NOT NULL column rebuilds the table, which drops its triggers: the append-only
triggers of 0002 are installed again afterwards.
"""

import importlib
from typing import Any

from django.db import migrations, models

append_only = importlib.import_module("openprobation.audit.migrations.0002_append_only_triggers")


def reinstall_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        append_only.backwards(apps, schema_editor)
        append_only.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        # Undoing the field rebuilds the table again: the triggers are put back after that too.
        migrations.RunPython(migrations.RunPython.noop, reinstall_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
