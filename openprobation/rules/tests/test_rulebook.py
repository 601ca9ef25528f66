"""The rulebook: the version in force on a date, caching and its invalidation, the loader, and the
shipped fixture itself."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator

import pytest

from openprobation.rules import rulebook
from openprobation.rules.models import Rule, RuleStatus
from openprobation.rules.rulebook import FIXTURE, RuleMissing, invalidate, rule, rulebook_load

D = dt.date
ROL = "sentence.restriction_of_liberty.term"


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    # The rule cache outlives a test's rolled-back transaction: drop it on both sides.
    invalidate()
    yield
    invalidate()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sentence_date", "min_months", "version"),
    [
        (D(2019, 6, 1), 12, 1),
        (D(2020, 1, 9), 12, 1),
        (D(2020, 1, 10), 6, 2),
        (D(2024, 3, 1), 6, 2),
    ],
)
def test_rule_returns_the_version_in_force_on_the_date(sentence_date, min_months, version):
    found = rule(ROL, on=sentence_date)
    assert found.version == version
    assert found["min_months"] == min_months
    assert found["max_months"] == 84
    assert found.source.startswith("CC art. 44(1)")
    assert found.get("absent", "default") == "default"


@pytest.mark.django_db
def test_unknown_rule_raises_rule_missing_naming_key_and_date():
    with pytest.raises(RuleMissing) as err:
        rule("no.such.rule", on=D(2026, 1, 1))
    assert "no.such.rule" in str(err.value)
    assert "2026-01-01" in str(err.value)
    assert "administrator" in str(err.value)


@pytest.mark.django_db
def test_rule_is_missing_before_its_first_version_takes_effect():
    with pytest.raises(RuleMissing):
        rule("pretrial.eligibility", on=D(2016, 12, 31))
    assert rule("pretrial.eligibility", on=D(2017, 1, 17)).version == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["pretrial.eligibility", "penitentiary.release_preparation"])
def test_the_law_on_probation_applies_from_its_entry_into_force_on_17_january_2017(key):
    # LoP of 30 December 2016 No. 38-VI: in force ten calendar days after its first publication
    with pytest.raises(RuleMissing):
        rule(key, on=D(2017, 1, 16))
    found = rule(key, on=D(2017, 1, 17))
    assert "17 January 2017" in found.source_en
    assert "ten calendar days" in found.source_en
    assert "17 қаңтар" in found.source_kk
    assert "17 января 2017" in found.source_ru


@pytest.mark.django_db
def test_rule_citation_gives_the_act_and_article_in_the_readers_language_never_the_key():
    from django.utils import translation

    from openprobation.rules.rulebook import rule_citation

    with translation.override("en"):
        assert rule_citation(ROL, 1) == "CC art. 44(1) (wording before the amendment lowering the minimum)"
        assert rule_citation(ROL, 2) == "CC art. 44(1)"
    with translation.override("ru"):
        assert rule_citation(ROL, 2) == "УК, ст. 44 ч. 1"
    with translation.override("kk"):
        assert rule_citation(ROL, 2) == "ҚК 44-бабының 1-бөлігі"
        assert ROL not in rule_citation(ROL, 2)
    assert rule_citation(ROL, 99) == ""
    assert rule_citation("no.such.rule", 1) == ""


@pytest.mark.django_db
def test_rule_citation_falls_back_to_english_when_a_language_is_missing():
    from django.utils import translation

    from openprobation.rules.rulebook import rule_citation

    Rule.objects.filter(key=ROL, version=2).update(source_kk="")
    invalidate()
    with translation.override("kk"):
        assert rule_citation(ROL, 2) == "CC art. 44(1)"


@pytest.mark.django_db
def test_rule_version_finds_a_given_version_of_a_key():
    from openprobation.rules.rulebook import rule_version

    found = rule_version(ROL, 1)
    assert found is not None
    assert (found.key, found.version, found["min_months"]) == (ROL, 1, 12)
    assert rule_version(ROL, 3) is None
    assert rule_version("no.such.rule", 1) is None


@pytest.mark.django_db
def test_effective_to_is_the_last_day_a_version_applies():
    Rule.objects.create(
        key="test.closed",
        version=1,
        title="A closed rule",
        effective_from=D(2020, 1, 1),
        effective_to=D(2020, 12, 31),
        params={"n": 1},
        source="Test act art. 1",
        status=RuleStatus.VERIFIED,
    )
    invalidate()
    assert rule("test.closed", on=D(2020, 12, 31))["n"] == 1
    with pytest.raises(RuleMissing):
        rule("test.closed", on=D(2021, 1, 1))


@pytest.mark.django_db
def test_rules_are_cached_until_invalidated():
    assert rule(ROL, on=D(2024, 1, 1))["min_months"] == 6
    Rule.objects.filter(key=ROL, version=2).update(params={"min_months": 5, "max_months": 84})
    assert rule(ROL, on=D(2024, 1, 1))["min_months"] == 6  # served from the cache
    invalidate()
    assert rule(ROL, on=D(2024, 1, 1))["min_months"] == 5


@pytest.mark.django_db
def test_new_version_saved_by_an_administrator_applies_from_its_date_after_invalidation():
    assert rule(ROL, on=D(2026, 2, 1)).version == 2
    Rule.objects.filter(key=ROL, version=2).update(effective_to=D(2025, 12, 31))
    Rule.objects.create(
        key=ROL,
        version=3,
        title="Restriction of liberty: amended term",
        effective_from=D(2026, 1, 1),
        params={"min_months": 3, "max_months": 84},
        source="CC art. 44(1) (amended)",
        status=RuleStatus.UNCONFIRMED,
    )
    invalidate()
    assert rule(ROL, on=D(2026, 2, 1)).version == 3
    assert rule(ROL, on=D(2026, 2, 1))["min_months"] == 3
    assert rule(ROL, on=D(2025, 12, 31)).version == 2
    assert rule(ROL, on=D(2019, 1, 1)).version == 1


@pytest.mark.django_db
def test_admin_save_invalidates_the_cache_and_is_audited(rf):
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.forms import modelform_factory

    from openprobation.audit.models import AuditEvent
    from openprobation.rules.admin import FIELDS
    from openprobation.testing.factories import UserFactory

    assert rule(ROL, on=D(2024, 1, 1))["min_months"] == 6
    user = UserFactory(username="rules_admin", role="system_admin", office=None, is_staff=True)
    model_admin = admin.site._registry[Rule]
    obj = Rule.objects.get(key=ROL, version=2)
    request = rf.post("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    form_class = modelform_factory(Rule, fields=FIELDS)
    data = {
        "key": obj.key,
        "version": obj.version,
        "title": obj.title,
        "effective_from": obj.effective_from.isoformat(),
        "effective_to": "",
        "params": json.dumps({"min_months": 4, "max_months": 84}),
        "source": obj.source,
        "status": obj.status,
        "notes": obj.notes,
    }
    form = form_class(data, instance=obj)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    assert rule(ROL, on=D(2024, 1, 1))["min_months"] == 4
    event = AuditEvent.objects.get(action="rule.change")
    assert event.changes["params"] == [{"max_months": 84, "min_months": 6}, {"max_months": 84, "min_months": 4}]


@pytest.mark.django_db
def test_rulebook_is_loaded_by_migrate_and_loading_again_changes_nothing():
    count = Rule.objects.count()
    shipped = len(json.loads(FIXTURE.read_text(encoding="utf-8"))["rules"])
    assert count == shipped
    assert rulebook_load() == (0, shipped)
    assert rulebook_load() == (0, shipped)
    assert Rule.objects.count() == shipped


@pytest.mark.django_db
def test_rulebook_load_keeps_an_administrators_edit_and_restores_a_missing_version():
    Rule.objects.filter(key="registration.other").update(params={"register_within_days": 7}, status="V")
    Rule.objects.filter(key="penitentiary.release_preparation").delete()
    created, kept = rulebook_load()
    assert created == 1
    edited = Rule.objects.get(key="registration.other", version=1)
    assert edited.params == {"register_within_days": 7}
    assert edited.status == "V"
    assert rule("registration.other", on=D(2026, 1, 1))["register_within_days"] == 7
    assert rule("penitentiary.release_preparation", on=D(2026, 1, 1))["months_before_release"] == 6
    assert kept == Rule.objects.count() - 1


# --- The shipped fixture --------------------------------------------------------------------------

FIXTURE_RULES = json.loads(FIXTURE.read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("item", FIXTURE_RULES, ids=[f"{r['key']}-v{r['version']}" for r in FIXTURE_RULES])
def test_every_shipped_rule_names_its_source_and_status(item):
    assert item["source"].strip()
    assert item["title"].strip()
    assert item["status"] in {"V", "S", "X"}
    assert item["status"] in RuleStatus.values
    assert isinstance(item["params"], dict)
    assert item["params"]
    start = D.fromisoformat(item["effective_from"])
    if item.get("effective_to"):
        assert D.fromisoformat(item["effective_to"]) >= start


def test_shipped_versions_of_a_key_are_unique_and_do_not_overlap():
    by_key: dict[str, list[dict]] = defaultdict(list)
    for item in FIXTURE_RULES:
        by_key[item["key"]].append(item)
    for key, items in by_key.items():
        versions = [i["version"] for i in items]
        assert len(versions) == len(set(versions)), key
        ordered = sorted(items, key=lambda i: i["effective_from"])
        assert [i["version"] for i in ordered] == sorted(versions), f"{key}: later versions must start later"
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            assert earlier.get("effective_to"), f"{key} v{earlier['version']} is open-ended but a later version exists"
            assert D.fromisoformat(earlier["effective_to"]) < D.fromisoformat(later["effective_from"]), key


def test_every_rule_the_code_reads_is_shipped():
    keys = {item["key"] for item in FIXTURE_RULES}
    for key in (
        "pretrial.eligibility",
        ROL,
        "sentence.conditional.control_period",
        "sentence.forced_labour",
        "registration.deferral_release",
        "registration.other",
        "calendar.kz.working_days",
    ):
        assert key in keys
    assert rulebook.FIXTURE.is_file()
