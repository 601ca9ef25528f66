"""Reads of staff and offices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from openprobation.accounts.models import Office, User
from openprobation.accounts.roles import Cap, roles_with


def caseworkers(*, offices: Iterable[Office | int] | QuerySet[Office] | Any) -> QuerySet[User]:
    """Active staff of the offices who may carry cases (``roles.carries_cases``), by name."""
    return User.objects.filter(office__in=offices, is_active=True, role__in=roles_with(Cap.CASE_CARRY)).order_by(
        "last_name", "first_name", "id"
    )
