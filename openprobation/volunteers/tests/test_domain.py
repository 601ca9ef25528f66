"""Eligibility: one function, on a date, under the rule version in force on that date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from openprobation.rules.models import Rule
from openprobation.rules.rulebook import invalidate
from openprobation.volunteers.domain import check_valid_until, eligibility

D = dt.date


@dataclass
class C:
    kind: str
    passed: bool
    on: dt.date
    valid_until: dt.date


def passed(kind: str, on: dt.date, months: int = 12) -> C:
    return C(kind, True, on, check_valid_until(on, valid_months=months))


@pytest.fixture(autouse=True)
def _fresh_rules() -> Iterator[None]:
    invalidate()
    yield
    invalidate()


def test_a_check_is_valid_for_the_rules_months_to_the_day_before():
    assert check_valid_until(D(2026, 3, 15), valid_months=12) == D(2027, 3, 14)
    assert check_valid_until(D(2024, 1, 31), valid_months=1) == D(2024, 2, 28)


@pytest.mark.django_db
def test_eligible_when_active_and_every_required_check_is_passed_and_valid():
    checks = [passed("criminal_record", D(2026, 1, 10)), passed("training", D(2026, 2, 1))]
    result = eligibility(status="active", checks=checks, on=D(2026, 6, 1))
    assert result.eligible and result.reasons == []
    assert result.valid_until == D(2027, 1, 9)
    assert (result.rule_key, result.rule_version) == ("volunteers.checks", 1)


@pytest.mark.django_db
def test_missing_and_expired_checks_are_listed():
    checks = [passed("criminal_record", D(2024, 1, 10))]
    result = eligibility(status="active", checks=checks, on=D(2026, 6, 1))
    assert not result.eligible
    assert result.missing == ["training"] and result.expired == ["criminal_record"]
    assert result.message == "Criminal-record check expired on 09.01.2025. Training is missing."


@pytest.mark.django_db
def test_the_last_valid_day_counts_and_the_next_does_not():
    checks = [passed("criminal_record", D(2025, 6, 1)), passed("training", D(2025, 6, 1))]
    assert eligibility(status="active", checks=checks, on=D(2026, 5, 31)).eligible
    assert not eligibility(status="active", checks=checks, on=D(2026, 6, 1)).eligible


@pytest.mark.django_db
def test_a_failed_check_or_one_done_after_the_day_does_not_count():
    checks = [
        C("criminal_record", False, D(2026, 1, 10), D(2027, 1, 9)),
        passed("training", D(2026, 7, 1)),
    ]
    result = eligibility(status="active", checks=checks, on=D(2026, 6, 1))
    assert result.missing == ["criminal_record", "training"]


@pytest.mark.django_db
def test_a_suspended_volunteer_is_not_eligible_whatever_the_checks():
    checks = [passed("criminal_record", D(2026, 1, 10)), passed("training", D(2026, 1, 10))]
    result = eligibility(status="suspended", checks=checks, on=D(2026, 6, 1))
    assert not result.eligible and "not active" in result.message


@pytest.mark.django_db
def test_a_new_rule_version_requires_an_interview_from_its_day():
    first = Rule.objects.get(key="volunteers.checks", version=1)
    Rule.objects.filter(pk=first.pk).update(effective_to=D(2026, 8, 31))
    Rule.objects.create(
        key="volunteers.checks",
        version=2,
        title=first.title,
        effective_from=D(2026, 9, 1),
        params={"required": ["criminal_record", "training", "interview"], "valid_months": 24},
        source=first.source,
        status=first.status,
    )
    invalidate()
    checks = [passed("criminal_record", D(2026, 1, 10)), passed("training", D(2026, 1, 10))]
    before = eligibility(status="active", checks=checks, on=D(2026, 8, 31))
    after = eligibility(status="active", checks=checks, on=D(2026, 9, 1))
    assert before.eligible and before.rule_version == 1
    assert not after.eligible and after.missing == ["interview"] and after.rule_version == 2
