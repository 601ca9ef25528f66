"""Deterministic factories and named personas for tests (not used by the application)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import factory

from openprobation.accounts.models import ROLE_PLACEMENT, Office, Placement, Region, Role, User
from openprobation.cases.models import Case, CaseStatus, CaseType
from openprobation.people.iin import make_iin
from openprobation.people.models import Person, make_name_key, make_search_text

TEST_PASSWORD = "Correct-Horse-Battery-9"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name_kk = factory.LazyAttribute(lambda o: f"Облыс {o.code}")
    name_ru = factory.LazyAttribute(lambda o: f"Область {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Region {o.code}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"D{n:03d}")
    name_kk = factory.LazyAttribute(lambda o: f"Аудандық пробация {o.code}")
    name_ru = factory.LazyAttribute(lambda o: f"Районная служба пробации {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"District probation office {o.code}")
    officer_capacity = 40


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Айгерим"
    last_name = factory.Sequence(lambda n: f"Сотрудник{n}")
    role = Role.OFFICER
    # Placed where the role works (models.ROLE_PLACEMENT): an office for office roles, else none.
    office = factory.Maybe(
        factory.LazyAttribute(lambda o: ROLE_PLACEMENT[o.role] == {Placement.OFFICE}),
        yes_declaration=factory.SubFactory(OfficeFactory),
        no_declaration=None,
    )
    region = None
    is_active = True

    @factory.post_generation
    def password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


_serial = iter(range(1, 10_000_000))


def person_defaults(birth_date: dt.date = dt.date(1990, 5, 17), sex: str = "M") -> dict[str, Any]:
    return {"birth_date": birth_date, "sex": sex, "iin": make_iin(birth_date, sex, next(_serial))}


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    surname = factory.Sequence(lambda n: ["Ахметов", "Иванов", "Сейтқали", "Нұрланов"][n % 4])
    first_name = factory.Sequence(lambda n: ["Ерлан", "Сергей", "Дәурен", "Асхат"][n % 4])
    patronymic = "Болатұлы"
    surname_latin = factory.LazyAttribute(lambda o: o.surname)
    first_name_latin = factory.LazyAttribute(lambda o: o.first_name)
    birth_date = dt.date(1990, 5, 17)
    sex = "M"
    iin = factory.LazyAttribute(lambda o: make_iin(o.birth_date, o.sex, next(_serial)))
    registered_office = factory.SubFactory(OfficeFactory)
    name_key = factory.LazyAttribute(lambda o: make_name_key(o.surname, o.first_name))
    search_text = factory.LazyAttribute(
        lambda o: make_search_text(o.surname, o.first_name, o.patronymic, o.surname_latin, o.first_name_latin)
    )


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"T-2026-{n:05d}")
    person = factory.SubFactory(PersonFactory)
    office = factory.LazyAttribute(lambda o: o.person.registered_office)
    case_type = CaseType.SENTENCE
    status = CaseStatus.ACTIVE
    received_on = dt.date(2026, 1, 15)
    court = "Алматы аудандық соты"
    decision_number = "1-123/2026"
    decision_date = dt.date(2026, 1, 5)
    effective_date = dt.date(2026, 1, 14)
    sentence_kind = "conditional"
    term_months = 24


def a_person(**fields: Any) -> Person:
    """A person from the factory, typed as the model."""
    return cast(Person, PersonFactory(**fields))


def a_case(**fields: Any) -> Case:
    """A case from the factory, typed as the model."""
    return cast(Case, CaseFactory(**fields))


def make_personas() -> dict[str, Any]:
    """Named users at every permission boundary: two offices in one region (north), one in another
    (south), and one user of each role (the ``personas`` fixture and the access matrix)."""
    north = RegionFactory(code="NRT", name_en="North")
    south = RegionFactory(code="STH", name_en="South")
    office_a = OfficeFactory(code="NA1", region=north)
    office_b = OfficeFactory(code="NB2", region=north)
    office_c = OfficeFactory(code="SC3", region=south)
    placed = {
        "officer": (Role.OFFICER, office_a, None),
        "colleague": (Role.OFFICER, office_a, None),
        "senior": (Role.SENIOR_OFFICER, office_a, None),
        "head": (Role.HEAD_OF_OFFICE, office_a, None),
        "other_district": (Role.OFFICER, office_b, None),
        "other_head": (Role.HEAD_OF_OFFICE, office_b, None),
        "other_region": (Role.OFFICER, office_c, None),
        "regional_admin": (Role.REGIONAL_ADMIN, None, north),
        "court_liaison": (Role.COURT_LIAISON, office_a, None),
        "analyst": (Role.ANALYST, None, None),
        "auditor": (Role.AUDITOR, None, None),
        "monitoring": (Role.MONITORING_OPERATOR, None, None),
        "partner": (Role.PARTNER_STAFF, None, None),
        "sysadmin": (Role.SYSTEM_ADMIN, None, None),
    }
    personas: dict[str, Any] = {
        "office_a": office_a,
        "office_b": office_b,
        "office_c": office_c,
        "north": north,
        "south": south,
    }
    for name, (role, office, region) in placed.items():
        personas[name] = UserFactory(
            username=name, role=role, office=office, region=region, is_staff=role == Role.SYSTEM_ADMIN
        )
    # The monitoring operator watches the north region (offices A and B).
    personas["monitoring"].monitored_regions.set([north])
    return personas


def an_em_resolution(
    case: Case, *, decided_by: User | None = None, starts_on: dt.date | None = None, months: int = 12
) -> Any:
    """An EM resolution in force on ``case`` (on a court's restriction), decided by ``decided_by``
    (default: a head of the case's office, made when there is none) from ``starts_on`` (default 30
    days ago) for ``months`` months: what a device assignment is made under."""
    from openprobation.core.timeutil import local_today  # noqa: PLC0415 - models load after setup
    from openprobation.monitoring.models import EmResolution, ResolutionGrounds  # noqa: PLC0415
    from openprobation.monitoring.resolution_terms import term_end  # noqa: PLC0415

    if decided_by is None:
        decided_by = User.objects.filter(role=Role.HEAD_OF_OFFICE, office_id=case.office_id).first() or cast(
            User, UserFactory(role=Role.HEAD_OF_OFFICE, office=case.office)
        )
    start = starts_on or local_today() - dt.timedelta(days=30)
    return EmResolution.objects.create(
        case=case,
        number=f"EM-{case.pk}-{EmResolution.objects.count() + 1}",
        decided_on=start,
        decided_by=decided_by,
        grounds=ResolutionGrounds.OTHER_COURT,
        grounds_text="Сот белгілеген шектеу",
        starts_on=start,
        ends_on=term_end(start, months),
        recorded_by=decided_by,
    )
