"""The release-plan pages and API for the case's officer: open, update, set the receiving office,
hand over early; the case page section and facts; the page and the API agree on readiness."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus, CaseType
from openprobation.core.casepage import case_actions, case_facts, case_sections
from openprobation.core.timeutil import local_today
from openprobation.releases.models import Area, EventKind, ItemStatus, PlanStatus, ReleasePlan
from openprobation.releases.readiness import plan_readiness
from openprobation.releases.tests.conftest import programme_of
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db


def test_the_officer_opens_and_works_the_plan_on_the_pages(personas, case):
    web = web_client(personas["officer"])
    url = f"/cases/{case.pk}/release-plan/"
    first = web.get(url)
    assert first.status_code == 200
    assert b'id="open-plan"' in first.content
    assert web.post(url + "open/").status_code == 302
    plan = ReleasePlan.objects.get(case=case)
    page = web.get(url).content.decode()
    for area in Area:
        assert f'id="item-{area.value}"' in page
    assert 'id="readiness-level"' in page and "<progress" in page

    housing = plan.items.get(area=Area.HOUSING)
    form = web.get(f"{url}items/{housing.pk}/")
    assert form.status_code == 200
    done = web.post(
        f"{url}items/{housing.pk}/",
        {"status": "done", "owner_name": "Ауыл әкімдігі", "owner_user": personas["colleague"].pk, "due_on": ""},
    )
    assert done.status_code == 302
    housing.refresh_from_db()
    assert (housing.status, housing.owner_name, housing.owner_user) == (
        ItemStatus.DONE,
        "Ауыл әкімдігі",
        personas["colleague"],
    )
    assert plan.events.filter(kind=EventKind.ITEM, item=housing).exists()
    assert AuditEvent.objects.filter(action="release.item_update", subject_id=str(case.pk)).count() == 1

    details = web.post(
        f"{url}receiving-office/", {"receiving_office": personas["office_b"].pk, "handover_kind": "post_penitentiary"}
    )
    assert details.status_code == 302
    plan.refresh_from_db()
    assert plan.receiving_office == personas["office_b"]
    listed = web.get("/releases/").content.decode()
    assert case.number in listed and case.person.full_name in listed


def test_the_page_and_the_api_agree_on_readiness(personas, plan):
    plan.items.filter(area__in=[Area.HOUSING, Area.HEALTH]).update(status=ItemStatus.DONE)
    plan.items.filter(area=Area.BENEFITS).update(status=ItemStatus.NOT_NEEDED)
    expected = plan_readiness(plan, on=local_today())
    api = api_client(personas["officer"]).get(f"/api/v1/cases/{plan.case_id}/release-plan/").json()
    got = api["plan"]["readiness"]
    assert (got["done"], got["needed"], got["percent"], got["level"]) == (2, 7, 28, expected.level)
    assert len(got["open_items"]) == 5
    page = web_client(personas["officer"]).get(f"/cases/{plan.case_id}/release-plan/").content.decode()
    assert "2 of 7 needed items done (28%)" in page
    listed = api_client(personas["officer"]).get("/api/v1/release-plans/").json()
    assert [p["readiness"]["percent"] for p in listed] == [28]


def test_the_case_page_shows_the_plan(personas, plan):
    case = plan.case
    facts = case_facts(user=personas["officer"], case=case, today=local_today())
    fact = next(f for f in facts if f.key == "release_plan")
    assert fact.data["needed"] == 8
    assert any(s.key == "release_plan" for s in case_sections(user=personas["officer"], case=case, today=local_today()))
    assert any(a.key == "release_plan" for a in case_actions(user=personas["officer"], case=case))
    assert not case_actions(user=personas["court_liaison"], case=case) or all(
        a.key != "release_plan" for a in case_actions(user=personas["court_liaison"], case=case)
    )
    page = web_client(personas["officer"]).get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert b'id="release-plan"' in page.content


def test_an_early_release_is_handed_over_by_hand_through_the_api(personas, case, plan):
    programme = programme_of(case, personas["officer"])
    client = api_client(personas["officer"])
    base = f"/api/v1/cases/{case.pk}/release-plan/"
    assert client.post(f"{base}handover/", {}, format="json").status_code == 400  # no receiving office yet
    body = {"receiving_office": personas["office_b"].pk, "handover_kind": "post_penitentiary"}
    assert client.post(f"{base}receiving-office/", body, format="json").status_code == 200
    yesterday = local_today() - dt.timedelta(days=1)
    answer = client.post(f"{base}handover/", {"released_on": yesterday.isoformat()}, format="json")
    assert answer.status_code == 201, answer.content
    plan.refresh_from_db()
    assert (plan.status, plan.released_on, plan.handed_over_case_id) == (
        PlanStatus.HANDED_OVER,
        yesterday,
        answer.json()["new_case"],
    )
    new_case = plan.handed_over_case
    assert new_case is not None
    assert (new_case.case_type, new_case.office) == (CaseType.POST_PENITENTIARY, personas["office_b"])
    programme.refresh_from_db()
    assert programme.case == new_case
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    event = AuditEvent.objects.get(action="release_plan.transition")
    assert event.actor_id == personas["officer"].pk
    # Once handed over, nothing more: a second handover is refused.
    again = client.post(f"{base}handover/", {}, format="json")
    assert again.status_code in (400, 403)
    assert ReleasePlan.objects.get(pk=plan.pk).handed_over_case == new_case


def test_a_cancelled_plan_is_closed_to_changes(personas, plan):
    client = api_client(personas["officer"])
    base = f"/api/v1/cases/{plan.case_id}/release-plan/"
    assert client.post(f"{base}cancel/", {"reason": "Жаңа үкім шықты"}, format="json").status_code == 200
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED
    item = plan.items.first()
    assert item is not None
    response = client.post(f"{base}items/{item.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "plan_closed"
    page = web_client(personas["officer"]).get(f"/cases/{plan.case_id}/release-plan/handover/")
    assert page.status_code == 302
