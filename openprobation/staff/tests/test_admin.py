"""Staff in the Django admin: the add, change and password forms save through the staff services,
refuse what the services refuse with a translated message, and save nothing then."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse

from openprobation.accounts.models import Role, User
from openprobation.audit.models import AuditEvent
from openprobation.testing.clients import web_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Steppe-Eagle-Over-Ili-2026"


def _form(user: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "patronymic": user.patronymic,
        "email": user.email,
        "language": user.language,
        "role": user.role,
        "office": user.office_id or "",
        "region": user.region_id or "",
        "monitored_regions": [r.pk for r in user.monitored_regions.all()],
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    if data.get("is_active") is False:
        del data["is_active"]
    return data


def _change(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def _staff_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="staff.").order_by("id"))


def test_staff_are_administered_by_the_staff_app():
    assert type(admin.site._registry[User]).__module__ == "openprobation.staff.admin"


def test_the_administrator_cannot_make_itself_head_of_office_in_the_admin(personas):
    sysadmin = personas["sysadmin"]
    client = web_client(sysadmin)
    response = client.post(_change(sysadmin), _form(sysadmin, role=Role.HEAD_OF_OFFICE))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You cannot change your own role, placement or activity" in page
    assert "works in an office: choose the office" in page
    sysadmin.refresh_from_db()
    assert (sysadmin.role, sysadmin.office_id) == (Role.SYSTEM_ADMIN, None)
    assert _staff_events() == []


def test_the_administrator_cannot_deactivate_itself_in_the_admin(personas):
    sysadmin = personas["sysadmin"]
    response = web_client(sysadmin).post(_change(sysadmin), _form(sysadmin, is_active=False))
    assert response.status_code == 200
    assert "You cannot change your own role, placement or activity" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_a_mismatched_placement_of_another_user_is_refused_in_the_admin(personas):
    auditor = personas["auditor"]
    client = web_client(personas["sysadmin"])
    response = client.post(_change(auditor), _form(auditor, role=Role.HEAD_OF_OFFICE))
    assert response.status_code == 200
    page = response.content.decode()
    assert "works in an office: choose the office (and no region)" in page
    assert page.count("works in an office: choose the office") == 1
    auditor.refresh_from_db()
    assert auditor.role == Role.AUDITOR
    assert _staff_events() == []


def test_a_change_in_the_admin_is_one_audited_service_call(personas):
    officer = personas["officer"]
    client = web_client(personas["sysadmin"])
    response = client.post(
        _change(officer), _form(officer, role=Role.HEAD_OF_OFFICE, office=personas["office_b"].pk, is_active=False)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    officer.refresh_from_db()
    assert (officer.role, officer.office_id, officer.is_active) == (
        Role.HEAD_OF_OFFICE,
        personas["office_b"].pk,
        False,
    )
    (event,) = _staff_events()
    assert event.action == "staff.update"
    assert event.changes == {
        "role": ["officer", "head_of_office"],
        "office": [personas["office_a"].pk, personas["office_b"].pk],
        "is_active": [True, False],
    }


def test_monitored_regions_are_saved_by_the_service(personas):
    monitoring = personas["monitoring"]
    monitoring.monitored_regions.clear()  # the persona watches a region; start from none
    client = web_client(personas["sysadmin"])
    response = client.post(_change(monitoring), _form(monitoring, monitored_regions=[personas["south"].pk]))
    assert response.status_code == 302
    assert list(monitoring.monitored_regions.values_list("pk", flat=True)) == [personas["south"].pk]
    (event,) = _staff_events()
    assert event.changes == {"monitored_regions": [[], [personas["south"].pk]]}


def test_adding_a_user_in_the_admin_goes_through_the_service(personas):
    client = web_client(personas["sysadmin"])
    data = {
        "username": "new.head",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "last_name": "Сейтқали",
        "first_name": "Дана",
        "patronymic": "",
        "email": "",
        "language": "kk",
        "role": Role.HEAD_OF_OFFICE,
        "office": "",
        "region": "",
    }
    refused = client.post(reverse("admin:accounts_user_add"), data)
    assert refused.status_code == 200
    assert "works in an office: choose the office" in refused.content.decode()
    assert not User.objects.filter(username="new.head").exists()
    response = client.post(reverse("admin:accounts_user_add"), {**data, "office": personas["office_c"].pk})
    assert response.status_code == 302
    user = User.objects.get(username="new.head")
    assert (user.role, user.office_id) == (Role.HEAD_OF_OFFICE, personas["office_c"].pk)
    assert user.check_password(NEW_PASSWORD)
    (event,) = _staff_events()
    assert event.action == "staff.create"
    assert NEW_PASSWORD not in str(event.changes) + str(event.details)


def test_the_admin_password_form_goes_through_the_service(personas):
    officer = personas["officer"]
    client = web_client(personas["sysadmin"])
    url = reverse("admin:auth_user_password_change", args=[officer.pk])
    response = client.post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set-password": "1"}
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    (event,) = _staff_events()
    assert event.action == "staff.password_set"
    assert event.subject_id == str(officer.pk)


def test_the_administrator_changes_its_own_password_on_its_password_page_not_in_the_admin(personas):
    sysadmin = personas["sysadmin"]
    client = web_client(sysadmin)
    url = reverse("admin:auth_user_password_change", args=[sysadmin.pk])
    response = client.post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set-password": "1"}
    )
    assert response.status_code == 200
    assert "Change your own password on your password page" in response.content.decode()
    sysadmin.refresh_from_db()
    assert not sysadmin.check_password(NEW_PASSWORD)
    assert _staff_events() == []


def test_the_admin_offers_no_superuser_groups_or_permissions(personas):
    page = web_client(personas["sysadmin"]).get(_change(personas["officer"])).content.decode()
    for field in ("is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in page
    assert 'name="role"' in page
    assert 'name="monitored_regions"' in page
