"""Who is calling, typed for the services, and capability checks for pages and the API.

Every app's views and endpoints take the signed-in member of staff from here (``staff_user`` for
pages, ``api_user`` for the API) and refuse by capability with ``require_cap`` / ``needs_cap``;
jurisdiction is decided by ``accounts.scoping``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from openprobation.accounts.models import Office, User
from openprobation.accounts.roles import Cap, has_cap


def staff_user(request: HttpRequest) -> User:
    """The signed-in, active member of staff behind a page request (otherwise 403)."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied
    return user


def require_cap(request: HttpRequest, cap: Cap) -> None:
    """Refuse a page (403) to a user whose role lacks ``cap`` — fails closed."""
    if not has_cap(request.user, cap):
        raise PermissionDenied


def own_office(user: User) -> Office:
    """The office of an office-level user (refused for regional and national staff)."""
    if user.office is None:
        raise PermissionDenied
    return user.office


def api_user(request: Request) -> User:
    """The signed-in staff member (permission classes have already refused anonymous calls)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


class _CapPermission(BasePermission):
    cap: Cap
    methods: frozenset[str] | None = None
    message = gettext_lazy("Your role does not allow this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if self.methods is not None and request.method not in self.methods:
            return True
        return has_cap(request.user, self.cap)


def needs_cap(cap: Cap, *, methods: tuple[str, ...] | None = None) -> type[BasePermission]:
    """A permission class refusing (403) callers whose role lacks ``cap`` — fails closed.
    With ``methods``, only those HTTP methods need it (a list anyone may read, a POST that needs
    the capability); the service checks again, with the jurisdiction."""
    name = f"Needs_{cap.value}" + (f"_for_{'_'.join(methods)}" if methods else "")
    return type(name, (_CapPermission,), {"cap": cap, "methods": frozenset(methods) if methods else None})
