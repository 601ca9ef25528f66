"""Staff change their own password; Django's password validators apply and the change is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_a_weak_password_is_refused_with_the_validators_message(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["officer"])
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    personas["officer"].refresh_from_db()
    assert personas["officer"].check_password(TEST_PASSWORD)


def test_a_strong_password_is_saved_and_audited(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["officer"])
    new = "Steppe-Eagle-Over-Ili-2026"
    response = client.post(
        reverse("password_change"), {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    personas["officer"].refresh_from_db()
    assert personas["officer"].check_password(new)
    assert AuditEvent.objects.filter(action="auth.password_change", actor=personas["officer"]).count() == 1


def test_the_password_page_needs_a_signed_in_user():
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_own_password_change_goes_through_the_staff_service(personas):
    """One event that says the password changed, never the password or its hash; the session stays."""
    officer = personas["officer"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    new = "Steppe-Eagle-Over-Ili-2026"
    client.post(reverse("password_change"), {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new})
    officer.refresh_from_db()
    (event,) = AuditEvent.objects.filter(subject_id=str(officer.pk), subject_type="accounts.user")
    assert event.action == "auth.password_change"
    assert event.details == {"password": "changed"}
    assert officer.password not in str(event.details) + str(event.changes)
    assert client.get(reverse("home")).status_code == 200
