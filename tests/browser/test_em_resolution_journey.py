"""EM resolutions in the browser: the head of office records a resolution from the case page, the
officer records the signed memo, a senior officer fits a device from the stock — every page free of
serious accessibility violations."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today
from openprobation.monitoring.catalogue import DeviceKind
from openprobation.monitoring.models import Assignment, Device, EmResolution
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, PersonFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_head_decides_the_officer_records_the_memo_and_a_device_is_fitted(new_page: Any) -> None:
    office = cast(Office, OfficeFactory(code="NA1"))
    head = cast(User, UserFactory(username="head1", role=Role.HEAD_OF_OFFICE, office=office))
    officer = cast(User, UserFactory(username="officer1", role=Role.OFFICER, office=office))
    senior = cast(User, UserFactory(username="senior1", role=Role.SENIOR_OFFICER, office=office))
    case = cast(Case, CaseFactory(person=PersonFactory(registered_office=office), office=office, officer=officer))
    device = Device.objects.create(kind=DeviceKind.BRACELET, serial="BR-0001", office=office)

    page = new_page()
    login(page, head.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/monitoring/resolution/new/")
    assert_accessible(page)
    page.fill("#id_number", "ЭК-12")
    page.select_option("#id_grounds", "other_court")
    page.fill("#id_grounds_text", "Сот белгілеген шектеу")
    page.fill("#id_ends_on", (local_today() + dt.timedelta(days=90)).strftime("%d.%m.%Y"))
    with page.expect_navigation():
        page.click("#resolution-decide-form button[type=submit]")
    assert page.locator("#em-resolution").is_visible()
    assert_accessible(page)
    resolution = EmResolution.objects.get(case=case)

    page = new_page()
    login(page, officer.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    with page.expect_navigation():
        page.click("#em-memo-link")
    assert_accessible(page)
    with page.expect_navigation():
        page.click("#resolution-memo-form button[type=submit]")
    assert local_today().strftime("%d.%m.%Y") in page.locator("#em-memo").inner_text()
    resolution.refresh_from_db()
    assert resolution.memo_acknowledged_on == local_today()

    page = new_page()
    login(page, senior.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    with page.expect_navigation():
        page.click("#em-fit-link")
    assert_accessible(page)
    page.select_option("#id_device", str(device.pk))
    with page.expect_navigation():
        page.click("#assignment-fit-form button[type=submit]")
    assert "BR-0001" in page.locator("#em-current").inner_text()
    assert Assignment.objects.get(case=case).resolution_id == resolution.pk
