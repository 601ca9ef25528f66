"""A partner organisation's staff member signs in, finds the referral sent to their organisation,
accepts it and completes it with an outcome; the programme measure follows."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from openprobation.accounts.models import Office, Role, User
from openprobation.core.timeutil import local_today
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import PartnerOrganisation, PartnerStaff, ReferralStatus
from openprobation.programmes.tests.referral_matrix import programme_measure
from openprobation.testing.factories import TEST_PASSWORD, OfficeFactory, RegionFactory, UserFactory, a_case, a_person
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_partner_accepts_and_completes_a_referral(page: Any) -> None:
    office = cast(Office, OfficeFactory(code="NA1", region=RegionFactory(code="NRT", name_en="North")))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    partner = cast(User, UserFactory(username="partner", role=Role.PARTNER_STAFF))
    org = PartnerOrganisation.objects.create(
        name="Жұмыспен қамту орталығы", kind="employment_centre", region_id=office.region_id, services=["employment"]
    )
    org.districts.set([office])
    PartnerStaff.objects.create(user=partner, organisation=org)
    person = a_person(registered_office=office, surname="Сейтжанов", first_name="Ерлан", birth_date=dt.date(1991, 4, 2))
    case = a_case(person=person, office=office, officer=officer)
    measure = programme_measure(case)
    measure.due_on = local_today() + dt.timedelta(days=90)
    measure.save()
    referral = services.referral_create(
        actor=officer,
        case=case,
        measure=measure,
        data=services.ReferralInput(organisation=org, request="Жұмыс іздеуге көмектесіңіз"),
        send=True,
    )

    login(page, "partner", TEST_PASSWORD)
    page.goto("/partner/")
    assert referral.number in page.locator("#portal-referrals").inner_text()
    assert person.iin not in page.content()
    assert_accessible(page)

    with page.expect_navigation():
        page.click(f"text={referral.number}")
    assert "Жұмыс іздеуге көмектесіңіз" in page.locator("#referral-facts").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.click("#act-accept button")
    assert "accepted" in page.locator("#referral-status").inner_text().lower()

    page.fill("#note-complete", "Жұмысқа орналасты")
    page.click("label[for=achieved-yes]")
    with page.expect_navigation():
        page.click("#act-complete button")
    assert "completed" in page.locator("#referral-status").inner_text().lower()
    assert_accessible(page)

    referral.refresh_from_db()
    measure.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED and referral.outcome == "Жұмысқа орналасты"
    assert measure.status == "done"


def test_officer_refers_a_measure_and_head_keeps_the_registry(page: Any) -> None:
    office = cast(Office, OfficeFactory(code="NA1", region=RegionFactory(code="NRT", name_en="North")))
    officer = cast(User, UserFactory(username="officer", role=Role.OFFICER, office=office))
    org = PartnerOrganisation.objects.create(
        name="Заң консультациясы", kind="legal_aid", region_id=office.region_id, services=["employment", "legal_advice"]
    )
    org.districts.set([office])
    case = a_case(person=a_person(registered_office=office), office=office, officer=officer)
    measure = programme_measure(case)

    login(page, "officer", TEST_PASSWORD)
    page.goto(f"/cases/{case.pk}/measures/{measure.pk}/refer/")
    assert_accessible(page)
    page.select_option("#referral-form select[name=organisation]", str(org.pk))
    page.fill("#referral-form textarea[name=request]", "Құжаттарды қалпына келтіруге көмек")
    with page.expect_navigation():
        page.click("#referral-form button[value=send]")
    assert "sent" in page.locator("#referral-status").inner_text().lower()
    assert_accessible(page)
    page.click("button[aria-controls='nav-assistance']")  # the menu's "Assistance" group
    with page.expect_navigation():
        page.click("#nav-assistance a[href='/referrals/']")
    assert_accessible(page)

    UserFactory(username="head", role=Role.HEAD_OF_OFFICE, office=office)
    page.context.clear_cookies()
    login(page, "head", TEST_PASSWORD)
    page.goto("/partner-organisations/")
    assert org.name in page.locator("#organisations-table").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.click(f"text={org.name}")
    assert_accessible(page)
    with page.expect_navigation():
        page.click("#organisation-edit")
    assert_accessible(page)
