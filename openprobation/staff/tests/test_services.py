"""Staff administration services: who may change a role, placement, activity or password, and the
one audit event each change leaves (old → new; never a password or its hash)."""

from __future__ import annotations

import json

import pytest

from openprobation.accounts.models import Role, User
from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.staff.services import staff_create, staff_password_set, staff_update
from openprobation.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Steppe-Eagle-Over-Ili-2026"


def _state(user: User) -> tuple[object, ...]:
    user.refresh_from_db()
    return (user.role, user.office_id, user.region_id, user.is_active, user.password)


def _events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="staff.").order_by("id"))


def test_the_system_administrator_cannot_make_itself_head_of_office_without_an_office(personas):
    sysadmin = personas["sysadmin"]
    before = _state(sysadmin)
    with pytest.raises(PermissionDeniedError, match="your own role"):
        staff_update(actor=sysadmin, user=sysadmin, values={"role": Role.HEAD_OF_OFFICE, "office": None})
    with pytest.raises(PermissionDeniedError, match="your own role"):
        staff_update(
            actor=sysadmin, user=sysadmin, values={"role": Role.HEAD_OF_OFFICE, "office": personas["office_a"]}
        )
    assert _state(sysadmin) == before
    assert _events() == []


def test_nobody_changes_their_own_placement_or_activity(personas):
    sysadmin = personas["sysadmin"]
    for values in ({"region": personas["north"]}, {"is_active": False}, {"monitored_regions": [personas["north"]]}):
        with pytest.raises(PermissionDeniedError):
            staff_update(actor=sysadmin, user=sysadmin, values=values)
    # Their own name is theirs to correct, and nothing else changes.
    staff_update(actor=sysadmin, user=sysadmin, values={"last_name": "Әбдіров", "role": Role.SYSTEM_ADMIN})
    (event,) = _events()
    assert event.changes == {"last_name": [sysadmin.last_name, "Әбдіров"]}


def test_a_head_of_office_cannot_change_their_own_role_or_anyone_elses(personas):
    head = personas["head"]
    before = _state(head)
    with pytest.raises(PermissionDeniedError, match="Only a system administrator"):
        staff_update(actor=head, user=head, values={"role": Role.REGIONAL_ADMIN, "office": None, "region": None})
    with pytest.raises(PermissionDeniedError, match="Only a system administrator"):
        staff_update(actor=head, user=personas["officer"], values={"role": Role.SENIOR_OFFICER})
    with pytest.raises(PermissionDeniedError):
        staff_password_set(actor=head, user=personas["officer"], password=NEW_PASSWORD)
    assert _state(head) == before
    assert personas["officer"].role == Role.OFFICER
    assert _events() == []


@pytest.mark.parametrize(
    ("who", "values", "field"),
    [
        ("auditor", {"role": Role.HEAD_OF_OFFICE}, "office"),
        ("officer", {"office": None}, "office"),
        ("officer", {"role": Role.REGIONAL_ADMIN}, "office"),
        ("regional_admin", {"office": "office_a"}, "office"),
        ("partner", {"office": "office_a"}, "office"),
        ("auditor", {"region": "north"}, "region"),
        ("officer", {"monitored_regions": ["north"]}, "monitored_regions"),
    ],
)
def test_a_placement_that_does_not_fit_the_role_is_refused(personas, who, values, field):
    resolved = {
        k: [personas[x] for x in v] if isinstance(v, list) else personas[v] if k in ("office", "region") and v else v
        for k, v in values.items()
    }
    user = personas[who]
    before = _state(user)
    with pytest.raises(DomainError) as error:
        staff_update(actor=personas["sysadmin"], user=user, values=resolved)
    assert error.value.field == field
    assert _state(user) == before
    assert _events() == []


def test_moving_an_officer_to_regional_administrator_is_one_event_with_old_and_new(personas):
    officer = personas["officer"]
    staff_update(
        actor=personas["sysadmin"],
        user=officer,
        values={"role": Role.REGIONAL_ADMIN, "office": None, "region": personas["north"]},
    )
    officer.refresh_from_db()
    assert (officer.role, officer.office_id, officer.region_id) == (Role.REGIONAL_ADMIN, None, personas["north"].pk)
    (event,) = _events()
    assert event.action == "staff.update"
    assert event.actor_id == personas["sysadmin"].pk
    assert event.subject_id == str(officer.pk)
    assert event.changes == {
        "role": ["officer", "regional_admin"],
        "office": [personas["office_a"].pk, None],
        "region": [None, personas["north"].pk],
    }


def test_deactivating_and_monitored_regions_are_audited_old_to_new(personas):
    personas["monitoring"].monitored_regions.clear()  # the persona watches a region; start from none
    staff_update(actor=personas["sysadmin"], user=personas["officer"], values={"is_active": False})
    staff_update(
        actor=personas["sysadmin"],
        user=personas["monitoring"],
        values={"monitored_regions": [personas["north"], personas["south"]]},
    )
    first, second = _events()
    assert first.changes == {"is_active": [True, False]}
    assert second.changes == {"monitored_regions": [[], sorted([personas["north"].pk, personas["south"].pk])]}
    assert not User.objects.get(pk=personas["officer"].pk).is_active


def test_nothing_changed_leaves_no_event(personas):
    staff_update(actor=personas["sysadmin"], user=personas["officer"], values={"role": Role.OFFICER})
    assert _events() == []


def test_an_administrator_sets_a_password_without_it_or_its_hash_in_the_event(personas):
    officer = personas["officer"]
    staff_password_set(actor=personas["sysadmin"], user=officer, password=NEW_PASSWORD)
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    (event,) = _events()
    assert event.action == "staff.password_set"
    text = json.dumps([event.changes, event.details, event.subject_repr])
    assert NEW_PASSWORD not in text
    assert officer.password not in text
    assert event.details == {"password": "changed"}


def test_the_password_validators_apply(personas):
    with pytest.raises(DomainError, match="too short"):
        staff_password_set(actor=personas["sysadmin"], user=personas["officer"], password="Ab1")
    assert personas["officer"].check_password(TEST_PASSWORD)
    assert _events() == []


def test_users_change_their_own_password_only_with_the_old_one(personas):
    officer = personas["officer"]
    with pytest.raises(DomainError, match="old password"):
        staff_password_set(actor=officer, user=officer, password=NEW_PASSWORD, old_password="wrong")
    staff_password_set(actor=officer, user=officer, password=NEW_PASSWORD, old_password=TEST_PASSWORD)
    (event,) = AuditEvent.objects.filter(action="auth.password_change")
    assert event.actor_id == officer.pk
    assert event.details == {"password": "changed"}


def test_creating_staff_needs_a_matching_placement_and_is_audited(personas):
    sysadmin = personas["sysadmin"]
    with pytest.raises(DomainError) as error:
        staff_create(actor=sysadmin, values={"username": "newhead", "role": Role.HEAD_OF_OFFICE}, password=NEW_PASSWORD)
    assert error.value.field == "office"
    with pytest.raises(PermissionDeniedError):
        staff_create(
            actor=personas["head"],
            values={"username": "newhead", "role": Role.OFFICER, "office": personas["office_a"]},
            password=NEW_PASSWORD,
        )
    assert not User.objects.filter(username="newhead").exists()
    user = staff_create(
        actor=sysadmin,
        values={"username": "newhead", "role": Role.HEAD_OF_OFFICE, "office": personas["office_a"]},
        password=NEW_PASSWORD,
    )
    assert user.check_password(NEW_PASSWORD)
    (event,) = _events()
    assert event.action == "staff.create"
    assert event.changes["role"] == [None, "head_of_office"]
    assert event.changes["office"] == [None, personas["office_a"].pk]
    assert NEW_PASSWORD not in json.dumps(event.changes) + json.dumps(event.details)
    assert user.password not in json.dumps(event.changes) + json.dumps(event.details)


def test_the_admin_site_flag_follows_the_role(personas):
    staff_update(actor=personas["sysadmin"], user=personas["auditor"], values={"role": Role.SYSTEM_ADMIN})
    assert User.objects.get(pk=personas["auditor"].pk).is_staff
    staff_update(actor=personas["sysadmin"], user=personas["auditor"], values={"role": Role.AUDITOR})
    assert not User.objects.get(pk=personas["auditor"].pk).is_staff


def test_createsuperuser_makes_a_national_system_administrator(db):
    root = User.objects.create_superuser("root", "root@example.kz", NEW_PASSWORD)
    assert (root.role, root.office_id, root.region_id, root.is_staff) == (Role.SYSTEM_ADMIN, None, None, True)
