"""Lists that were written in Python now live in the rulebook as parameters of existing versions.

A database loaded before keeps its versions (the loader never overwrites them), so the new
parameters are added here where they are missing, with the values shipped in the fixture — which
include two corrections: "in education" as an employment status counts as education for forced
labour, and PEC art. 163's two weeks end on the next working day when the last day is a day off
(Civil Code counting). Any other edit an administrator made stays. New rule keys (sentence kinds, kinds by type, the
extension cap) are created by the loader after migrating.
"""

from django.db import migrations

# (key, version) -> parameters added, as shipped
ADDED = {
    ("pretrial.eligibility", 1): {"disability_groups": [1, 2, 3]},
    ("sentence.forced_labour", 1): {"work_statuses": ["employed", "self_employed"], "education_statuses": ["student"]},
    ("registration.deferral_release", 1): {"sentence_kinds": ["deferral"], "end_moves_to_working_day": True},
}


def add_missing_params(apps, schema_editor):  # type: ignore[no-untyped-def]
    rule_model = apps.get_model("rules", "Rule")
    for (key, version), added in ADDED.items():
        row = rule_model.objects.filter(key=key, version=version).first()
        if row is None:
            continue
        missing = {name: value for name, value in added.items() if name not in row.params}
        if missing:
            row.params = {**row.params, **missing}
            row.save(update_fields=["params", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0003_correct_shipped_versions"),
    ]

    operations = [
        migrations.RunPython(add_missing_params, migrations.RunPython.noop),
    ]
