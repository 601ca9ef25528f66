"""Social and legal assistance end to end in headless Chromium: an officer (in Russian) builds a
programme from the needs assessment and refers a measure to the district's employment centre; the
centre's staff member (in Kazakh) lands on the partner portal, accepts the referral and completes it
with an outcome; the officer sees the outcome on the programme. Every page passes axe-core at desktop
width and at 390 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import (
    PartnerOrganisation,
    PartnerStaff,
    Programme,
    ProgrammeMeasure,
    Referral,
    ReferralStatus,
)
from openprobation.programmes.tests.conftest import needs_assessment
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, OfficeFactory, PersonFactory, UserFactory
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

NewPage = Callable[..., Any]
OUTCOME = "Жұмысқа орналасты: «Қазпошта» АҚ, сұрыптаушы"


def test_programme_referral_partner_outcome(new_page: NewPage) -> None:
    office = cast(Office, OfficeFactory(code="NA7"))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    partner = cast(User, UserFactory(username="partner", role=Role.PARTNER_STAFF))
    centre = PartnerOrganisation.objects.create(
        name="Жұмыспен қамту орталығы",
        kind="employment_centre",
        region_id=office.region_id,
        services=["employment", "vocational_training"],
        capacity=20,
        email="centre@partner.example",
    )
    centre.districts.set([office])
    PartnerStaff.objects.create(user=partner, organisation=centre)
    person = PersonFactory(registered_office=office, surname="Сейтжанов", first_name="Ерлан")
    case = cast(
        Case,
        CaseFactory(
            person=person,
            office=office,
            officer=officer,
            status=CaseStatus.ACTIVE,
            received_on=local_today() - dt.timedelta(days=30),
        ),
    )
    needs_assessment(case)  # education and employment rated 2: the programme proposes employment help

    # 1. The officer opens the programme from the case page: the needs are proposed, one click saves it.
    desk = new_page("ru-RU")
    login(desk, "officer", TEST_PASSWORD)
    desk.goto(f"/cases/{case.pk}/")
    desk.click("#case-programme-open")
    desk.wait_for_url(f"**/cases/{case.pk}/programme/new/")
    desk.click("#programme-form button[type=submit]")
    desk.wait_for_url(f"**/cases/{case.pk}/programme/")
    programme = Programme.objects.get(case=case)
    measure = ProgrammeMeasure.objects.get(programme=programme, measure="employment")

    # 2. ... and refers the employment measure to the centre (organisation chosen, request written, sent).
    desk.click(f"#refer-{measure.pk}")
    desk.wait_for_url(f"**/cases/{case.pk}/measures/{measure.pk}/refer/")
    assert_accessible(desk)
    desk.select_option("#referral-form select[name=organisation]", str(centre.pk))
    desk.fill("#referral-form textarea[name=request]", "Помогите с трудоустройством, есть права категории C")
    with desk.expect_navigation():
        desk.click("#referral-form button[value=send]")
    referral = Referral.objects.get(measure=measure)
    assert referral.status == ReferralStatus.SENT and referral.answer_due is not None

    # 3. The partner signs in (Kazakh) and lands on the portal, where the referral waits.
    portal = new_page("kk-KZ")
    login(portal, "partner", TEST_PASSWORD)
    portal.wait_for_url("**/partner/")
    assert referral.number in portal.locator("#portal-referrals").inner_text()
    assert person.iin not in portal.content()
    assert case.number not in portal.content()
    assert portal.locator("html").get_attribute("lang") == "kk"
    with portal.expect_navigation():
        portal.click(f"text={referral.number}")
    assert "трудоустройством" in portal.locator("#referral-facts").inner_text()
    assert_accessible(portal)
    with portal.expect_navigation():
        portal.click("#act-accept button")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    portal.fill("#note-complete", OUTCOME)
    portal.click("label[for=achieved-yes]")
    with portal.expect_navigation():
        portal.click("#act-complete button")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert_accessible(portal)

    # 4. The officer sees the outcome on the programme, in the measure's row.
    desk.goto(f"/cases/{case.pk}/programme/")
    row = desk.locator(f"#measure-{measure.pk}").inner_text()
    assert OUTCOME in row
    assert referral.number in row
    measure.refresh_from_db()
    assert measure.status == "done" and measure.outcome == OUTCOME
    assert_accessible(desk)
