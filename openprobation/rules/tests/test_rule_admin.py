"""The system administrator edits the rulebook in the admin; other staff cannot reach the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.rules.models import Rule
from openprobation.rules.rulebook import invalidate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    invalidate()
    yield
    invalidate()


def test_system_administrator_adds_a_rule_version_in_the_admin_and_it_is_audited(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(personas["sysadmin"])
    assert client.get(reverse("admin:rules_rule_changelist")).status_code == 200
    response = client.post(
        reverse("admin:rules_rule_add"),
        {
            "key": "registration.other",
            "version": 2,
            "title": "Other registrations (confirmed)",
            "effective_from": "2030-01-01",
            "params": '{"register_within_days": 7}',
            "source": "Order 511",
            "status": "V",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Rule.objects.filter(key="registration.other", version=2).exists()
    assert AuditEvent.objects.filter(action="rule.create", actor=personas["sysadmin"]).count() == 1


@pytest.mark.parametrize("persona", ["officer", "head", "regional_admin", "auditor", "analyst"])
def test_other_staff_cannot_use_the_admin(personas, persona):
    user = personas[persona]
    user.is_staff = True  # even a mistakenly set staff flag does not open the admin
    user.save()
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:rules_rule_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
