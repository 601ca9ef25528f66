"""A strict Content-Security-Policy on every response, JSON for every refusal under /api/, and
refused requests logged as one line without a traceback."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path

from openprobation import urls as root_urls
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.mark.parametrize(
    "address",
    ["/accounts/login/", "/healthz", "/api/v1/me/", "/no-such-page/", "/api/v2/people/"],
)
def test_every_response_carries_the_strict_policy(client, address):
    policy = _directives(client.get(address))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response_text(policy)
    assert "unsafe-eval" not in response_text(policy)


def response_text(policy: dict[str, str]) -> str:
    return " ".join(policy.values())


def test_signed_in_pages_carry_the_policy_too(personas):
    response = web_client(personas["officer"]).get("/")
    assert response.status_code == 200
    assert _directives(response)["script-src"] == "'self'"


@pytest.mark.parametrize("name", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_api_docs_allow_inline_styles_but_never_inline_scripts(personas, name):
    response = web_client(personas["officer"]).get(name)
    assert response.status_code == 200
    policy = _directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script on the docs page"
    assert "fonts.googleapis.com" not in html


# Self-contained files a user downloads (an attachment, opened from disk, never served as a page
# under the Content-Security-Policy): they carry their own <style>.
STANDALONE_FILES = {"assessments/templates/assessments/validation/report.html"}


def test_no_template_has_inline_script_event_handlers_or_style_attributes():
    offenders = []
    for template in sorted(PACKAGE.glob("*/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        standalone = str(template.relative_to(PACKAGE)) in STANDALONE_FILES
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # an inline script
            r"\son[a-z]+\s*=",  # onclick=, onchange=, …
            r"\sstyle\s*=",  # a style attribute
            *(() if standalone else (r"<style\b",)),  # a style element
            r"javascript:",
        ):
            for match in re.finditer(pattern, text, flags=re.IGNORECASE):
                offenders.append(f"{template.relative_to(PACKAGE)}: {match.group(0)!r}")
    assert not offenders, offenders


# --- JSON under /api/ ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["/api", "/api/", "/api/v1", "/api/v2/", "/api/v2/people/", "/api/anything", "/api/v1/no-such-thing/"],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_every_address_under_api_answers_404_in_json(personas, address, method):
    response = getattr(api_client(personas["officer"]), method)(address)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_anonymous_call_under_api_is_refused_in_json(client):
    response = client.get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_method_an_endpoint_does_not_take_is_refused_in_json(personas):
    response = api_client(personas["officer"]).delete("/api/v1/me/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_csrf_failure_under_api_is_json_and_a_page_stays_html(personas):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["officer"])
    api = client.post("/api/v1/people/", {"last_name": "X"}, content_type="application/json")
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/json")
    assert set(api.json()) == {"detail", "code"}
    page = client.post("/people/new/", {})
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def forbidden_view(request):
    raise PermissionDenied("no")


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/forbidden/", forbidden_view),
    path("forbidden/", forbidden_view),
    path("api/broken/", broken_view),
    *root_urls.urlpatterns,  # the error pages name the service's addresses
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_django_refusal_and_a_server_error_under_api_are_json():
    client = Client(raise_request_exception=False)
    forbidden = client.get("/api/forbidden/")
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "detail": "You do not have permission to perform this action.",
        "code": "permission_denied",
    }
    broken = client.get("/api/broken/")
    assert broken.status_code == 500
    assert broken.json()["code"] == "server_error"


# --- logging ------------------------------------------------------------------------------------


class Captured(logging.Handler):
    """What the root logger receives, formatted as the service's console handler would."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.text += self.format(record) + "\n"


@pytest.fixture
def log():
    """Like pytest's caplog (which the suite may run without): every record reaching the root."""
    root = logging.getLogger()
    handler = Captured()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def _logged(captured: Captured) -> str:
    flags = ["Traceback (attached)" for r in captured.records if r.exc_info or r.exc_text or r.stack_info]
    return captured.text + "\n".join(flags)


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("address", ["/forbidden/", "/api/forbidden/"])
def test_a_permission_refusal_is_one_line_without_a_traceback(personas, log, address):
    client = web_client(personas["officer"])
    response = client.get(address)
    assert response.status_code == 403
    request_id = response["X-Request-ID"]
    text = _logged(log)
    assert "Traceback" not in text
    refused = [r for r in log.records if r.name == "openprobation.refused"]
    assert len(refused) == 1
    line = refused[0].getMessage()
    assert "GET" in line and address in line and "403" in line
    assert f"request_id={request_id}" in line
    assert f"user={personas['officer'].pk}" in line
    assert not [r for r in log.records if r.name == "django.request"]


@pytest.mark.parametrize(
    ("method", "address", "status"),
    [
        ("get", "/api/v1/people/999999/", 404),
        ("get", "/people/999999/", 404),
        ("delete", "/api/v1/me/", 405),
        ("post", "/api/v1/people/", 400),
    ],
)
def test_other_refusals_are_logged_without_a_traceback(personas, log, method, address, status):
    response = getattr(web_client(personas["officer"]), method)(address)
    assert response.status_code == status
    assert "Traceback" not in _logged(log)
    assert [r for r in log.records if r.name == "openprobation.refused" and str(status) in r.getMessage()]


def test_an_anonymous_refusal_and_a_csrf_failure_are_logged_without_a_traceback(personas, log):
    assert Client().get("/api/v1/me/").status_code == 401
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["officer"])
    assert client.post("/people/new/", {}).status_code == 403
    text = _logged(log)
    assert "Traceback" not in text
    lines = [r.getMessage() for r in log.records if r.name == "openprobation.refused"]
    assert any("401" in line and "user=-" in line for line in lines)
    assert any("403" in line and f"user={personas['officer'].pk}" in line for line in lines)


def test_a_bad_host_is_refused_without_a_traceback(log):
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Traceback" not in _logged(log)


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_still_logs_its_traceback(log):
    response = Client(raise_request_exception=False).get("/api/broken/")
    assert response.status_code == 500
    errors = [r for r in log.records if r.name == "django.request" and r.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info is not None
