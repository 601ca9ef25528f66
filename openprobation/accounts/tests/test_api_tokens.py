"""API tokens: stored only as a digest, shown once, listed and revoked by their owner, ended by
expiry, by idleness and by any change of the password."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from openprobation.accounts.models import ApiToken
from openprobation.audit.models import AuditEvent
from openprobation.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"


@pytest.fixture(autouse=True)
def _fresh_throttle_state():
    cache.clear()
    yield
    cache.clear()


def issue(username: str = "officer", **extra: str) -> dict:
    answer = APIClient().post(TOKEN_URL, {"username": username, "password": TEST_PASSWORD, **extra}, format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


def bearer(secret: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_only_a_digest_and_a_short_prefix_are_stored(personas):
    body = issue(label="nightly export")
    secret = body["token"]
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == personas["officer"]
    assert token.label == "nightly export"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) // 2
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get(pk=token.pk)]
    assert secret not in stored
    assert len(secret) >= 40
    assert body["prefix"] == token.prefix and body["expires"]


def test_issuing_twice_gives_two_different_tokens_both_working(personas):
    first, second = issue()["token"], issue()["token"]
    assert first != second
    assert bearer(first).get("/api/v1/me/").status_code == 200
    assert bearer(second).get("/api/v1/me/").status_code == 200


def test_issue_is_audited_with_the_token_id_never_the_secret(personas):
    body = issue()
    event = AuditEvent.objects.filter(action="auth.token_issue", actor_username="officer").get()
    assert event.details["token"] == body["id"]
    assert body["token"] not in str(event.details) + str(event.changes) + event.subject_repr


def test_my_tokens_are_listed_without_secrets_and_only_mine(personas):
    mine = issue(label="laptop")
    issue(username="colleague")
    answer = bearer(mine["token"]).get(TOKENS_URL)
    assert answer.status_code == 200
    rows = answer.json()
    assert [row["id"] for row in rows] == [mine["id"]]
    row = rows[0]
    assert set(row) == {"id", "label", "prefix", "created", "last_used", "expires"}
    assert row["label"] == "laptop"
    assert mine["token"] not in str(rows)


def test_revoking_one_of_my_tokens_ends_it_and_is_audited(personas):
    keep, drop = issue(), issue()
    answer = bearer(keep["token"]).delete(f"{TOKENS_URL}{drop['id']}/")
    assert answer.status_code == 204
    refused = bearer(drop["token"]).get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
    assert "revoked" in refused.json()["detail"]
    assert bearer(keep["token"]).get("/api/v1/me/").status_code == 200
    event = AuditEvent.objects.get(action="auth.token_revoke")
    assert event.details["token"] == drop["id"]
    assert [row["id"] for row in bearer(keep["token"]).get(TOKENS_URL).json()] == [keep["id"]]


def test_another_users_token_cannot_be_revoked_it_is_not_found(personas):
    theirs = issue(username="colleague")
    mine = issue()
    answer = bearer(mine["token"]).delete(f"{TOKENS_URL}{theirs['id']}/")
    assert answer.status_code == 404
    assert bearer(theirs["token"]).get("/api/v1/me/").status_code == 200
    assert not AuditEvent.objects.filter(action="auth.token_revoke").exists()


def test_revoking_the_token_used_for_the_request(personas):
    body = issue()
    client = bearer(body["token"])
    assert client.delete(TOKEN_URL).status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="auth.token_revoke", actor_username="officer").exists()


def test_an_expired_token_is_refused_with_a_clear_message(personas):
    body = issue()
    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    answer = bearer(body["token"]).get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"
    assert "expired" in answer.json()["detail"]


def test_a_token_unused_for_longer_than_the_idle_timeout_is_refused(personas, settings):
    body = issue()
    idle = dt.timedelta(minutes=settings.API_TOKEN_IDLE_MINUTES)
    long_ago = timezone.now() - idle - dt.timedelta(minutes=1)
    ApiToken.objects.filter(pk=body["id"]).update(created_at=long_ago, last_used_at=long_ago)
    answer = bearer(body["token"]).get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_idle"


def test_use_moves_last_used_but_at_most_about_once_a_minute(personas):
    body = issue()
    client = bearer(body["token"])
    client.get("/api/v1/me/")
    first = ApiToken.objects.get(pk=body["id"]).last_used_at
    assert first is not None
    client.get("/api/v1/me/")
    assert ApiToken.objects.get(pk=body["id"]).last_used_at == first
    two_minutes_ago = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=body["id"]).update(last_used_at=two_minutes_ago)
    client.get("/api/v1/me/")
    moved = ApiToken.objects.get(pk=body["id"]).last_used_at
    assert moved is not None and moved > two_minutes_ago


def test_any_password_change_ends_every_token(personas):
    first, second = issue(), issue()
    officer = personas["officer"]
    # Not through any page: a plain service-style change of the password.
    officer.set_password("Another-Long-Password-2026")
    officer.save()
    for body in (first, second):
        answer = bearer(body["token"]).get("/api/v1/me/")
        assert answer.status_code == 401
        assert answer.json()["code"] == "token_password_changed"
    assert bearer(issue_with(officer, "Another-Long-Password-2026")).get("/api/v1/me/").status_code == 200


def issue_with(user, password: str) -> str:
    answer = APIClient().post(TOKEN_URL, {"username": user.username, "password": password}, format="json")
    assert answer.status_code == 200
    return answer.json()["token"]


def test_an_inactive_users_token_is_refused(personas):
    body = issue()
    personas["officer"].is_active = False
    personas["officer"].save()
    assert bearer(body["token"]).get("/api/v1/me/").status_code == 401


def test_the_token_list_needs_authentication():
    assert APIClient().get(TOKENS_URL).status_code == 401
    assert APIClient().delete(f"{TOKENS_URL}1/").status_code == 401


def test_a_too_long_label_gets_400(personas):
    answer = APIClient().post(
        TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD, "label": "x" * 500}, format="json"
    )
    assert answer.status_code == 400
    assert "label" in answer.json()["errors"]
    assert not ApiToken.objects.exists()


def test_revoking_the_token_of_the_call_needs_a_token_call(personas):
    issue()
    client = APIClient()
    client.force_login(personas["officer"])
    answer = client.delete(TOKEN_URL)
    assert answer.status_code == 400
    assert answer.json()["code"] == "no_token"
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


def test_a_token_ends_when_an_administrator_sets_a_new_password(personas):
    from django.contrib.auth.forms import AdminPasswordChangeForm

    body = issue()
    new = "Steppe-Eagle-Over-Ili-2026"
    form = AdminPasswordChangeForm(personas["officer"], {"password1": new, "password2": new})
    assert form.is_valid(), form.errors
    form.save()
    assert bearer(body["token"]).get("/api/v1/me/").status_code == 401
