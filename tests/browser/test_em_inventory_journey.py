"""Device inventory and health in headless Chromium: the head of office opens the devices from the
menu, registers a bracelet and sees its secret once, sends it to repair, and reads the health of the
devices in use (a silent one listed first); every page accessible at desktop width and at 390 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.utils import timezone

from openprobation.accounts.models import Office, Role, User
from openprobation.monitoring.catalogue import DeviceStatus
from openprobation.monitoring.credentials import credential_matches
from openprobation.monitoring.models import Device, DeviceState, DeviceStatusChange
from openprobation.monitoring.tests.matrix import active_case, fitted
from openprobation.testing.factories import TEST_PASSWORD, OfficeFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NewPage = Callable[..., Any]


def test_the_inventory_and_health_in_the_browser(new_page: NewPage) -> None:
    office = cast(Office, OfficeFactory(code="NA1"))
    head = cast(User, UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    senior = cast(User, UserFactory(username="senior", role=Role.SENIOR_OFFICER, office=office))
    people = {"office_a": office, "officer": officer}
    silent = fitted(senior, active_case(people)).device
    DeviceState.objects.create(
        device=silent, last_message_at=timezone.now() - dt.timedelta(hours=3), battery=9, strap=0, connected=False
    )

    page = new_page()
    login(page, head.username, TEST_PASSWORD)
    page.click("button[aria-controls='nav-monitoring']")  # the menu's "Monitoring" group
    page.click("#nav-monitoring a[href='/monitoring/devices/']")
    assert silent.serial in page.locator("#devices-table").inner_text()
    assert_accessible(page)

    page.click("#register-device")
    page.select_option("#id_kind", "bracelet")
    page.fill("#id_serial", "БР-1")  # not Latin: refused on the form
    page.click("#device-form button[type=submit]")
    assert page.locator("#id_serial_error").is_visible()
    page.fill("#id_serial", "BR-2026-001")
    page.fill("#id_supplier", "ТОО «ҚазТрек»")
    page.click("#device-form button[type=submit]")
    secret = page.locator("#device-secret").inner_text()
    device = Device.objects.get(serial="BR-2026-001")
    assert credential_matches(secret, device.credential_hash)
    assert_accessible(page)

    page.click("#secret-done")
    assert secret not in page.content()
    page.click("#status-in_repair")
    page.fill("#id_reason", "Корпус жарылған")
    page.click("#device-form button[type=submit]")
    assert page.locator("#device-status").inner_text().strip() != ""
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_REPAIR
    assert DeviceStatusChange.objects.filter(device=device, reason="Корпус жарылған").exists()
    assert "Корпус жарылған" in page.locator("#history-table").inner_text()
    assert_accessible(page)

    page.click("button[aria-controls='nav-monitoring']")
    page.click("#nav-monitoring a[href='/monitoring/health/']")
    assert silent.serial in page.locator("#silent-table").inner_text()
    assert silent.serial in page.locator("#low-table").inner_text()
    assert_accessible(page)
