"""Volunteers in headless Chromium: the registry is reachable from the navigation (the Assistance group), a check is
recorded, and the officer assigns the volunteer on the case page (with consent) and logs a session;
every page accessible at desktop width and at 390 px without sideways scrolling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, PersonFactory, UserFactory
from openprobation.volunteers.models import SupportSession, VolunteerAssignment
from openprobation.volunteers.tests.matrix import eligible_volunteer
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_the_registry_and_the_case_section_in_the_browser(new_page: NewPage) -> None:
    office = cast(Office, OfficeFactory(code="NA1"))
    head = cast(User, UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    volunteer = eligible_volunteer(office, head, name="Ахметова Гүлнар")
    received = local_today() - dt.timedelta(days=60)
    case = cast(
        Case,
        CaseFactory(
            person=PersonFactory(registered_office=office),
            office=office,
            officer=officer,
            status=CaseStatus.ACTIVE,
            received_on=received,
            decision_date=received - dt.timedelta(days=20),
            effective_date=received - dt.timedelta(days=5),
        ),
    )

    page = new_page()
    login(page, "head", TEST_PASSWORD)
    page.click("button[aria-controls='nav-assistance']")  # the menu's "Assistance" group
    page.click("#nav-assistance a[href='/volunteers/']")
    assert page.locator("#volunteers-table").inner_text().count("Ахметова Гүлнар") == 1
    assert_accessible(page)
    page.click("#volunteers-table a")
    assert page.locator("#eligible-yes").is_visible()
    assert_accessible(page)
    page.click("#record-check")
    page.select_option("#id_kind", "medical")
    page.fill("#id_on", local_today().strftime("%d.%m.%Y"))
    assert_accessible(page)
    page.click("#volunteer-form button[type=submit]")
    page.wait_for_url(f"**/volunteers/{volunteer.pk}/")
    assert volunteer.checks.filter(kind="medical").count() == 2

    officer_page = new_page()
    officer_page.set_viewport_size(PHONE)
    login(officer_page, "officer", TEST_PASSWORD)
    officer_page.goto(f"/cases/{case.pk}/")
    officer_page.click("#assign-volunteer")
    officer_page.select_option("#id_volunteer", str(volunteer.pk))
    officer_page.click("label[for=id_consent]")
    officer_page.fill("#id_consent_note", "Жазбаша келісім")
    assert _no_sideways_scroll(officer_page)
    assert_accessible(officer_page)
    officer_page.click("#volunteer-case-form button[type=submit]")
    officer_page.wait_for_url(f"**/cases/{case.pk}/**")
    assignment = VolunteerAssignment.objects.get(case=case)
    assert officer_page.locator("#volunteers").inner_text().count("Ахметова Гүлнар") == 1
    assert _no_sideways_scroll(officer_page)
    assert_accessible(officer_page)
    officer_page.click(f"#assignment-{assignment.pk} a[href$='/session/']")
    officer_page.fill("#id_minutes", "60")
    officer_page.fill("#id_summary", "Жұмыс іздеу туралы сөйлестік")
    officer_page.click("#volunteer-case-form button[type=submit]")
    officer_page.wait_for_url(f"**/cases/{case.pk}/**")
    assert SupportSession.objects.filter(assignment=assignment, minutes=60).count() == 1
    assert "1 session logged" in officer_page.locator("#volunteers").inner_text()
