"""The client address and the request id are believed from forwarding headers only when the
request comes through a configured proxy; the audit trail, the throttles and the sign-in limits
all use the same address."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from openprobation.audit.models import AuditEvent
from openprobation.core.network import client_address, trusted_request_id
from openprobation.core.throttling import AddressAnonRateThrottle
from openprobation.testing.factories import TEST_PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def a_request(remote: str, forwarded: str | None = None, request_id: str | None = None):
    headers: dict[str, Any] = {}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if request_id is not None:
        headers["HTTP_X_REQUEST_ID"] = request_id
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(a_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_through_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    # The client forged the first entry; the proxies appended the rest.
    forwarded = "1.1.1.1, 198.51.100.9, 10.1.2.3"
    assert client_address(a_request("192.0.2.1", forwarded)) == "198.51.100.9"
    assert client_address(a_request("10.9.9.9", "198.51.100.9")) == "198.51.100.9"
    # A request straight from an address that is not a proxy keeps its own address.
    assert client_address(a_request("198.51.100.50", "10.0.0.1")) == "198.51.100.50"
    # Nothing forwarded, or only proxies: the furthest proxy is as far as we can see.
    assert client_address(a_request("10.9.9.9")) == "10.9.9.9"
    assert client_address(a_request("10.9.9.9", "10.0.0.2, 10.0.0.3")) == "10.0.0.2"
    # Garbage in the header stops the walk at the last address we can trust.
    assert client_address(a_request("10.9.9.9", "not-an-address")) == "10.9.9.9"


def test_a_client_request_id_is_kept_only_through_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert trusted_request_id(a_request("198.51.100.1", request_id="abcdef0123456789")) == ""
    assert trusted_request_id(a_request("10.0.0.1", request_id="abcdef0123456789")) == "abcdef0123456789"
    assert trusted_request_id(a_request("10.0.0.1", request_id="bad id with spaces")) == ""


@pytest.mark.django_db
def test_a_request_id_sent_by_a_client_directly_is_replaced(personas, settings):
    settings.TRUSTED_PROXIES = []
    client = APIClient(REMOTE_ADDR="198.51.100.1")
    client.force_login(personas["officer"])
    answer = client.get("/api/v1/me/", HTTP_X_REQUEST_ID="chosen-by-the-client-1")
    assert answer["X-Request-ID"] != "chosen-by-the-client-1"


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_token_throttle(personas, settings, monkeypatch):
    settings.TRUSTED_PROXIES = []
    # DRF reads the rates once, at import: set a small one on the throttle itself.
    monkeypatch.setattr(AddressAnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    codes = [
        client.post(
            TOKEN_URL,
            {"username": f"nobody{i}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(6)
    ]
    assert codes[:3] == [400, 400, 400]
    assert codes[3:] == [429, 429, 429]


@pytest.mark.django_db
def test_through_a_trusted_proxy_the_forwarded_address_is_recorded_in_the_audit_event(personas, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    answer = client.post(
        TOKEN_URL,
        {"username": "officer", "password": TEST_PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
        HTTP_X_REQUEST_ID="proxy-request-0001",
    )
    assert answer.status_code == 200
    event = AuditEvent.objects.get(action="auth.token_issue")
    assert event.ip == "203.0.113.99"
    assert event.request_id == "proxy-request-0001"


@pytest.mark.django_db
def test_from_an_untrusted_address_the_audit_records_the_real_peer(personas, settings):
    settings.TRUSTED_PROXIES = []
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    client.post(
        TOKEN_URL,
        {"username": "officer", "password": TEST_PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert AuditEvent.objects.get(action="auth.token_issue").ip == "203.0.113.7"


def test_a_bad_trusted_proxies_entry_is_refused_naming_it():
    from openprobation.core.network import parse_networks

    assert [str(n) for n in parse_networks(["10.0.0.0/8", "2001:db8::1"])] == ["10.0.0.0/8", "2001:db8::1/128"]
    with pytest.raises(ValueError, match="proxy.example"):
        parse_networks(["10.0.0.1", "proxy.example"])
