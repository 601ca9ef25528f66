"""The office's referral pages and API: refer a measure (draft or send in one step), the case's
referrals, the detail with its history, send and cancel, the office list; odd input is a 4xx."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import local_today
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import Referral, ReferralStatus
from openprobation.programmes.tests import referral_world

pytestmark = pytest.mark.django_db
world = referral_world.world  # the fixture


@pytest.fixture
def officer_client(client, world):
    client.force_login(world["officer"])
    return client


def _new_url(w):
    return reverse("programmes:referral_new", kwargs={"pk": w.case.pk, "record": w.measure.pk})


def test_the_form_offers_the_organisations_that_fit(officer_client, world):
    page = officer_client.get(_new_url(world))
    text = page.content.decode()
    assert page.status_code == 200
    assert world.org.name in text and world.org_b.name in text
    assert AuditEvent.objects.filter(action="case.view", subject_id=str(world.case.pk)).exists()


def test_send_in_one_step(officer_client, world):
    response = officer_client.post(
        _new_url(world), {"organisation": world.org.pk, "request": "Жұмыс іздеу", "submit": "send"}
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:referral_detail", args=[world.case.pk, referral.pk])
    assert referral.status == ReferralStatus.SENT and referral.answer_due is not None
    detail = officer_client.get(response["Location"]).content.decode()
    assert referral.number in detail and "Sent" in detail


def test_draft_then_send_and_cancel_from_the_detail(officer_client, world):
    officer_client.post(_new_url(world), {"organisation": world.org.pk, "request": "Жұмыс", "submit": "draft"})
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.DRAFT
    bad = officer_client.post(
        reverse("programmes:referral_send", args=[world.case.pk, referral.pk]), {"complete_due": "31.12.9999"}
    )
    assert bad.status_code == 400 and "usa-error-message" in bad.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    ok = officer_client.post(reverse("programmes:referral_send", args=[world.case.pk, referral.pk]), {})
    assert ok.status_code == 302
    empty = officer_client.post(
        reverse("programmes:referral_cancel", args=[world.case.pk, referral.pk]), {"reason": ""}
    )
    assert empty.status_code == 400
    done = officer_client.post(
        reverse("programmes:referral_cancel", args=[world.case.pk, referral.pk]), {"reason": "Адам бас тартты"}
    )
    referral.refresh_from_db()
    assert done.status_code == 302 and referral.status == ReferralStatus.CANCELLED


@pytest.mark.parametrize(
    "data",
    [
        {"organisation": "١٢", "request": "x", "submit": "send"},
        {"organisation": "", "request": "x", "submit": "send"},
        {"organisation": "999999", "request": "x", "submit": "send"},
        {"request": "x" * 50_000, "submit": "send"},
        {"request": "x", "complete_due": "0001-01-01", "submit": "send"},
    ],
)
def test_odd_form_input_comes_back_on_the_form(officer_client, world, data):
    data = {"organisation": world.org.pk, **data}
    response = officer_client.post(_new_url(world), data)
    assert response.status_code == 200
    assert "usa-error-message" in response.content.decode()
    assert not Referral.objects.exists()


def test_another_organisation_outside_the_list_is_refused(officer_client, world):
    from openprobation.programmes.tests.referral_world import make_org  # noqa: PLC0415

    south = make_org(world["office_c"], name="Оңтүстік")
    response = officer_client.post(_new_url(world), {"organisation": south.pk, "request": "x", "submit": "send"})
    assert response.status_code == 200 and not Referral.objects.exists()


def test_a_measure_of_another_case_is_not_found(officer_client, world):
    from openprobation.programmes.tests.referral_matrix import programme_measure  # noqa: PLC0415
    from openprobation.testing.factories import a_case  # noqa: PLC0415

    other = programme_measure(a_case(office=world["office_a"], officer=world["officer"]))
    url = reverse("programmes:referral_new", kwargs={"pk": world.case.pk, "record": other.pk})
    assert officer_client.get(url).status_code == 404


def test_the_case_list_and_the_office_list(officer_client, world):
    referral = services.referral_create(
        actor=world["officer"],
        case=world.case,
        measure=world.measure,
        data=services.ReferralInput(organisation=world.org, request="x"),
        send=True,
    )
    assert (
        referral.number
        in officer_client.get(reverse("programmes:case_referrals", args=[world.case.pk])).content.decode()
    )
    waiting = officer_client.get(reverse("programmes:referral_list") + "?view=waiting&mine=1").content.decode()
    assert referral.number in waiting
    assert (
        referral.number
        not in officer_client.get(reverse("programmes:referral_list") + "?view=overdue").content.decode()
    )
    assert AuditEvent.objects.filter(action="referral.list", actor=world["officer"]).count() == 2
    officer_client.force_login(world["other_region"])
    assert referral.number not in officer_client.get(reverse("programmes:referral_list") + "?view=all").content.decode()


def test_the_api_refers_and_sends(officer_client, world):
    url = reverse("api-case-referrals", args=[world.case.pk])
    today = local_today()
    response = officer_client.post(
        url,
        json.dumps(
            {
                "measure": world.measure.pk,
                "organisation": world.org.pk,
                "request": "Көмек",
                "send": True,
                "complete_due": (today + dt.timedelta(days=7)).isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "sent" and body["complete_due"] == (today + dt.timedelta(days=7)).isoformat()
    assert body["rule_key"] == "programmes.referral_deadlines"
    detail = officer_client.get(reverse("api-case-referral", args=[world.case.pk, body["id"]])).json()
    assert [e["to_status"] for e in detail["events"]] == ["draft", "sent"]
    listed = officer_client.get(reverse("api-referrals") + "?view=waiting").json()
    assert [r["id"] for r in listed] == [body["id"]]
    cancel = officer_client.post(
        reverse("api-case-referral-transition", args=[world.case.pk, body["id"]]),
        json.dumps({"to_status": "cancelled", "reason": "Қате"}),
        content_type="application/json",
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    "payload",
    [
        {"measure": "abc", "organisation": 1, "request": "x"},
        {"measure": [1], "organisation": 1, "request": "x"},
        {"measure": 1, "organisation": {"id": 1}, "request": "x"},
        {"measure": 1, "organisation": 1, "request": "x", "complete_due": "9999-12-31"},
        {"measure": 1, "organisation": 1, "request": "x" * 50_000},
        {"measure": 10**30, "organisation": 1, "request": "x"},
    ],
)
def test_odd_api_input_is_a_clear_400(officer_client, world, payload):
    response = officer_client.post(
        reverse("api-case-referrals", args=[world.case.pk]), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Referral.objects.exists()


def test_the_api_refuses_an_unknown_measure_and_a_far_date(officer_client, world):
    url = reverse("api-case-referrals", args=[world.case.pk])
    base = {"measure": world.measure.pk, "organisation": world.org.pk, "request": "x"}
    for payload in (
        {**base, "measure": 999999},
        {**base, "organisation": 999999},
        {**base, "complete_due": "9999-12-31"},
    ):
        response = officer_client.post(url, json.dumps(payload), content_type="application/json")
        assert response.status_code == 400, payload
    assert not Referral.objects.exists()


def test_odd_ids_are_not_found(officer_client, world):
    huge = "99999999999999999999"
    for url in (
        f"/cases/{world.case.pk}/referrals/{huge}/",
        f"/cases/{world.case.pk}/measures/{huge}/refer/",
        f"/partner-organisations/{huge}/",
        f"/api/v1/cases/{world.case.pk}/referrals/{huge}/",
        f"/api/v1/partner-organisations/{huge}/",
    ):
        assert officer_client.get(url).status_code == 404, url
