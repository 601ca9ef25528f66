"""The programme in headless Chromium: opened from the case page in a few clicks, prefilled from the
needs assessment, the person's answer recorded; the programme page, its print-out and the capacity
page accessible at desktop width and at 390 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import Programme
from openprobation.programmes.tests.conftest import needs_assessment
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, PersonFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NewPage = Callable[..., Any]


def test_officer_opens_a_programme_from_the_needs_and_records_the_agreement(new_page: NewPage) -> None:
    office = cast(Office, OfficeFactory(code="NA1"))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office)
    case = cast(
        Case,
        CaseFactory(
            person=PersonFactory(registered_office=office),
            officer=officer,
            status=CaseStatus.ACTIVE,
            received_on=local_today() - dt.timedelta(days=30),
        ),
    )
    needs_assessment(case)

    page = new_page()
    login(page, "officer", TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    page.click("#case-programme-open")
    page.wait_for_url(f"**/cases/{case.pk}/programme/new/")
    assert page.locator("#programme-proposal").is_visible()
    assert page.locator("input[name=domains][value=education_employment]").is_checked()
    assert_accessible(page)
    page.click("#programme-form button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/programme/")
    assert "Draft" in page.locator("#programme-status").inner_text()
    assert page.locator("#programme-measures-table tbody tr").count() > 0
    assert_accessible(page)

    page.click("#record-agreement")
    page.select_option("select[name=agreed]", "yes")
    page.click("#programme-form button[type=submit]")
    page.wait_for_url(f"**/cases/{case.pk}/programme/")
    assert Programme.objects.get(case=case).status == "agreed"
    assert page.locator("#programme-next-review").is_visible()

    page.goto(f"/cases/{case.pk}/programme/print/")
    assert page.locator("#programme-print").is_visible()
    assert_accessible(page)

    head = new_page()
    login(head, "head", TEST_PASSWORD)
    head.goto("/programmes/capacity/")
    assert head.locator("h1").inner_text() == "Capacity against need"
    assert_accessible(head)
