"""seed-demo builds consistent, deterministic demo data and refuses to mix with real data."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.accounts.models import Role, User
from openprobation.audit.models import AuditEvent
from openprobation.cases.lifecycle import can_move
from openprobation.cases.models import Case, CaseNumberSequence, CaseStatus, CaseStatusChange, CaseType
from openprobation.demo import generate as demo_data
from openprobation.demo import people as demo_people
from openprobation.demo.credentials import DEMO_PASSWORD, DEMO_USERNAMES
from openprobation.people.iin import parse_iin
from openprobation.people.models import Person
from openprobation.testing.shared_data import built_for_module

TODAY = dt.date(2026, 3, 2)


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", people=200, cases=250, today=TODAY, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One run of seed-demo shared by the tests that only read what it made (each in a savepoint)."""
    yield from built_for_module(django_db_blocker, seed)


@pytest.mark.django_db
def test_small_run_creates_people_with_valid_iins_matching_birth_date_and_sex(seeded):
    people = list(Person.objects.all())
    assert len(people) == 200
    with_iin = [p for p in people if p.iin]
    assert len(with_iin) >= 190
    for person in with_iin:
        info = parse_iin(person.iin or "")
        assert (info.birth_date, info.sex) == (person.birth_date, person.sex)
    assert all(p.surname_latin and p.first_name_latin for p in people)


@pytest.mark.django_db
def test_every_case_is_allocated_within_its_own_office_and_every_status_appears(seeded):
    cases = list(Case.objects.select_related("officer"))
    assert len(cases) == 250
    for case in cases:
        if case.officer is not None:
            assert case.officer.office_id == case.office_id, case.number
    assert {c.status for c in cases} == set(CaseStatus.values)
    assert {c.case_type for c in cases} == set(CaseType.values)
    assert sum(c.status == CaseStatus.ACTIVE for c in cases) == round(250 * 2100 / 3500)


@pytest.mark.django_db
def test_case_dates_and_history_follow_the_legal_rules_and_the_pipeline(seeded):
    for case in Case.objects.prefetch_related("status_history"):
        assert case.received_on <= TODAY
        history = list(case.status_history.all())
        assert history[0].from_status == "" and history[0].to_status == CaseStatus.AWAITING_REGISTRATION
        for change in history[1:]:
            assert can_move(change.from_status, change.to_status), case.number
        assert history[-1].to_status == case.status
        if case.is_open and case.control_end is not None and case.status != CaseStatus.WANTED:
            assert case.control_end >= TODAY, case.number
        if case.case_type == CaseType.PRE_TRIAL:
            assert case.eligibility["eligible"] is True and case.consent_given
        if case.registration_due and case.sentence_kind != "deferral":
            assert case.registration_due == case.received_on + dt.timedelta(days=10)
    assert CaseStatusChange.objects.count() > Case.objects.count()


@pytest.mark.django_db
def test_case_numbers_continue_from_the_office_sequence(seeded):
    for seq in CaseNumberSequence.objects.select_related("office"):
        top = Case.objects.filter(number__startswith=f"{seq.office.code}-{seq.year}-").order_by("-number").first()
        assert top is not None and top.number.endswith(f"{seq.last:05d}")


@pytest.mark.django_db
def test_one_demo_user_per_role_with_the_demo_password(seeded):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert set(users) == set(DEMO_USERNAMES)
    assert {u.role for u in users.values()} == set(Role.values)
    home = users["officer"].office
    assert home is not None
    assert users["senior"].office == home and users["head"].office == home and users["court"].office == home
    assert users["regional"].region == home.region and users["regional"].office is None
    assert users["admin"].is_staff and users["admin"].office is None and users["admin"].region is None
    assert users["officer"].check_password(DEMO_PASSWORD)
    assert Case.objects.filter(officer=users["officer"], status=CaseStatus.ACTIVE).exists()


@pytest.mark.django_db
def test_one_audit_event_summarises_the_run(seeded):
    events = list(AuditEvent.objects.filter(action="demo.seed"))
    assert len(events) == 1
    assert events[0].details["people"] == 200 and events[0].details["cases"] == 250


@pytest.mark.django_db
def test_second_run_says_already_loaded_and_adds_nothing(seeded):
    output = seed()
    assert "already loaded" in output
    assert Person.objects.count() == 200


def test_same_seed_gives_the_same_people_without_a_database():
    offices = [info for info, _d in demo_data.office_infos(demo_data.SCALES["default"])]

    def run(seed: int) -> list[tuple[object, ...]]:
        drafts = demo_people.people_drafts(seed=seed, count=300, offices=offices, used_iins=set())
        return [(d.person.iin, d.person.surname, d.person.first_name, d.person.birth_date) for d in drafts]

    assert run(2016) == run(2016)
    assert run(2016) != run(2017)


@pytest.mark.django_db
def test_same_seed_and_date_give_the_same_cases():
    seed()
    first = list(Case.objects.order_by("number").values_list("number", "person__iin", "status", "control_end"))
    from django.apps import apps

    # The assistance apps' rows first: they hold protected references to cases and people.
    for label in ("monitoring", "volunteers", "releases", "employment", "programmes"):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            model._default_manager.all().delete()
    Case.objects.all().delete()
    Person.objects.all().delete()
    User.objects.all().delete()
    from openprobation.accounts.models import Office, Region
    from openprobation.cases.models import CaseNumberSequence as Seq

    Seq.objects.all().delete()
    Office.objects.all().delete()
    Region.objects.all().delete()
    seed()
    second = list(Case.objects.order_by("number").values_list("number", "person__iin", "status", "control_end"))
    assert first == second


def test_names_use_male_and_female_forms():
    rng = demo_people.stream(1, "names")
    females = [demo_people.person_name(rng, "F") for _i in range(300)]
    males = [demo_people.person_name(rng, "M") for _i in range(300)]
    assert all(not p.endswith(("ович", "ұлы")) for _s, _f, p, _l in females)
    assert all(not p.endswith(("овна", "евна", "қызы")) for _s, _f, p, _l in males)
    assert any(s.endswith("ова") for s, _f, _p, _l in females)
    assert any(p.endswith("қызы") for _s, _f, p, _l in females)
