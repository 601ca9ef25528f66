"""Signing in over the API: exchange a user name and password for a token, or revoke it. It sits
in the shell beside the sign-in page because, like it, it writes an audit event (accounts sit
below audit in the app layers)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user
from openprobation.accounts.serializers import TokenRequestSerializer, TokenSerializer
from openprobation.audit.services import audit_record
from openprobation.core.api import ApiView, ErrorSerializer


class TokenView(ApiView):
    """Exchange a user name and password for an API token, or revoke one's own token."""

    def get_authenticators(self) -> list[Any]:
        # Obtaining a token needs no prior authentication (and no CSRF token from a session).
        if self.request is not None and self.request.method == "POST":
            return []
        return list(super().get_authenticators())

    def get_permissions(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [AllowAny()]
        return list(super().get_permissions())

    def get_throttles(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [AnonRateThrottle()]
        return []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
        summary="Obtain an API token",
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # The plain HttpRequest goes to authenticate() so django-axes counts failures and locks
        # the user name exactly as for the sign-in page.
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            # Answer the lock-out here, in JSON; otherwise the axes middleware would replace the
            # response with the HTML lock-out page.
            http_request.axes_locked_out = False  # type: ignore[attr-defined]
            return Response(
                {
                    "detail": _(
                        "Too many failed sign-in attempts. The account is locked for a while; try again later."
                    ),
                    "code": "locked_out",
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not isinstance(user, User) or not user.is_active:
            return Response(
                {
                    "detail": _("The user name or password is wrong."),
                    "code": "invalid_credentials",
                    "errors": {"password": [_("The user name or password is wrong.")]},
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action="auth.token_issue", details={"new": _created})
        return Response({"token": token.key})

    @extend_schema(responses={204: None}, summary="Revoke my API token")
    def delete(self, request: Request) -> Response:
        user = api_user(request)
        deleted, _detail = Token.objects.filter(user=user).delete()
        if deleted:
            audit_record(actor=user, action="auth.token_revoke")
        return Response(status=status.HTTP_204_NO_CONTENT)
