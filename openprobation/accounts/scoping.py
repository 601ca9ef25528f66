"""The one place that decides what a user may see and do with personal data.

Jurisdiction comes from where the user is placed: an office (sees that office), a region (sees the
region's offices) or the national level (sees every office). Capability comes from the role
(``roles.ROLE_CAPS``). Selectors of every app build their querysets with ``office_q``; object-level
decisions go through ``may``. Anything not granted is refused.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from django.db.models import Q

from openprobation.accounts.models import Office
from openprobation.accounts.roles import Cap, has_cap


class Level(StrEnum):
    OFFICE = "office"
    REGION = "region"
    NATIONAL = "national"
    NONE = "none"


def level_of(user: Any) -> Level:
    if not getattr(user, "is_authenticated", False):
        return Level.NONE
    if user.office_id:
        return Level.OFFICE
    if user.region_id:
        return Level.REGION
    return Level.NATIONAL


def office_q(user: Any, path: str = "office") -> Q | None:
    """A filter on an office foreign key at ``path`` limiting rows to the user's jurisdiction.

    Returns None when the user may see no personal data at all (callers return ``qs.none()``).
    """
    if not has_cap(user, Cap.CASE_VIEW):
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
    change needs the case to be in the user's *current* jurisdiction and the right capability."""
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
    return Office.objects.all()
