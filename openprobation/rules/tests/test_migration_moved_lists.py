"""Databases loaded before the legal lists moved into the rulebook get the new parameters (migration
rules 0004), and an administrator's other edits stay."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from openprobation.rules.models import Rule
from openprobation.rules.schemas import param_errors

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("openprobation.rules.migrations.0004_lists_moved_into_the_rulebook")


def test_missing_parameters_are_added_and_other_edits_are_kept():
    labour = Rule.objects.get(key="sentence.forced_labour", version=1)
    old = {k: v for k, v in labour.params.items() if k not in ("work_statuses", "education_statuses")}
    old["hours_per_year"] = 90  # an administrator's edit
    Rule.objects.filter(pk=labour.pk).update(params=old)
    deferral = Rule.objects.get(key="registration.deferral_release", version=1)
    Rule.objects.filter(pk=deferral.pk).update(
        params={"register_within_working_days": 3, "search_after_days": 14, "sentence_kinds": ["deferral", "parole"]}
    )
    MIGRATION.add_missing_params(django_apps, None)
    labour.refresh_from_db()
    deferral.refresh_from_db()
    assert labour.params["work_statuses"] == ["employed", "self_employed"]
    assert labour.params["education_statuses"] == ["student"]
    assert labour.params["hours_per_year"] == 90
    assert deferral.params["end_moves_to_working_day"] is True
    assert deferral.params["sentence_kinds"] == ["deferral", "parole"]  # present: left as edited
    assert param_errors("sentence.forced_labour", labour.params) == []
    assert param_errors("registration.deferral_release", deferral.params) == []
