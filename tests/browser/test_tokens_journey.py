"""An officer creates an API token on "My API tokens", copies it once, then revokes it."""

from __future__ import annotations

from typing import Any, cast

import pytest

from openprobation.accounts.models import ApiToken, Office, Role
from openprobation.testing.factories import TEST_PASSWORD, OfficeFactory, RegionFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_officer_creates_a_token_sees_it_once_and_revokes_it(page: Any) -> None:
    office = cast(Office, OfficeFactory(code="NA1", region=RegionFactory(code="NRT", name_en="North")))
    UserFactory(username="officer", role=Role.OFFICER, office=office)

    login(page, "officer", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("text=My API tokens")
    assert page.locator("#token-list-empty").is_visible()
    assert_accessible(page)

    page.fill("#token-form input[name=label]", "reports script")
    with page.expect_navigation():
        page.click("#token-form button")
    secret = page.locator("#new-token-secret").inner_text().strip()
    assert len(secret) >= 40
    assert page.locator("#token-list").inner_text().count("reports script") == 1
    assert_accessible(page)

    with page.expect_navigation():
        page.click("#token-list button")
    assert page.locator("#token-list-empty").is_visible()
    assert secret not in page.content()
    assert ApiToken.objects.get().revoked_at is not None
