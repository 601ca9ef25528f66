"""Sign-in, lock-out, language switching and the overview page."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.people.models import Person
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def make_person(**kwargs: Any) -> Person:
    return cast(Person, PersonFactory(**kwargs))


def make_case(**kwargs: Any) -> Case:
    return cast(Case, CaseFactory(**kwargs))


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_has_the_language_switcher_and_a_form(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="language-switcher"' in html
    assert 'id="login-form"' in html
    assert '<html lang="en"' in html


def test_correct_password_signs_in_and_opens_the_overview(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("login"), {"username": "officer", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_wrong_password_shows_an_error_and_does_not_sign_in(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("login"), {"username": "officer", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert 'id="login-error"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password(personas):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _attempt in range(5):
        response = client.post(reverse("login"), {"username": "officer", "password": "wrong-password-1"})
    response = client.post(reverse("login"), {"username": "officer", "password": TEST_PASSWORD})
    html = response.content.decode()
    assert response.status_code in (403, 429)
    assert 'id="locked-out"' in html
    assert "locked for 15 minutes" in html
    assert client.get("/").status_code == 302


def test_sign_out_is_a_post(personas):
    client = signed_in(personas["officer"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_switching_to_russian_renders_the_page_in_russian(personas):
    client = signed_in(personas["officer"])
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="ru"' in html


def test_every_page_has_skip_link_landmarks_and_language_switcher(personas):
    html = signed_in(personas["officer"]).get("/").content.decode()
    for marker in (
        'class="usa-skipnav"',
        'id="main-content"',
        "<header",
        "<footer",
        'id="language-switcher"',
        'id="global-search"',
    ):
        assert marker in html
    assert reverse("api-docs") in html


def test_overview_counts_my_cases_and_overdue_registrations(personas):
    officer = personas["officer"]
    person = make_person(registered_office=personas["office_a"])
    make_case(person=person, officer=officer, status=CaseStatus.ACTIVE)
    overdue = make_case(
        person=person,
        status=CaseStatus.AWAITING_REGISTRATION,
        registration_due=local_today() - dt.timedelta(days=2),
    )
    make_case(
        person=person, status=CaseStatus.AWAITING_REGISTRATION, registration_due=local_today() + dt.timedelta(days=5)
    )
    response = signed_in(officer).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["my_open"] == 1
    assert response.context["awaiting_count"] == 2
    assert response.context["overdue_count"] == 1
    assert overdue.number in html


def test_the_overview_list_of_overdue_registrations_is_an_audited_read(personas):
    """The overview names the people whose registration is overdue: that read is recorded like any
    list of cases; an overview with no one listed records nothing."""
    from openprobation.audit.models import AuditEvent

    officer = personas["officer"]
    assert signed_in(officer).get("/").status_code == 200
    assert not AuditEvent.objects.filter(actor=officer, action="case.search").exists()
    person = make_person(registered_office=personas["office_a"])
    overdue = make_case(
        person=person, status=CaseStatus.AWAITING_REGISTRATION, registration_due=local_today() - dt.timedelta(days=2)
    )
    response = signed_in(officer).get("/")
    assert person.full_name in response.content.decode()
    event = AuditEvent.objects.get(actor=officer, action="case.search")
    assert event.details["filters"] == {"overdue": True}
    assert event.details["shown"] == [overdue.pk]


def test_overview_of_another_district_does_not_count_our_cases(personas):
    person = make_person(registered_office=personas["office_a"])
    make_case(person=person, status=CaseStatus.AWAITING_REGISTRATION, registration_due=local_today())
    response = signed_in(personas["other_district"]).get("/")
    assert response.context["awaiting_count"] == 0


def test_auditor_overview_offers_the_audit_log_not_cases(personas):
    html = signed_in(personas["auditor"]).get("/").content.decode()
    assert reverse("audit:log") in html
    assert 'id="global-search"' not in html


def test_admin_link_only_for_system_administrators(personas):
    assert reverse("admin:index") in signed_in(personas["sysadmin"]).get("/").content.decode()
    assert reverse("admin:index") not in signed_in(personas["officer"]).get("/").content.decode()


def test_unknown_page_is_a_friendly_404(personas):
    response = signed_in(personas["officer"]).get("/no-such-page/")
    assert response.status_code == 404
    assert 'id="main-content"' in response.content.decode()


@pytest.mark.django_db
def test_partner_staff_land_on_their_portal_or_are_told_their_account_is_not_tied_yet(personas):
    from openprobation.programmes.models import PartnerOrganisation, PartnerStaff

    client = signed_in(personas["partner"])
    unlinked = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert unlinked.status_code == 200
    assert 'id="partner-unlinked"' in unlinked.content.decode()
    office = personas["office_a"]
    org = PartnerOrganisation.objects.create(name="Центр занятости", kind="employment_centre", region=office.region)
    PartnerStaff.objects.create(user=personas["partner"], organisation=org)
    linked = client.get(reverse("home"))
    assert linked.status_code == 302 and linked["Location"] == reverse("programmes:portal_list")
    assert client.get(linked["Location"]).status_code == 200
