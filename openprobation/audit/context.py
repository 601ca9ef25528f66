"""Per-request context the audit trail records: request id, client address, acting-for."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from openprobation.core.network import client_address, trusted_request_id

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")


class RequestContextMiddleware:
    """Gives each request an id and returns it. A client-sent ``X-Request-ID`` is kept only from a
    trusted proxy (``TRUSTED_PROXIES``); the client address comes from ``client_address``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = trusted_request_id(request) or uuid.uuid4().hex
        ip = client_address(request)
        token_rid = request_id_var.set(rid)
        token_ip = client_ip_var.set(ip)
        request.request_id = rid  # type: ignore[attr-defined]
        request.client_address = ip  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token_rid)
            client_ip_var.reset(token_ip)
        response["X-Request-ID"] = rid
        return response


def current_context() -> dict[str, Any]:
    return {"request_id": request_id_var.get(), "ip": client_ip_var.get()}
