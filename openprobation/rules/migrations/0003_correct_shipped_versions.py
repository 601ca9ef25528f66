"""Correct four rule versions in databases that loaded them before the corrections.

The loader (``rulebook_load``, run after every migrate) creates missing versions and keeps the ones
present, so that an administrator's edits win; a corrected fixture alone therefore reaches only
fresh databases. These versions were wrong as shipped — not changed by a new law — so they keep
their numbers (a decision recorded under ``pretrial.eligibility`` v1 still cites the same rule) and
are corrected in place here, but only while they still hold exactly what was shipped: a version an
administrator has edited since is left alone (the loader's rule).

- pretrial.eligibility v1, penitentiary.release_preparation v1: in force from 17 January 2017, the
  day the Law "On Probation" took effect, not 1 January.
- calendar.kz.working_days v1, v2: split on 11 October 2022 (the 2022 holiday law) instead of the
  turn of the year, with the government's transfers and every Kurban Ait date; v2 now ends on
  30 June 2026 and the new v3 (Constitution of 2026) is created by the loader after this migration.

On a fresh database the table is empty here and the loader creates the corrected versions.
"""

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "rulebook.json"

# (key, version) -> what was shipped before: effective_from, effective_to, source, sha256 of params
SHIPPED_BEFORE = {
    ("pretrial.eligibility", 1): (
        "2017-01-01",
        None,
        "LoP ch. 3 (pre-trial probation); CPC on restraint measures",
        "ef11695341b57e58",
    ),
    ("penitentiary.release_preparation", 1): ("2017-01-01", None, "LoP ch. 3 (to be confirmed)", "b946aa8a96145db0"),
    ("calendar.kz.working_days", 1): (
        "2015-01-01",
        "2022-12-31",
        'Law "On holidays in the Republic of Kazakhstan"; Labour Code art. 85',
        "baac3b63ec91ed26",
    ),
    ("calendar.kz.working_days", 2): (
        "2023-01-01",
        None,
        'Law "On holidays in the Republic of Kazakhstan" (2022 amendments); Labour Code art. 85',
        "1721646b4c440f56",
    ),
}


def _params_digest(params):  # type: ignore[no-untyped-def]
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]


def _date(text):  # type: ignore[no-untyped-def]
    return dt.date.fromisoformat(text) if text else None


def correct_shipped_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule_model = apps.get_model("rules", "Rule")
    shipped_now = {(r["key"], r["version"]): r for r in json.loads(FIXTURE.read_text(encoding="utf-8"))["rules"]}
    for (key, version), (old_from, old_to, old_source, old_digest) in SHIPPED_BEFORE.items():
        row = rule_model.objects.filter(key=key, version=version).first()
        item = shipped_now.get((key, version))
        if row is None or item is None:
            continue
        untouched = (
            row.effective_from == _date(old_from)
            and row.effective_to == _date(old_to)
            and row.source == old_source
            and _params_digest(row.params) == old_digest
        )
        if not untouched:
            continue
        row.title = item["title"]
        row.effective_from = _date(item["effective_from"])
        row.effective_to = _date(item.get("effective_to"))
        row.params = item["params"]
        row.source = item["source"]
        row.source_kk = item.get("source_kk", "")
        row.source_ru = item.get("source_ru", "")
        row.status = item["status"]
        row.notes = item.get("notes", "")
        row.save()


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0002_rule_source_translations"),
    ]

    operations = [
        migrations.RunPython(correct_shipped_versions, migrations.RunPython.noop),
    ]
