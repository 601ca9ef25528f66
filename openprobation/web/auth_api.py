"""Signing in over the API: exchange a user name and password for a token, list and revoke one's
own tokens. It sits in the shell beside the sign-in page because, like it, it writes audit events
(accounts sit below audit in the app layers); the services are in ``web.tokens``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import ApiToken, User
from openprobation.accounts.permissions import api_user
from openprobation.accounts.serializers import ApiTokenSerializer, TokenRequestSerializer, TokenSerializer
from openprobation.accounts.tokens import active_tokens, tokens_of
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.throttling import AddressAnonRateThrottle
from openprobation.web.tokens import api_token_issue, api_token_revoke


def _issued_body(issued: Any) -> dict[str, Any]:
    body = dict(ApiTokenSerializer(issued.token).data)
    body["token"] = issued.secret
    return body


class TokenView(ApiView):
    """Exchange a user name and password for a new API token, or revoke the token of this call."""

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
            # Counted per client address (TRUSTED_PROXIES), not per a header the client writes.
            return [AddressAnonRateThrottle()]
        return []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
        summary="Obtain an API token",
        description=(
            "Each call issues a new token; the secret is in this answer only. It ends after "
            "API_TOKEN_TTL_HOURS, after API_TOKEN_IDLE_MINUTES without use, when revoked, or when "
            "the password changes."
        ),
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # The plain HttpRequest goes to authenticate() so django-axes counts failures and locks
        # the user name exactly as for the sign-in page, and the per-address limit applies.
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
            if getattr(http_request, "op_address_locked_out", False):
                return Response(
                    {
                        "detail": _("Too many failed sign-in attempts from your network address. Try again later."),
                        "code": "address_locked_out",
                    },
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
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
        issued = api_token_issue(actor=user, label=form.validated_data.get("label", ""))
        return Response(_issued_body(issued))

    @extend_schema(responses={204: None, 400: ErrorSerializer}, summary="Revoke the API token of this call")
    def delete(self, request: Request) -> Response:
        user = api_user(request)
        if not isinstance(request.auth, ApiToken):
            return Response(
                {
                    "detail": _("This call was not made with an API token; revoke a token by its id instead."),
                    "code": "no_token",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        api_token_revoke(actor=user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(ApiView):
    """My API tokens that still work (never their secrets)."""

    pagination_class = None

    @extend_schema(responses={200: ApiTokenSerializer(many=True)}, summary="List my API tokens")
    def get(self, request: Request) -> Response:
        tokens: Any = active_tokens(api_user(request))
        return Response(ApiTokenSerializer(tokens, many=True).data)


class TokenDetailView(ApiView):
    """Revoke one of my API tokens; another user's token is not found."""

    @extend_schema(responses={204: None, 404: ErrorSerializer}, summary="Revoke one of my API tokens")
    def delete(self, request: Request, pk: Any) -> Response:
        user = api_user(request)
        token = tokens_of(user).get(pk=parse_pk(pk))
        api_token_revoke(actor=user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
