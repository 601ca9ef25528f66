"""The strict Content-Security-Policy in a real browser: the pages, htmx and the interactive API
docs (Swagger UI, ReDoc) work with it and the browser reports no violation."""

from __future__ import annotations

from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, RegionFactory, UserFactory
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

Page = Any

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile);
});
"""


def _watched(page: Page) -> list[str]:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)
    return console


def _violations(page: Page, console: list[str]) -> list[str]:
    seen = list(page.evaluate("() => window.__cspViolations || []"))
    seen += [text for text in console if "Content Security Policy" in text]
    return seen


def _staff() -> tuple[User, Case]:
    office = cast(Office, OfficeFactory(code="NA1", region=RegionFactory(code="NRT", name_en="North")))
    senior = cast(User, UserFactory(username="senior", role=Role.SENIOR_OFFICER, office=office))
    case = cast(Case, CaseFactory(office=office, officer=senior))
    return senior, case


def test_the_pages_and_htmx_work_under_the_policy(page: Page) -> None:
    senior, case = _staff()
    console = _watched(page)
    login(page, "senior", TEST_PASSWORD)
    assert page.url.endswith("/")
    for address in ["/", "/cases/office/", "/people/new/", f"/cases/{case.pk}/", f"/people/{case.person_id}/"]:
        page.goto(address)
        assert _violations(page, console) == [], address
    page.goto("/cases/")
    page.wait_for_selector("#caseload-results")
    # A sort header is an htmx link: the results are swapped in place, the address follows.
    with page.expect_response(lambda response: "/cases/" in response.url and response.status == 200):
        page.click("#caseload-results th >> nth=0 >> a")
    page.wait_for_url("**/cases/?*")
    assert page.evaluate("() => document.documentElement.classList.contains('no-js')") is False
    assert _violations(page, console) == []


def test_the_admin_works_under_the_policy(page: Page) -> None:
    office = cast(Office, OfficeFactory(code="NA1", region=RegionFactory(code="NRT", name_en="North")))
    UserFactory(username="root", role=Role.SYSTEM_ADMIN, office=None, is_staff=True, is_superuser=True)
    CaseFactory(office=office)
    console = _watched(page)
    login(page, "root", TEST_PASSWORD)
    for address in ["/admin/", "/admin/accounts/user/", "/admin/accounts/office/add/"]:
        page.goto(address)
        assert page.locator("#content").count() == 1, address
    assert _violations(page, console) == []


def test_swagger_ui_renders_under_the_policy(page: Page) -> None:
    _staff()
    console = _watched(page)
    login(page, "senior", TEST_PASSWORD)
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")
    assert "OpenProbation API" in page.inner_text(".swagger-ui .info .title")
    assert _violations(page, console) == []


def test_redoc_renders_under_the_policy(page: Page) -> None:
    _staff()
    console = _watched(page)
    login(page, "senior", TEST_PASSWORD)
    page.goto("/api/v1/redoc/")
    page.wait_for_selector("#redoc-container h1")
    assert "OpenProbation API" in page.inner_text("#redoc-container h1")
    # ReDoc's "powered by" logo comes from its CDN: the policy blocks it on purpose (no request to
    # another site) and ReDoc hides the image. Nothing else may be refused.
    assert [v for v in _violations(page, console) if "cdn.redoc.ly" not in v] == []
