"""Databases loaded before the corrections get the corrected versions, unless an administrator has
edited them since (migration rules 0003)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps

from openprobation.rules.models import Rule
from openprobation.rules.rulebook import FIXTURE, invalidate, rule

D = dt.date
MIGRATION = importlib.import_module("openprobation.rules.migrations.0003_correct_shipped_versions")
SHIPPED_BEFORE = json.loads(
    """
    {"pretrial.eligibility": {"effective_from": "2017-01-01", "source": "LoP ch. 3 (pre-trial probation); CPC on restraint measures"},
     "penitentiary.release_preparation": {"effective_from": "2017-01-01", "source": "LoP ch. 3 (to be confirmed)"}}
    """
)


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    invalidate()
    yield
    invalidate()


def _as_shipped_before() -> None:
    """Put the four versions back as the previous fixture shipped them."""
    for key, fields in SHIPPED_BEFORE.items():
        Rule.objects.filter(key=key, version=1).update(
            effective_from=D.fromisoformat(fields["effective_from"]), source=fields["source"]
        )
    # The disability groups moved into the rule later (migration 0004); the old params lacked them.
    pretrial = Rule.objects.get(key="pretrial.eligibility", version=1)
    Rule.objects.filter(pk=pretrial.pk).update(
        params={k: v for k, v in pretrial.params.items() if k != "disability_groups"}
    )
    old_calendar = _previous_calendar_params()
    Rule.objects.filter(key="calendar.kz.working_days", version=3).delete()
    Rule.objects.filter(key="calendar.kz.working_days", version=1).update(
        effective_to=D(2022, 12, 31),
        params=old_calendar[1],
        source='Law "On holidays in the Republic of Kazakhstan"; Labour Code art. 85',
    )
    Rule.objects.filter(key="calendar.kz.working_days", version=2).update(
        effective_from=D(2023, 1, 1),
        effective_to=None,
        params=old_calendar[2],
        source='Law "On holidays in the Republic of Kazakhstan" (2022 amendments); Labour Code art. 85',
    )
    invalidate()


def _previous_calendar_params() -> dict[int, dict]:
    """The calendar params as shipped before the corrections (no transfers; Kurban Ait from 2019)."""
    v1: dict[str, Any] = {
        "weekend": [5, 6],
        "fixed_holidays": [
            {"date": "01-01", "name": "New Year"},
            {"date": "01-02", "name": "New Year"},
            {"date": "01-07", "name": "Orthodox Christmas", "moves": False},
            {"date": "03-08", "name": "International Women's Day"},
            {"date": "03-21", "name": "Nauryz"},
            {"date": "03-22", "name": "Nauryz"},
            {"date": "03-23", "name": "Nauryz"},
            {"date": "05-01", "name": "Unity Day"},
            {"date": "05-07", "name": "Defender of the Fatherland Day"},
            {"date": "05-09", "name": "Victory Day"},
            {"date": "07-06", "name": "Capital Day"},
            {"date": "08-30", "name": "Constitution Day"},
            {"date": "12-01", "name": "First President Day"},
            {"date": "12-16", "name": "Independence Day"},
            {"date": "12-17", "name": "Independence Day"},
        ],
        "dated_holidays": [
            {"date": d, "name": "Kurban Ait"} for d in ("2019-08-11", "2020-07-31", "2021-07-20", "2022-07-09")
        ],
        "extra_days_off": [],
        "extra_working_days": [],
    }
    v2 = {
        **v1,
        "fixed_holidays": [h for h in v1["fixed_holidays"] if h["date"] not in {"08-30", "12-01", "12-16", "12-17"}]
        + [
            {"date": "08-30", "name": "Constitution Day"},
            {"date": "10-25", "name": "Republic Day"},
            {"date": "12-16", "name": "Independence Day"},
        ],
        "dated_holidays": [
            {"date": d, "name": "Kurban Ait"}
            for d in ("2023-06-28", "2024-06-16", "2025-06-06", "2026-05-27", "2027-05-16")
        ],
    }
    return {1: v1, 2: v2}


@pytest.mark.django_db
def test_versions_still_as_shipped_before_are_corrected_and_the_loader_adds_the_new_one():
    from openprobation.rules.rulebook import rulebook_load

    _as_shipped_before()
    assert rule("pretrial.eligibility", on=D(2017, 1, 2)).version == 1  # the old, wrong start
    assert not rule("calendar.kz.working_days", on=D(2022, 12, 1)).params.get("transfers")
    MIGRATION.correct_shipped_versions(django_apps, None)
    rulebook_load()
    invalidate()
    assert Rule.objects.get(key="pretrial.eligibility", version=1).effective_from == D(2017, 1, 17)
    assert Rule.objects.get(key="penitentiary.release_preparation", version=1).effective_from == D(2017, 1, 17)
    assert rule("calendar.kz.working_days", on=D(2022, 10, 10)).version == 1
    assert rule("calendar.kz.working_days", on=D(2022, 10, 11)).version == 2
    assert rule("calendar.kz.working_days", on=D(2026, 7, 1)).version == 3
    assert rule("calendar.kz.working_days", on=D(2024, 5, 8)).params["transfers"]
    assert Rule.objects.get(key="calendar.kz.working_days", version=1).params == next(
        r["params"]
        for r in json.loads(FIXTURE.read_text(encoding="utf-8"))["rules"]
        if r["key"] == "calendar.kz.working_days" and r["version"] == 1
    )


@pytest.mark.django_db
def test_a_version_an_administrator_edited_is_left_alone():
    _as_shipped_before()
    Rule.objects.filter(key="pretrial.eligibility", version=1).update(notes="Checked by the office", source="LoP")
    Rule.objects.filter(key="calendar.kz.working_days", version=2).update(
        params={**_previous_calendar_params()[2], "extra_days_off": ["2026-01-05"]}
    )
    MIGRATION.correct_shipped_versions(django_apps, None)
    edited = Rule.objects.get(key="pretrial.eligibility", version=1)
    assert (edited.effective_from, edited.source) == (D(2017, 1, 1), "LoP")
    calendar = Rule.objects.get(key="calendar.kz.working_days", version=2)
    assert calendar.effective_from == D(2023, 1, 1)
    assert calendar.params["extra_days_off"] == ["2026-01-05"]
    # the untouched ones are still corrected
    assert Rule.objects.get(key="penitentiary.release_preparation", version=1).effective_from == D(2017, 1, 17)
    assert Rule.objects.get(key="calendar.kz.working_days", version=1).effective_to == D(2022, 10, 10)
