"""Personal data in the audit trail is for auditors only: the system administrator finds none of it
in the admin (not on a changelist, a change page or a search), while auditors read it on the
audit page."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.contrib import admin
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.audit.services import audit_record
from openprobation.people.models import Person
from openprobation.people.selectors import person_detail, person_search
from openprobation.testing.clients import web_client
from openprobation.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

PHONE = "+7 701 555 12 34"


@pytest.fixture
def trail(personas):
    person = cast(
        Person,
        PersonFactory(
            surname="Жақсыбеков",
            first_name="Ерболат",
            birth_date=dt.date(1987, 3, 9),
            phone=PHONE,
            registered_office=personas["office_a"],
        ),
    )
    officer = personas["officer"]
    person_detail(user=officer, pk=person.pk)
    person_search(user=officer, query=str(person.iin))
    audit_record(
        actor=officer,
        action="person.update",
        subject=person,
        changes={"phone": ["", PHONE], "birth_date": [None, person.birth_date]},
    )
    return person


def _secrets(person: Person) -> list[str]:
    return [str(person.iin), person.surname, person.first_name, "1987-03-09", "09.03.1987", PHONE]


def test_the_admin_shows_nothing_personal_of_audit_events(personas, trail):
    client = web_client(personas["sysadmin"])
    event = AuditEvent.objects.filter(action="person.update").get()
    urls = [
        reverse("admin:index"),
        "/admin/audit/",
        "/admin/audit/auditevent/",
        f"/admin/audit/auditevent/?q={trail.iin}",
        f"/admin/audit/auditevent/{event.pk}/change/",
    ]
    # ... nor anywhere else in the admin: every changelist it has.
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403, 404), url
        page = response.content.decode()
        for secret in _secrets(trail):
            if secret not in url:  # a "not found" page may echo the address asked for
                assert secret not in page, (url, secret)
    assert client.get("/admin/audit/auditevent/").status_code == 404


def test_auditors_still_read_the_full_events_on_the_audit_page(personas, trail):
    page = web_client(personas["auditor"]).get(reverse("audit:log"), {"action": "person.update"}).content.decode()
    assert trail.surname in page
