"""Typed rule parameters: every rule key declares the shape of its params; the loader and the admin
refuse a version that does not match (or a key without a schema), naming the field path."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.rules import schemas
from openprobation.rules.models import Rule
from openprobation.rules.rulebook import FIXTURE, invalidate, rule, rulebook_load
from openprobation.rules.schemas import (
    SCHEMAS,
    Int,
    InvalidRuleParams,
    ListOf,
    Params,
    param_errors,
    register_schema,
    rule_schema,
    validate_params,
)

FIXTURE_RULES = json.loads(FIXTURE.read_text(encoding="utf-8"))["rules"]
TERM = "sentence.restriction_of_liberty.term"
CALENDAR = "calendar.kz.working_days"


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    invalidate()
    yield
    invalidate()


def messages(key: str, params: object) -> list[str]:
    return [str(e) for e in param_errors(key, params)]


def shipped(key: str) -> dict:
    return copy.deepcopy(next(r["params"] for r in FIXTURE_RULES if r["key"] == key))


# --- The schemas themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("item", FIXTURE_RULES, ids=[f"{r['key']}-v{r['version']}" for r in FIXTURE_RULES])
def test_every_shipped_rule_version_matches_the_schema_of_its_key(item):
    assert rule_schema(item["key"]) is not None
    assert messages(item["key"], item["params"]) == []


def test_every_schema_belongs_to_a_shipped_rule():
    assert set(SCHEMAS) == {r["key"] for r in FIXTURE_RULES}


def test_a_number_given_as_text_is_refused_with_its_path():
    params = {"min_months": "6", "max_months": 84}
    assert messages(TERM, params) == ["params.min_months: expected a whole number"]


def test_true_and_false_are_not_numbers():
    assert messages(TERM, {"min_months": True, "max_months": 84}) == ["params.min_months: expected a whole number"]


def test_bounds_missing_and_unknown_fields_are_each_named():
    found = messages(TERM, {"min_months": -1, "max_month": 84})
    assert found == [
        "params.min_months: must be at least 0",
        "params.max_months: is required",
        "params.max_month: is not a parameter of this rule",
    ]


def test_a_lower_bound_above_the_upper_bound_is_refused():
    assert messages(TERM, {"min_months": 90, "max_months": 84}) == ["params.min_months: must not exceed max_months"]


def test_params_must_be_an_object():
    assert messages(TERM, [6, 84]) == ["params: expected an object"]


def test_a_code_the_services_do_not_know_is_refused_in_a_list():
    params = shipped("pretrial.eligibility")
    params["categories"][2] = "woman_eldery"
    params["excluded_restraint_measures"] = "house_arrest"
    found = messages("pretrial.eligibility", params)
    assert found[0].startswith("params.categories[2]: expected one of: disability, man_alone_child_under_age")
    assert found[1] == "params.excluded_restraint_measures: expected a list"


def test_a_repeated_item_and_an_empty_required_list_are_refused():
    params = shipped("sentence.forced_labour")
    params["disability_groups"] = [1, 1]
    assert messages("sentence.forced_labour", params) == ["params.disability_groups[1]: repeats an earlier item"]
    params = shipped("pretrial.eligibility")
    params["categories"] = []
    assert messages("pretrial.eligibility", params) == ["params.categories: expected at least 1 item(s)"]


def test_flags_must_be_true_or_false():
    params = shipped("pretrial.eligibility")
    params["consent_required"] = "yes"
    assert messages("pretrial.eligibility", params) == ["params.consent_required: expected true or false"]


def test_calendar_dates_are_checked_deep_inside_the_holiday_lists():
    params = shipped(CALENDAR)
    params["fixed_holidays"][0]["date"] = "02-30"
    params["fixed_holidays"][1]["moves"] = "no"
    params["fixed_holidays"][2]["name"] = ""
    params["dated_holidays"][0]["date"] = "2024-13-01"
    params["transfers"][0]["working_day"] = "4 May 2024"
    params["weekend"] = [5, 7]
    params["provisional_years"] = ["2027"]
    assert messages(CALENDAR, params) == [
        "params.weekend[1]: must be at most 6",
        "params.fixed_holidays[0].date: expected a day of the year as MM-DD",
        "params.fixed_holidays[1].moves: expected true or false",
        "params.fixed_holidays[2].name: expected non-empty text",
        "params.dated_holidays[0].date: expected a date as YYYY-MM-DD",
        "params.transfers[0].working_day: expected a date as YYYY-MM-DD",
        "params.provisional_years[0]: expected a whole number",
    ]


def test_29_february_is_not_a_yearly_holiday_date():
    params = shipped(CALENDAR)
    params["fixed_holidays"].append({"date": "02-29", "name": "Leap day"})
    assert messages(CALENDAR, params) == [
        f"params.fixed_holidays[{len(params['fixed_holidays']) - 1}].date: expected a day of the year as MM-DD"
    ]


def test_a_transfer_must_move_the_day_off_somewhere_else():
    params = shipped(CALENDAR)
    params["transfers"][0]["working_day"] = params["transfers"][0]["day_off"]
    assert messages(CALENDAR, params) == ["params.transfers[0].working_day: must differ from the day off it pays for"]


def test_the_old_calendar_shape_without_transfers_is_still_accepted():
    params = shipped(CALENDAR)
    del params["transfers"]
    del params["provisional_years"]
    params["extra_days_off"] = ["2024-05-08"]
    params["extra_working_days"] = ["2024-05-04"]
    assert messages(CALENDAR, params) == []


def test_a_key_without_a_schema_is_refused():
    assert messages("no.such.rule", {"n": 1}) == [
        "key: the rule key “no.such.rule” has no declared parameters; it must be registered in the code first"
    ]
    with pytest.raises(InvalidRuleParams) as err:
        validate_params("no.such.rule", {})
    assert err.value.field == "params"
    assert "no.such.rule" in str(err.value)


def test_validate_params_passes_a_matching_version_and_names_every_mismatch_otherwise():
    validate_params(TERM, {"min_months": 6, "max_months": 84})
    with pytest.raises(InvalidRuleParams) as err:
        validate_params(TERM, {"min_months": "six", "max_months": 84.5})
    assert [e.path for e in err.value.errors] == ["params.min_months", "params.max_months"]
    assert str(err.value) == "params.min_months: expected a whole number; params.max_months: expected a whole number"


def test_a_new_rule_key_is_registered_by_one_call(monkeypatch):
    monkeypatch.setattr(schemas, "SCHEMAS", dict(SCHEMAS))
    register_schema("test.visits", Params({"per_week": Int(min=1, max=7), "days": ListOf(Int(min=0, max=6))}))
    assert messages("test.visits", {"per_week": 3, "days": [0, 2, 4]}) == []
    assert messages("test.visits", {"per_week": 8, "days": []}) == ["params.per_week: must be at most 7"]
    with pytest.raises(ValueError):
        register_schema("test.visits", Params({}))


def test_errors_are_translated(settings):
    from django.utils import translation

    with translation.override("ru"):
        text = messages(TERM, {"min_months": "6", "max_months": 84})[0]
    assert text.startswith("params.min_months: ")


# --- The loader -----------------------------------------------------------------------------------


def _fixture_with(tmp_path, change):
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(data["rules"])
    path = tmp_path / "rulebook.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_loader_refuses_a_version_whose_params_do_not_match_and_loads_nothing(tmp_path):
    Rule.objects.filter(key="registration.other").delete()

    def break_term(rules):
        next(r for r in rules if r["key"] == TERM and r["version"] == 2)["params"]["min_months"] = "6"

    with pytest.raises(InvalidRuleParams) as err:
        rulebook_load(path=_fixture_with(tmp_path, break_term))
    assert str(err.value) == f"{TERM} v2 params.min_months: expected a whole number"
    assert not Rule.objects.filter(key="registration.other").exists()


@pytest.mark.django_db
def test_loader_refuses_an_unknown_rule_key(tmp_path):
    def add_unknown(rules):
        rules.append({**rules[0], "key": "no.such.rule", "version": 1})

    with pytest.raises(InvalidRuleParams) as err:
        rulebook_load(path=_fixture_with(tmp_path, add_unknown))
    assert "no.such.rule v1 key" in str(err.value)
    assert not Rule.objects.filter(key="no.such.rule").exists()


# --- The admin --------------------------------------------------------------------------------------


def admin_client(personas) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["sysadmin"])
    return client


def new_version(**overrides) -> dict:
    data = {
        "key": "registration.other",
        "version": 2,
        "title": "Other registrations (confirmed)",
        "effective_from": "2030-01-01",
        "params": '{"register_within_days": 7}',
        "source": "Order 511",
        "status": "V",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ('{"register_within_days": "7"}', "params.register_within_days: expected a whole number"),
        ('{"register_within_day": 7}', "params.register_within_days: is required"),
        ('{"register_within_days": 0}', "params.register_within_days: must be at least 1"),
    ],
)
def test_admin_refuses_bad_params_shows_the_error_and_saves_nothing(personas, params, shown):
    response = admin_client(personas).post(reverse("admin:rules_rule_add"), new_version(params=params))
    assert response.status_code == 200
    assert shown in response.content.decode()
    assert not Rule.objects.filter(key="registration.other", version=2).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_admin_refuses_a_rule_key_without_a_schema(personas):
    response = admin_client(personas).post(
        reverse("admin:rules_rule_add"), new_version(key="registration.othr", params='{"register_within_days": 7}')
    )
    assert response.status_code == 200
    assert "has no declared parameters" in response.content.decode()
    assert not Rule.objects.filter(key="registration.othr").exists()


@pytest.mark.django_db
def test_admin_edit_with_a_typo_keeps_the_version_in_force_unchanged(personas):
    current = Rule.objects.get(key=TERM, version=2)
    response = admin_client(personas).post(
        reverse("admin:rules_rule_change", args=[current.pk]),
        {
            "key": TERM,
            "version": 2,
            "title": current.title,
            "effective_from": current.effective_from.isoformat(),
            "effective_to": "",
            "params": '{"min_months": "6 months", "max_months": 84}',
            "source": current.source,
            "source_kk": current.source_kk,
            "source_ru": current.source_ru,
            "status": current.status,
            "notes": current.notes,
        },
    )
    assert response.status_code == 200
    assert "params.min_months: expected a whole number" in response.content.decode()
    current.refresh_from_db()
    assert current.params == {"min_months": 6, "max_months": 84}
    assert rule(TERM, on=current.effective_from)["min_months"] == 6
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_admin_still_saves_matching_params(personas):
    response = admin_client(personas).post(reverse("admin:rules_rule_add"), new_version())
    assert response.status_code == 302
    assert Rule.objects.get(key="registration.other", version=2).params == {"register_within_days": 7}
