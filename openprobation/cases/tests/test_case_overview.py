"""The case page's overview and actions, the same in the page and the API; the action form pages;
the caseload's registered columns, status tags and office column."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus
from openprobation.cases.overview import case_overview, case_own_actions
from openprobation.cases.terms import CONTROL_ENDING_DAYS, control_days_left, status_family
from openprobation.core import caseload as caseload_registry
from openprobation.core import casepage
from openprobation.core.caseload import CaseloadColumn
from openprobation.core.casepage import CaseActionLink, CaseFact
from openprobation.core.timeutil import local_today
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


D = dt.date


def _case(personas, **fields) -> Case:
    person = a_person(registered_office=personas["office_a"], surname="Сейітқазы", first_name="Әлия")
    return a_case(person=person, **fields)


def _running(personas, *, start: D, end: D, **fields) -> Case:
    return _case(
        personas,
        ordered_control_start=start,
        ordered_control_end=end,
        control_start=start,
        control_end=end,
        **fields,
    )


# --- Days of control left --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state", "left"),
    [
        (D(2026, 3, 31), "not_started", None),  # the day before the first day
        (D(2026, 4, 1), "running", 364),  # the first day
        (D(2027, 3, 30), "running", 1),
        (D(2027, 3, 31), "running", 0),  # the last day: 0 days left, control still runs
        (D(2027, 4, 1), "ended", None),  # the day after
    ],
)
def test_days_left_at_the_boundaries(personas, today, state, left):
    case = _running(personas, start=D(2026, 4, 1), end=D(2027, 3, 31))
    clock = control_days_left(case, today=today)
    assert (clock.state, clock.days_left) == (state, left)


def test_the_overview_warns_under_thirty_days(personas):
    end = D(2027, 3, 31)
    case = _running(personas, start=D(2026, 4, 1), end=end)
    assert control_days_left(case, today=end - dt.timedelta(days=CONTROL_ENDING_DAYS)).tone == "info"
    assert control_days_left(case, today=end - dt.timedelta(days=CONTROL_ENDING_DAYS - 1)).tone == "warning"
    assert control_days_left(case, today=end).tone == "warning"


def test_a_case_without_a_control_period_reads_not_started(personas):
    case = _case(personas, status=CaseStatus.AWAITING_REGISTRATION)
    clock = control_days_left(case, today=local_today())
    assert clock.state == "none"
    fact = case_overview(user=personas["officer"], case=case, today=local_today()).facts[0]
    assert (fact.key, fact.value, fact.tone) == ("control", "control not started", "")


def test_the_control_fact_reads_end_date_and_days_left(personas):
    today = local_today()
    case = _running(personas, start=today - dt.timedelta(days=10), end=today + dt.timedelta(days=101))
    fact = case_overview(user=personas["officer"], case=case, today=today).facts[0]
    end = (today + dt.timedelta(days=101)).strftime("%d.%m.%Y")
    assert fact.value == f"ends {end} — 101 days left"
    assert fact.tone == "info"
    assert fact.data["days_left"] == 101


def test_status_families():
    assert status_family(CaseStatus.AWAITING_REGISTRATION) == "awaiting"
    assert {status_family(s) for s in (CaseStatus.REGISTERED, CaseStatus.ACTIVE)} == {"active"}
    assert {status_family(s) for s in (CaseStatus.SUSPENDED, CaseStatus.WANTED)} == {"suspended"}
    assert {
        status_family(s) for s in (CaseStatus.COMPLETED, CaseStatus.REVOKED, CaseStatus.TRANSFERRED, CaseStatus.CLOSED)
    } == {"closed"}


# --- Registered facts, sections and actions ---------------------------------------------------------


@pytest.fixture
def registered(monkeypatch):
    """Facts and actions as the apps above register them (supervision, enforcement)."""

    def duties(*, user, case, today):
        return [CaseFact("duties", 20, "Duties in force", "3 duties", url="#section-duties", data=3)]

    def enforcement(*, user, case, today):
        return [
            CaseFact("open_violations", 40, "Open violations", "2 — written warning", tone="danger", data=2),
            CaseFact("next_appointment", 30, "Next appointment", "04.12.2026", tone="warning", data="2026-12-04"),
        ]

    def actions(*, user, case):
        if user.role != "officer":
            return []
        return [
            CaseActionLink("record_outcome", 5, "Record an outcome", f"/cases/{case.pk}/x/", primary=True),
            CaseActionLink("add_violation", 70, "Record a violation", f"/cases/{case.pk}/y/"),
        ]

    # Only these (the real apps' providers are tested in their apps).
    monkeypatch.setattr(casepage, "_facts", {"test_duties": duties, "test_enforcement": enforcement})
    monkeypatch.setattr(casepage, "_actions", {"test_actions": actions})
    monkeypatch.setattr(casepage, "_sections", {})


def _facts_on_page(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-fact="([^"]+)" data-tone="([^"]*)"', html)


def test_the_overview_orders_facts_with_their_tones(personas, registered):
    case = _case(personas, officer=personas["officer"])
    html = web_client(personas["officer"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert _facts_on_page(html) == [
        ("control", ""),
        ("duties", ""),
        ("next_appointment", "warning"),
        ("open_violations", "danger"),
    ]
    assert "op-fact--danger" in html
    assert 'href="#section-duties"' in html
    # The overview comes before the case's details and the timeline.
    assert html.index('id="case-overview"') < html.index('id="case-person"') < html.index('id="case-timeline"')


def test_page_and_api_show_the_same_overview_and_actions(personas, registered):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.REGISTERED)
    officer = personas["officer"]
    page = web_client(officer).get(reverse("cases:detail", args=[case.pk]))
    body = api_client(officer).get(f"/api/v1/cases/{case.pk}/").json()
    overview = page.context["overview"]
    assert [(f["key"], f["value"], f["tone"]) for f in body["overview"]["facts"]] == [
        (f.key, str(f.value), f.tone) for f in overview.facts
    ]
    assert [(f["key"], f["tone"]) for f in body["overview"]["facts"]] == _facts_on_page(page.content.decode())
    assert body["overview"]["status_family"] == "active"
    assert body["overview"]["control"]["state"] == "none"
    keys_on_page = re.findall(r'data-action="([^"]+)"', page.content.decode())
    assert [a["key"] for a in body["actions"]] == keys_on_page
    # Primary actions first: the registered "record an outcome", then the case's own.
    assert body["actions"][0] == {
        "key": "record_outcome",
        "label": "Record an outcome",
        "url": f"/cases/{case.pk}/x/",
        "primary": True,
    }
    assert {"transition", "decision", "add_violation"} <= set(keys_on_page)


def test_the_api_overview_is_in_the_callers_language(personas):
    case = _case(personas, officer=personas["officer"])
    body = api_client(personas["officer"], "ru").get(f"/api/v1/cases/{case.pk}/").json()
    assert body["overview"]["facts"][0]["label"] == "Пробационный контроль"


# --- Actions per persona ---------------------------------------------------------------------------


def _keys(user, case) -> set[str]:
    return {a.key for a in case_own_actions(user=user, case=case, today=local_today())}


def test_actions_shown_per_persona(personas):
    own = _case(personas, officer=personas["officer"], status=CaseStatus.AWAITING_REGISTRATION)
    colleagues = _case(personas, officer=personas["colleague"], status=CaseStatus.AWAITING_REGISTRATION)
    # The officer on their own case: register, change the status, a later decision; not allocate or transfer.
    assert _keys(personas["officer"], own) == {"register", "transition", "decision"}
    # ... on a colleague's case: nothing.
    assert _keys(personas["officer"], colleagues) == set()
    # The head of office: everything.
    assert _keys(personas["head"], colleagues) == {"register", "transition", "decision", "allocate", "transfer"}
    # Read-only roles and the system administrator: none.
    for name in ("analyst", "auditor", "sysadmin", "court_liaison", "other_district"):
        assert _keys(personas[name], own) == set(), name


def test_a_closed_case_offers_nothing(personas):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.CLOSED)
    assert _keys(personas["head"], case) == set()
    html = web_client(personas["head"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-actions"' not in html


def test_an_unallocated_case_makes_allocation_primary(personas):
    case = _case(personas, status=CaseStatus.ACTIVE)
    primary = {a.key for a in case_own_actions(user=personas["head"], case=case, today=local_today()) if a.primary}
    assert primary == {"allocate"}
    case.officer = personas["officer"]
    assert not any(a.primary for a in case_own_actions(user=personas["head"], case=case, today=local_today()))


# --- The action form pages ---------------------------------------------------------------------------


FORM_PAGES = ["transition", "register", "allocate", "transfer", "decision"]


@pytest.mark.parametrize("key", FORM_PAGES)
def test_each_action_opens_its_own_form_with_cancel(personas, key):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.AWAITING_REGISTRATION)
    response = web_client(personas["head"]).get(reverse(f"cases:{key}", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="{key}-form"' in html
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in html
    assert 'id="case-overview"' not in html
    assert AuditEvent.objects.filter(action="case.view", subject_id=str(case.pk)).count() == 1


@pytest.mark.parametrize("key", FORM_PAGES)
@pytest.mark.parametrize(("name", "status"), [("colleague", 403), ("analyst", 404), ("other_district", 404)])
def test_action_forms_refused_to_those_who_may_not(personas, key, name, status):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.AWAITING_REGISTRATION)
    assert web_client(personas[name]).get(reverse(f"cases:{key}", args=[case.pk])).status_code == status


@pytest.mark.parametrize("name", ["analyst", "auditor", "sysadmin", "colleague"])
def test_a_refused_post_changes_nothing(personas, name):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.AWAITING_REGISTRATION)
    response = web_client(personas[name]).post(
        reverse("cases:register", args=[case.pk]), {"registered_on": local_today().isoformat()}
    )
    assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_REGISTRATION


def test_the_appearance_form_only_while_awaiting_the_person(personas):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.ACTIVE)
    assert web_client(personas["officer"]).get(reverse("cases:appearance", args=[case.pk])).status_code == 403


def test_an_invalid_post_shows_the_form_page_again_not_the_case_page(personas):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.REGISTERED)
    response = web_client(personas["officer"]).post(
        reverse("cases:transition", args=[case.pk]), {"to_status": "active", "reason": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="transition-form"' in html and 'id="id_reason_error"' in html
    assert 'id="case-overview"' not in html


@pytest.mark.parametrize(
    "body",
    [
        {"to_status": "active", "reason": "x", "effective_on": "٢٠٢٦-٠١-٠١"},  # Arabic-Indic digits
        {"to_status": "active", "reason": "x", "effective_on": "99999-01-01"},
        {"to_status": "9" * 400, "reason": "x"},
    ],
)
def test_odd_input_on_a_form_page_is_a_clear_error(personas, body):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.REGISTERED)
    response = web_client(personas["officer"]).post(reverse("cases:transition", args=[case.pk]), body)
    assert response.status_code == 200
    assert "usa-error-message" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED


# --- The caseload ---------------------------------------------------------------------------------------


@pytest.fixture
def columns(monkeypatch):
    """Columns as supervision and enforcement register them."""
    from django.db.models import F, Value  # noqa: PLC0415

    monkeypatch.setattr(caseload_registry, "_columns", {})
    monkeypatch.setitem(
        caseload_registry._columns,
        "next_appointment",
        CaseloadColumn(
            "next_appointment",
            10,
            "Next appointment",
            lambda qs, today: qs.annotate(next_appointment=F("received_on")),
            kind="date",
        ),
    )
    monkeypatch.setitem(
        caseload_registry._columns,
        "open_violations",
        CaseloadColumn(
            "open_violations",
            20,
            "Open violations",
            lambda qs, today: qs.annotate(open_violations=Value(2)),
            kind="count",
        ),
    )


def test_caseload_shows_registered_columns_and_status_tags(personas, columns):
    case = _case(personas, officer=personas["officer"], status=CaseStatus.SUSPENDED)
    html = web_client(personas["officer"]).get(reverse("cases:caseload")).content.decode()
    row = html.split(f'id="case-row-{case.pk}"')[1].split("</tr>")[0]
    assert 'data-column="next_appointment"' in html and 'data-column="open_violations"' in html
    assert case.received_on.strftime("%d.%m.%Y") in row
    assert '<span class="usa-tag op-tag-overdue">2</span>' in row
    assert "op-status--suspended" in row
    body = api_client(personas["officer"]).get("/api/v1/cases/").json()
    found = next(r for r in body["results"] if r["id"] == case.pk)
    assert found["next_appointment"] == case.received_on.isoformat()
    assert found["open_violations"] == 2


def test_office_column_only_with_more_than_one_office(personas):
    _case(personas, officer=personas["officer"])
    officer_html = web_client(personas["officer"]).get(reverse("cases:caseload")).content.decode()
    assert 'id="caseload-office-column"' not in officer_html
    regional = web_client(personas["regional_admin"])
    assert 'id="caseload-office-column"' in regional.get(reverse("cases:caseload")).content.decode()
    office = personas["office_a"].pk
    one_office = regional.get(reverse("cases:caseload") + f"?applied=1&office={office}").content.decode()
    assert 'id="caseload-office-column"' not in one_office


def test_caseload_query_count_is_constant_in_page_size(personas, columns, django_assert_num_queries):
    client = web_client(personas["head"])
    url = reverse("cases:caseload") + "?applied=1"
    for _ in range(3):
        _case(personas, officer=personas["officer"])
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for n in range(22):
        _case(personas, officer=personas["officer"] if n % 2 else None, status=CaseStatus.ACTIVE)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["page_obj"].object_list) == 25


@pytest.mark.parametrize("key", [*FORM_PAGES, "appearance"])
def test_a_huge_case_number_in_a_form_address_is_not_found(personas, key):
    url = reverse(f"cases:{key}", args=[10**30])
    assert web_client(personas["head"]).get(url).status_code == 404
