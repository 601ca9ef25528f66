"""Response hardening the framework does not do on its own.

- ``ContentSecurityPolicyMiddleware``: a strict Content-Security-Policy on every response. Pages
  load scripts and styles only from this service (no inline script, no ``style`` attribute, no
  ``eval``), may not be framed, and forms post only back here. The interactive API docs (Swagger UI
  and ReDoc, third-party bundles) style themselves at run time, so their two pages alone allow
  inline styles, ``data:`` images and a ``blob:`` worker; their scripts still come only from here.
- ``ApiErrorsMiddleware``: under ``/api/`` every refusal and failure answers in JSON
  (``{"detail", "code"}``), also when Django itself refuses (a CSRF failure, a method a plain view
  does not take, a server error), never with an HTML page.
- ``RefusedRequestLogMiddleware`` with ``RefusalLogFilter``: a refused request (4xx) is logged as
  one line — method, path, status, request id, user id — without a traceback; a 500 keeps
  Django's log with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.views.csrf import csrf_failure as django_csrf_failure

from openprobation.core.errors import api_error_body

# One policy for the whole service. No 'unsafe-inline' and no 'unsafe-eval' for scripts or styles.
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The API docs bundles set styles at run time (React style elements) and ReDoc searches in a worker
# it creates from a blob; their scripts are still served only by us.
DOCS_POLICY = {**POLICY, "style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"}
DOCS_URL_NAMES = ("api-docs", "api-redoc")


def tile_origin(template: str) -> str:
    """The origin the maps' tile images come from (``EM_MAP_TILES_URL``, a URL template), as a
    policy source: ``https://{s}.tiles.example.kz/{z}/{x}/{y}.png`` → ``https://*.tiles.example.kz``.
    Empty for no tile server or anything that is not an http(s) URL."""
    parts = urlsplit(template.strip())
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in {"http", "https"} or not host or any(c in host for c in "{} ;,'\"\\"):
        return ""
    return f"{parts.scheme}://{host}"


def _with_tiles(policy: dict[str, str]) -> dict[str, str]:
    """A configured tile server may serve the maps' images, and nothing else."""
    origin = tile_origin(getattr(settings, "EM_MAP_TILES_URL", "") or "")
    return {**policy, "img-src": f"{policy['img-src']} {origin}"} if origin else policy


def _header(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


@cache
def _docs_paths() -> frozenset[str]:
    paths = set()
    for name in DOCS_URL_NAMES:
        try:
            paths.add(reverse(name))
        except NoReverseMatch:  # pragma: no cover - the docs routes are part of the API
            continue
    return frozenset(paths)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = _header(_with_tiles(POLICY))
        self.docs_header = _header(DOCS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.docs_header if request.path in _docs_paths() else self.header
        return response


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() in {"application/json", "application/problem+json"}


class ApiErrorsMiddleware:
    """Turns any non-JSON error answer under /api/ into the API's JSON error body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_path(request.path) or _is_json(response):
            return response
        replacement = JsonResponse(api_error_body(response.status_code), status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After", "X-Request-ID"):
            if header in response:
                replacement[header] = response[header]
        replacement._has_been_logged = getattr(response, "_has_been_logged", False)  # type: ignore[attr-defined]
        return replacement


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the API answers in JSON, the pages keep Django's page."""
    if is_api_path(request.path):
        return JsonResponse(api_error_body(403, code="csrf_failed"), status=403)
    return django_csrf_failure(request, reason=reason)


refusal_logger = logging.getLogger("openprobation.refused")


class RefusedRequestLogMiddleware:
    """One line per refused request, in place of Django's per-exception log with its traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if 400 <= response.status_code < 500:
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else "-"
            refusal_logger.warning(
                "refused %s %s status=%s request_id=%s user=%s",
                request.method,
                request.path,
                response.status_code,
                getattr(request, "request_id", "-") or "-",
                user_id,
                extra={"status_code": response.status_code},
            )
            # Django would log it once more at the end of the request (without the details above).
            response._has_been_logged = True  # type: ignore[attr-defined]
        return response


class RefusalLogFilter(logging.Filter):
    """On Django's request and security loggers: a refusal (4xx) loses its traceback; the
    ``django.request`` line for it is dropped (``openprobation.refused`` logs it once). A server
    error (5xx) passes untouched, with its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None and record.name.startswith("django.security."):
            status = 400  # a suspicious operation is refused with 400
        if status is None or status >= 500:
            return True
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return record.name != "django.request"
