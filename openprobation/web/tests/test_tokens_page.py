"""My API tokens: a signed-in member of staff lists, creates (the secret shown once) and revokes
their own tokens; someone else's token is not found."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from openprobation.accounts.models import ApiToken
from openprobation.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_page_needs_a_signed_in_user():
    response = Client().get(reverse("api_tokens"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_page_is_linked_beside_change_password(personas):
    html = signed_in(personas["officer"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("api_tokens")}"' in html


def test_creating_a_token_shows_the_secret_once_and_it_works(personas):
    client = signed_in(personas["officer"])
    response = client.post(reverse("api_tokens"), {"label": "reports script"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'id="new-token-secret"[^>]*>([^<]+)<', html)
    assert match, html
    secret = match.group(1).strip()
    token = ApiToken.objects.get(user=personas["officer"])
    assert token.label == "reports script"
    assert AuditEvent.objects.filter(action="auth.token_issue", actor=personas["officer"]).count() == 1
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/me/").status_code == 200
    # Shown once: the next visit lists the token by its prefix only.
    again = client.get(reverse("api_tokens")).content.decode()
    assert secret not in again
    assert token.prefix in again
    assert "reports script" in again


def test_revoking_my_token_from_the_page(personas):
    client = signed_in(personas["officer"])
    client.post(reverse("api_tokens"), {"label": "old"})
    token = ApiToken.objects.get(user=personas["officer"])
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="auth.token_revoke", actor=personas["officer"]).count() == 1
    assert "old" not in client.get(reverse("api_tokens")).content.decode().split('id="token-list"')[-1]


def test_another_users_token_cannot_be_revoked_from_the_page(personas):
    signed_in(personas["colleague"]).post(reverse("api_tokens"), {"label": "theirs"})
    theirs = ApiToken.objects.get(user=personas["colleague"])
    response = signed_in(personas["officer"]).post(reverse("api_token_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert not AuditEvent.objects.filter(action="auth.token_revoke").exists()


def test_a_too_long_label_is_refused_with_a_message(personas):
    response = signed_in(personas["officer"]).post(reverse("api_tokens"), {"label": "x" * 500})
    assert response.status_code == 200
    assert "usa-error-message" in response.content.decode()
    assert not ApiToken.objects.exists()
