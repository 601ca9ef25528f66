"""What devices send over HTTP: OwnTracks-shaped JSON (``POST /api/v1/em/positions``) and OsmAnd /
Traccar Client query parameters (``GET|POST /api/v1/em/osmand``).

Plain Django views (no session, no CSRF, no DRF machinery: this is the hot path), reached through
``DeviceIngestMiddleware``, a short path through the middleware stack (see its docstring). A device
authenticates on every request (``pipeline.auth``): an unknown serial, a wrong secret, or a device
that may not report now all get the same 401 with ``WWW-Authenticate: Basic``. Valid fixes are
appended to the durable log (one entry for the request: a request is one device, so one partition)
and the answer, 202, comes only after the append returned; the evaluators do the rest.

Answers (JSON, in the caller's language):
- 202 ``{"accepted": n, "refused": m, "errors": {"locations": [{"index", "field", "code",
  "message"}, ...]}}`` — some or all accepted; each refused element is named by its index.
- 400 ``{"detail", "code", "errors": {"locations": [...]}}`` — nothing accepted (every element, or
  the whole body, refused); 413 body over 1 MB; 415 not JSON; 401 not a device that may report;
  503 the log or the device register is unavailable (send again later, ``Retry-After``).
OwnTracks apps treat any 2xx as delivered; the object body is not an array of commands, so they
have nothing to act on.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from openprobation.monitoring.catalogue import Channel
from openprobation.monitoring.pipeline import auth
from openprobation.monitoring.pipeline.log import partition_of
from openprobation.monitoring.pipeline.logs import get_log
from openprobation.monitoring.pipeline.messages import EVENT_DISCONNECTED, DeviceEvent, encode
from openprobation.monitoring.pipeline.receive import (
    MAX_BODY_BYTES,
    ParseResult,
    Refusal,
    parse_osmand,
    parse_owntracks,
    with_device,
)

logger = logging.getLogger(__name__)
JSON_TYPES = ("application/json", "text/json", "application/vnd.owntracks+json")


def _json(body: dict[str, Any], status: int) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), content_type="application/json", status=status)


def _error(status: int, detail: str, code: str, **extra: Any) -> HttpResponse:
    response = _json({"detail": detail, "code": code, **extra}, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="openprobation-em", charset="UTF-8"'
    return response


def _unauthorised() -> HttpResponse:
    return _error(
        401,
        _("A device serial and its credential are required, and the device must be assigned."),
        "device_not_authenticated",
    )


def _unavailable() -> HttpResponse:
    response = _error(503, _("Positions cannot be stored right now; send them again later."), "log_unavailable")
    response["Retry-After"] = "5"
    return response


def _authenticate(serial: str, secret: str) -> int | HttpResponse:
    """The device id, or the answer: 401 (not a device that may report), 503 (no database)."""
    try:
        device_id = auth.authenticate(serial, secret)
    except DatabaseError:
        logger.exception("device authentication could not read the devices")
        return _unavailable()
    return _unauthorised() if device_id is None else device_id


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The (username, password) of an HTTP Basic ``Authorization`` header, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > 512:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def _append(device_id: int, channel: int, result: ParseResult, received: float) -> HttpResponse | None:
    """Append the accepted fixes (and a last will) to the log; an error answer if the log failed."""
    fixes = result.fixes if result.device == device_id else with_device(result.fixes, device_id)
    events = [DeviceEvent(device_id, EVENT_DISCONNECTED, received)] if result.last_will else []
    if not fixes and not events:
        return None
    payload = encode(received=received, channel=channel, fixes=fixes, events=events)
    try:
        get_log().append(partition_of(device_id, settings.EM_PARTITIONS), [payload])
    except Exception:
        logger.exception("the log refused an append")
        return _unavailable()
    return None


def _items(refusals: Sequence[Refusal]) -> dict[str, list[dict[str, Any]]]:
    return {"locations": [r.as_dict() for r in refusals]}


def _answer(device_id: int, channel: int, result: ParseResult, body: bytes) -> HttpResponse:
    received = time.time()
    if result.refusals:
        auth.record_rejections(device_id, channel, ((r.code, r.message) for r in result.refusals), body)
    if not result.fixes and result.refusals:
        first = result.refusals[0]
        status = 413 if first.code == "too_large" else 400
        return _error(status, first.message, first.code, errors=_items(result.refusals))
    failed = _append(device_id, channel, result, received)
    if failed is not None:
        return failed
    return _json({"accepted": result.accepted, "refused": len(result.refusals), "errors": _items(result.refusals)}, 202)


def _too_large() -> HttpResponse:
    refusal = Refusal(0, "", "too_large")
    return _error(413, refusal.message, refusal.code)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _body(request: HttpRequest) -> bytes | None:
    """The request body, or None when it is over the limit (read no further than the limit)."""
    if _declared_length(request) > MAX_BODY_BYTES:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return None if len(body) > MAX_BODY_BYTES else body


@csrf_exempt
@require_http_methods(["POST"])
def positions(request: HttpRequest) -> HttpResponse:
    """OwnTracks location JSON: one location, an array of them (≤ 1,000), or a batch object."""
    credentials = basic_credentials(request)
    if credentials is None:
        return _unauthorised()
    device_id = _authenticate(*credentials)
    if isinstance(device_id, HttpResponse):
        return device_id
    content_type = request.content_type or ""
    if content_type not in JSON_TYPES:
        return _error(415, _("Send the positions as JSON (Content-Type: application/json)."), "unsupported_media_type")
    body = _body(request)
    if body is None:
        auth.record_rejections(device_id, Channel.HTTP, [("too_large", str(Refusal(0, "", "too_large").message))], b"")
        return _too_large()
    return _answer(device_id, Channel.HTTP, parse_owntracks(body, device=device_id), body)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def osmand(request: HttpRequest) -> HttpResponse:
    """OsmAnd / Traccar Client: one fix in query (or form) parameters; ``id`` is the device serial,
    the credential is ``key`` or the Basic auth password."""
    params: dict[str, str] = {str(k): str(v) for k, v in request.GET.items()}
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        if _declared_length(request) > MAX_BODY_BYTES:
            return _too_large()
        params.update({str(k): str(v) for k, v in request.POST.items()})
    serial = params.get("id") or params.get("deviceid") or ""
    secret = params.pop("key", "")
    credentials = basic_credentials(request)
    if credentials is not None:
        serial = serial or credentials[0]
        secret = secret or credentials[1]
    if not serial or not secret:
        return _unauthorised()
    device_id = _authenticate(serial, secret)
    if isinstance(device_id, HttpResponse):
        return device_id
    raw = request.META.get("QUERY_STRING", "").encode("ascii", "replace")
    return _answer(device_id, Channel.OSMAND, parse_osmand(params), raw)


# --- the device endpoints' short path through the middleware stack -------------------------------


@functools.cache
def _routes(urlconf: str) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
    """The device endpoints by ``path_info`` (their addresses as the URLconf names them)."""
    prefix = get_script_prefix()
    views: dict[str, Callable[[HttpRequest], HttpResponse]] = {"api-em-positions": positions, "api-em-osmand": osmand}
    return {"/" + reverse(name, urlconf=urlconf)[len(prefix) :]: view for name, view in views.items()}


class DeviceIngestMiddleware:
    """Answers the two device endpoints without the rest of the middleware stack (a narrow exemption).

    Placed right after ``SecurityMiddleware``: what comes before it still runs for devices — the
    request id, the refusal log, the Content-Security-Policy, JSON error answers under /api/, the
    HTTPS redirect, HSTS, ``nosniff``, the referrer and opener policies. What it skips serves
    people and their browsers, and a device needs none of it: static files, sessions, CSRF (the
    views are exempt), the common middleware, user authentication and the sign-in lockout (a
    device proves itself on every request with a 256-bit credential), messages, and URL
    resolution. In their place it checks the Host header against ``ALLOWED_HOSTS``, answers in the
    language of ``Accept-Language`` (as ``LocaleMiddleware`` would: ``Content-Language``, ``Vary``)
    and sets ``X-Frame-Options: DENY``. Every other request goes down the whole stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = _routes(get_urlconf() or settings.ROOT_URLCONF).get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.get_host()  # DisallowedHost (400) as the common middleware would
        language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = view(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
