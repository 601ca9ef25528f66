"""The partner portal: a partner sees only the referrals sent to their organisation, with only the
fields a referral needs; cannot reach drafts, other organisations' referrals, cases or people;
every view is audited; answers work in their own language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import Referral, ReferralStatus
from openprobation.programmes.tests import referral_world
from openprobation.programmes.tests.referral_matrix import programme_measure
from openprobation.programmes.tests.referral_world import World
from openprobation.testing.factories import a_case

pytestmark = pytest.mark.django_db
world = referral_world.world  # the fixture


def _referral(
    w: World, *, org: Any = None, send: bool = True, share_phone: bool = False, case: Case | None = None
) -> Referral:
    case = case or w.case
    measure = (
        w.measure
        if case is w.case and not Referral.objects.filter(measure=w.measure).exists()
        else programme_measure(case)
    )
    return services.referral_create(
        actor=w["officer"],
        case=case,
        measure=measure,
        data=services.ReferralInput(organisation=org or w.org, request="Жұмыс іздеуге көмек", share_phone=share_phone),
        send=send,
    )


@pytest.fixture
def partner_client(client, world):
    client.force_login(world.partner)
    return client


def test_the_list_shows_only_the_organisations_sent_referrals(partner_client, world):
    mine = _referral(world)
    other = _referral(world, org=world.org_b)
    draft = _referral(world, case=a_case(office=world["office_a"], officer=world["officer"]), send=False)
    page = partner_client.get(reverse("programmes:portal_list") + "?view=all")
    text = page.content.decode()
    assert page.status_code == 200
    assert mine.number in text and other.number not in text and draft.number not in text
    api = partner_client.get(reverse("api-partner-referrals") + "?view=all")
    assert [row["number"] for row in api.json()] == [mine.number]


def test_the_detail_shows_only_what_the_referral_needs(partner_client, world):
    referral = _referral(world)
    page = partner_client.get(reverse("programmes:portal_detail", args=[referral.pk]))
    text = page.content.decode()
    person = world.case.person
    assert page.status_code == 200
    assert person.full_name in text and str(person.birth_date.year) in text and "Жұмыс іздеуге көмек" in text
    for secret in (person.iin, world.case.number, "188 ч.2", person.phone, person.birth_date.strftime("%d.%m.%Y")):
        assert secret not in text
    body = partner_client.get(reverse("api-partner-referral", args=[referral.pk])).content.decode()
    for secret in (person.iin, world.case.number, "188 ч.2", person.phone, '"case"', "risk", "violation"):
        assert secret not in body
    assert json.loads(body)["birth_year"] == person.birth_date.year


def test_the_phone_is_shown_only_when_shared(partner_client, world):
    referral = _referral(world, share_phone=True)
    page = partner_client.get(reverse("programmes:portal_detail", args=[referral.pk]))
    assert world.case.person.phone in page.content.decode()


def test_other_organisations_referrals_are_not_found(partner_client, world):
    other = _referral(world, org=world.org_b)
    assert partner_client.get(reverse("programmes:portal_detail", args=[other.pk])).status_code == 404
    assert partner_client.get(reverse("api-partner-referral", args=[other.pk])).status_code == 404
    assert (
        partner_client.post(reverse("programmes:portal_act", args=[other.pk]), {"action": "accept"}).status_code == 404
    )
    other.refresh_from_db()
    assert other.status == ReferralStatus.SENT


def test_a_draft_is_not_found(partner_client, world):
    draft = _referral(world, send=False)
    assert partner_client.get(reverse("programmes:portal_detail", args=[draft.pk])).status_code == 404
    response = partner_client.post(
        reverse("api-partner-referral-action", args=[draft.pk]), {"action": "accept"}, content_type="application/json"
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT


def test_the_partner_cannot_open_cases_or_people(partner_client, world):
    _referral(world)
    case, person = world.case, world.case.person
    for url in (
        reverse("cases:detail", args=[case.pk]),
        reverse("people:detail", args=[person.pk]),
        reverse("api-case", args=[case.pk]),
        reverse("api-person", args=[person.pk]),
        reverse("programmes:case_referrals", args=[case.pk]),
        reverse("api-case-referrals", args=[case.pk]),
        reverse("programmes:referral_list"),
        reverse("cases:caseload"),
    ):
        assert partner_client.get(url).status_code in (403, 404), url
    assert partner_client.get(reverse("api-cases")).json().get("count", 0) == 0


def test_officers_are_refused_the_portal(client, world):
    referral = _referral(world)
    for who in ("officer", "head", "auditor", "sysadmin"):
        client.force_login(world[who])
        assert client.get(reverse("programmes:portal_list")).status_code in (403, 404)
        assert client.get(reverse("programmes:portal_detail", args=[referral.pk])).status_code in (403, 404)
        assert client.get(reverse("api-partner-referrals")).status_code == 403


def test_a_partner_without_an_organisation_sees_nothing(client, world):
    from openprobation.accounts.models import Role  # noqa: PLC0415
    from openprobation.testing.factories import UserFactory  # noqa: PLC0415

    _referral(world)
    client.force_login(UserFactory(username="loose_partner", role=Role.PARTNER_STAFF))
    assert client.get(reverse("programmes:portal_list")).status_code == 404
    assert client.get(reverse("api-partner-referrals")).json() == []


def test_every_portal_view_is_audited(partner_client, world):
    referral = _referral(world)
    partner_client.get(reverse("programmes:portal_list"))
    partner_client.get(reverse("programmes:portal_detail", args=[referral.pk]))
    partner_client.get(reverse("api-partner-referrals"))
    partner_client.get(reverse("api-partner-referral", args=[referral.pk]))
    events = AuditEvent.objects.filter(actor=world.partner)
    assert events.filter(action="referral.portal_list").count() == 2
    viewed = events.filter(action="referral.portal_view")
    assert viewed.count() == 2 and set(viewed.values_list("subject_id", flat=True)) == {str(referral.pk)}


def test_accept_update_and_complete_through_the_pages(partner_client, world):
    referral = _referral(world)
    url = reverse("programmes:portal_act", args=[referral.pk])
    assert partner_client.post(url, {"action": "accept"}).status_code == 302
    assert partner_client.post(url, {"action": "update", "note": "Кездесу белгіленді"}).status_code == 302
    response = partner_client.post(url, {"action": "complete", "note": "Жұмысқа орналасты", "achieved": "yes"})
    assert response.status_code == 302
    referral.refresh_from_db()
    world.measure.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED and referral.outcome_achieved is True
    assert world.measure.status == "done"


def test_errors_come_back_on_the_form_in_the_users_language(partner_client, world):
    referral = _referral(world)
    url = reverse("programmes:portal_act", args=[referral.pk])
    response = partner_client.post(url, {"action": "decline", "note": ""}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()
    api = partner_client.post(
        reverse("api-partner-referral-action", args=[referral.pk]),
        {"action": "complete", "note": "x"},
        content_type="application/json",
    )
    assert api.status_code == 400
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "accept", "note": ["nested"]},
        {"action": {"a": 1}},
        {"action": "complete", "note": "ok", "achieved": "perhaps"},
        {"action": "update", "note": "x" * 10_000},
        {"action": "١٢"},
        [],
        "accept",
    ],
)
def test_odd_api_input_is_a_clear_400(partner_client, world, payload):
    referral = _referral(world)
    response = partner_client.post(
        reverse("api-partner-referral-action", args=[referral.pk]), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_odd_ids_are_not_found(partner_client, world):
    for pk in ("99999999999999999999", "0"):
        assert partner_client.get(f"/api/v1/partner/referrals/{pk}/").status_code == 404
        assert partner_client.get(f"/partner/referrals/{pk}/").status_code == 404


def test_the_language_switch_works_for_the_partner(partner_client, world):
    referral = _referral(world)
    partner_client.post(reverse("set_language"), {"language": "ru", "next": "/partner/"})
    page = partner_client.get(reverse("programmes:portal_detail", args=[referral.pk]))
    assert page.status_code == 200
    assert 'lang="ru"' in page.content.decode()
