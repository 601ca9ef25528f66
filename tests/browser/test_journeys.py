"""The main journeys of a probation officer, in headless Chromium against the live server.

Every page a journey reaches is checked with axe-core (no serious or critical violations)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.utils import translation

from openprobation.accounts.models import Office, Role, User
from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.people.iin import make_iin
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

Page = Any
NewPage = Callable[..., Any]


def _offices() -> tuple[Office, Office]:
    region = RegionFactory(code="NRT", name_en="North")
    return (
        cast(Office, OfficeFactory(code="NA1", region=region)),
        cast(Office, OfficeFactory(code="NB2", region=region)),
    )


def _user(username: str, office: Office, role: str = Role.OFFICER) -> User:
    return cast(User, UserFactory(username=username, role=role, office=office))


def _person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


def _case(**fields: Any) -> Case:
    return cast(Case, CaseFactory(**fields))


def _html_lang(page: Page) -> str:
    return str(page.get_attribute("html", "lang"))


def _translated(text: str, lang: str) -> str:
    with translation.override(lang):
        return translation.gettext(text)


def _has_compiled_catalogue(lang: str) -> bool:
    """A compiled catalogue at least as new as its source (``make catalogs`` compiles them)."""
    for path in settings.LOCALE_PATHS:
        mo = Path(path) / lang / "LC_MESSAGES" / "django.mo"
        po = mo.with_suffix(".po")
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            return True
    return False


def _submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


# --- 1. Signing in and out -------------------------------------------------------------------


def test_wrong_password_is_refused_then_officer_signs_in_and_out(page: Page, live_server: Any) -> None:
    office, _other = _offices()
    _user("officer", office)

    page.goto("/accounts/login/")
    assert_accessible(page)
    page.fill("#login-form input[name=username]", "officer")
    page.fill("#login-form input[name=password]", "not-the-password")
    _submit(page, "#login-form button")
    assert page.url.endswith("/accounts/login/")
    assert page.locator("#login-error").is_visible()
    assert page.locator("#login-error").inner_text().strip()
    assert_accessible(page)

    login(page, "officer", TEST_PASSWORD)
    assert page.url == f"{live_server.url}/"  # the overview
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.locator("#logout-form").is_visible()
    assert_accessible(page)

    _submit(page, "#logout-form button")
    assert "/accounts/login/" in page.url
    assert page.locator("#logout-form").count() == 0
    page.goto("/")
    assert "/accounts/login/" in page.url  # the overview needs a signed-in user again


# --- 2. Language switcher --------------------------------------------------------------------

# Strings whose translation the journey looks for once the kk/ru catalogues are compiled.
SIGN_OUT = "Sign out"
OVERVIEW = "Overview"
PEOPLE = "People"


def _switch_language(page: Page, code: str) -> None:
    page.select_option("#language-select", code)
    _submit(page, "#language-switcher button")


def _assert_language(page: Page, code: str) -> None:
    assert _html_lang(page) == code
    assert page.input_value("#language-select") == code
    sign_out = _translated(SIGN_OUT, code)
    assert page.locator("#logout-form button").inner_text().strip() == sign_out
    assert page.locator(".usa-nav__primary").get_by_text(_translated(OVERVIEW, code), exact=True).count() == 1
    if code != "en" and _has_compiled_catalogue(code):
        assert sign_out != SIGN_OUT, f"“{SIGN_OUT}” is not translated into {code}"


def test_language_switcher_changes_language_and_keeps_it_across_pages(page: Page) -> None:
    office, _other = _offices()
    _user("officer", office)
    login(page, "officer", TEST_PASSWORD)
    _assert_language(page, "en")

    _switch_language(page, "ru")
    _assert_language(page, "ru")
    page.goto("/people/")
    _assert_language(page, "ru")
    assert page.locator("h1").inner_text().strip() == _translated(PEOPLE, "ru")

    _switch_language(page, "kk")
    assert page.url.endswith("/people/")  # the switcher returns to the page it was used on
    _assert_language(page, "kk")
    page.goto("/cases/")
    _assert_language(page, "kk")
    page.goto("/")
    _assert_language(page, "kk")
    assert_accessible(page)

    _switch_language(page, "en")
    _assert_language(page, "en")


# --- 3. Finding a person ---------------------------------------------------------------------


def test_officer_finds_a_person_by_surname_and_iin_prefix_and_opens_their_page(page: Page) -> None:
    office, other = _offices()
    _user("officer", office)
    wanted = _person(
        surname="Жұмабаев",
        first_name="Ерлан",
        surname_latin="Zhumabayev",
        birth_date=dt.date(1987, 4, 3),
        registered_office=office,
    )
    decoy = _person(surname="Ахметов", birth_date=dt.date(1995, 11, 30), registered_office=office)
    elsewhere = _person(surname="Жұмабаев", birth_date=dt.date(1987, 4, 3), registered_office=other)
    case = _case(person=wanted, office=office)
    _case(person=decoy, office=office)
    _case(person=elsewhere, office=other)
    iin_prefix = str(wanted.iin)[:6]  # the birth date: the namesake elsewhere shares it

    login(page, "officer", TEST_PASSWORD)

    # The header's global search looks through the caseload.
    page.fill("#global-search-q", "Жұмабаев")
    _submit(page, "#global-search button")
    assert "/cases/" in page.url
    rows = page.locator("#caseload-table tbody tr")
    assert rows.count() == 1
    assert page.locator(f"#case-row-{case.pk}").inner_text().count("Жұмабаев") == 1
    assert_accessible(page)

    page.fill("#global-search-q", iin_prefix)
    _submit(page, "#global-search button")
    assert page.locator("#caseload-table tbody tr").count() == 1
    assert page.locator(f"#case-row-{case.pk}").is_visible()

    # The people search: by surname, then by the first digits of the IIN.
    page.click(".usa-nav__primary a[href='/people/']")
    assert_accessible(page)
    page.fill("#people-q", "Жұмабаев")
    _submit(page, "#people-search button")
    links = page.locator("#people-table tbody a")
    assert links.count() == 1  # not the namesake registered by another district
    assert links.first.inner_text() == wanted.full_name
    assert_accessible(page)

    page.fill("#people-q", iin_prefix)
    _submit(page, "#people-search button")
    assert page.locator("#people-table tbody a").count() == 1
    assert decoy.full_name not in page.locator("#people-table").inner_text()

    _submit(page, "#people-table tbody a")
    assert page.url.endswith(f"/people/{wanted.pk}/")
    assert page.locator("#person-name").inner_text() == wanted.full_name
    assert str(wanted.iin) in page.locator("#person-identity").inner_text()
    assert page.locator(f"#story-case-{case.pk}").is_visible()
    assert_accessible(page)

    # Searches and the view are in the audit trail.
    # Every read of the people list is recorded; opening the list (no query yet) too.
    searches = AuditEvent.objects.filter(action="person.search", actor_username="officer")
    assert {e.details["query"] for e in searches} == {"", "Жұмабаев", iin_prefix}
    case_searches = AuditEvent.objects.filter(action="case.search", actor_username="officer")
    assert {e.details["query"] for e in case_searches} == {"Жұмабаев", iin_prefix}
    assert AuditEvent.objects.filter(action="person.view", subject_id=str(wanted.pk)).exists()


# --- 4 and 5. Registering a person, opening and registering a case ---------------------------


def _fill_person_form(page: Page, *, iin: str) -> None:
    page.fill("#id_iin", iin)
    page.fill("#id_surname", "Байжанов")
    page.fill("#id_first_name", "Нұрлан")
    page.fill("#id_patronymic", "Серікұлы")
    page.fill("#id_birth_date", "1988-03-12")
    page.get_by_text("Male", exact=True).click()
    page.fill("#id_phone", "+7 701 555 01 02")


def test_officer_registers_a_person_and_opens_and_registers_a_case_hidden_from_other_districts(
    new_page: NewPage,
) -> None:
    office, other = _offices()
    _user("senior", office, role=Role.SENIOR_OFFICER)
    _user("other_district", other)
    today = local_today()
    good_iin = make_iin(dt.date(1988, 3, 12), "M", 4321)
    bad_iin = good_iin[:11] + str((int(good_iin[11]) + 1) % 10)

    page = new_page()
    login(page, "senior", TEST_PASSWORD)
    page.click(".usa-nav__primary a[href='/people/new/']")
    assert page.url.endswith("/people/new/")
    assert_accessible(page)

    # A typo in the IIN: the check digit does not match. The error sits next to the field.
    _fill_person_form(page, iin=bad_iin)
    _submit(page, "#register-person")
    assert page.url.endswith("/people/new/")
    error = page.locator("#group-id_iin #id_iin_error")
    assert error.is_visible()
    assert "check digit" in error.inner_text()
    assert page.input_value("#id_surname") == "Байжанов"  # what was typed is kept
    assert Person.objects.count() == 0
    assert_accessible(page)

    page.fill("#id_iin", good_iin)
    _submit(page, "#register-person")
    person = Person.objects.get(iin=good_iin)
    assert page.url.endswith(f"/people/{person.pk}/")
    assert page.locator("#person-name").inner_text() == person.full_name
    assert page.locator("#messages").inner_text().strip()
    assert_accessible(page)

    # Open a case: choosing the type brings in its fields.
    _submit(page, "#open-case-link")
    assert f"person={person.pk}" in page.url
    assert_accessible(page)
    page.locator("#case-type-choice label", has_text="Sentence probation").click()
    page.wait_for_selector("#id_decision_date")
    decision = today - dt.timedelta(days=10)
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_court", "Алматы қаласының Алмалы аудандық соты")
    page.fill("#id_decision_number", "1-456/2026")
    page.fill("#id_decision_date", decision.isoformat())
    page.fill("#id_effective_date", (decision + dt.timedelta(days=5)).isoformat())
    page.fill("#id_cc_articles", "188 part 2")
    page.select_option("#id_sentence_kind", "restriction_of_liberty")
    page.fill("#id_term_months", "4")
    _submit(page, "#case-form button[name=open]")

    term_error = page.locator("#group-id_term_months #id_term_months_error")
    assert term_error.is_visible()
    assert "CC art. 44(1)" in term_error.inner_text()
    assert Case.objects.count() == 0
    assert_accessible(page)

    page.fill("#id_term_months", "12")
    _submit(page, "#case-form button[name=open]")
    case = Case.objects.get(person=person)
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert page.locator("#case-status").text_content() == "Awaiting registration"
    assert case.number in page.locator("#case-heading").inner_text()
    assert_accessible(page)

    # Register it: the primary action opens its own form; the status changes and the timeline shows the move.
    _submit(page, "#action-register")
    assert page.locator("main form").count() == 1
    assert page.input_value("#register-form input[name=registered_on]") == today.strftime("%d.%m.%Y")
    _submit(page, "#register-form button")
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert page.locator("#case-status").text_content() == "Registered"
    timeline = page.locator("#case-timeline li")
    assert timeline.count() == 3  # opened, allocated to the officer who opened it, registered
    # newest first
    assert re.search(r"Awaiting registration\s*→\s*Registered", timeline.nth(0).inner_text())
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED

    # An officer of another district gets the not-found page for that case and that person.
    stranger = new_page()
    login(stranger, "other_district", TEST_PASSWORD)
    response = stranger.goto(f"/cases/{case.pk}/")
    assert response is not None and response.status == 404
    assert stranger.locator("h1").inner_text() == "Not found"
    assert case.number not in stranger.content()
    assert_accessible(stranger)
    response = stranger.goto(f"/people/{person.pk}/")
    assert response is not None and response.status == 404
    assert person.surname not in stranger.content()


# --- 7. Keyboard -----------------------------------------------------------------------------


FIRST_FOCUSABLE = """() => {
  const candidates = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])');
  const first = [...candidates].find((el) => !el.disabled && el.tabIndex >= 0);
  return first ? first.outerHTML : null;
}"""


def _assert_skip_link_first_in_tab_order(page: Page) -> None:
    assert page.evaluate(FIRST_FOCUSABLE).startswith('<a class="usa-skipnav" href="#main-content">')


def _assert_skip_link_first_and_working(page: Page) -> None:
    _assert_skip_link_first_in_tab_order(page)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert focused == ["usa-skipnav", "#main-content"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")  # the next stop is inside the main content, not the header
    assert page.evaluate("() => document.getElementById('main-content').contains(document.activeElement)")


def test_skip_link_is_the_first_focusable_element_and_moves_focus_to_main_content(page: Page) -> None:
    office, _other = _offices()
    _user("officer", office)

    # The sign-in page puts the cursor in the user name field (autofocus), so Tab starts there;
    # the skip link still comes first in the tab order.
    page.goto("/accounts/login/")
    _assert_skip_link_first_in_tab_order(page)
    page.focus("a.usa-skipnav")  # off-screen until focused, as a skip link should be
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"

    login(page, "officer", TEST_PASSWORD)
    _assert_skip_link_first_and_working(page)
    page.goto("/people/")
    _assert_skip_link_first_and_working(page)
