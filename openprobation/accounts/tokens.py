"""API tokens: making one, finding the caller's, and the DRF authentication that checks them.

The secret is 256 random bits shown once; the database keeps its SHA-256 digest (a fast hash is
enough for a random secret, unlike a password) and the first characters for display. A token ends
at its absolute lifetime (``API_TOKEN_TTL_HOURS``), after ``API_TOKEN_IDLE_MINUTES`` unused (like
a session), when revoked, or when the user's password changes by any path (the token keeps the
session auth hash of the password it was issued under). Issuing and revoking are audited by the
callers in the web shell (accounts sit below audit in the app layers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from openprobation.accounts.models import ApiToken, User

PREFIX_LENGTH = 8
KEYWORD = "Token"
# Last use is written at most this often, so an active client does not write on every call.
LAST_USED_GRANULARITY = dt.timedelta(seconds=60)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def password_state(user: User) -> str:
    """Changes whenever the password hash changes (and with SECRET_KEY, like sessions)."""
    return user.get_session_auth_hash()


def token_ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_idle() -> dt.timedelta:
    return dt.timedelta(minutes=settings.API_TOKEN_IDLE_MINUTES)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def token_create(*, user: User, label: str = "") -> IssuedToken:
    """A new token for ``user``; the caller shows ``secret`` once and audits the issue."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        label=label,
        prefix=secret[:PREFIX_LENGTH],
        digest=token_digest(secret),
        password_state=password_state(user),
        expires_at=timezone.now() + token_ttl(),
    )
    return IssuedToken(token=token, secret=secret)


def token_problem(token: ApiToken, *, now: dt.datetime | None = None) -> tuple[str, str] | None:
    """Why ``token`` may not be used now, as ``(code, message)``, or None if it may."""
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "token_revoked", str(_("This API token has been revoked."))
    if not token.user.is_active:
        return "token_user_inactive", str(_("The account of this API token is disabled."))
    if not secrets.compare_digest(token.password_state, password_state(token.user)):
        return "token_password_changed", str(
            _("This API token ended because the password was changed. Sign in again for a new token.")
        )
    if token.expires_at <= now:
        return "token_expired", str(_("This API token has expired. Sign in again for a new token."))
    if (token.last_used_at or token.created_at) + token_idle() <= now:
        return "token_idle", str(
            _("This API token has ended after a period without use. Sign in again for a new token.")
        )
    return None


def active_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    now = timezone.now()
    candidates = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).select_related("user")
    return [token for token in candidates if token_problem(token, now=now) is None]


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """Every token of ``user`` (for finding one to revoke; another user's id is not found)."""
    return ApiToken.objects.filter(user=user)


def token_mark_revoked(token: ApiToken) -> bool:
    """Revoke ``token``; False if it already was (so the caller audits only a real change)."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)
    token.revoked_at = token.revoked_at or now
    return bool(changed)


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <secret>`` against the stored digests; a refused token gets 401 with
    a message saying why (expired, idle, revoked, password changed)."""

    def authenticate(self, request: Any) -> tuple[User, ApiToken] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != KEYWORD.lower().encode():
            return None
        if len(auth) != 2:  # noqa: PLR2004 - keyword and secret
            raise exceptions.AuthenticationFailed(_("Invalid token header: give the token after the word Token."))
        try:
            secret = auth[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self.authenticate_credentials(secret)

    def authenticate_credentials(self, secret: str) -> tuple[User, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        problem = token_problem(token, now=now)
        if problem is not None:
            code, message = problem
            raise exceptions.AuthenticationFailed(message, code=code)
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: ``Authorization: Token <secret>``."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return dict(build_bearer_security_scheme_object(header_name="Authorization", token_prefix=KEYWORD))
