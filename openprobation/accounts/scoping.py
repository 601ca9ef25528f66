"""The one place that decides what a user may see and do with personal data.

Three kinds of scope, chosen by the role (``ROLE_SCOPE``):

- **jurisdiction** — by where the user is placed: an office (sees that office), a region (sees the
  region's offices) or the national level (sees every office). Selectors build their querysets
  with ``office_q``; object-level decisions go through ``may``.
- **relationship** — not by geography but by a tie to the record: partner-agency staff see only
  what is referred to their organisation; monitoring operators see only people under electronic
  monitoring in the regions they monitor. The app that owns the tie (programmes, monitoring)
  registers a ``Relationship`` here; until one is registered the role sees nothing.
- **aggregate** — analysts see counts over the whole jurisdiction of their statistics, never rows:
  ``aggregates_for_user`` hands out an ``AggregateOnly`` that can count and group but not list.

Capability comes from the role (``roles.ROLE_CAPS``), and so does the level the user works at
(``models.ROLE_PLACEMENT``, declared beside ``Role`` because the database constraint on a user's
placement is built from it): ``level_of`` gives ``Level.NONE`` to a placement the role does not
allow. Anything not granted is refused.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from django.db.models import Count, Q, QuerySet

from openprobation.accounts.models import ROLE_PLACEMENT, Office, Role, placement_of
from openprobation.accounts.roles import Cap, has_cap


class Scope(StrEnum):
    JURISDICTION = "jurisdiction"
    RELATIONSHIP = "relationship"
    AGGREGATE = "aggregate"
    NONE = "none"


# How each role's view of personal data is limited (a role not listed sees none).
ROLE_SCOPE: dict[str, Scope] = {
    Role.OFFICER: Scope.JURISDICTION,
    Role.SENIOR_OFFICER: Scope.JURISDICTION,
    Role.HEAD_OF_OFFICE: Scope.JURISDICTION,
    Role.REGIONAL_ADMIN: Scope.JURISDICTION,
    Role.COURT_LIAISON: Scope.JURISDICTION,
    Role.PARTNER_STAFF: Scope.RELATIONSHIP,
    Role.MONITORING_OPERATOR: Scope.RELATIONSHIP,
    Role.ANALYST: Scope.AGGREGATE,
}


def scope_of(user: Any) -> Scope:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Scope.NONE
    return ROLE_SCOPE.get(getattr(user, "role", ""), Scope.NONE)


class Level(StrEnum):
    OFFICE = "office"
    REGION = "region"
    NATIONAL = "national"
    NONE = "none"


def level_of(user: Any) -> Level:
    """The level the user works at: what their placement is, provided the role works there
    (``models.ROLE_PLACEMENT``). A placement the role does not allow — a head of office without an
    office, a regional administrator placed in an office — gives ``Level.NONE``: nothing to see,
    nothing to do, never the national view an empty placement would otherwise mean."""
    if not getattr(user, "is_authenticated", False):
        return Level.NONE
    placed = placement_of(office_id=getattr(user, "office_id", None), region_id=getattr(user, "region_id", None))
    if placed is None or placed not in ROLE_PLACEMENT.get(getattr(user, "role", ""), frozenset()):
        return Level.NONE
    return Level(placed.value)


def office_q(user: Any, path: str = "office") -> Q | None:
    """A filter on an office foreign key at ``path`` limiting rows to the user's jurisdiction.

    Returns None when the user may see no personal data at all (callers return ``qs.none()``).
    """
    if not has_cap(user, Cap.CASE_VIEW) or scope_of(user) is not Scope.JURISDICTION:
        return None
    level = level_of(user)
    if level is Level.OFFICE:
        return Q(**{f"{path}_id": user.office_id})
    if level is Level.REGION:
        return Q(**{f"{path}__region_id": user.region_id})
    if level is Level.NATIONAL:
        return Q()
    return None


def office_in_jurisdiction(user: Any, office: Any) -> bool:
    if office is None:
        return False
    level = level_of(user)
    if level is Level.OFFICE:
        return bool(office.pk == user.office_id)
    if level is Level.REGION:
        return bool(office.region_id == user.region_id)
    return level is Level.NATIONAL


class CaseLike(Protocol):
    office: Any
    office_id: int
    officer_id: int | None


class CaseAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    TRANSITION = "transition"
    ALLOCATE = "allocate"
    TRANSFER = "transfer"


def may(user: Any, action: CaseAction, case: CaseLike) -> bool:
    """May ``user`` do ``action`` to ``case``? Viewing is decided by the scoped selector; every
    change needs the case to be in the user's *current* jurisdiction and the right capability
    (relationship-scoped roles read what they are tied to, and change nothing here)."""
    if scope_of(user) is not Scope.JURISDICTION:
        return False
    if not office_in_jurisdiction(user, case.office):
        return False
    if action is CaseAction.VIEW:
        return has_cap(user, Cap.CASE_VIEW)
    if action in (CaseAction.EDIT, CaseAction.TRANSITION):
        if has_cap(user, Cap.CASE_EDIT_ANY):
            return True
        return has_cap(user, Cap.CASE_EDIT_OWN) and case.officer_id == user.pk
    if action is CaseAction.ALLOCATE:
        return has_cap(user, Cap.CASE_ALLOCATE)
    if action is CaseAction.TRANSFER:
        return has_cap(user, Cap.CASE_TRANSFER)
    return False


def offices_for_user(user: Any) -> Any:
    """Offices the user works in (for choosing where to open a case, or whom to allocate)."""
    if not has_cap(user, Cap.CASE_VIEW):
        return Office.objects.none()
    level = level_of(user)
    if level is Level.OFFICE:
        return Office.objects.filter(pk=user.office_id)
    if level is Level.REGION:
        return Office.objects.filter(region_id=user.region_id)
    if level is Level.NATIONAL:
        return Office.objects.all()
    return Office.objects.none()


# --- Scope by relationship --------------------------------------------------------------------------


class Relationship(Protocol):
    """What ties a user of a relationship-scoped role to records: the ids of the cases and of the
    people they may see (as subqueries, so the database does the join)."""

    def case_ids(self, user: Any) -> QuerySet[Any]: ...

    def person_ids(self, user: Any) -> QuerySet[Any]: ...


_relationships: dict[str, Relationship] = {}


def register_relationship(role: str, relationship: Relationship) -> None:
    """Called by the app that owns the tie (programmes for partner staff, monitoring for operators)
    from its ``AppConfig.ready``. A role has at most one relationship; registering again replaces it."""
    if ROLE_SCOPE.get(role) is not Scope.RELATIONSHIP:
        raise ValueError(f"role {role!r} is not scoped by relationship")
    _relationships[role] = relationship


def unregister_relationship(role: str) -> None:
    _relationships.pop(role, None)


def relationship_of(user: Any) -> Relationship | None:
    """The registered relationship of a relationship-scoped user, or None (then they see nothing)."""
    if scope_of(user) is not Scope.RELATIONSHIP:
        return None
    return _relationships.get(user.role)


def monitored_region_ids(user: Any) -> list[int]:
    """The regions a monitoring operator watches (their relationship filters people under
    electronic monitoring to these); empty for everyone else."""
    if getattr(user, "role", "") != Role.MONITORING_OPERATOR or not getattr(user, "pk", None):
        return []
    return list(user.monitored_regions.values_list("pk", flat=True))


# --- Aggregates only ---------------------------------------------------------------------------------


class AggregateOnly:
    """Counts and groups over a queryset, never its rows: what an analyst may have. It offers no
    way to iterate, slice or read a field of a single row."""

    __slots__ = ("_qs",)

    def __init__(self, qs: QuerySet[Any]) -> None:
        self._qs = qs

    def filter(self, *args: Any, **kwargs: Any) -> AggregateOnly:
        return AggregateOnly(self._qs.filter(*args, **kwargs))

    def count(self) -> int:
        return self._qs.count()

    def count_by(self, *fields: str) -> dict[Any, int]:
        """Row counts per value (or tuple of values) of ``fields``."""
        rows = self._qs.order_by().values(*fields).annotate(_n=Count("pk"))
        if len(fields) == 1:
            return {row[fields[0]]: row["_n"] for row in rows}
        return {tuple(row[f] for f in fields): row["_n"] for row in rows}

    def aggregate(self, **expressions: Any) -> dict[str, Any]:
        return self._qs.aggregate(**expressions)


def aggregates_for_user(user: Any, qs: QuerySet[Any], path: str = "office") -> AggregateOnly | None:
    """``qs`` limited to the user's statistics jurisdiction (the office, region or country of their
    placement), as aggregates only; None without the statistics capability."""
    if not has_cap(user, Cap.STATS_VIEW):
        return None
    level = level_of(user)
    if level is Level.OFFICE:
        return AggregateOnly(qs.filter(**{f"{path}_id": user.office_id}))
    if level is Level.REGION:
        return AggregateOnly(qs.filter(**{f"{path}__region_id": user.region_id}))
    if level is Level.NATIONAL:
        return AggregateOnly(qs)
    return None
