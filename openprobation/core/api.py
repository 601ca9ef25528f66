"""Shared REST pieces every app's API builds on: authentication order, pagination, id parsing and
turning every error into one translated JSON shape: ``{"detail", "code", "errors"?}``.
Capability permissions and the typed caller live in ``accounts.permissions``.

DomainError → 400, PermissionDeniedError → 403, an object outside the caller's jurisdiction
(the scoped selector raises DoesNotExist) → 404, and DRF's own errors keep their status.

The schema documents that shape for every error an operation can answer (``core.openapi``, the
``DEFAULT_SCHEMA_CLASS``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from openprobation.core.errors import api_error_body
from openprobation.core.exceptions import DomainError, PermissionDeniedError


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """The shape of every error answer (for the schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    # Declared fields leave the class body (DRF's metaclass), so this does not hide ``.errors``.
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Invalid input: what is wrong, per field (``non_field_errors`` for the whole body).",
    )  # type: ignore[assignment]
    part = serializers.CharField(
        required=False, help_text="A wrong IIN: which part is wrong (format, century, date, check_digit, ...)."
    )


class ApiView(APIView):
    """Base for every endpoint. Authentication comes from ``REST_FRAMEWORK`` in the settings:
    the API token first (so an anonymous call gets 401 with ``WWW-Authenticate: Token``), then the
    session of the web UI."""

    permission_classes = [IsAuthenticated]


def parse_pk(value: Any) -> int:
    """A path or query id as a positive integer; anything else is simply not found."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise exceptions.NotFound() from None
    if number <= 0 or number > 2**63 - 1:
        raise exceptions.NotFound()
    return number


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            found = _first_message(value)
            if found:
                return found
        return ""
    if isinstance(detail, list):
        for value in detail:
            found = _first_message(value)
            if found:
                return found
        return ""
    return str(detail)


def _first_code(codes: Any) -> str:
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
        return "invalid"
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def error_body(exc: DomainError) -> dict[str, Any]:
    """The JSON body for a domain error; ``part`` says which part of an IIN is wrong."""
    body: dict[str, Any] = {"detail": str(exc.message), "code": exc.code}
    if exc.field:
        body["errors"] = {exc.field: [str(exc.message)]}
    part = getattr(exc, "part", None)
    if part:
        body["part"] = part
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    if isinstance(exc, PermissionDeniedError):
        return Response(error_body(exc), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        return Response(error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "detail": _first_message(exc.detail) or str(exc.default_detail),
            "code": _first_code(exc.get_codes()),
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        response.data = {"detail": _first_message(exc.detail), "code": _first_code(exc.get_codes())}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "code": "not_found"}
    return response


@csrf_exempt  # it changes nothing; a POST to a wrong address deserves the JSON 404, not a CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/ address that matches no endpoint (an unknown version, a malformed id, a typo)
    answers in JSON, whatever the method."""
    return JsonResponse(api_error_body(404), status=404)
