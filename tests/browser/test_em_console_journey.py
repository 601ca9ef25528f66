"""The monitoring console in the browser: an alert raised while the console is open appears within
2 seconds without a reload; the operator acknowledges it from the queue and resolves it as a
confirmed violation on its page; the officer finds the violation candidate on the case. The console
and the alert page are free of serious accessibility violations."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from openprobation.enforcement.models import Violation, ViolationSource, ViolationStatus
from openprobation.monitoring.alerting import AlertStatus
from openprobation.monitoring.catalogue import Rule, Severity
from openprobation.monitoring.models import Alert
from openprobation.monitoring.pages import console
from openprobation.monitoring.tests.matrix import active_case, fitted
from openprobation.testing.factories import TEST_PASSWORD, make_personas
from tests.browser.conftest import assert_accessible, login
from tests.browser.monitoring_steps import wait_until_live

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_new_alert_appears_live_is_acknowledged_and_becomes_a_violation(
    new_page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One stream lasts a few seconds here (the browser reconnects), so no server thread outlives the test.
    monkeypatch.setattr(console, "STREAM_SECONDS", 4.0)
    personas = make_personas()
    case = active_case(personas)
    assignment = fitted(personas["senior"], case)

    page = new_page()
    login(page, "monitoring", TEST_PASSWORD)
    page.goto("/monitoring/console/")
    wait_until_live(page)

    alert = Alert.objects.create(
        assignment=assignment,
        device=assignment.device,
        case=case,
        rule=Rule.CURFEW,
        severity=Severity.HIGH,
        opened_at=timezone.now() - dt.timedelta(seconds=30),
        lat=51.13,
        lon=71.43,
    )
    started = time.monotonic()
    page.wait_for_selector(f"#alert-row-{alert.pk}", timeout=5_000)
    assert time.monotonic() - started < 2.0
    assert page.text_content("#count-total") == "1"
    assert_accessible(page)

    page.click(f"#alert-row-{alert.pk} button.op-ack")
    page.wait_for_function(f"() => !document.querySelector('#alert-row-{alert.pk} button.op-ack')")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED

    page.goto(f"/monitoring/alerts/{alert.pk}/")
    assert_accessible(page)
    page.click("#resolve-form label[for=resolve_resolution_2]")  # confirmed violation
    page.fill("#resolve_note", "Not at home at 23:10; confirmed by phone")
    with page.expect_navigation():
        page.click("#resolve-form button[type=submit]")
    assert page.text_content("#alert-status") == "Resolved"
    violation = Violation.objects.get(case=case)
    assert violation.status == ViolationStatus.CANDIDATE and violation.source == ViolationSource.MONITORING_ALERT

    officer = new_page()
    login(officer, "officer", TEST_PASSWORD)
    officer.goto(f"/cases/{case.pk}/violations/")
    assert "Not at home" in officer.content()
    # Let the console's last stream end before the test's database goes away.
    time.sleep(4.5)
