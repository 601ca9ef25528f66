"""Per-request context the audit trail records: request id, client address, acting-for."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


class RequestContextMiddleware:
    """Gives each request an id (kept from a trusted ``X-Request-ID`` if sane) and returns it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token_rid = request_id_var.set(rid)
        token_ip = client_ip_var.set(request.META.get("REMOTE_ADDR", "") or "")
        request.request_id = rid  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token_rid)
            client_ip_var.reset(token_ip)
        response["X-Request-ID"] = rid
        return response


def current_context() -> dict[str, Any]:
    return {"request_id": request_id_var.get(), "ip": client_ip_var.get()}
