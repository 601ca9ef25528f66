"""Writes on people: atomic, validated, audited once per call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import office_in_jurisdiction
from openprobation.audit.services import audit_record, diff, snapshot
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.people.countries import CODES as CITIZENSHIP_CODES
from openprobation.people.iin import parse_iin, validate_iin_against
from openprobation.people.models import (
    KAZAKHSTAN,
    Address,
    FamilyMember,
    IdentityDocument,
    Person,
    fold,
    make_name_key,
    make_search_text,
)
from openprobation.people.selectors import near_duplicates, person_editable_by, person_qs_for_user
from openprobation.people.translit import NameScript, name_script, to_latin

PERSON_FIELDS = [
    "iin",
    "surname",
    "first_name",
    "patronymic",
    "surname_latin",
    "first_name_latin",
    "patronymic_latin",
    "birth_date",
    "sex",
    "citizenship",
    "native_language",
    "languages",
    "phone",
    "email",
    "disability_group",
    "pregnant",
    "raises_children_alone",
    "employment_status",
    "education_level",
    "in_education",
    "notes",
]


NAME_FIELDS = ("surname", "first_name", "patronymic")


def _label(field: str) -> str:
    return str(capfirst(Person._meta.get_field(field).verbose_name))  # type: ignore[union-attr]


def _latin_form(name: str) -> str:
    """The Latin form of a name: a Latin name as typed, a Cyrillic one transliterated."""
    return name if name_script(name) is NameScript.LATIN else to_latin(name)


def _clean_names(clean: dict[str, Any], *, instance: Person | None) -> None:
    """The name is written as in the identity document, in one alphabet.

    A citizen of Kazakhstan (citizenship KAZ) has Kazakh documents, which carry the name in
    Cyrillic: it is written in Cyrillic and the Latin form is transliterated from it. Anyone else
    (a foreign national, or a stateless person with an empty citizenship) may have documents in
    Latin letters only: their name may be written in Cyrillic or in Latin letters, and a Latin name
    is also its own Latin form. Either way surname, first name and patronymic share one alphabet,
    and no part mixes alphabets (a Cyrillic "о" in "Jоhn" would hide the person from search and
    from the duplicate check)."""
    citizen = clean["citizenship"] == KAZAKHSTAN
    alphabet: NameScript | None = None
    for field in NAME_FIELDS:
        value = (clean.get(field) or "").strip()
        clean[field] = value
        if not value:
            continue
        script = name_script(value)
        if script is NameScript.MIXED:
            raise DomainError(
                _(
                    "%(field)s mixes Cyrillic and Latin letters, which can look alike. "
                    "Type it again in one alphabet, as in the identity document."
                )
                % {"field": _label(field)},
                field=field,
                code="mixed_script",
            )
        if script is NameScript.INVALID:
            raise DomainError(
                _("%(field)s may contain only Cyrillic or Latin letters, spaces, hyphens and apostrophes.")
                % {"field": _label(field)},
                field=field,
            )
        if script is NameScript.LATIN and citizen:
            raise DomainError(
                _(
                    "%(field)s: write the name of a citizen of Kazakhstan in Cyrillic letters, as in the identity "
                    "card; the Latin form is filled in from it. Latin letters are accepted only for a foreign "
                    "national or a stateless person."
                )
                % {"field": _label(field)},
                field=field,
                code="cyrillic_required",
            )
        if alphabet is None:
            alphabet = script
        elif script is not alphabet:
            raise DomainError(
                _("%(field)s is in a different alphabet from the surname. Write the whole name in one alphabet.")
                % {"field": _label(field)},
                field=field,
                code="mixed_script",
            )
    if not clean["surname"]:
        raise DomainError(_("The surname is required."), field="surname")
    if not clean["first_name"]:
        raise DomainError(_("The first name is required."), field="first_name")
    for field in NAME_FIELDS:
        latin_field = f"{field}_latin"
        latin = (clean.get(latin_field) or "").strip()
        old_latin = getattr(instance, latin_field) if instance is not None else None
        if latin and latin != old_latin and name_script(latin) is not NameScript.LATIN:
            raise DomainError(
                _("%(field)s may contain only Latin letters, spaces, hyphens and apostrophes.")
                % {"field": _label(latin_field)},
                field=latin_field,
                code="latin_required",
            )
        # A corrected name takes a new Latin form unless the old one was typed by hand.
        old_name = getattr(instance, field) if instance is not None else None
        stale = old_name is not None and clean[field] != old_name and fold(latin) == fold(_latin_form(old_name))
        clean[latin_field] = _latin_form(clean[field]) if not latin or stale else latin


@dataclass(frozen=True)
class RegisteredAnswer:
    """What the duplicate check tells the asker about people already registered.

    ``visible`` are the matches within the asker's jurisdiction (the page links to them, the API
    gives their ids); of the others the asker learns only that there are some (``elsewhere``) —
    no name, birth date, office, region, nor how many."""

    code: str  # "duplicate_iin" (the same IIN) or "possible_duplicate" (same name and birth date)
    message: str
    visible: tuple[Person, ...]
    elsewhere: bool

    @property
    def in_jurisdiction(self) -> bool:
        return not self.elsewhere


class DuplicatePersonError(DomainError):
    """Registering (or changing) would duplicate a registered person; ``answer`` says what may be shown."""

    def __init__(self, answer: RegisteredAnswer):
        super().__init__(answer.message, field="iin" if answer.code == "duplicate_iin" else None, code=answer.code)
        self.answer = answer


def registered_answer(
    *,
    actor: User,
    context: str,
    iin: str | None = None,
    surname: str = "",
    first_name: str = "",
    birth_date: dt.date | None = None,
    exclude: Person | None = None,
) -> RegisteredAnswer | None:
    """The one answer to "is this person already registered?" — for registering, changing a
    person's IIN and the IIN check, on the pages and over the API alike.

    The check itself is national (no duplicate anywhere in the country), so the answer could be used
    to find out whether anyone is registered anywhere: within the asker's jurisdiction it names the
    person, outside it says only that the person is registered with the service and how to
    proceed. Every answer is recorded (who asked, in which ``context``, what was probed, whether the
    match is in the asker's jurisdiction). None when nobody matches."""
    if iin:
        probe: dict[str, Any] = {"probe": "iin", "iin": iin}
        found = Person.objects.filter(iin=iin)
        if exclude is not None:
            found = found.exclude(pk=exclude.pk)
        matches = list(found[:1])
    elif birth_date is not None and surname and first_name:
        probe = {"probe": "name", "surname": surname, "first_name": first_name, "birth_date": birth_date}
        matches = [
            p
            for p in near_duplicates(surname=surname, first_name=first_name, birth_date=birth_date)
            if exclude is None or p.pk != exclude.pk
        ]
    else:
        return None
    if not matches:
        return None
    seen = set(person_qs_for_user(actor).filter(pk__in=[p.pk for p in matches]).values_list("pk", flat=True))
    visible = tuple(p for p in matches if p.pk in seen)
    elsewhere = len(visible) < len(matches)
    audit_record(
        actor=actor,
        action="person.duplicate_answer",
        subject=matches[0] if len(matches) == 1 else None,
        details={
            "context": context,
            **probe,
            "in_jurisdiction": not elsewhere,
            "matches": [{"person": p.pk, "in_jurisdiction": p.pk in seen} for p in matches],
        },
    )
    if iin:
        code = "duplicate_iin"
        if visible:
            message = _(
                "A person with IIN %(iin)s is already registered. Open that person instead of registering again."
            ) % {"iin": iin}
        else:
            message = _(
                "A person with this IIN is already registered with the probation service, outside your "
                "jurisdiction. Do not register them again: ask your regional department which office holds "
                "their case and ask that office to transfer it or to share what you need."
            )
    else:
        code = "possible_duplicate"
        if visible:
            message = _(
                "%(count)s person(s) with the same name and date of birth are already registered. "
                "Check them; if this is a different person, confirm and save again."
            ) % {"count": len(visible)}
        else:
            message = _(
                "A person with the same name and date of birth is already registered with the probation "
                "service, outside your jurisdiction. If it may be the same person, ask your regional "
                "department before registering; if this is a different person, confirm and save again."
            )
    return RegisteredAnswer(code=code, message=message, visible=visible, elsewhere=elsewhere)


def iin_registration_answer(*, actor: User, iin: str) -> RegisteredAnswer | None:
    """The IIN check's part of the answer: only for those who register people (they would learn it
    by registering anyway); everyone else learns nothing about registrations from it."""
    if not has_cap(actor, Cap.PERSON_CREATE):
        return None
    return registered_answer(actor=actor, context="iin_check", iin=iin)


def _fill_from_iin(clean: dict[str, Any]) -> None:
    """A blank date of birth or sex is read from the IIN, which encodes both (``people.iin``); an
    invalid IIN is then the error to show. Values entered are kept and checked against the IIN."""
    iin = (clean.get("iin") or "").strip()
    if not iin or (isinstance(clean.get("birth_date"), dt.date) and clean.get("sex")):
        return
    info = parse_iin(iin)
    if not isinstance(clean.get("birth_date"), dt.date):
        clean["birth_date"] = info.birth_date
    if not clean.get("sex"):
        clean["sex"] = info.sex


def _clean_person(data: dict[str, Any], *, actor: User, context: str, instance: Person | None = None) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    # Omitted (an API call without it) is the model's default, Kazakhstan; empty is stateless.
    clean["citizenship"] = str(clean.get("citizenship", KAZAKHSTAN) or "").strip().upper()
    if clean["citizenship"] and clean["citizenship"] not in CITIZENSHIP_CODES:
        raise DomainError(
            _(
                "Choose the citizenship from the list (an ISO 3166 country code); leave it empty for a stateless person."
            ),
            field="citizenship",
            code="invalid_citizenship",
        )
    _fill_from_iin(clean)
    _clean_names(clean, instance=instance)
    birth = clean.get("birth_date")
    if not isinstance(birth, dt.date):
        raise DomainError(_("The date of birth is required."), field="birth_date")
    today = local_today()
    if birth > today:
        raise DomainError(_("The date of birth cannot be in the future."), field="birth_date")
    if birth.year < 1900:
        raise DomainError(_("The date of birth is too far in the past."), field="birth_date")
    if clean.get("sex") not in ("M", "F"):
        raise DomainError(_("Choose the sex."), field="sex")
    iin = (clean.get("iin") or "").strip() or None
    clean["iin"] = iin
    if iin:
        validate_iin_against(iin, birth_date=birth, sex=clean["sex"])
        clash = registered_answer(actor=actor, context=context, iin=iin, exclude=instance)
        if clash is not None:
            raise DuplicatePersonError(clash)
    if clean.get("pregnant") and clean["sex"] != "F":
        raise DomainError(_("Pregnancy can only be recorded for a woman."), field="pregnant")
    langs = clean.get("languages") or []
    clean["languages"] = sorted({str(x) for x in langs})
    return clean


def _set_keys(person: Person) -> None:
    person.name_key = make_name_key(person.surname, person.first_name)
    person.search_text = make_search_text(
        person.surname,
        person.first_name,
        person.patronymic,
        person.surname_latin,
        person.first_name_latin,
        person.patronymic_latin,
    )


def _check_document_dates(data: dict[str, Any]) -> None:
    issued, valid = data.get("issued_on"), data.get("valid_until")
    if isinstance(issued, dt.date) and isinstance(valid, dt.date) and valid < issued:
        raise DomainError(_("A document cannot expire before it was issued."), field="valid_until")


def person_create(
    *,
    actor: User,
    office: Office,
    data: dict[str, Any],
    addresses: list[dict[str, Any]] | None = None,
    documents: list[dict[str, Any]] | None = None,
    family: list[dict[str, Any]] | None = None,
    confirm_not_duplicate: bool = False,
) -> Person:
    """Register a person. The same IIN cannot be registered twice; a person with the same surname,
    first name and date of birth is shown first and needs ``confirm_not_duplicate``. Either refusal
    is a ``DuplicatePersonError`` whose answer says what the asker may learn (``registered_answer``)."""
    if not has_cap(actor, Cap.PERSON_CREATE) or not office_in_jurisdiction(actor, office):
        raise PermissionDeniedError(_("You may not register people for this office."))
    clean = _clean_person(data, actor=actor, context="register")
    for item in documents or []:
        _check_document_dates(item)
    if not confirm_not_duplicate:
        namesakes = registered_answer(
            actor=actor,
            context="register",
            surname=clean["surname"],
            first_name=clean["first_name"],
            birth_date=clean["birth_date"],
        )
        if namesakes is not None:
            raise DuplicatePersonError(namesakes)
    for item in family or []:
        if item.get("full_name"):
            _check_family_member(item)
    try:
        with transaction.atomic():
            person = Person(**clean, registered_office=office)
            _set_keys(person)
            person.full_clean(exclude=["registered_office", "name_key", "search_text"], validate_unique=False)
            person.save()
            for item in addresses or []:
                if item.get("locality"):
                    Address.objects.create(person=person, **item)
            for item in documents or []:
                if item.get("kind"):
                    IdentityDocument.objects.create(person=person, **item)
            for item in family or []:
                if item.get("full_name"):
                    FamilyMember.objects.create(person=person, **item)
            audit_record(
                actor=actor,
                action="person.create",
                subject=person,
                changes=diff({}, snapshot(person, PERSON_FIELDS)),
                details={"office": office.code, "addresses": len(addresses or []), "family": len(family or [])},
            )
    except IntegrityError:
        # Registered by someone else a moment ago: the same answer as any other duplicate.
        raced = registered_answer(actor=actor, context="register", iin=clean["iin"]) if clean["iin"] else None
        if raced is not None:
            raise DuplicatePersonError(raced) from None
        raise DomainError(
            _("A person with this IIN is already registered."), field="iin", code="duplicate_iin"
        ) from None
    return person


def _check_may_edit(actor: User, person: Person) -> None:
    """Changes follow the person's current jurisdiction (``selectors.person_editable_by``)."""
    if not person_editable_by(actor, person):
        raise PermissionDeniedError(_("You may not change people's details."))


def person_update(*, actor: User, person: Person, data: dict[str, Any]) -> Person:
    """Change a person's details; every changed field is audited old → new."""
    _check_may_edit(actor, person)
    merged = {**snapshot(person, PERSON_FIELDS), **{k: v for k, v in data.items() if k in PERSON_FIELDS}}
    merged["birth_date"] = data.get("birth_date", person.birth_date)
    clean = _clean_person(merged, actor=actor, context="edit", instance=person)
    before = snapshot(person, PERSON_FIELDS)
    with transaction.atomic():
        for key, value in clean.items():
            setattr(person, key, value)
        _set_keys(person)
        person.save()
        changes = diff(before, snapshot(person, PERSON_FIELDS))
        audit_record(actor=actor, action="person.update", subject=person, changes=changes)
    return person


def _check_family_member(data: dict[str, Any]) -> None:
    """One family member's details, the same when registering a person and when adding one later:
    a name, and a date of birth (if given) that is not in the future nor before 1900 — a child
    "born" on 31.12.9999 would count as a child under 3 for eligibility and forced labour."""
    if not (data.get("full_name") or "").strip():
        raise DomainError(_("The full name is required."), field="full_name")
    birth = data.get("birth_date")
    if isinstance(birth, dt.date):
        if birth > local_today():
            raise DomainError(_("The date of birth cannot be in the future."), field="birth_date")
        if birth.year < 1900:
            raise DomainError(_("The date of birth is too far in the past."), field="birth_date")


def family_member_add(*, actor: User, person: Person, data: dict[str, Any]) -> FamilyMember:
    _check_may_edit(actor, person)
    _check_family_member(data)
    with transaction.atomic():
        member = FamilyMember.objects.create(person=person, **data)
        audit_record(
            actor=actor,
            action="person.family_add",
            subject=person,
            details={"relation": member.relation, "member_id": member.pk},
        )
    return member


def address_set(*, actor: User, person: Person, kind: str, data: dict[str, Any]) -> Address:
    _check_may_edit(actor, person)
    if not (data.get("locality") or "").strip():
        raise DomainError(_("The city or village is required."), field="locality")
    with transaction.atomic():
        existing = Address.objects.filter(person=person, kind=kind).first()
        fields = ["region", "locality", "street", "building", "apartment", "postcode"]
        before = snapshot(existing, fields) if existing else {}
        address, _created = Address.objects.update_or_create(person=person, kind=kind, defaults=data)
        audit_record(
            actor=actor,
            action="person.address_set",
            subject=person,
            changes=diff(before, snapshot(address, fields)),
            details={"kind": kind},
        )
    return address


def document_add(*, actor: User, person: Person, data: dict[str, Any]) -> IdentityDocument:
    _check_may_edit(actor, person)
    _check_document_dates(data)
    with transaction.atomic():
        doc = IdentityDocument.objects.create(person=person, **data)
        audit_record(
            actor=actor, action="person.document_add", subject=person, details={"kind": doc.kind, "document_id": doc.pk}
        )
    return doc
