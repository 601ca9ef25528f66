"""Scoping by relationship (partner staff, monitoring operators) and aggregates only (analysts).

The apps that own the ties arrive later (programmes, monitoring); here a relationship is registered
the way they will register theirs, and the selectors must honour it — and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import QuerySet

from openprobation.accounts import roles, scoping
from openprobation.accounts.models import Role, User
from openprobation.accounts.scoping import (
    AggregateOnly,
    CaseAction,
    Scope,
    may,
    monitored_region_ids,
    register_relationship,
    scope_of,
    unregister_relationship,
)
from openprobation.cases.models import Case, CaseStatus
from openprobation.cases.selectors import case_aggregates, case_qs_for_user
from openprobation.people.models import Person
from openprobation.people.selectors import person_qs_for_user
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db


class ChosenCases:
    """A stand-in tie: the cases listed for each user id (as a referral or an EM assignment would)."""

    def __init__(self, chosen: dict[int, list[int]]):
        self.chosen = chosen

    def case_ids(self, user: User) -> QuerySet[Any]:
        return Case.objects.filter(pk__in=self.chosen.get(user.pk, [])).values("pk")

    def person_ids(self, user: User) -> QuerySet[Any]:
        return Case.objects.filter(pk__in=self.chosen.get(user.pk, [])).values("person_id")


@pytest.fixture
def world(personas):
    a = a_case(person=a_person(registered_office=personas["office_a"]), status=CaseStatus.ACTIVE)
    c = a_case(person=a_person(registered_office=personas["office_c"]), status=CaseStatus.ACTIVE)
    return {**personas, "case_a": a, "case_c": c}


@pytest.fixture
def _no_relationships() -> Iterator[None]:
    """No relationship during the test; those the apps registered are put back after it."""
    registered = dict(scoping._relationships)
    unregister_relationship(Role.PARTNER_STAFF)
    unregister_relationship(Role.MONITORING_OPERATOR)
    yield
    unregister_relationship(Role.PARTNER_STAFF)
    unregister_relationship(Role.MONITORING_OPERATOR)
    for role, relationship in registered.items():
        register_relationship(role, relationship)


@pytest.fixture
def _may_view_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the relationship-scoped roles the capability to open case pages (the partner portal's
    staff and, until their module arrives, monitoring operators hold none: the case and person
    selectors then hand them nothing, whatever their relationship)."""
    for role in (Role.PARTNER_STAFF, Role.MONITORING_OPERATOR):
        monkeypatch.setitem(roles.ROLE_CAPS, role, roles.ROLE_CAPS[role] | {roles.Cap.CASE_VIEW})


def test_each_role_declares_its_kind_of_scope(personas):
    assert scope_of(personas["officer"]) is Scope.JURISDICTION
    assert scope_of(personas["court_liaison"]) is Scope.JURISDICTION
    assert scope_of(personas["partner"]) is Scope.RELATIONSHIP
    assert scope_of(personas["monitoring"]) is Scope.RELATIONSHIP
    assert scope_of(personas["analyst"]) is Scope.AGGREGATE
    assert scope_of(personas["auditor"]) is Scope.NONE
    assert scope_of(personas["sysadmin"]) is Scope.NONE


@pytest.mark.usefixtures("_no_relationships")
def test_without_a_registered_relationship_partner_and_monitoring_staff_see_nothing(world):
    for who in ("partner", "monitoring"):
        assert not case_qs_for_user(world[who]).exists()
        assert not person_qs_for_user(world[who]).exists()


@pytest.mark.usefixtures("_no_relationships")
def test_without_the_capability_a_relationship_opens_no_case_page(world):
    partner = world["partner"]
    register_relationship(Role.PARTNER_STAFF, ChosenCases({partner.pk: [world["case_c"].pk]}))
    assert not case_qs_for_user(partner).exists()
    assert not person_qs_for_user(partner).exists()


@pytest.mark.usefixtures("_no_relationships", "_may_view_cases")
def test_partner_staff_see_only_what_is_referred_to_them_whatever_the_region(world):
    partner = world["partner"]  # national: the relationship, not a placement, decides what they see
    register_relationship(Role.PARTNER_STAFF, ChosenCases({partner.pk: [world["case_c"].pk]}))
    assert list(case_qs_for_user(partner)) == [world["case_c"]]
    assert list(person_qs_for_user(partner)) == [world["case_c"].person]
    assert not case_qs_for_user(partner).filter(pk=world["case_a"].pk).exists()
    # Reading what is referred is not a licence to change the case.
    assert not any(may(partner, action, world["case_c"]) for action in CaseAction)
    # Other roles are not affected by the partner relationship.
    assert list(case_qs_for_user(world["officer"])) == [world["case_a"]]


@pytest.mark.usefixtures("_no_relationships", "_may_view_cases")
def test_monitoring_operators_see_the_people_their_relationship_names_in_their_regions(world):
    operator = world["monitoring"]
    operator.monitored_regions.set([world["south"]])
    assert monitored_region_ids(operator) == [world["south"].pk]
    assert monitored_region_ids(world["officer"]) == []

    class MonitoredInRegions(ChosenCases):
        def case_ids(self, user: User) -> QuerySet[Any]:
            return Case.objects.filter(office__region_id__in=monitored_region_ids(user)).values("pk")

        def person_ids(self, user: User) -> QuerySet[Any]:
            return Case.objects.filter(office__region_id__in=monitored_region_ids(user)).values("person_id")

    register_relationship(Role.MONITORING_OPERATOR, MonitoredInRegions({}))
    assert list(case_qs_for_user(operator)) == [world["case_c"]]
    assert list(person_qs_for_user(operator)) == [world["case_c"].person]
    operator.monitored_regions.clear()
    assert not case_qs_for_user(operator).exists()


def test_a_relationship_cannot_be_given_to_a_role_scoped_by_jurisdiction():
    with pytest.raises(ValueError, match="not scoped by relationship"):
        register_relationship(Role.OFFICER, ChosenCases({}))


def test_analysts_get_counts_never_rows(world):
    analyst = world["analyst"]
    assert not case_qs_for_user(analyst).exists()
    assert not person_qs_for_user(analyst).exists()
    counts = case_aggregates(analyst)
    assert isinstance(counts, AggregateOnly)
    assert counts.count() == 2
    assert counts.count_by("status") == {CaseStatus.ACTIVE: 2}
    assert counts.filter(office=world["office_a"]).count() == 1
    # No way to reach a row: not iterable, not sliceable, no queryset behind a public name.
    with pytest.raises(TypeError):
        iter(counts)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        counts[0]  # type: ignore[index]
    assert not hasattr(counts, "qs")


def test_statistics_follow_the_placement_and_need_the_capability(world):
    assert case_aggregates(world["head"]).count() == 1  # type: ignore[union-attr]  # head of office A
    assert case_aggregates(world["regional_admin"]).count() == 1  # type: ignore[union-attr]  # north only
    assert case_aggregates(world["officer"]) is None
    assert case_aggregates(world["auditor"]) is None
    assert Person.objects.count() == 2
