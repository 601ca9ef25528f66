"""Enforcement in the browser: the submission prompt, a written warning issued by keyboard, and
every page reached free of serious accessibility violations."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case
from openprobation.enforcement.models import EnforcementStep, Violation, ViolationStatus
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, PersonFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _world() -> tuple[User, Case, list[Violation]]:
    office = cast(Office, OfficeFactory(code="NA1"))
    officer = cast(User, UserFactory(username="officer1", role=Role.OFFICER, office=office))
    case = cast(
        Case,
        CaseFactory(
            person=PersonFactory(registered_office=office),
            office=office,
            officer=officer,
            sentence_kind="restriction_of_liberty",
            control_start=dt.date(2026, 1, 14),
            control_end=dt.date(2027, 1, 13),
            ordered_control_start=dt.date(2026, 1, 14),
            ordered_control_end=dt.date(2027, 1, 13),
        ),
    )
    found = [
        Violation.objects.create(
            case=case,
            kind=kind,
            source="officer",
            occurred_on=on,
            description="Нарушение",
            status=ViolationStatus.CONFIRMED,
        )
        for kind, on in (("missed_report", dt.date(2026, 3, 2)), ("curfew_breach", dt.date(2026, 4, 6)))
    ]
    return officer, case, found


def test_the_prompt_shows_and_a_written_warning_is_issued_by_keyboard(page: Any) -> None:
    officer, case, found = _world()
    login(page, officer.username, TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/violations/")
    prompt = page.locator("#submission-due")
    assert prompt.is_visible()
    assert "02.03.2026" in prompt.inner_text() and "06.04.2026" in prompt.inner_text()
    assert_accessible(page)
    page.goto(f"/cases/{case.pk}/enforcement/written-warning/")
    assert_accessible(page)
    # By keyboard: tick the first (newest) violation, type the reason, submit with Enter on the button.
    page.focus("#id_violations_0")
    page.keyboard.press("Space")
    page.focus("#id_reason")
    page.keyboard.type("Второе нарушение: письменное предупреждение о замене наказания")
    page.focus("#step-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/cases/{case.pk}/violations/")
    step = EnforcementStep.objects.get(case=case)
    assert step.step == "written_warning"
    assert list(step.violations.values_list("pk", flat=True)) == [found[1].pk]  # newest first
    assert "Written warning" in page.locator("#ladder-step").inner_text()
    assert_accessible(page)
