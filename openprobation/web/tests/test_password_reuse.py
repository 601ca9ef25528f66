"""A new password must differ from the current one, on every path that validates passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openprobation.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_change_page_refuses_the_current_password_as_the_new_one(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["officer"])
    before = personas["officer"].password
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": TEST_PASSWORD, "new_password2": TEST_PASSWORD},
    )
    assert response.status_code == 200
    assert "The new password must differ from your current password." in response.content.decode()
    personas["officer"].refresh_from_db()
    assert personas["officer"].password == before


def test_the_validator_refuses_the_current_password_for_any_caller(personas):
    with pytest.raises(ValidationError) as refused:
        validate_password(TEST_PASSWORD, user=personas["officer"])
    assert refused.value.error_list[0].code == "password_unchanged"
    validate_password("Steppe-Eagle-Over-Ili-2026", user=personas["officer"])
    # A new user without a password yet, or no user at all, is not refused.
    validate_password(TEST_PASSWORD, user=None)


def test_the_admin_form_refuses_the_current_password_too(personas):
    from django.contrib.auth.forms import AdminPasswordChangeForm

    form = AdminPasswordChangeForm(personas["officer"], {"password1": TEST_PASSWORD, "password2": TEST_PASSWORD})
    assert not form.is_valid()
    assert "The new password must differ from your current password." in str(form.errors)
