"""Who may change a release plan (the case's office staff as for other case work) and who may read
it (the case's jurisdiction, and the receiving office once told); refused callers change nothing;
odd input gets a clear 4xx, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.cases.models import Case, CaseType
from openprobation.cases.services import case_transfer
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkScope, work_sources
from openprobation.releases import handover, services
from openprobation.releases.handover import release_planning_scan
from openprobation.releases.models import Area, PlanStatus, ReleasePlan, ReleasePlanEvent, ReleasePlanItem
from openprobation.releases.services import HandoverDetails, ItemInput
from openprobation.releases.tests.conftest import prison_case
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db

REFUSED = ["colleague", "other_district", "other_head", "other_region", "court_liaison", "auditor", "analyst"]
REFUSED += ["sysadmin", "partner", "monitoring"]


def state(plan: ReleasePlan) -> tuple[Any, ...]:
    """Everything a write could change: the plan, its items, its history and the person's cases."""
    plan.refresh_from_db()
    items = list(ReleasePlanItem.objects.filter(plan=plan).order_by("pk").values())
    return (
        {k: v for k, v in vars(plan).items() if not k.startswith("_")},
        items,
        ReleasePlanEvent.objects.filter(plan=plan).count(),
        Case.objects.filter(person=plan.person).count(),
    )


def _writes(plan: ReleasePlan) -> dict[str, Any]:
    item = plan.items.get(area=Area.HOUSING)
    return {
        "item": lambda who: services.release_item_update(
            actor=who, plan=plan, item_id=item.pk, data=ItemInput(status="done", owner_name="Әкімдік")
        ),
        "details": lambda who: services.release_plan_set_handover(
            actor=who, plan=plan, data=HandoverDetails(receiving_office_id=plan.office_id, handover_kind="parole")
        ),
        "handover": lambda who: handover.release_plan_handover(actor=who, plan=plan),
        "cancel": lambda who: services.release_plan_cancel(actor=who, plan=plan, reason="Жаңа үкім"),
    }


@pytest.mark.parametrize("name", REFUSED)
def test_services_refuse_everyone_but_the_case_office_staff(personas, plan, name):
    before = state(plan)
    for write in _writes(plan).values():
        with pytest.raises(PermissionDeniedError):
            write(personas[name])
    with pytest.raises(PermissionDeniedError):
        services.release_plan_open(actor=personas[name], case=prison_case(personas))
    assert state(plan) == before


@pytest.mark.parametrize("name", REFUSED)
def test_the_api_and_the_pages_refuse_them_too(personas, plan, name):
    item = plan.items.get(area=Area.HOUSING)
    before = state(plan)
    base = f"/api/v1/cases/{plan.case_id}/release-plan/"
    api = api_client(personas[name])
    for url, body in [
        (f"{base}items/{item.pk}/", {"status": "done"}),
        (f"{base}receiving-office/", {"receiving_office": personas["office_b"].pk, "handover_kind": "parole"}),
        (f"{base}handover/", {}),
        (f"{base}cancel/", {"reason": "Жаңа үкім"}),
    ]:
        assert api.post(url, body, format="json").status_code in (403, 404), url
    web = web_client(personas[name])
    pages = f"/cases/{plan.case_id}/release-plan/"
    for url, body in [
        (f"{pages}items/{item.pk}/", {"status": "done"}),
        (f"{pages}handover/", {"released_on": local_today().isoformat()}),
        (f"{pages}cancel/", {"reason": "Жаңа үкім"}),
    ]:
        assert web.post(url, body).status_code in (403, 404), url
    assert state(plan) == before


def test_the_former_office_may_read_but_not_change_a_case_transferred_away(personas, case, plan):
    case_transfer(actor=personas["head"], case=case, to_office=personas["office_b"], reason="Көшті")
    before = state(plan)
    for write in _writes(plan).values():
        with pytest.raises(PermissionDeniedError):
            write(personas["senior"])
    assert state(plan) == before
    page = web_client(personas["senior"]).get(f"/cases/{case.pk}/release-plan/")
    assert page.status_code == 200
    assert b'id="set-receiving"' not in page.content
    # The plan follows its case to the new office.
    release_planning_scan(today=local_today())
    plan.refresh_from_db()
    assert plan.office == personas["office_b"]
    services.release_item_update(
        actor=personas["other_head"],
        plan=plan,
        item_id=plan.items.get(area=Area.HOUSING).pk,
        data=ItemInput(status="in_progress"),
    )


def test_the_receiving_office_reads_the_plan_once_told(personas, plan):
    services.release_plan_set_handover(
        actor=personas["officer"],
        plan=plan,
        data=HandoverDetails(receiving_office_id=personas["office_b"].pk, handover_kind="post_penitentiary"),
    )
    url = f"/cases/{plan.case_id}/release-plan/"
    head_b = personas["other_head"]
    assert web_client(head_b).get(url).status_code == 404
    assert api_client(head_b).get(f"/api/v1{url}").status_code == 404

    release_planning_scan(today=plan.release_date - dt.timedelta(days=30))

    page = web_client(head_b).get(url)
    assert page.status_code == 200
    assert plan.person.full_name in page.content.decode()
    assert b'id="set-receiving"' not in page.content
    answer = api_client(head_b).get(f"/api/v1{url}").json()
    assert (answer["receiving"], answer["may_change"], answer["plan"]["id"]) == (True, False, plan.pk)
    arriving = web_client(head_b).get("/releases/arriving/")
    assert plan.person.full_name in arriving.content.decode()
    listed = api_client(head_b).get("/api/v1/release-plans/?arriving=true").json()
    assert [p["id"] for p in listed] == [plan.pk]
    # Reading is not changing.
    before = state(plan)
    item = plan.items.get(area=Area.HOUSING)
    assert (
        api_client(head_b).post(f"/api/v1{url}items/{item.pk}/", {"status": "done"}, format="json").status_code == 404
    )
    assert state(plan) == before
    # Another region, and the staff of the receiving office who do not take people on, see no work item.
    assert web_client(personas["other_region"]).get(url).status_code == 404
    source = work_sources()["arriving_from_prison"]
    for user, expected in [(head_b, 1), (personas["other_district"], 0), (personas["head"], 0)]:
        batch = source(WorkScope(user=user, cases=Case.objects.none(), today=local_today()))
        assert batch.count == expected
    item_url = source(WorkScope(user=head_b, cases=Case.objects.none(), today=local_today())).items[0].url
    assert item_url == url


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("handover/", {"released_on": "9999-12-31"}, "released_on"),
        ("handover/", {"released_on": "0001-01-01"}, "released_on"),
        ("handover/", {"released_on": "31.12.2026x"}, "released_on"),
        ("items/{item}/", {"status": "done", "due_on": "9999-12-31"}, "due_on"),
        ("items/{item}/", {"status": "done", "due_on": "0001-01-01"}, "due_on"),
        ("items/{item}/", {"status": {"nested": ["json"]}}, "status"),
        ("items/{item}/", {"status": "done", "owner_name": "ж" * 5000}, "owner_name"),
        ("items/{item}/", {"status": "done", "owner_user": "١٢"}, "owner_user"),
        ("items/{item}/", {"status": "done", "owner_user": 999999}, "owner_user"),
        ("items/{item}/", {"status": "done", "owner_organisation": [1]}, "owner_organisation"),
        ("receiving-office/", {"receiving_office": "١٢", "handover_kind": "parole"}, "receiving_office"),
        ("receiving-office/", {"receiving_office": 999999, "handover_kind": "parole"}, "receiving_office"),
        ("receiving-office/", {"receiving_office": 1, "handover_kind": "exile"}, "handover_kind"),
        ("cancel/", {"reason": ""}, "reason"),
    ],
)
def test_odd_input_is_a_clear_400(personas, plan, path, body, field):
    item = plan.items.get(area=Area.HOUSING)
    before = state(plan)
    url = f"/api/v1/cases/{plan.case_id}/release-plan/" + path.format(item=item.pk)
    response = api_client(personas["officer"], language="ru").post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json().get("errors", {}), response.json()
    assert state(plan) == before


def test_odd_decision_dates_and_terms_are_refused(personas, plan):
    url = f"/api/v1/cases/{plan.case_id}/release-plan/receiving-office/"
    base = {"receiving_office": personas["office_b"].pk, "handover_kind": "parole"}
    client = api_client(personas["officer"])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"decision_date": "9999-12-31"}, "decision_date"),
        ({"decision_date": "0001-01-01"}, "decision_date"),
        ({"term_months": "١٢"}, "term_months"),
        ({"term_months": 100000}, "term_months"),
        ({"term_days": -1}, "term_days"),
    ]
    for extra, field in cases:
        response = client.post(url, {**base, **extra}, format="json")
        assert response.status_code == 400, (extra, response.content)
        assert field in response.json()["errors"]
    plan.refresh_from_db()
    assert plan.receiving_office is None


def test_an_early_release_dated_in_the_future_comes_back_on_the_form(personas, plan):
    plan.receiving_office = personas["office_b"]
    plan.save()
    response = web_client(personas["officer"]).post(
        f"/cases/{plan.case_id}/release-plan/handover/", {"released_on": "31.12.9999"}
    )
    assert response.status_code == 200
    assert b"usa-error-message" in response.content
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN
    assert not Case.objects.filter(person=plan.person, case_type=CaseType.POST_PENITENTIARY).exists()


def test_a_plan_is_not_opened_for_a_release_date_in_the_past(personas):
    case = prison_case(personas, release_in_days=-3)
    response = api_client(personas["officer"]).post(f"/api/v1/cases/{case.pk}/release-plan/", {}, format="json")
    assert response.status_code == 400
    assert "release_date" in response.json()["errors"]
    assert not ReleasePlan.objects.filter(case=case).exists()
