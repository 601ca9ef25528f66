"""People for the demo data: names, IINs, documents, family — drawn from seeded random streams."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from openprobation.core.timeutil import age_on
from openprobation.demo.names import (
    KK_FATHERS,
    KK_FEMALE,
    KK_MALE,
    KK_SURNAMES,
    KK_TRADITIONAL_SURNAMES,
    RU_FEMALE,
    RU_MALE,
    RU_PATRONYMICS,
    RU_SURNAMES,
    STREETS,
    UZ_FEMALE,
    UZ_MALE,
    UZ_SURNAMES,
)
from openprobation.people.iin import make_iin
from openprobation.people.models import (
    Address,
    AddressKind,
    DocumentKind,
    DocumentStatus,
    Education,
    Employment,
    FamilyMember,
    IdentityDocument,
    Person,
    Relation,
    make_name_key,
    make_search_text,
)
from openprobation.people.translit import to_latin

CHUNK = 5000
BIRTH_ANCHOR = dt.date(2026, 1, 1)


def stream(seed: int, name: str) -> random.Random:
    """An independent, reproducible random stream for one part of the data."""
    return random.Random(f"{seed}:{name}")  # noqa: S311 - demo data, not security


# --- People ------------------------------------------------------------------------------------


@dataclass
class PersonDraft:
    """An unsaved person with the rows that hang off it; ``office_index`` picks the office."""

    person: Person
    office_index: int
    addresses: list[Address] = field(default_factory=list)
    documents: list[IdentityDocument] = field(default_factory=list)
    family: list[FamilyMember] = field(default_factory=list)


def _female_surname(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    return surname


def person_name(rng: random.Random, sex: str) -> tuple[str, str, str, str]:
    """(surname, first name, patronymic, native language) with the right male/female forms."""
    male = sex == "M"
    roll = rng.random()
    if roll < 0.70:
        first = rng.choice(KK_MALE if male else KK_FEMALE)
        father_kk, father_ru = rng.choice(KK_FATHERS)
        if rng.random() < 0.15:
            surname = rng.choice(KK_TRADITIONAL_SURNAMES)[0 if male else 1]
        else:
            surname = rng.choice(KK_SURNAMES)
            surname = surname if male else _female_surname(surname)
        if rng.random() < 0.5:
            patronymic = father_kk + ("ұлы" if male else "қызы")
        else:
            patronymic = father_ru + ("ович" if male else "овна")
        return surname, first, patronymic, "kk"
    if roll < 0.96:
        first = rng.choice(RU_MALE if male else RU_FEMALE)
        surname = rng.choice(RU_SURNAMES)
        patronymic = rng.choice(RU_PATRONYMICS)[0 if male else 1]
        return (surname if male else _female_surname(surname)), first, patronymic, "ru"
    first = rng.choice(UZ_MALE if male else UZ_FEMALE)
    surname = rng.choice(UZ_SURNAMES)
    patronymic = rng.choice(RU_PATRONYMICS)[0 if male else 1]
    return (surname if male else _female_surname(surname)), first, patronymic, "uz"


def _age(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.05:
        return rng.randint(14, 17)
    if roll < 0.08:
        return rng.randint(58, 72)
    return rng.randint(18, 57) if rng.random() < 0.8 else rng.randint(18, 40)


def _birth_date(rng: random.Random, age: int) -> dt.date:
    return BIRTH_ANCHOR - dt.timedelta(days=age * 365 + rng.randint(0, 364))


def _unique_iin(rng: random.Random, birth: dt.date, sex: str, used: set[str]) -> str:
    serial = rng.randint(0, 9999)
    iin = make_iin(birth, sex, serial)
    while iin in used:
        serial += 1
        iin = make_iin(birth, sex, serial)
    used.add(iin)
    return iin


def _phone(rng: random.Random) -> str:
    return f"+7 7{rng.choice('0157')}{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def person_draft(rng: random.Random, *, offices: list[OfficeInfo], used_iins: set[str]) -> PersonDraft:
    """One believable supervised person with addresses, documents and family."""
    sex = "M" if rng.random() < 0.86 else "F"
    age = _age(rng)
    birth = _birth_date(rng, age)
    surname, first, patronymic, language = person_name(rng, sex)
    office_index = rng.randrange(len(offices))
    office = offices[office_index]
    minor = age < 18
    employment = (
        Employment.STUDENT
        if minor
        else rng.choices(
            [Employment.EMPLOYED, Employment.SELF_EMPLOYED, Employment.UNEMPLOYED, Employment.STUDENT]
            + [Employment.PENSIONER if age >= 60 else Employment.UNABLE, Employment.UNKNOWN],
            weights=[34, 14, 38, 3, 4, 7],
        )[0]
    )
    education = (
        Education.BASIC_SECONDARY
        if minor
        else rng.choices(
            [
                Education.PRIMARY,
                Education.BASIC_SECONDARY,
                Education.SECONDARY,
                Education.VOCATIONAL,
                Education.HIGHER,
                Education.UNKNOWN,
            ],
            weights=[2, 12, 42, 26, 12, 6],
        )[0]
    )
    disability = rng.choices([0, 1, 2, 3], weights=[955, 5, 15, 25])[0]
    languages = {"kk": ["kk", "ru"], "ru": ["ru"] if rng.random() < 0.8 else ["ru", "kk"], "uz": ["uz", "ru"]}
    person = Person(
        iin=_unique_iin(rng, birth, sex, used_iins) if rng.random() < 0.995 else None,
        surname=surname,
        first_name=first,
        patronymic=patronymic,
        surname_latin=to_latin(surname).upper(),
        first_name_latin=to_latin(first).upper(),
        patronymic_latin=to_latin(patronymic).upper(),
        birth_date=birth,
        sex=sex,
        citizenship="KAZ" if language != "uz" or rng.random() < 0.6 else "UZB",
        native_language=language,
        languages=languages[language],
        phone=_phone(rng) if rng.random() < 0.9 else "",
        disability_group=disability,
        pregnant=sex == "F" and 18 <= age <= 40 and rng.random() < 0.12,
        employment_status=employment,
        education_level=education,
        in_education=employment == Employment.STUDENT,
        name_key=make_name_key(surname, first),
        search_text=make_search_text(
            surname, first, patronymic, to_latin(surname), to_latin(first), to_latin(patronymic)
        ),
    )
    draft = PersonDraft(person=person, office_index=office_index)
    street_kk, street_ru = rng.choice(STREETS)
    kk = language == "kk"
    registered = Address(
        kind=AddressKind.REGISTERED,
        region=office.region_kk if kk else office.region_ru,
        locality=office.locality_kk if kk else office.locality_ru,
        street=street_kk if kk else street_ru,
        building=str(rng.randint(1, 240)),
        apartment=str(rng.randint(1, 180)) if rng.random() < 0.6 else "",
        postcode=f"{office.postcode}{rng.randint(0, 99):02d}",
    )
    draft.addresses.append(registered)
    if rng.random() < 0.3:
        other_kk, other_ru = rng.choice(STREETS)
        draft.addresses.append(
            Address(
                kind=AddressKind.ACTUAL,
                region=registered.region,
                locality=registered.locality,
                street=other_kk if kk else other_ru,
                building=str(rng.randint(1, 240)),
                apartment=str(rng.randint(1, 180)),
            )
        )
    _add_documents(rng, draft, birth, minor)
    _add_family(rng, draft, age, birth, sex)
    return draft


def _add_documents(rng: random.Random, draft: PersonDraft, birth: dt.date, minor: bool) -> None:
    status = rng.choices(
        [DocumentStatus.VALID, DocumentStatus.EXPIRED, DocumentStatus.LOST, DocumentStatus.MISSING],
        weights=[82, 7, 7, 4],
    )[0]
    young = minor and age_on(birth, BIRTH_ANCHOR) < 16
    kind = DocumentKind.BIRTH_CERTIFICATE if young else DocumentKind.ID_CARD
    if status == DocumentStatus.MISSING:
        draft.documents.append(IdentityDocument(kind=kind, status=status))
        return
    issued = BIRTH_ANCHOR - dt.timedelta(days=rng.randint(30, 3600))
    issued = max(issued, birth + dt.timedelta(days=30))
    valid_until = issued + relativedelta(years=10) if kind == DocumentKind.ID_CARD else None
    if status == DocumentStatus.EXPIRED:
        valid_until = BIRTH_ANCHOR - dt.timedelta(days=rng.randint(10, 400))
    draft.documents.append(
        IdentityDocument(
            kind=kind,
            number=f"{rng.randint(0, 999_999_999):09d}",
            issued_by="МВД РК" if kind == DocumentKind.ID_CARD else "РАГС",
            issued_on=issued,
            valid_until=valid_until,
            status=status,
        )
    )
    if rng.random() < 0.12:
        draft.documents.append(
            IdentityDocument(
                kind=DocumentKind.PASSPORT,
                number=f"N{rng.randint(0, 99_999_999):08d}",
                issued_by="МВД РК",
                issued_on=issued,
                valid_until=issued + relativedelta(years=10),
                status=DocumentStatus.VALID,
            )
        )


def _add_family(rng: random.Random, draft: PersonDraft, age: int, birth: dt.date, sex: str) -> None:
    person = draft.person
    if age < 18:
        for relation, parent_sex in ((Relation.PARENT, "F"), (Relation.PARENT, "M")):
            if relation == Relation.PARENT and parent_sex == "M" and rng.random() < 0.3:
                continue
            surname, first, patronymic, _lang = person_name(rng, parent_sex)
            draft.family.append(
                FamilyMember(
                    relation=relation,
                    full_name=f"{person.surname if parent_sex == sex else surname} {first} {patronymic}",
                    birth_date=birth - dt.timedelta(days=rng.randint(20 * 365, 38 * 365)),
                    legal_representative=True,
                    lives_with=True,
                    phone=_phone(rng),
                )
            )
        return
    married = age >= 22 and rng.random() < 0.5
    if married:
        spouse_sex = "F" if sex == "M" else "M"
        _s, first, patronymic, _lang = person_name(rng, spouse_sex)
        spouse_surname = _female_surname(person.surname) if spouse_sex == "F" else person.surname.removesuffix("а")
        draft.family.append(
            FamilyMember(
                relation=Relation.SPOUSE,
                full_name=f"{spouse_surname} {first} {patronymic}",
                birth_date=birth + dt.timedelta(days=rng.randint(-5 * 365, 5 * 365)),
                lives_with=rng.random() < 0.85,
                phone=_phone(rng),
            )
        )
    if age >= 20 and rng.random() < (0.7 if married else 0.25):
        for _i in range(rng.choices([1, 2, 3, 4], weights=[40, 35, 18, 7])[0]):
            child_sex = rng.choice("MF")
            _s, first, _p, _lang = person_name(rng, child_sex)
            oldest = min(age - 18, 25)
            child_age_days = rng.randint(60, max(oldest * 365, 400))
            if rng.random() < 0.15:
                child_age_days = rng.randint(30, 3 * 365 - 30)  # a child under three
            child_birth = BIRTH_ANCHOR - dt.timedelta(days=child_age_days)
            child_surname = person.surname if sex == "M" else person.surname
            if child_sex == "F":
                child_surname = _female_surname(child_surname)
            draft.family.append(
                FamilyMember(
                    relation=Relation.CHILD,
                    full_name=f"{child_surname} {first}",
                    birth_date=child_birth,
                    dependant=child_age_days < 18 * 365,
                    lives_with=rng.random() < 0.8,
                )
            )
        if not married and sex == "M" and rng.random() < 0.3:
            person.raises_children_alone = True


def people_drafts(
    *, seed: int, count: int, offices: list[OfficeInfo], used_iins: set[str], label: str = "population"
) -> Iterator[PersonDraft]:
    """The people of a run, in order; each chunk of people has its own stream of the seed."""
    for chunk_start in range(0, count, CHUNK):
        rng = stream(seed, f"{label}:people:{chunk_start}")
        for _i in range(min(CHUNK, count - chunk_start)):
            yield person_draft(rng, offices=offices, used_iins=used_iins)


# --- Organisation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeInfo:
    """What the generator needs to know of an office (also without a database)."""

    code: str
    region_code: str
    region_kk: str
    region_ru: str
    locality_kk: str
    locality_ru: str
    postcode: str
    court: str
