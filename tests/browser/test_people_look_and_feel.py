"""Registering a person as an officer types it (the IIN fills the date of birth and sex, blocks
added on demand), one font with the Kazakh letters, dates as dd.mm.yyyy, and the header at 390 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.people.iin import make_iin
from openprobation.people.models import Person
from openprobation.testing.factories import TEST_PASSWORD, OfficeFactory, RegionFactory, UserFactory
from tests.browser.conftest import MOBILE_VIEWPORT, assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NewPage = Callable[..., Any]


def _officer() -> User:
    office = cast(Office, OfficeFactory(code="NA1", region=RegionFactory(code="NRT", name_en="North")))
    return cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))


def test_the_iin_fills_birth_date_and_sex_and_blocks_are_added_on_demand(new_page: NewPage) -> None:
    _officer()
    page = new_page()
    login(page, "officer", TEST_PASSWORD)
    page.goto("/people/new/")
    # No empty family blocks and no document block until asked for.
    assert page.locator("#family-members [data-family-member]").count() == 0
    assert not page.locator("#document-block").is_visible()
    assert page.get_attribute("#id_birth_date", "placeholder") == "dd.mm.yyyy"

    iin = make_iin(dt.date(1990, 5, 17), "F", 77)
    page.fill("#id_iin", f"{iin[:6]} {iin[6]} {iin[7:]}")
    page.dispatch_event("#id_iin", "input")
    assert page.input_value("#id_birth_date") == "17.05.1990"
    assert page.is_checked("#id_sex_1")  # Female
    assert page.locator("#iin-fill-status").inner_text().strip()

    page.click("button[data-add-form=family]")
    assert page.locator("#family-members [data-family-member]").count() == 1
    assert page.evaluate("document.activeElement.id") == "id_family-0-relation"
    page.click("button[data-add-form=family]")
    assert page.locator("#family-members [data-family-member]").count() == 2
    assert page.input_value("#id_family-TOTAL_FORMS") == "2"
    page.click("button[data-reveal=document-block]")
    assert page.locator("#document-block").is_visible()
    assert_accessible(page)

    page.fill("#id_surname", "Сейітова")
    page.fill("#id_first_name", "Әйгерім")
    page.select_option("#id_family-0-relation", "child")
    page.fill("#id_family-0-full_name", "Сейітов Нұрсұлтан")
    page.fill("#id_family-0-birth_date", "01.02.2020")
    page.select_option("#id_doc-kind", "id_card")
    page.fill("#id_doc-number", "044556677")
    page.fill("#id_doc-valid_until", "01.01.2021")
    with page.expect_navigation():
        page.click("#register-person")
    person = Person.objects.get(iin=iin)
    assert (person.birth_date, person.sex) == (dt.date(1990, 5, 17), "F")
    assert person.family.count() == 1
    assert page.locator("[data-document-expired]").is_visible()
    assert "17.05.1990" in page.locator("#person-identity").inner_text()
    assert_accessible(page)


def test_one_font_with_kazakh_letters_and_the_mobile_search_is_named(new_page: NewPage) -> None:
    _officer()
    page = new_page()
    login(page, "officer", TEST_PASSWORD)
    page.goto("/people/")
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert family.startswith('"Noto Sans"')
    for selector in ("body", "button", "input", ".usa-nav-link"):
        assert page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).fontFamily") == family
    # The face covering the Kazakh letters is loaded.
    assert page.evaluate("document.fonts.load('16px \"Noto Sans\"', 'әғқңөұүһі').then(f => f.length > 0)")
    page.set_viewport_size(MOBILE_VIEWPORT)
    page.click(".usa-menu-btn")
    button = page.locator("#global-search button")
    assert button.is_visible()
    assert page.evaluate("document.querySelector('#global-search button').getAttribute('aria-label')")
    # Scrolling tables take the focus.
    assert page.get_attribute("#people-table >> xpath=..", "tabindex") == "0"
