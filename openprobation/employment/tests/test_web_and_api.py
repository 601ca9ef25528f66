"""The employment pages and API: scoping and refusals (nothing changed), odd inputs answered with a
clear 4xx, the district figures the same on the page and in the API."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseTransfer
from openprobation.core.timeutil import local_today
from openprobation.employment import case_services, services
from openprobation.employment.models import EmploymentReferral, JobQuota, JobRefusal, Placement
from openprobation.employment.tests.conftest import make_case
from openprobation.employment.tests.matrix import organisation

pytestmark = pytest.mark.django_db

TODAY = local_today


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _counts() -> tuple[int, ...]:
    return (
        Placement.objects.count(),
        EmploymentReferral.objects.count(),
        JobRefusal.objects.count(),
        JobQuota.objects.count(),
    )


def _placement_json(world) -> dict[str, Any]:
    return {"employer": world.employer.pk, "position": "Күзетші", "started_on": TODAY().isoformat()}


@pytest.mark.parametrize(
    "who", ["other_district", "other_region", "court_liaison", "analyst", "auditor", "sysadmin", "partner", "colleague"]
)
def test_who_may_not_change_the_case_is_refused_and_nothing_changes(world, who):
    url = reverse("api-case-employment-placements", args=[world.case.pk])
    page = reverse("employment:placement", args=[world.case.pk])
    before = _counts()
    client = client_for(world[who])
    api = client.post(url, json.dumps(_placement_json(world)), content_type="application/json")
    form = client.post(page, {**_placement_json(world), "started_on": TODAY().strftime("%d.%m.%Y")})
    assert api.status_code in (403, 404) and form.status_code in (403, 404)
    assert _counts() == before


def test_a_former_office_reads_the_case_but_may_not_change_it(world):
    case = make_case(world.personas)
    Case.objects.filter(pk=case.pk).update(office=world["office_b"])
    CaseTransfer.objects.create(case=case, from_office=world["office_a"], to_office=world["office_b"], reason="Көшті")
    client = client_for(world["senior"])
    assert client.get(reverse("employment:case", args=[case.pk])).status_code == 200
    response = client.post(
        reverse("api-case-employment-placements", args=[case.pk]),
        json.dumps(_placement_json(world)),
        content_type="application/json",
    )
    assert response.status_code == 403 and not Placement.objects.exists()


def test_the_officer_records_a_placement_on_the_page(world):
    client = client_for(world["officer"])
    response = client.post(
        reverse("employment:placement", args=[world.case.pk]),
        {"employer": world.employer.pk, "position": "Күзетші", "started_on": TODAY().strftime("%d.%m.%Y")},
    )
    assert response.status_code == 302 and Placement.objects.get().case == world.case
    page = client.get(reverse("employment:case", args=[world.case.pk]))
    assert "Күзетші" in page.content.decode() and 'id="placements-table"' in page.content.decode()
    assert AuditEvent.objects.filter(action="case.view", details__part="employment").exists()


def test_the_case_page_shows_the_employment_section_and_fact(world):
    services_case = world.case
    case_services.placement_start(
        actor=world["officer"], case=services_case, position="Аспаз", started_on=TODAY(), employer_id=world.employer.pk
    )
    html = client_for(world["officer"]).get(reverse("cases:detail", args=[services_case.pk])).content.decode()
    assert 'id="employment"' in html and "Аспаз" in html


@pytest.mark.parametrize(
    "body",
    [
        {"started_on": "9999-12-31"},
        {"started_on": "0001-01-01"},
        {"employer": "١٢"},
        {"employer": {"nested": [1]}},
        {"position": "я" * 5000},
        {"outside_quota": "perhaps"},
        {"referral": 2**70},
    ],
)
def test_odd_api_input_is_a_clear_400(world, body):
    response = client_for(world["officer"]).post(
        reverse("api-case-employment-placements", args=[world.case.pk]),
        json.dumps({**_placement_json(world), **body}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"] and not Placement.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("places", "١٢"), ("places", "-3"), ("year", "9999"), ("decision_date", "31.12.9999"), ("employer", "x")],
)
def test_odd_quota_form_input_comes_back_on_the_form(world, field, value):
    data = {
        "employer": world.employer.pk,
        "year": TODAY().year,
        "places": "3",
        "decision_number": "5",
        "decision_date": "01.02.2026",
        field: value,
    }
    response = client_for(world["head"]).post(reverse("employment:quota", args=[world["office_a"].pk]), data)
    assert response.status_code == 200
    assert re.search(r'class="usa-error-message"', response.content.decode())
    assert not JobQuota.objects.exists()


def test_a_quota_beyond_its_used_places_is_refused_in_the_api_with_the_reason(world):
    services.quota_set(
        actor=world["head"],
        office=world["office_a"],
        employer_id=world.employer.pk,
        year=TODAY().year,
        places=1,
        decision_number="7",
        decision_date=dt.date(TODAY().year, 1, 10),
    )
    case_services.placement_start(
        actor=world["officer"], case=world.case, position="Аспаз", started_on=TODAY(), employer_id=world.employer.pk
    )
    client = client_for(world["head"])
    url = reverse("api-employment-quotas", args=[world["office_a"].pk])
    body = {
        "employer": world.employer.pk,
        "year": TODAY().year,
        "places": 0,
        "decision_number": "7a",
        "decision_date": TODAY().isoformat(),
    }
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "below_used"
    listed = client.get(url).json()["quotas"][0]["usage"]
    assert (listed["places"], listed["used"], listed["free"], listed["percent"]) == (1, 1, 0, 100)
    full = client_for(world["officer"]).post(
        reverse("api-case-employment-placements", args=[make_case(world.personas).pk]),
        json.dumps(_placement_json(world)),
        content_type="application/json",
    )
    assert full.status_code == 400 and full.json()["code"] == "quota_full"


def test_district_pages_are_404_outside_the_jurisdiction(world):
    office_c = world["office_c"]
    for who in ("officer", "head", "regional_admin"):
        client = client_for(world[who])
        assert client.get(reverse("employment:district", args=[office_c.pk])).status_code == 404
        assert client.get(reverse("api-employment-quotas", args=[office_c.pk])).status_code == 404
    assert client_for(world["officer"]).get(reverse("employment:quota", args=[world["office_a"].pk])).status_code == 404


def _figures_html(html: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr data-office="(\d+)">(.*?)</tr>', html, flags=re.S)
    return {pk: re.findall(r"<td>([^<]*)</td>", body) for pk, body in rows}


def test_the_district_figures_are_the_same_on_the_page_and_in_the_api(world):
    year = TODAY().year
    services.quota_set(
        actor=world["head"],
        office=world["office_a"],
        employer_id=world.employer.pk,
        year=year,
        places=4,
        decision_number="9",
        decision_date=dt.date(year, 1, 10),
    )
    case_services.placement_start(
        actor=world["officer"], case=world.case, position="Аспаз", started_on=TODAY(), employer_id=world.employer.pk
    )
    other = make_case(world.personas)
    case_services.refusal_record(
        actor=world["officer"],
        case=other,
        refused_on=TODAY(),
        reason="Алыс",
        good_reason=True,
        employer_id=world.employer.pk,
    )
    make_case(world.personas, office_key="office_c", officer="other_region")
    for who in ("head", "regional_admin", "analyst", "senior"):
        client = client_for(world[who])
        api = client.get(reverse("api-employment-figures") + f"?year={year}").json()
        page = _figures_html(client.get(reverse("employment:figures") + f"?year={year}").content.decode())
        by_office = {str(row["office_id"]): row for row in api["districts"]}
        assert set(by_office) == set(page)
        row = by_office[str(world["office_a"].pk)]
        assert (row["needing_work"], row["placed"], row["refusals"], row["quota_places"], row["quota_used"]) == (
            1,
            1,
            1,
            4,
            1,
        )
        assert row["quota_percent"] == 25
        assert page[str(world["office_a"].pk)][:3] == ["1", "0", "1"]
    assert {
        r["office_id"] for r in client_for(world["head"]).get(reverse("api-employment-figures")).json()["districts"]
    } == {world["office_a"].pk}
    for who in ("officer", "court_liaison", "auditor", "partner"):
        assert client_for(world[who]).get(reverse("api-employment-figures")).status_code == 403


def test_a_refusal_on_the_page_asks_whether_the_reason_is_good(world):
    client = client_for(world["officer"])
    url = reverse("employment:refusal", args=[world.case.pk])
    data = {"employer": world.employer.pk, "refused_on": TODAY().strftime("%d.%m.%Y"), "reason": "Алыс"}
    assert client.post(url, data).status_code == 200 and not JobRefusal.objects.exists()
    assert client.post(url, {**data, "good_reason": "no"}).status_code == 302
    assert JobRefusal.objects.get().good_reason is False


def test_placements_and_refusals_appear_on_the_case_timeline(world):
    case_services.placement_start(
        actor=world["officer"], case=world.case, position="Аспаз", started_on=TODAY(), employer_id=world.employer.pk
    )
    case_services.refusal_record(
        actor=world["officer"],
        case=world.case,
        refused_on=TODAY(),
        reason="Алыс",
        good_reason=True,
        employer_id=world.other_employer.pk,
    )
    body = client_for(world["officer"]).get(reverse("api-case-timeline", args=[world.case.pk])).json()
    kinds = {e["kind"] for e in body["results"]}
    assert {"placement", "job_refusal"} <= kinds


def test_a_person_with_two_open_cases_is_one_person_needing_work(world):
    first = make_case(world.personas)
    make_case(world.personas, person=first.person)
    rows = client_for(world["head"]).get(reverse("api-employment-figures")).json()["districts"]
    assert [r["needing_work"] for r in rows if r["office_id"] == world["office_a"].pk] == [2]  # world.case + this one


def test_the_district_page_query_count_does_not_grow_with_its_rows(world, django_assert_num_queries):
    client = client_for(world["head"])
    url = reverse("employment:district", args=[world["office_a"].pk])

    def add_rows(n: int) -> None:
        for i in range(n):
            org = organisation(world["office_a"], "employer", f"Employer {i} {JobQuota.objects.count()}")
            services.quota_set(
                actor=world["head"],
                office=world["office_a"],
                employer_id=org.pk,
                year=TODAY().year,
                places=3,
                decision_number=str(i),
                decision_date=dt.date(TODAY().year, 1, 5),
            )
            services.vacancy_open(
                actor=world["head"], office=world["office_a"], employer_id=org.pk, title="Аспаз", opened_on=TODAY()
            )

    add_rows(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_rows(6)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("Аспаз") == 8
