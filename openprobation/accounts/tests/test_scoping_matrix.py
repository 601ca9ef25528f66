"""Who sees and who may change a case and a person of office A, persona by persona, through the
scoped selectors, ``may`` and the services themselves."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from openprobation.accounts.scoping import CaseAction, may, offices_for_user
from openprobation.cases.models import Case, CaseStatus, CaseType
from openprobation.cases.selectors import case_detail, case_qs_for_user, person_cases
from openprobation.cases.services import CaseInput, case_allocate, case_open, case_transfer, case_transition
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.people.models import Person
from openprobation.people.selectors import person_detail, person_qs_for_user, person_search
from openprobation.people.services import address_set, document_add, family_member_add, person_update
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db

ALL = [
    "officer",
    "colleague",
    "senior",
    "head",
    "other_district",
    "other_head",
    "other_region",
    "regional_admin",
    "court_liaison",
    "analyst",
    "auditor",
    "monitoring",
    "partner",
    "sysadmin",
]
SEES_OFFICE_A = {"officer", "colleague", "senior", "head", "regional_admin", "court_liaison"}
# On a case of office A allocated to "officer":
MAY = {
    CaseAction.VIEW: SEES_OFFICE_A,
    CaseAction.EDIT: {"officer", "senior", "head", "regional_admin"},
    CaseAction.TRANSITION: {"officer", "senior", "head", "regional_admin"},
    CaseAction.ALLOCATE: {"senior", "head", "regional_admin"},
    CaseAction.TRANSFER: {"head", "regional_admin"},
}
MATRIX = [(name, action, name in allowed) for action, allowed in MAY.items() for name in ALL]


@pytest.fixture
def world(personas):
    person = PersonFactory(registered_office=personas["office_a"])
    case = CaseFactory(person=person, status=CaseStatus.ACTIVE, officer=personas["officer"])
    colleagues_case = CaseFactory(
        person=PersonFactory(registered_office=personas["office_a"]),
        status=CaseStatus.ACTIVE,
        officer=personas["colleague"],
    )
    south_case = CaseFactory(person=PersonFactory(registered_office=personas["office_c"]), status=CaseStatus.ACTIVE)
    return {**personas, "person": person, "case": case, "colleagues_case": colleagues_case, "south_case": south_case}


@pytest.mark.parametrize("name", ALL)
def test_who_sees_a_case_and_a_person_of_office_a(world, name):
    user = world[name]
    sees = name in SEES_OFFICE_A
    assert case_qs_for_user(user).filter(pk=world["case"].pk).exists() is sees
    assert person_qs_for_user(user).filter(pk=world["person"].pk).exists() is sees
    assert person_search(user=user, query=world["person"].surname).filter(pk=world["person"].pk).exists() is sees
    if sees:
        assert case_detail(user=user, pk=world["case"].pk) == world["case"]
        assert person_detail(user=user, pk=world["person"].pk) == world["person"]
        assert person_cases(user=user, person=world["person"]) == [world["case"]]
    else:
        with pytest.raises(Case.DoesNotExist):
            case_detail(user=user, pk=world["case"].pk)
        with pytest.raises(Person.DoesNotExist):
            person_detail(user=user, pk=world["person"].pk)
        assert person_cases(user=user, person=world["person"]) == []


@pytest.mark.parametrize("name", ["analyst", "auditor", "monitoring", "partner", "sysadmin"])
def test_roles_without_casework_see_no_personal_data_at_all(world, name):
    assert not case_qs_for_user(world[name]).exists()
    assert not person_qs_for_user(world[name]).exists()
    assert not offices_for_user(world[name]).exists()


@pytest.mark.parametrize(
    ("name", "action", "allowed"), MATRIX, ids=[f"{n}-{a}-{'yes' if y else 'no'}" for n, a, y in MATRIX]
)
def test_may_on_a_case_allocated_to_the_officer(world, name, action, allowed):
    assert may(world[name], action, world["case"]) is allowed


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("officer", False), ("colleague", True), ("senior", True), ("head", True), ("court_liaison", False)],
)
def test_an_officer_may_change_only_cases_allocated_to_them(world, name, allowed):
    case = world["colleagues_case"]
    assert may(world[name], CaseAction.EDIT, case) is allowed
    assert may(world[name], CaseAction.TRANSITION, case) is allowed
    assert may(world[name], CaseAction.VIEW, case)


def test_an_unallocated_case_is_changed_by_senior_staff_only(world):
    case = cast(Case, CaseFactory(person=world["person"], status=CaseStatus.ACTIVE, officer=None))
    assert not may(world["officer"], CaseAction.TRANSITION, case)
    assert not may(world["colleague"], CaseAction.TRANSITION, case)
    assert may(world["senior"], CaseAction.TRANSITION, case)


def test_regional_administrator_works_in_the_north_and_not_in_the_south(world):
    admin = world["regional_admin"]
    assert case_qs_for_user(admin).filter(pk=world["case"].pk).exists()
    assert not case_qs_for_user(admin).filter(pk=world["south_case"].pk).exists()
    for action in CaseAction:
        assert may(admin, action, world["case"])
        assert not may(admin, action, world["south_case"])
    assert set(offices_for_user(admin)) == {world["office_a"], world["office_b"]}
    with pytest.raises(PermissionDeniedError):
        case_transition(actor=admin, case=world["south_case"], to_status=CaseStatus.SUSPENDED, reason="Болезнь")


def test_other_region_officer_sees_only_the_south(world):
    user = world["other_region"]
    assert list(case_qs_for_user(user)) == [world["south_case"]]


# --- The services refuse what ``may`` refuses ---------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_transition_service_follows_the_matrix(world, name):
    case = world["case"]
    if name in MAY[CaseAction.TRANSITION]:
        case_transition(actor=world[name], case=case, to_status=CaseStatus.SUSPENDED, reason="Болезнь")
        assert Case.objects.get(pk=case.pk).status == CaseStatus.SUSPENDED
    else:
        with pytest.raises(PermissionDeniedError):
            case_transition(actor=world[name], case=case, to_status=CaseStatus.SUSPENDED, reason="Болезнь")
        assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE


@pytest.mark.parametrize("name", ALL)
def test_allocate_service_follows_the_matrix(world, name):
    case = world["case"]
    if name in MAY[CaseAction.ALLOCATE]:
        case_allocate(actor=world[name], case=case, officer=world["colleague"], reason="Отпуск")
        assert Case.objects.get(pk=case.pk).officer == world["colleague"]
    else:
        with pytest.raises(PermissionDeniedError):
            case_allocate(actor=world[name], case=case, officer=world["colleague"], reason="Отпуск")
        assert Case.objects.get(pk=case.pk).officer == world["officer"]


@pytest.mark.parametrize("name", ALL)
def test_transfer_service_follows_the_matrix(world, name):
    case = world["case"]
    if name in MAY[CaseAction.TRANSFER]:
        case_transfer(actor=world[name], case=case, to_office=world["office_b"], reason="Переезд")
        assert Case.objects.get(pk=case.pk).office == world["office_b"]
    else:
        with pytest.raises(PermissionDeniedError):
            case_transfer(actor=world[name], case=case, to_office=world["office_b"], reason="Переезд")
        assert Case.objects.get(pk=case.pk).office == world["office_a"]


@pytest.mark.parametrize("name", ALL)
def test_person_update_follows_jurisdiction(world, name):
    person = world["person"]
    may_edit = name in {"officer", "colleague", "senior", "head", "regional_admin"}
    if may_edit:
        person_update(actor=world[name], person=person, data={"phone": "+7 701 000 00 00"})
        assert Person.objects.get(pk=person.pk).phone == "+7 701 000 00 00"
    else:
        with pytest.raises(PermissionDeniedError):
            person_update(actor=world[name], person=person, data={"phone": "+7 701 000 00 00"})
        assert Person.objects.get(pk=person.pk).phone == ""


@pytest.mark.parametrize("name", ["other_district", "other_head", "other_region", "court_liaison", "analyst"])
def test_addresses_documents_and_family_of_a_person_elsewhere_cannot_be_changed(world, name):
    person, user = world["person"], world[name]
    with pytest.raises(PermissionDeniedError):
        address_set(actor=user, person=person, kind="actual", data={"locality": "Алматы"})
    with pytest.raises(PermissionDeniedError):
        document_add(actor=user, person=person, data={"kind": "id_card", "number": "012345678"})
    with pytest.raises(PermissionDeniedError):
        family_member_add(actor=user, person=person, data={"relation": "child", "full_name": "Бала"})
    assert not person.addresses.exists()
    assert not person.documents.exists()
    assert not person.family.exists()


def test_the_persons_own_office_changes_addresses_documents_and_family(world):
    person, user = world["person"], world["officer"]
    address_set(actor=user, person=person, kind="actual", data={"locality": "Алматы"})
    document_add(actor=user, person=person, data={"kind": "id_card", "number": "012345678"})
    family_member_add(actor=user, person=person, data={"relation": "child", "full_name": "Бала"})
    assert (person.addresses.count(), person.documents.count(), person.family.count()) == (1, 1, 1)


def _case_input() -> CaseInput:
    return CaseInput(
        case_type=CaseType.SENTENCE,
        received_on=dt.date(2026, 1, 20),
        court="Суд",
        decision_number="1-7/2026",
        decision_date=dt.date(2026, 1, 5),
        sentence_kind="conditional",
        term_months=24,
    )


@pytest.mark.parametrize(
    ("name", "allowed"),
    [(n, n in {"officer", "colleague", "senior", "head", "court_liaison"}) for n in ALL],
)
def test_who_may_open_a_case_in_office_a(world, name, allowed):
    if allowed:
        case = case_open(actor=world[name], person=world["person"], office=world["office_a"], data=_case_input())
        assert case.office == world["office_a"]
    else:
        with pytest.raises(PermissionDeniedError):
            case_open(actor=world[name], person=world["person"], office=world["office_a"], data=_case_input())


def test_court_liaison_sees_and_opens_but_cannot_move_allocate_or_transfer(world):
    liaison = world["court_liaison"]
    case = case_open(actor=liaison, person=world["person"], office=world["office_a"], data=_case_input())
    assert case_qs_for_user(liaison).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDeniedError):
        case_transition(actor=liaison, case=case, to_status=CaseStatus.REGISTERED, reason="Учёт")
    with pytest.raises(PermissionDeniedError):
        case_allocate(actor=liaison, case=case, officer=world["officer"], reason="Новое")
    with pytest.raises(PermissionDeniedError):
        case_transfer(actor=liaison, case=case, to_office=world["office_b"], reason="Переезд")


# --- After a transfer ---------------------------------------------------------------------------


def test_after_a_transfer_both_offices_see_the_case_and_only_the_new_one_may_change_it(world):
    case = case_transfer(actor=world["head"], case=world["case"], to_office=world["office_b"], reason="Переезд")
    assert case.officer is None
    for name in ("officer", "head", "other_district", "other_head", "regional_admin"):
        assert case_qs_for_user(world[name]).filter(pk=case.pk).exists(), name
        assert person_qs_for_user(world[name]).filter(pk=world["person"].pk).exists(), name
    for name in ("other_region", "analyst"):
        assert not case_qs_for_user(world[name]).filter(pk=case.pk).exists(), name
    # the old office keeps read access only
    for name in ("officer", "senior", "head"):
        for action in (CaseAction.EDIT, CaseAction.TRANSITION, CaseAction.ALLOCATE, CaseAction.TRANSFER):
            assert not may(world[name], action, case), (name, action)
        assert may(world[name], CaseAction.VIEW, case) is False  # no longer its jurisdiction
    assert may(world["other_head"], CaseAction.EDIT, case)
    assert may(world["other_head"], CaseAction.ALLOCATE, case)
    assert not may(world["other_district"], CaseAction.EDIT, case)  # not yet allocated to them
    with pytest.raises(PermissionDeniedError):
        case_transition(actor=world["head"], case=case, to_status=CaseStatus.SUSPENDED, reason="Болезнь")
    with pytest.raises(PermissionDeniedError):
        case_allocate(actor=world["head"], case=case, officer=world["officer"], reason="Назад")
    case_allocate(actor=world["other_head"], case=case, officer=world["other_district"], reason="Принят")
    case_transition(actor=world["other_district"], case=case, to_status=CaseStatus.SUSPENDED, reason="Болезнь")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUSPENDED


def test_a_case_transferred_out_of_the_region_stays_visible_to_the_old_office(world):
    case = case_transfer(
        actor=world["regional_admin"], case=world["case"], to_office=world["office_c"], reason="Переезд"
    )
    assert case_qs_for_user(world["officer"]).filter(pk=case.pk).exists()
    assert case_qs_for_user(world["other_region"]).filter(pk=case.pk).exists()
    assert case_qs_for_user(world["regional_admin"]).filter(pk=case.pk).exists()
    assert not may(world["regional_admin"], CaseAction.EDIT, case)


# --- Inactive and anonymous users ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["officer", "head", "regional_admin", "court_liaison"])
def test_inactive_users_see_and_do_nothing(world, name):
    user = world[name]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not case_qs_for_user(user).exists()
    assert not person_qs_for_user(user).exists()
    assert not offices_for_user(user).exists()
    for action in CaseAction:
        assert not may(user, action, world["case"])
    with pytest.raises(PermissionDeniedError):
        case_transition(actor=user, case=world["case"], to_status=CaseStatus.SUSPENDED, reason="Болезнь")
    with pytest.raises(PermissionDeniedError):
        case_open(actor=user, person=world["person"], office=world["office_a"], data=_case_input())


def test_anonymous_user_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not case_qs_for_user(anon).exists()
    assert not person_qs_for_user(anon).exists()
    for action in CaseAction:
        assert not may(anon, action, world["case"])
