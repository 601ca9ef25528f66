"""Reads of people, always scoped to the user's jurisdiction (``accounts.scoping``).

Reads of personal data are audited here, not in the views: ``person_detail`` records the view and
``person_search`` the search, so the page and the API count the same things."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from openprobation.accounts.models import Office
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import Level, level_of, office_in_jurisdiction, office_q, relationship_of
from openprobation.audit.services import audit_record
from openprobation.core.text import is_ascii_number
from openprobation.people.models import Address, Person, fold, make_name_key


def person_qs_for_user(user: Any) -> QuerySet[Person]:
    """People the user may see: registered by an office of their jurisdiction, or with a case
    (now or before a transfer) in one; for relationship-scoped roles, the people their registered
    relationship ties them to."""
    relationship = relationship_of(user)
    if relationship is not None:
        # Person pages and the person API need the capability too (partner staff read their
        # referrals' people only through the partner portal).
        if not has_cap(user, Cap.CASE_VIEW):
            return Person.objects.none()
        return Person.objects.filter(pk__in=relationship.person_ids(user))
    own = office_q(user, "registered_office")
    if own is None:
        return Person.objects.none()
    if level_of(user) is Level.NATIONAL:
        return Person.objects.all()
    via_case = office_q(user, "cases__office") or Q(pk__in=[])
    via_transfer = office_q(user, "cases__transfers__from_office") or Q(pk__in=[])
    # A UNION of three id sets, each planned on its own index (see cases.selectors).
    visible_ids = (
        Person.objects.filter(own)
        .order_by()
        .values("pk")
        .union(
            Person.objects.filter(via_case).order_by().values("pk"),
            Person.objects.filter(via_transfer).order_by().values("pk"),
        )
    )
    return Person.objects.filter(pk__in=visible_ids)


def person_search(*, user: Any, query: str = "") -> QuerySet[Person]:
    """People of the user's jurisdiction matching a name or IIN (its first digits); every read of
    the list is recorded as a search."""
    text = query.strip()
    audit_record(actor=user, action="person.search", details={"query": text, "filters": {}})
    qs = person_qs_for_user(user)
    if not text:
        return qs
    if is_ascii_number(text):
        return qs.filter(iin__startswith=text)
    words = text.split()
    for word in words:
        qs = qs.filter(search_text__contains=fold(word))
    return qs


def person_detail(*, user: Any, pk: int, part: str = "") -> Person:
    """The person if the user may see them, recorded as a view (``part`` names what was read, such
    as "edit" for a form filled with their details). Raises Person.DoesNotExist (a 404) when out
    of the user's jurisdiction."""
    person = person_qs_for_user(user).prefetch_related("addresses", "documents", "family").get(pk=pk)
    person_shown(user=user, person=person, part=part)
    return person


def person_shown(*, user: Any, person: Person, part: str = "") -> None:
    """Record that ``person`` (found with ``person_for_change``) was shown after all: a form posted
    with errors, or refused, comes back with their details though nothing was saved."""
    audit_record(actor=user, action="person.view", subject=person, details={"part": part} if part else None)


def person_for_change(*, user: Any, pk: int) -> Person:
    """The person to change, if the user may see them (the service checks the change and records
    it). Raises Person.DoesNotExist (a 404) when out of the user's jurisdiction."""
    return person_qs_for_user(user).prefetch_related("addresses", "documents", "family").get(pk=pk)


# Where a person's record may be changed is where a current case puts them; cases sit above
# people, so the cases app registers how to find those offices (``CasesConfig.ready``).
CurrentOffices = Callable[[Person], list[int] | None]
_current_offices: list[CurrentOffices] = []


def register_current_offices(provider: CurrentOffices) -> None:
    _current_offices[:] = [provider]


def person_current_office_ids(person: Person) -> list[int]:
    """The offices that hold the person now: those of a current case (as the registered provider
    says), else the office that registered them (a person with no case yet)."""
    for provider in _current_offices:
        found = provider(person)
        if found:
            return found
    return [person.registered_office_id]


def person_editable_by(user: Any, person: Person) -> bool:
    """May ``user`` change the person's record? The capability, and the person held by an office
    of the user's current jurisdiction. Offices that can still see the person only as history (a
    case transferred away, a region the person has left) read, but do not change."""
    if not has_cap(user, Cap.PERSON_EDIT):
        return False
    offices = Office.objects.filter(pk__in=person_current_office_ids(person)).only("pk", "region_id")
    return any(office_in_jurisdiction(user, office) for office in offices)


def near_duplicates(*, surname: str, first_name: str, birth_date: dt.date) -> list[Person]:
    """People with the same surname, first name and birth date, nationally (unscoped on purpose:
    the check must see duplicates registered elsewhere; callers show only counts outside the
    user's jurisdiction)."""
    return list(Person.objects.filter(birth_date=birth_date, name_key=make_name_key(surname, first_name))[:10])


def known_localities(*, user: Any, limit: int = 300) -> list[str]:
    """Cities and villages in the addresses of people the user may see, as suggestions when typing
    one (place names only)."""
    return list(
        Address.objects.filter(person__in=person_qs_for_user(user).values("pk"))
        .order_by("locality")
        .values_list("locality", flat=True)
        .distinct()[:limit]
    )
