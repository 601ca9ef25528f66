"""The work queue ("Today") in headless Chromium: reachable from the navigation, accessible at
desktop width and at 390 px (the table scrolls in a keyboard-focusable region), and each row's
action opens the form where the work is done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, PersonFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NewPage = Callable[..., Any]
PHONE = {"width": 390, "height": 844}


def _overdue_registration(office: Office, officer: User) -> Case:
    return cast(
        Case,
        CaseFactory(
            person=PersonFactory(registered_office=office),
            officer=officer,
            status=CaseStatus.AWAITING_REGISTRATION,
            registration_due=local_today() - dt.timedelta(days=2),
        ),
    )


def test_officer_opens_today_from_the_navigation_and_registers_an_overdue_case(new_page: NewPage) -> None:
    office = cast(Office, OfficeFactory(code="NA1"))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    case = _overdue_registration(office, officer)

    page = new_page()
    login(page, "officer", TEST_PASSWORD)
    # The overview leads with the officer's Today.
    assert page.locator("#home-today").is_visible()
    page.click(".usa-nav__primary a[href='/today/']")
    assert page.url.endswith("/today/")
    assert page.locator("#queue-tab-deadline [data-count]").inner_text() == "1"
    row = page.locator("#queue-table tbody tr").first
    assert case.number in row.inner_text()
    assert "overdue" in row.inner_text().lower()
    assert_accessible(page)

    # The row's action opens the registration form of the case.
    row.locator("a.usa-button").click()
    page.wait_for_url(f"**/cases/{case.pk}/register/**")
    assert page.locator("#register-form").count() == 1


def test_today_at_390_px_keeps_the_table_in_a_focusable_region(new_page: NewPage) -> None:
    office = cast(Office, OfficeFactory(code="NA1"))
    head = cast(User, UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    _overdue_registration(office, officer)
    del head

    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "head", TEST_PASSWORD)
    page.goto("/today/")
    region = page.locator("#queue-region")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-labelledby") == "queue-caption"
    region.focus()
    assert page.evaluate("() => document.activeElement.id") == "queue-region"
    # The page itself does not scroll sideways; only the table region may.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    # Sorting by officer is a plain link.
    page.click("#queue-table th a[href*='sort=officer']")
    assert "sort=officer" in page.url
    assert_accessible(page)


def test_officer_records_an_appointment_outcome_from_today_in_at_most_five_interactions(new_page: NewPage) -> None:
    """From /today/: the row's "Record outcome", the outcome, save — and the officer is back at
    the queue with the appointment gone from it. Signing in is not counted."""
    from django.apps import apps
    from django.utils import timezone

    try:
        appointment_model = apps.get_model("supervision", "Appointment")
    except LookupError:
        pytest.skip("needs the supervision app's appointments and outcome form (supervision:outcome)")
    office = cast(Office, OfficeFactory(code="NA1"))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    today = local_today()
    case = cast(
        Case,
        CaseFactory(
            person=PersonFactory(registered_office=office),
            officer=officer,
            status=CaseStatus.ACTIVE,
            control_start=today - dt.timedelta(days=60),
            control_end=today + dt.timedelta(days=300),
        ),
    )
    appointment = appointment_model.objects.create(
        case=case, starts_at=timezone.now() - dt.timedelta(hours=1), officer=officer
    )

    page = new_page()
    login(page, "officer", TEST_PASSWORD)
    page.goto("/today/")
    row = page.locator(f"#queue-table tr[data-key='appointment:{appointment.pk}']")
    assert row.count() == 1
    interactions = 0

    row.locator("a.usa-button").click()  # 1: Record outcome
    interactions += 1
    page.wait_for_selector("#outcome-form")
    assert_accessible(page)
    page.locator("#outcome-form label", has_text="Attended and complied").click()  # 2: the outcome
    interactions += 1
    with page.expect_navigation():
        page.click("#outcome-form button[type=submit]")  # 3: save
    interactions += 1

    assert interactions <= 5
    assert page.url.endswith("/today/")
    appointment.refresh_from_db()
    assert appointment.outcome == "attended_complied"
    assert page.locator(f"#queue-table tr[data-key='appointment:{appointment.pk}']").count() == 0
