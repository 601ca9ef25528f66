"""Authentication backends: permissions follow the role declared in code, not group membership
that could drift; and a limit on failed sign-ins per client address."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from openprobation.accounts.roles import ADMIN_MODEL_PERMS, ROLE_CAPS
from openprobation.core.network import client_address


class RoleBackend(ModelBackend):
    """Django's model backend, with the role's permissions in place of group permissions."""

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        role = getattr(user_obj, "role", "")
        perms = {f"accounts.cap_{cap.value}" for cap in ROLE_CAPS.get(role, frozenset())}
        return perms | set(ADMIN_MODEL_PERMS.get(role, []))


def address_failures(address: str, *, since: dt.datetime) -> int:
    """Failed sign-ins from ``address`` since ``since`` (django-axes' failure log, all names)."""
    if not address:
        return 0
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return 0
    return AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()


def address_locked_out(request: Any) -> bool:
    """Whether the client address has reached ``LOGIN_ADDRESS_FAILURE_LIMIT`` failed sign-ins
    within ``LOGIN_ADDRESS_WINDOW_MINUTES`` (any user names)."""
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_ADDRESS_WINDOW_MINUTES)
    return address_failures(client_address(request), since=since) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class AddressLimitBackend:
    """First in ``AUTHENTICATION_BACKENDS``: refuses every sign-in from an address that has failed
    too often, before any password is checked. The per-name lock-out (django-axes) stays; this one
    catches one address trying many names. Offices share a NAT address, so the limit is well above
    the per-name one.

    The refusal marks the request as locked out, so django-axes neither counts it against the user
    name tried (with ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``) nor logs it, and
    its middleware shows the locked-out page; the token API answers 429 in JSON. It has no
    ``get_user`` on purpose: it never signs anyone in (and the test client's ``force_login`` picks
    the first backend that has one).
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None or not address_locked_out(request):
            return None
        request.axes_locked_out = True
        request.op_address_locked_out = True
        request.op_address_lock_minutes = settings.LOGIN_ADDRESS_WINDOW_MINUTES
        raise PermissionDenied("Too many failed sign-ins from this address.")
