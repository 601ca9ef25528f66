"""The pages and the API call the same services and agree; odd input is a clear 4xx; the work
queue sources and the caseload column cost a constant number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openprobation.cases.models import OPEN_STATUSES, Case, CaseStatus, CaseTask
from openprobation.cases.selectors import case_qs_for_user
from openprobation.core.caseload import annotate_caseload
from openprobation.core.casepage import case_actions, case_facts, case_sections
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkScope, work_sources
from openprobation.enforcement.models import EnforcementStep, Violation, ViolationStatus
from openprobation.enforcement.services import violation_record
from openprobation.enforcement.tests.conftest import make_case
from openprobation.testing.clients import api_client as api
from openprobation.testing.clients import web_client as web

pytestmark = pytest.mark.django_db
D = dt.date
FIRST = D(2026, 3, 2)


def v(case: Case, on: dt.date = FIRST, **over: Any) -> Violation:
    data: dict[str, Any] = {"kind": "missed_report", "source": "officer", "description": "Не явился"}
    data.update(over)
    return violation_record(actor=None, case=case, occurred_on=on, **data)


NEW = {"kind": "curfew_breach", "source": "officer", "occurred_on": "2026-03-05", "description": "Не был дома в 23:00"}


def test_record_a_violation_by_page_and_by_api_gives_the_same_row(personas, case):
    officer = personas["officer"]
    page = web(officer).post(reverse("enforcement:record", kwargs={"pk": case.pk}), NEW)
    assert page.status_code == 302
    answer = api(officer).post(f"/api/v1/cases/{case.pk}/violations/", NEW, format="json")
    assert answer.status_code == 201, answer.json()
    rows = list(Violation.objects.order_by("id").values("kind", "occurred_on", "status", "description"))
    assert rows[0] == rows[1]
    assert answer.json()["status"] == "confirmed"
    listed = api(officer).get(f"/api/v1/cases/{case.pk}/violations/").json()
    assert len(listed) == 2
    detail = web(officer).get(reverse("enforcement:violations", kwargs={"pk": case.pk}))
    assert detail.status_code == 200
    assert "Не был дома в 23:00" not in detail.content.decode()  # the list shows kinds, not descriptions
    assert detail.content.decode().count("violations-table") == 1


def test_confirm_a_candidate_by_page_and_dismiss_by_api(personas, case):
    officer = personas["officer"]
    a = v(case, candidate=True, source="monitoring_alert", source_ref="alert:1")
    b = v(case, candidate=True, source="monitoring_alert", source_ref="alert:2")
    page = web(officer).post(
        reverse("enforcement:decide", kwargs={"pk": case.pk, "record": a.pk}),
        {"to_status": "confirmed", "reason": "Проверено", "malicious": "on"},
    )
    assert page.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.malicious) == ("confirmed", True)
    answer = api(officer).post(
        f"/api/v1/cases/{case.pk}/violations/{b.pk}/transition/",
        {"to_status": "dismissed", "reason": "Сбой браслета"},
        format="json",
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "dismissed"
    assert [h["to_status"] for h in answer.json()["history"]] == ["candidate", "dismissed"]
    again = api(officer).post(
        f"/api/v1/cases/{case.pk}/violations/{b.pk}/transition/",
        {"to_status": "confirmed", "reason": "x"},
        format="json",
    )
    assert again.status_code == 400 and again.json()["code"] == "illegal_transition"
    # Without a reason the page shows the error on the form.
    c = v(case, candidate=True, source="police_report", source_ref="p")
    shown = web(officer).post(
        reverse("enforcement:decide", kwargs={"pk": case.pk, "record": c.pk}), {"to_status": "confirmed"}
    )
    assert shown.status_code == 200 and "usa-error-message" in shown.content.decode()


def test_a_violation_of_another_case_is_not_found(personas, case):
    other = make_case(personas)
    x = v(other)
    assert web(personas["officer"]).get(f"/cases/{case.pk}/violations/{x.pk}/").status_code == 404
    assert api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/violations/{x.pk}/").status_code == 404


def test_the_ladder_page_and_api_agree_and_the_prompt_shows(personas, case):
    officer = personas["officer"]
    a, b = v(case), v(case, on=D(2026, 4, 1))
    ladder = api(officer).get(f"/api/v1/cases/{case.pk}/enforcement/").json()
    assert ladder["submission_due"] is True
    assert sorted(ladder["submission_violations"]) == sorted([a.pk, b.pk])
    assert ladder["allowed"] == {"warning": True, "written_warning": False, "submission": True, "court_outcome": False}
    facts = {f.key: f for f in case_facts(user=officer, case=case, today=local_today())}
    assert facts["submission_due"].tone == "danger"
    assert facts["submission_due"].data == {"violations": [a.pk, b.pk]}
    assert facts["open_violations"].data == {"count": 2, "step": None}
    sections = case_sections(user=officer, case=case, today=local_today())
    assert any(s.key == "enforcement" for s in sections)
    actions = {x.key: x for x in case_actions(user=officer, case=case)}
    assert actions["submission"].primary
    assert "written_warning" not in actions
    assert case_actions(user=personas["analyst"], case=case) == []
    page = web(officer).get(reverse("enforcement:violations", kwargs={"pk": case.pk})).content.decode()
    assert 'id="submission-due"' in page
    form = web(officer).get(reverse("enforcement:submission", kwargs={"pk": case.pk}))
    assert form.status_code == 200
    posted = web(officer).post(
        reverse("enforcement:submission", kwargs={"pk": case.pk}),
        {
            "violations": [a.pk, b.pk],
            "requested_outcome": "extend_control",
            "taken_on": local_today().isoformat(),
            "reason": "Два нарушения",
        },
    )
    assert posted.status_code == 302
    ladder = api(officer).get(f"/api/v1/cases/{case.pk}/enforcement/").json()
    assert ladder["current_step"] == "submission" and ladder["submission_due"] is False
    assert ladder["allowed"]["court_outcome"] is True
    case = Case.objects.get(pk=case.pk)  # a new page reads the case afresh
    facts = {f.key: f for f in case_facts(user=officer, case=case, today=local_today())}
    assert "submission_due" not in facts
    assert facts["open_violations"].data == {"count": 0, "step": "submission"}


def test_written_warning_by_page_is_refused_for_a_conditional_sentence(personas, case):
    a = v(case)
    answer = web(personas["officer"]).post(
        reverse("enforcement:written_warning", kwargs={"pk": case.pk}),
        {"violations": [a.pk], "taken_on": local_today().isoformat(), "reason": "x"},
    )
    assert answer.status_code == 200
    assert "usa-error-message" in answer.content.decode() or "op-non-field-error" in answer.content.decode()
    assert not EnforcementStep.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {**NEW, "occurred_on": "99999-01-01"},
        {**NEW, "occurred_on": "2999-01-01"},
        {**NEW, "occurred_on": "２０２６-03-05"},
        {**NEW, "kind": {"nested": ["x"]}},
        {**NEW, "description": ""},
        {**NEW, "source_ref": "x" * 500},
        {**NEW, "kind": "littering"},
    ],
)
def test_odd_input_to_the_api_is_a_clear_400(personas, case, body):
    answer = api(personas["officer"]).post(f"/api/v1/cases/{case.pk}/violations/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"]
    assert not Violation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"step": "warning", "violations": [2**70], "reason": "x"},
        {"step": "warning", "violations": "1,2", "reason": "x"},
        {"step": "court_outcome", "result": "granted", "extension_months": 10**9, "reason": "x"},
        {"step": "promotion", "reason": "x"},
        {"step": "warning", "violations": [{"id": 1}], "reason": "x"},
    ],
)
def test_odd_steps_are_a_clear_400(personas, case, body):
    answer = api(personas["officer"]).post(f"/api/v1/cases/{case.pk}/enforcement/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert not EnforcementStep.objects.exists()


@pytest.mark.parametrize("who", ["other_district", "other_region", "analyst", "auditor", "sysadmin"])
def test_personas_outside_are_refused_by_the_api_and_nothing_changes(personas, case, who):
    answer = api(personas[who]).post(f"/api/v1/cases/{case.pk}/violations/", NEW, format="json")
    assert answer.status_code in (403, 404)
    assert not Violation.objects.exists()


def test_tasks_listed_and_completed_by_api(personas, case):
    task = CaseTask.objects.create(
        case=case,
        kind="search_measures",
        title_code="search_measures",
        due_on=local_today(),
        assignee=personas["officer"],
    )
    listed = api(personas["officer"], language="ru").get(f"/api/v1/cases/{case.pk}/tasks/").json()
    assert listed[0]["title_code"] == "search_measures" and listed[0]["status"] == "open"
    refused = api(personas["other_district"]).post(
        f"/api/v1/cases/{case.pk}/tasks/{task.pk}/complete/", {}, format="json"
    )
    assert refused.status_code == 404
    done = api(personas["officer"]).post(f"/api/v1/cases/{case.pk}/tasks/{task.pk}/complete/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = api(personas["officer"]).post(f"/api/v1/cases/{case.pk}/tasks/{task.pk}/complete/", {}, format="json")
    assert again.status_code == 400


def test_wanted_and_found_by_page(personas, case):
    officer = personas["officer"]
    assert (
        web(officer).post(reverse("enforcement:wanted", kwargs={"pk": case.pk}), {"reason": "Розыск"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WANTED
    answer = api(officer).post(f"/api/v1/cases/{case.pk}/found/", {"reason": "Найден"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "active"


# --- Work queue and caseload ------------------------------------------------------------------------


def _scope(user: Any) -> WorkScope:
    cases = case_qs_for_user(user).filter(officer=user, status__in=OPEN_STATUSES)
    today = local_today()
    return WorkScope(user=user, cases=cases, today=today, limit=50, horizon=today + dt.timedelta(days=7))


def test_the_violation_and_task_sources_cost_constant_queries(personas, django_assert_num_queries):
    officer = personas["officer"]
    for _ in range(2):
        c = make_case(personas)
        v(c, candidate=True, source="police_report", source_ref="p")
        v(c)
        CaseTask.objects.create(case=c, kind="k", title_code="search_measures", due_on=local_today(), assignee=officer)
    sources = work_sources()
    sources["violations"](_scope(officer))  # reads the rule once (then cached)
    with django_assert_num_queries(2):  # the totals and the items (the rule is cached)
        small = sources["violations"](_scope(officer))
    for _ in range(5):
        c = make_case(personas)
        v(c, candidate=True, source="police_report", source_ref="p")
        CaseTask.objects.create(case=c, kind="k", title_code="search_measures", due_on=local_today(), assignee=officer)
    with django_assert_num_queries(2):
        big = sources["violations"](_scope(officer))
    assert (small.count, big.count) == (4, 9)
    assert big.items[0].kind == "violation" and big.items[0].url.startswith(
        f"/cases/{big.items[0].case_id}/violations/"
    )
    with django_assert_num_queries(2):
        tasks = sources["tasks"](_scope(officer))
    assert tasks.count == 7 and tasks.overdue == 0
    # Another officer's queue holds none of them.
    assert sources["violations"](_scope(personas["colleague"])).count == 0


def test_the_caseload_column_counts_open_violations(personas, case):
    v(case)
    v(case, candidate=True, source="police_report", source_ref="x")
    dismissed = v(case, candidate=True, source="police_report", source_ref="y")
    Violation.objects.filter(pk=dismissed.pk).update(status=ViolationStatus.DISMISSED)
    other = make_case(personas)
    rows = {c.pk: c.open_violations for c in annotate_caseload(Case.objects.all(), local_today())}
    assert rows == {case.pk: 2, other.pk: 0}


def test_violations_and_steps_appear_on_the_case_timeline(personas, case):
    from openprobation.core.timeline import timeline_page  # noqa: PLC0415
    from openprobation.enforcement.services import enforcement_warn  # noqa: PLC0415

    a = v(case)
    enforcement_warn(actor=personas["officer"], case=case, violations=[a.pk], reason="Предупреждение")
    page = timeline_page(user=personas["officer"], case=case, page=1)
    kinds = [e.kind for e in page.entries]
    assert "enforcement" in kinds and kinds.count("violation") == 2
    answer = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/timeline/").json()
    assert {"violation", "enforcement"} <= {e["kind"] for e in answer["results"]}
