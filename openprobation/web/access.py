"""The signed-in member of staff behind a request, typed for the services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from openprobation.accounts.models import Office, User


def staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied
    return user


def own_office(user: User) -> Office:
    """The office of an office-level user (refused for regional and national staff)."""
    if user.office is None:
        raise PermissionDenied
    return user.office
