"""The OpenAPI description of the API (drf-spectacular): what every ``ApiView`` operation can
answer, errors included, so a client generated from the schema, and the Schemathesis run in the
suite, can rely on it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

from openprobation.core.api import ErrorSerializer

# What each error status means, as the schema describes it on every operation that can answer it.
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: ``detail`` says what is wrong, ``errors`` names the fields.",
    "401": "Not signed in: no credentials, or a token or session that is not (or no longer) valid.",
    "403": "Signed in, but the role or the jurisdiction does not allow this (or the CSRF check failed).",
    "404": "No such object in the caller's jurisdiction, or no such page.",
    "429": "Too many requests; try again later.",
}


class ApiAutoSchema(AutoSchema):
    """The schema of an ``ApiView`` operation, with every error status it can answer documented
    as the one error shape (``ErrorSerializer``) unless the view documents that status itself:
    400 where the operation takes a body or query parameters, 401 and 403 where it needs a
    signed-in caller, 404 where the path names an object or the list is paged, 429 where the view
    throttles."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        media_types = self.map_renderers("media_type")
        responses = operation.setdefault("responses", {})
        for code in self._error_statuses(operation):
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {media: {"schema": error} for media in media_types},
                },
            )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> list[str]:
        places = {parameter.get("in") for parameter in operation.get("parameters", [])}
        names = {parameter.get("name") for parameter in operation.get("parameters", [])}
        statuses = []
        if "requestBody" in operation or "query" in places:
            statuses.append("400")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            if self.view.get_authenticators():
                statuses.append("401")
            statuses.append("403")
        if "path" in places or "page" in names:
            statuses.append("404")
        if self.view.get_throttles():
            statuses.append("429")
        return statuses
