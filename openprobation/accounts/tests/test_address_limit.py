"""Many user names tried from one address: after LOGIN_ADDRESS_FAILURE_LIMIT failures the address
is refused for a while without the password being checked; the per-name lock-out stays."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from openprobation.accounts.backends import RoleBackend
from openprobation.accounts.models import ApiToken
from openprobation.core.throttling import AddressAnonRateThrottle
from openprobation.testing.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_cache(settings, monkeypatch):
    # The anonymous API throttle is not what this test is about (DRF reads the rates at import).
    monkeypatch.setattr(AddressAnonRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute"})
    settings.TRUSTED_PROXIES = []
    cache.clear()
    yield
    cache.clear()


def test_thirty_five_names_from_one_address_the_later_ones_are_refused_on_the_sign_in_page(personas, settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert settings.AXES_FAILURE_LIMIT < limit < 35
    UserFactory(username="name34")
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en")
    with mock.patch.object(RoleBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate) as check:
        codes = []
        for i in range(35):
            # The last name exists and gets its right password: still refused.
            password = TEST_PASSWORD if i == 34 else "wrong-password"
            codes.append(client.post(reverse("login"), {"username": f"name{i}", "password": password}).status_code)
        checked = check.call_count
    assert codes[:limit] == [200] * limit
    assert all(code in (403, 429) for code in codes[limit:])
    refused = client.post(reverse("login"), {"username": "officer", "password": TEST_PASSWORD})
    assert 'id="address-locked-out"' in refused.content.decode()
    # Only the first ``limit`` attempts ever reached the password check.
    assert checked == limit
    assert client.get("/").status_code == 302
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.1")
    assert elsewhere.post(reverse("login"), {"username": "officer", "password": TEST_PASSWORD}).status_code == 302


def test_thirty_five_names_from_one_address_the_later_ones_are_refused_by_the_token_api(personas, settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    client = APIClient(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en")
    answers = [
        client.post(TOKEN_URL, {"username": f"name{i}", "password": "wrong-password"}, format="json") for i in range(34)
    ]
    assert [a.status_code for a in answers[:limit]] == [400] * limit
    assert {a.status_code for a in answers[limit:]} == {429}
    body = answers[-1].json()
    assert body["code"] == "address_locked_out" and body["detail"]
    right = client.post(TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD}, format="json")
    assert right.status_code == 429
    assert right["Content-Type"].startswith("application/json")
    assert not ApiToken.objects.exists()


def test_refused_attempts_do_not_lock_the_names_they_try(personas, settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for i in range(limit):
        client.post(TOKEN_URL, {"username": f"name{i}", "password": "wrong"}, format="json")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert client.post(TOKEN_URL, {"username": "officer", "password": "wrong"}, format="json").status_code == 429
    # From the office's own address the officer is not locked.
    office = APIClient(REMOTE_ADDR="198.51.100.1")
    assert office.post(TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD}, format="json").status_code == 200
