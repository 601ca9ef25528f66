"""The labour pages, the case-page facts and the work-queue source; the page and the API agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openprobation.cases.models import Case
from openprobation.core.casepage import case_actions, case_facts, case_sections
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkScope, work_sources
from openprobation.labour.models import EmploymentDuty, LabourHours
from openprobation.labour.tests.conftest import rol_case, status_of
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db


def _hours(personas, case, days_ago, hours):
    return LabourHours.objects.create(
        case=case,
        worked_on=local_today() - dt.timedelta(days=days_ago),
        hours=Decimal(hours),
        organisation="Әкімдік",
        recorded_by=personas["officer"],
    )


def test_the_page_and_the_api_show_the_same_figures(personas, case, fakes):
    for day in range(1, 6):
        _hours(personas, case, day, "3.5")
    page = web_client(personas["officer"]).get(f"/cases/{case.pk}/labour/")
    assert page.status_code == 200
    api = api_client(personas["officer"]).get(f"/api/v1/cases/{case.pk}/labour/forced-labour/").json()
    status = status_of(case, local_today())
    assert api["forced_labour"]["done_this_year"] == "17.50" == f"{status.figures.done_this_year:.2f}"
    assert api["forced_labour"]["owed_this_year"] == f"{status.figures.owed_this_year:.2f}"
    assert api["forced_labour"]["expected_pro_rata"] == f"{status.figures.expected_pro_rata:.2f}"
    assert api["forced_labour"]["behind"] is status.figures.behind is True
    text = page.content.decode()
    assert "17.5 of 100 hours done" in text
    assert "forced-labour-behind" in text
    facts = {f.key: f for f in case_facts(user=personas["officer"], case=case, today=local_today())}
    fact = facts["forced_labour"]
    assert fact.tone == "warning" and fact.order == 40
    assert fact.value == f"17.5 / 100 h (behind by {status.figures.shortfall_text} h)"
    assert f"Behind by {status.figures.shortfall_text} h" in text
    assert fact.data["done"] == "17.50"


def test_an_exempt_person_and_a_case_without_forced_labour(personas, case):
    case.person.employment_status = "employed"
    case.person.save()
    api = api_client(personas["officer"]).get(f"/api/v1/cases/{case.pk}/labour/forced-labour/").json()
    assert api["forced_labour"]["applies"] is False and api["forced_labour"]["owed_this_year"] == "0.00"
    other = rol_case(personas, sentence_kind="conditional")
    assert (
        api_client(personas["officer"]).get(f"/api/v1/cases/{other.pk}/labour/forced-labour/").json()["forced_labour"]
        is None
    )


def test_the_deadline_fact_turns_red_once_past(personas, case, fakes):
    today = local_today()
    fakes.work_ordered.add(case.pk)
    duty = EmploymentDuty.objects.create(
        case=case, deadline=today, rule_key="labour.employment_deadline", rule_version=1, status_on=today
    )
    fact = {f.key: f for f in case_facts(user=personas["officer"], case=case, today=today)}["employment_deadline"]
    assert (fact.label, fact.value, fact.tone, fact.order) == (
        "Find work by",
        today.strftime("%d.%m.%Y"),
        "warning",
        35,
    )
    late = {f.key: f for f in case_facts(user=personas["officer"], case=case, today=today + dt.timedelta(days=1))}
    assert late["employment_deadline"].tone == "danger"
    duty.status = "employed"
    duty.save()
    met = {f.key: f for f in case_facts(user=personas["officer"], case=case, today=today)}
    assert met["employment_deadline"].tone == "success"


def test_sections_and_actions_follow_the_user(personas, case, fakes):
    today = local_today()
    sections = case_sections(user=personas["officer"], case=case, today=today)
    assert [s.key for s in sections if s.key == "labour"] == ["labour"]
    officer_actions = {a.key for a in case_actions(user=personas["officer"], case=case)}
    assert {"log_hours", "rejudge_forced_labour"} <= officer_actions
    assert not {a.key for a in case_actions(user=personas["court_liaison"], case=case)} & officer_actions
    assert not {a.key for a in case_actions(user=personas["colleague"], case=case)} & officer_actions
    plain = rol_case(personas, sentence_kind="conditional")
    assert not [s for s in case_sections(user=personas["officer"], case=plain, today=today) if s.key == "labour"]
    fakes.work_ordered.add(plain.pk)
    assert "employment" in {a.key for a in case_actions(user=personas["officer"], case=plain)}


def test_the_section_renders_on_the_case_page_template(personas, case, fakes):
    from django.template.loader import render_to_string

    _hours(personas, case, 1, "2")
    section = next(
        s for s in case_sections(user=personas["officer"], case=case, today=local_today()) if s.key == "labour"
    )
    html = render_to_string(section.template, section.context)
    assert "labour-hours-table" in html and "Log hours" in html


def test_pages_show_refusals_on_the_form(personas, case):
    client = web_client(personas["officer"])
    assert client.get(f"/cases/{case.pk}/labour/hours/").status_code == 200
    response = client.post(
        f"/cases/{case.pk}/labour/hours/",
        {"worked_on": (local_today() - dt.timedelta(days=1)).isoformat(), "hours": "4.25", "organisation": "Әкімдік"},
    )
    assert response.status_code == 200
    assert "At most 4 hours a day" in response.content.decode()
    assert not LabourHours.objects.exists()
    ok = client.post(
        f"/cases/{case.pk}/labour/hours/",
        {"worked_on": (local_today() - dt.timedelta(days=1)).isoformat(), "hours": "4", "organisation": "Әкімдік"},
    )
    assert ok.status_code == 302 and ok["Location"] == f"/cases/{case.pk}/labour/"
    assert LabourHours.objects.get().hours == 4


def test_pages_refuse_other_personas(personas, case):
    assert web_client(personas["other_district"]).get(f"/cases/{case.pk}/labour/").status_code == 404
    assert web_client(personas["analyst"]).get(f"/cases/{case.pk}/labour/").status_code in (403, 404)
    assert web_client(personas["court_liaison"]).get(f"/cases/{case.pk}/labour/hours/").status_code == 403
    assert web_client(personas["court_liaison"]).get(f"/cases/{case.pk}/labour/").status_code == 200


def test_the_hours_log_is_paged(personas, case, django_assert_max_num_queries):
    for day in range(1, 46):
        _hours(personas, case, day, "1")
    client = api_client(personas["officer"])
    first = client.get(f"/api/v1/cases/{case.pk}/labour/hours/").json()
    assert (first["count"], first["pages"], len(first["results"])) == (45, 3, 20)
    assert client.get(f"/api/v1/cases/{case.pk}/labour/hours/?page=3").json()["results"][-1]["hours"] == "1.00"
    assert client.get(f"/api/v1/cases/{case.pk}/labour/hours/?page=x").status_code == 400
    assert client.get(f"/api/v1/cases/{case.pk}/labour/hours/?page=99999999999").status_code == 400
    page = web_client(personas["officer"]).get(f"/cases/{case.pk}/labour/?page=2")
    assert "Page 2 of 3" in page.content.decode()


def _queue(personas, cases, today):
    scope = WorkScope(user=personas["officer"], cases=cases, today=today, limit=10)
    return work_sources()["employment_deadlines"](scope)


def test_the_work_queue_lists_deadlines_due_within_a_week_in_constant_queries(
    personas, django_assert_num_queries, fakes
):
    today = local_today()
    for offset in (-3, 0, 7, 8, 30):
        c = rol_case(personas)
        EmploymentDuty.objects.create(
            case=c,
            deadline=today + dt.timedelta(days=offset),
            rule_key="labour.employment_deadline",
            rule_version=1,
            status_on=today,
        )
    met = rol_case(personas)
    EmploymentDuty.objects.create(
        case=met, deadline=today, rule_key="x", rule_version=1, status_on=today, status="employed"
    )
    cases = Case.objects.filter(office=personas["office_a"])
    with django_assert_num_queries(2):
        batch = _queue(personas, cases, today)
    assert (batch.kind, batch.count, batch.overdue) == ("deadline", 3, 1)
    assert [i.due for i in batch.items] == [today - dt.timedelta(days=3), today, today + dt.timedelta(days=7)]
    assert batch.items[0].overdue and not batch.items[1].overdue
    for offset in range(20):
        c = rol_case(personas)
        EmploymentDuty.objects.create(
            case=c, deadline=today - dt.timedelta(days=offset), rule_key="x", rule_version=1, status_on=today
        )
    with django_assert_num_queries(2):
        batch = _queue(personas, cases, today)
    assert batch.count == 23 and len(batch.items) == 10
    # Another office's scope sees none of them.
    assert _queue(personas, Case.objects.filter(office=personas["office_b"]), today).count == 0


def test_the_labour_page_costs_the_same_queries_whatever_the_hours(personas, case, fakes, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web_client(personas["officer"])
    _hours(personas, case, 1, "2")
    # A first request fills the per-process caches (in CI the worker may come to this test with them
    # empty), so that the two measured requests differ only in the hours they show.
    assert client.get(f"/cases/{case.pk}/labour/").status_code == 200
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/cases/{case.pk}/labour/").status_code == 200
    for day in range(2, 60):
        _hours(personas, case, day, "2")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(f"/cases/{case.pk}/labour/").status_code == 200


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_pages_render_in_kazakh_and_russian(personas, case, fakes, language):
    fakes.work_ordered.add(case.pk)
    client = web_client(personas["officer"], language=language)
    for path in ("", "hours/", "employment/", "referrals/", "offers/", "rejudge/"):
        assert client.get(f"/cases/{case.pk}/labour/{path}").status_code == 200, path
