"""The officer's day in the browser: the caseload is dense enough to show 15 cases on a 1366×900
screen in every language (and fits the width in Russian), reads on a 390 px phone, and the case
page opens its actions one at a time. Every page is checked with axe-core at both widths."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case, CaseStatus, CaseType
from openprobation.core.timeutil import local_today
from openprobation.people.models import Person
from openprobation.testing.factories import (
    TEST_PASSWORD,
    CaseFactory,
    OfficeFactory,
    PersonFactory,
    RegionFactory,
    UserFactory,
)
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Set OP_SCREENSHOTS to a folder to keep a screenshot of every page checked.
SHOTS = os.environ.get("OP_SCREENSHOTS", "")

# Long, real-looking names: the table must hold them on one line.
SURNAMES = ["Сейітқазиев", "Жұмабаева", "Нұрмұхаммедов", "Абдрахманова", "Қожахметов", "Ермекбаева"]
FIRST = ["Бауыржан", "Әйгерім", "Ерболат", "Гүлнар", "Мұхтар", "Айнұр"]


@pytest.fixture
def open_page(browser: Any, live_server: Any, _emptied_audit_trail: None) -> Iterator[Any]:
    contexts: list[Any] = []

    def opener(viewport: dict[str, int], locale: str) -> Any:
        context = browser.new_context(locale=locale, base_url=live_server.url, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield opener
    for context in contexts:
        context.close()


def _office_world() -> tuple[User, User, list[Case]]:
    region = RegionFactory(code="NRT", name_en="North")
    office = cast(Office, OfficeFactory(code="NA1", region=region))
    other = cast(Office, OfficeFactory(code="NB2", region=region))
    head = cast(User, UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    # A long name in the header: it must wrap on a phone, not widen the page.
    UserFactory(
        username="regional",
        role=Role.REGIONAL_ADMIN,
        office=None,
        region=region,
        last_name="Нұрмұхаммедова-Сейітқазиева",
        first_name="Гүлжанат",
    )
    today = local_today()
    cases = []
    statuses = [CaseStatus.ACTIVE, CaseStatus.AWAITING_REGISTRATION, CaseStatus.SUSPENDED, CaseStatus.WANTED]
    for n in range(30):
        person = cast(
            Person,
            PersonFactory(
                registered_office=office if n % 5 else other,
                surname=SURNAMES[n % len(SURNAMES)],
                first_name=FIRST[n % len(FIRST)],
                patronymic="Нұрланұлы" if n % 2 else "Серікқызы",
            ),
        )
        cases.append(
            cast(
                Case,
                CaseFactory(
                    person=person,
                    officer=officer if n % 5 else None,
                    status=statuses[n % len(statuses)],
                    case_type=CaseType.POST_PENITENTIARY if n % 3 == 0 else CaseType.SENTENCE,
                    registration_due=today - dt.timedelta(days=2),
                ),
            )
        )
    return head, officer, cases


def _visible_rows(page: Any) -> int:
    return int(
        page.evaluate(
            """() => [...document.querySelectorAll('#caseload-table tbody tr')]
                 .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"""
        )
    )


def _overflows(page: Any) -> list[str]:
    return list(
        page.evaluate(
            """() => {
              const out = [];
              const root = document.documentElement;
              if (root.scrollWidth > root.clientWidth) out.push('page ' + root.scrollWidth + '>' + root.clientWidth);
              const wrap = document.querySelector('.op-caseload__wrap');
              if (wrap && wrap.scrollWidth > wrap.clientWidth) out.push('table ' + wrap.scrollWidth + '>' + wrap.clientWidth);
              return out;
            }"""
        )
    )


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture
def registered_columns(monkeypatch: Any) -> None:
    """The two columns supervision and enforcement register (next appointment, open violations),
    with long headers, so the width is measured as it will be."""
    from django.db.models import F, Value  # noqa: PLC0415

    from openprobation.core import caseload  # noqa: PLC0415

    def add(name: str, order: int, label: str, value: Any, kind: str) -> None:
        column = caseload.CaseloadColumn(name, order, label, lambda qs, today: qs.annotate(**{name: value}), kind)
        monkeypatch.setitem(caseload._columns, name, column)

    monkeypatch.setattr(caseload, "_columns", {})
    add("next_appointment", 10, "Next appointment", F("received_on"), "date")
    add("open_violations", 20, "Open violations", Value(2), "count")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.usefixtures("registered_columns")
def test_fifteen_cases_fit_a_1366_by_900_screen(open_page: Any, lang: str) -> None:
    _office_world()
    for username in ("head", "regional"):
        page = open_page(DESKTOP, lang)
        login(page, username, TEST_PASSWORD)
        page.goto("/cases/?applied=1&sort=-received")
        assert page.get_attribute("html", "lang") == lang
        shown = page.locator("#caseload-table tbody tr").count()
        assert shown >= 20
        _shot(page, f"caseload-{username}-{lang}-1366")
        assert _visible_rows(page) >= 15, f"{username} in {lang}: only {_visible_rows(page)} rows visible"
        assert not _overflows(page), f"{username} in {lang}: {_overflows(page)}"
        # The office column only for the regional view (more than one office).
        assert (page.locator("#caseload-office-column").count() == 1) == (username == "regional")
        _shot(page, f"caseload-{username}-{lang}-1366")
        assert_accessible(page)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_caseload_reads_on_a_phone(open_page: Any, lang: str) -> None:
    _office_world()
    page = open_page(PHONE, lang)
    login(page, "regional", TEST_PASSWORD)
    page.goto("/cases/?applied=1")
    # The filters fold away behind one toggle; the rows become labelled blocks, with no sideways scroll.
    assert not page.locator("#id_status").is_visible()
    page.locator("#caseload-more-filters summary").click()
    assert page.locator("#id_status").is_visible()
    assert not _overflows(page), _overflows(page)
    first = page.locator("#caseload-table tbody tr").first
    assert first.is_visible()
    _shot(page, f"caseload-regional-{lang}-390")
    assert_accessible(page)


@pytest.mark.parametrize(("lang", "viewport"), [("ru", DESKTOP), ("kk", PHONE)])
def test_the_case_page_opens_one_action_at_a_time(open_page: Any, lang: str, viewport: dict[str, int]) -> None:
    _head, officer, cases = _office_world()
    case = next(c for c in cases if c.officer_id == officer.pk and c.status == CaseStatus.ACTIVE)
    page = open_page(viewport, lang)
    login(page, "officer", TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    assert page.locator("main form").count() == 0
    assert page.locator("#case-overview [data-fact=control]").is_visible()
    _shot(page, f"case-{lang}-{viewport['width']}")
    assert_accessible(page)
    # The officer may change the status and record a decision, not allocate or transfer.
    assert page.locator("#action-allocate").count() == 0
    assert page.locator("#action-transfer").count() == 0
    page.locator("#case-more-actions summary").click()
    with page.expect_navigation():
        page.locator("#action-transition").click()
    assert page.url.endswith(f"/cases/{case.pk}/transition/")
    assert page.locator("main form").count() == 1
    _shot(page, f"case-transition-{lang}-{viewport['width']}")
    assert_accessible(page)
    # Posted without a reason: the same form page again, with the error, not the case page.
    page.select_option("#id_to_status", "suspended")
    with page.expect_navigation():
        page.locator("#transition-form button[type=submit]").click()
    assert page.locator("#id_reason_error").is_visible()
    assert page.locator("#case-overview").count() == 0
    assert_accessible(page)
    # Cancel goes back to the case, nothing changed.
    with page.expect_navigation():
        page.locator("#action-cancel").click()
    assert page.url.endswith(f"/cases/{case.pk}/")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
