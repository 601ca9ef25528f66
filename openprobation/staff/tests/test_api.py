"""Staff administration in the API: system administrators only, the same services and refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openprobation.accounts.models import Role, User
from openprobation.audit.models import AuditEvent
from openprobation.testing.clients import api_client

pytestmark = pytest.mark.django_db


def _member(user: User) -> str:
    return reverse("api-staff-member", args=[user.pk])


@pytest.mark.parametrize("who", ["officer", "head", "regional_admin", "auditor", "analyst", "partner", "monitoring"])
def test_only_the_system_administrator_administers_staff(personas, who):
    client = api_client(personas[who])
    assert client.get(reverse("api-staff")).status_code == 403
    assert client.get(_member(personas["officer"])).status_code == 403
    response = client.patch(_member(personas[who]), {"role": Role.SYSTEM_ADMIN}, format="json")
    assert response.status_code == 403
    assert User.objects.get(pk=personas[who].pk).role == personas[who].role


def test_the_administrator_lists_and_reads_staff(personas):
    client = api_client(personas["sysadmin"])
    listed = client.get(reverse("api-staff"), {"page_size": 100}).json()
    assert {row["username"] for row in listed["results"]} >= {"officer", "head", "sysadmin"}
    head = client.get(_member(personas["head"])).json()
    assert (head["role"], head["office"]["id"], head["region"]) == ("head_of_office", personas["office_a"].pk, None)
    assert client.get(reverse("api-staff-member", args=[999999])).status_code == 404


def test_the_administrator_cannot_make_itself_head_of_office(personas):
    sysadmin = personas["sysadmin"]
    client = api_client(sysadmin)
    for body in ({"role": "head_of_office"}, {"role": "head_of_office", "office": personas["office_a"].pk}):
        response = client.patch(_member(sysadmin), body, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "own_access"
    sysadmin.refresh_from_db()
    assert (sysadmin.role, sysadmin.office_id) == (Role.SYSTEM_ADMIN, None)
    assert not AuditEvent.objects.filter(action__startswith="staff.").exists()


def test_a_placement_that_does_not_fit_is_a_400_naming_the_field(personas):
    client = api_client(personas["sysadmin"])
    response = client.patch(_member(personas["auditor"]), {"role": "regional_admin"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "works for a region: choose the region" in body["detail"]
    assert User.objects.get(pk=personas["auditor"].pk).role == Role.AUDITOR
    assert client.patch(_member(personas["auditor"]), {"is_superuser": True}, format="json").status_code == 400
    assert client.patch(_member(personas["auditor"]), {"office": 999999}, format="json").status_code == 400


def test_a_change_in_the_api_is_one_audited_event(personas):
    client = api_client(personas["sysadmin"])
    response = client.patch(
        _member(personas["officer"]),
        {"role": "regional_admin", "office": None, "region": personas["south"].pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["region"]["id"] == personas["south"].pk
    (event,) = AuditEvent.objects.filter(action="staff.update")
    assert event.changes == {
        "role": ["officer", "regional_admin"],
        "office": [personas["office_a"].pk, None],
        "region": [None, personas["south"].pk],
    }
