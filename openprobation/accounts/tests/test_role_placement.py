"""A user's placement must match the level their role works at: in the model, in the database and
in scoping (a mismatched placement sees nothing, never the national view an empty one meant)."""

from __future__ import annotations

from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from openprobation.accounts.models import ROLE_PLACEMENT, Placement, Role, User
from openprobation.accounts.scoping import (
    CaseAction,
    Level,
    aggregates_for_user,
    level_of,
    may,
    office_q,
    offices_for_user,
)
from openprobation.cases.models import Case, CaseStatus
from openprobation.cases.selectors import case_qs_for_user
from openprobation.people.models import Person
from openprobation.people.selectors import person_qs_for_user
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_every_role_declares_the_level_it_works_at():
    assert set(ROLE_PLACEMENT) == set(Role.values)
    assert ROLE_PLACEMENT[Role.HEAD_OF_OFFICE] == {Placement.OFFICE}
    assert ROLE_PLACEMENT[Role.REGIONAL_ADMIN] == {Placement.REGION}
    assert ROLE_PLACEMENT[Role.SYSTEM_ADMIN] == {Placement.NATIONAL}
    assert ROLE_PLACEMENT[Role.ANALYST] == {Placement.OFFICE, Placement.REGION, Placement.NATIONAL}


@pytest.mark.parametrize(
    ("role", "placed", "level"),
    [
        (Role.HEAD_OF_OFFICE, "nowhere", Level.NONE),
        (Role.HEAD_OF_OFFICE, "region", Level.NONE),
        (Role.HEAD_OF_OFFICE, "office", Level.OFFICE),
        (Role.OFFICER, "nowhere", Level.NONE),
        (Role.COURT_LIAISON, "nowhere", Level.NONE),
        (Role.REGIONAL_ADMIN, "office", Level.NONE),
        (Role.REGIONAL_ADMIN, "nowhere", Level.NONE),
        (Role.REGIONAL_ADMIN, "region", Level.REGION),
        (Role.AUDITOR, "office", Level.NONE),
        (Role.PARTNER_STAFF, "office", Level.NONE),
        (Role.SYSTEM_ADMIN, "nowhere", Level.NATIONAL),
        (Role.ANALYST, "office", Level.OFFICE),
        (Role.ANALYST, "region", Level.REGION),
        (Role.ANALYST, "nowhere", Level.NATIONAL),
    ],
)
def test_the_level_comes_from_the_role_and_a_mismatched_placement_has_none(personas, role, placed, level):
    office = personas["office_a"] if placed == "office" else None
    region = personas["north"] if placed == "region" else None
    user = User(username="probe", role=role, office=office, region=region, is_active=True)
    assert level_of(user) is level


def test_a_head_of_office_without_an_office_sees_and_may_nothing(personas):
    case = cast(
        Case, CaseFactory(person=PersonFactory(registered_office=personas["office_a"]), status=CaseStatus.ACTIVE)
    )
    probe = User(username="probe", role=Role.HEAD_OF_OFFICE, office=None, is_active=True)
    assert office_q(probe) is None
    assert not offices_for_user(probe).exists()
    assert not any(may(probe, action, case) for action in CaseAction)
    assert aggregates_for_user(probe, Case.objects.all()) is None


def test_the_model_says_what_the_role_needs():
    user = User(username="probe", role=Role.HEAD_OF_OFFICE, office=None, region=None)
    user.set_password("x-Long-Password-123")
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    messages = error.value.message_dict["office"]
    assert messages == [
        "A member of staff with the role “Head of office” works in an office: choose the office (and no region)."
    ]


def test_the_database_refuses_an_active_user_placed_against_their_role(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=personas["sysadmin"].pk).update(role=Role.HEAD_OF_OFFICE)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=personas["partner"].pk).update(office=personas["office_a"])
    # Deactivated accounts placed wrongly before the rule are kept (migration 0003), inactive.
    User.objects.filter(pk=personas["officer"].pk).update(is_active=False)
    User.objects.filter(pk=personas["officer"].pk).update(office=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=personas["officer"].pk).update(is_active=True)


def _without_the_placement_constraint() -> None:
    """Simulate a row the constraint would refuse (one written before it existed, or by hand)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Run the fixture's deferred foreign-key checks first: PostgreSQL alters no table with some pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE accounts_user DROP CONSTRAINT user_placement_matches_role")
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")


def _restore() -> None:
    if connection.vendor != "postgresql":  # PostgreSQL: the test transaction rolls the drop back
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def test_a_system_administrator_forced_into_head_of_office_without_an_office_sees_nothing(personas):
    person = cast(Person, PersonFactory(registered_office=personas["office_a"]))
    CaseFactory(person=person, status=CaseStatus.ACTIVE, officer=personas["officer"])
    _without_the_placement_constraint()
    try:
        User.objects.filter(pk=personas["sysadmin"].pk).update(role=Role.HEAD_OF_OFFICE)
        forced = User.objects.get(pk=personas["sysadmin"].pk)
        assert (forced.role, forced.office_id, forced.region_id) == (Role.HEAD_OF_OFFICE, None, None)
        assert level_of(forced) is Level.NONE
        assert not case_qs_for_user(forced).exists()
        assert not person_qs_for_user(forced).exists()
        web = web_client(forced)
        page = web.get(reverse("cases:caseload")).content.decode()
        assert person.surname not in page
        assert web.get(reverse("people:detail", args=[person.pk])).status_code == 404
        api = api_client(forced)
        assert api.get(reverse("api-cases")).json()["results"] == []
        assert api.get(reverse("api-people")).json()["results"] == []
        assert api.get(reverse("api-me")).json()["level"] == "none"
    finally:
        _restore()
