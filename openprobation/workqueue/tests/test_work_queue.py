"""The work queue ("Today"): who sees which cases, merging and sorting of the registered sources,
counts, the audit of the read, constant query counts, and the page and the API agreeing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus
from openprobation.core import workqueue as registry
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_case, a_person
from openprobation.workqueue.selectors import work_queue

pytestmark = pytest.mark.django_db

TODAY = local_today()
API = "/api/v1/work-queue/"
READ_ONLY = ("analyst", "auditor", "sysadmin", "partner", "monitoring", "court_liaison")


def awaiting(office: Any, officer: Any = None, *, due_in: int = -1, number: str = "") -> Any:
    """A case awaiting registration, due ``due_in`` days from today (negative: overdue)."""
    extra = {"number": number} if number else {}
    return a_case(
        person=a_person(registered_office=office),
        officer=officer,
        status=CaseStatus.AWAITING_REGISTRATION,
        registration_due=TODAY + dt.timedelta(days=due_in),
        **extra,
    )


def appointments_source(scope: WorkScope) -> WorkBatch:
    """A stand-in for the supervision source: one office report per case of the scope, due on a
    day set by the case number's last digit (a count and one limited query, like a real source)."""
    count = scope.cases.count()
    rows = list(scope.cases.select_related("person", "officer").order_by("number")[: scope.limit])
    items = []
    for case in rows:
        due = TODAY - dt.timedelta(days=int(case.number[-1]) % 3) + dt.timedelta(days=1)
        items.append(
            WorkItem(
                kind="appointment",
                key=f"appointment:{case.pk}",
                due=due,
                overdue=due < TODAY,
                case_id=case.pk,
                case_number=case.number,
                person_name=case.person.full_name,
                title="Office report",
                url=f"/cases/{case.pk}/appointments/{case.pk}/outcome/",
                action_label="Record outcome",
                officer_name=case.officer.display_name if case.officer else "",
            )
        )
    items.sort(key=lambda i: (i.due, i.key))
    overdue = sum(1 for i in items if i.overdue)
    return WorkBatch(kind="appointment", count=count, overdue=overdue, items=items)


@pytest.fixture
def with_appointments(monkeypatch):
    monkeypatch.setitem(registry._sources, "test-appointments", appointments_source)


@pytest.fixture
def only_registration(monkeypatch):
    """Only this app's source, whatever the other apps register (their own tests cover theirs)."""
    monkeypatch.setattr(registry, "_sources", {"registration": registry._sources["registration"]})


def keys(queue: Any) -> list[str]:
    return [item.key for item in queue.items]


# --- Scoping ---------------------------------------------------------------------------------------


def test_officer_sees_only_the_open_cases_allocated_to_them(personas, only_registration):
    a = personas["office_a"]
    mine = awaiting(a, personas["officer"])
    awaiting(a, personas["colleague"])
    awaiting(a, None)
    awaiting(personas["office_b"], personas["other_district"])
    closed = awaiting(a, personas["officer"])
    closed.status = CaseStatus.CLOSED
    closed.save()
    queue = work_queue(user=personas["officer"], today=TODAY)
    assert keys(queue) == [f"registration:{mine.pk}"]
    assert queue.total == 1
    assert not queue.manages


def test_head_sees_the_whole_office_and_one_officer_on_request(personas, only_registration):
    a = personas["office_a"]
    mine = awaiting(a, personas["officer"], due_in=-2)
    theirs = awaiting(a, personas["colleague"], due_in=-1)
    nobody = awaiting(a, None, due_in=0)
    awaiting(personas["office_b"], personas["other_district"])
    queue = work_queue(user=personas["head"], today=TODAY)
    assert keys(queue) == [f"registration:{c.pk}" for c in (mine, theirs, nobody)]
    assert queue.manages
    assert {o.username for o in queue.officers} >= {"officer", "colleague", "senior"}
    one = work_queue(user=personas["head"], today=TODAY, officer=personas["colleague"].pk)
    assert keys(one) == [f"registration:{theirs.pk}"]
    assert one.total == 1


def test_another_office_and_region_see_nothing_of_office_a(personas, only_registration):
    awaiting(personas["office_a"], personas["officer"])
    for name in ("other_head", "other_district", "other_region"):
        assert work_queue(user=personas[name], today=TODAY).total == 0


def test_regional_administrator_sees_the_offices_of_their_region(personas, only_registration):
    in_a = awaiting(personas["office_a"], personas["officer"], due_in=-3)
    in_b = awaiting(personas["office_b"], None, due_in=-2)
    awaiting(personas["office_c"], personas["other_region"])
    queue = work_queue(user=personas["regional_admin"], today=TODAY)
    assert keys(queue) == [f"registration:{in_a.pk}", f"registration:{in_b.pk}"]


@pytest.mark.parametrize("name", READ_ONLY)
def test_roles_without_cases_to_carry_are_refused_page_api_and_selector(personas, name):
    awaiting(personas["office_a"], personas["officer"])
    user = personas[name]
    with pytest.raises(PermissionDeniedError):
        work_queue(user=user, today=TODAY)
    assert web_client(user).get(reverse("workqueue:today")).status_code == 403
    response = api_client(user).get(API, {"kind": "deadline"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not AuditEvent.objects.filter(action="workqueue.view").exists()


def test_an_officer_cannot_ask_for_a_colleagues_queue(personas):
    awaiting(personas["office_a"], personas["colleague"])
    with pytest.raises(DomainError):
        work_queue(user=personas["officer"], today=TODAY, officer=personas["colleague"].pk)
    response = api_client(personas["officer"]).get(API, {"officer": personas["colleague"].pk})
    assert response.status_code == 400
    assert "officer" in response.json()["errors"]
    # Their own id is simply their queue.
    assert api_client(personas["officer"]).get(API, {"officer": personas["officer"].pk}).status_code == 200


def test_a_head_cannot_ask_for_an_officer_of_another_office(personas):
    response = api_client(personas["head"]).get(API, {"officer": personas["other_district"].pk})
    assert response.status_code == 400
    assert "officer" in response.json()["errors"]
    page = web_client(personas["head"]).get(reverse("workqueue:today"), {"officer": personas["other_district"].pk})
    assert page.status_code == 200
    assert 'id="queue-filter-error"' in page.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "everything"},
        {"sort": "random"},
        {"officer": "99999999999999999999999999"},
        {"officer": "-1"},
        {"officer": "١٢"},  # Arabic-Indic digits
        {"officer": "{'a': {'b': 1}}"},
        {"limit": "0"},
        {"limit": str(10**12)},
    ],
)
def test_odd_parameters_get_a_clear_400_from_the_api_and_defaults_on_the_page(personas, params):
    response = api_client(personas["head"]).get(API, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"] and body["detail"]
    page = web_client(personas["head"]).get(reverse("workqueue:today"), params)
    assert page.status_code == 200


# --- Merging, sorting, counts ------------------------------------------------------------------------


def test_sources_are_merged_and_counted_per_kind(personas, only_registration, with_appointments):
    a = personas["office_a"]
    c1 = awaiting(a, personas["officer"], due_in=-5, number="T-Q-0001")  # appointment due today
    c2 = a_case(person=a_person(registered_office=a), officer=personas["officer"], number="T-Q-0002")  # due yesterday
    c3 = a_case(person=a_person(registered_office=a), officer=personas["officer"], number="T-Q-0003")  # tomorrow
    queue = work_queue(user=personas["officer"], today=TODAY)
    counts = {c.kind: (c.count, c.overdue) for c in queue.counts}
    assert counts["appointment"] == (3, 1)
    assert counts["deadline"] == (1, 1)
    assert counts["violation"] == (0, 0) and counts["task"] == (0, 0)
    assert (queue.total, queue.overdue) == (4, 2)
    assert [c.kind for c in queue.counts][:4] == ["appointment", "deadline", "violation", "task"]
    # By due date: the deadline five days ago, the appointment yesterday, today, tomorrow.
    assert keys(queue) == [
        f"registration:{c1.pk}",
        f"appointment:{c2.pk}",
        f"appointment:{c1.pk}",
        f"appointment:{c3.pk}",
    ]
    by_kind = work_queue(user=personas["officer"], today=TODAY, sort="kind")
    assert [i.kind for i in by_kind.items] == ["appointment"] * 3 + ["deadline"]
    by_case = work_queue(user=personas["officer"], today=TODAY, sort="case")
    assert [i.case_number for i in by_case.items] == ["T-Q-0001", "T-Q-0001", "T-Q-0002", "T-Q-0003"]
    only = work_queue(user=personas["officer"], today=TODAY, kinds=["deadline"])
    assert keys(only) == [f"registration:{c1.pk}"]
    assert only.total == 4  # the counts still cover every kind (the tabs)
    assert only.shown_count == 1


def test_sort_by_officer_puts_unallocated_work_last(personas, only_registration):
    a = personas["office_a"]
    senior, officer = personas["senior"], personas["officer"]
    nobody = awaiting(a, None, due_in=-9)
    theirs = awaiting(a, senior, due_in=-1)
    mine = awaiting(a, officer, due_in=-2)
    queue = work_queue(user=personas["head"], today=TODAY, sort="officer")
    ordered = sorted([(officer.display_name, mine), (senior.display_name, theirs)], key=lambda p: p[0].casefold())
    assert keys(queue) == [f"registration:{c.pk}" for _, c in ordered] + [f"registration:{nobody.pk}"]


def test_the_limit_keeps_the_soonest_due_across_sources(personas, only_registration, with_appointments):
    a = personas["office_a"]
    late = awaiting(a, personas["officer"], due_in=10, number="T-L-0001")  # appointment due today, deadline later
    early = awaiting(a, personas["officer"], due_in=-10, number="T-L-0002")
    queue = work_queue(user=personas["officer"], today=TODAY, limit=2)
    assert keys(queue) == [f"registration:{early.pk}", f"appointment:{early.pk}"]
    assert queue.total == 4
    del late


def test_a_source_of_another_kind_is_counted_after_the_known_ones(personas, only_registration, monkeypatch):
    def court_hearings(scope: WorkScope) -> WorkBatch:
        return WorkBatch(kind="hearing", count=7, overdue=0, items=[])

    monkeypatch.setitem(registry._sources, "hearings", court_hearings)
    queue = work_queue(user=personas["officer"], today=TODAY)
    assert [c.kind for c in queue.counts][-1] == "hearing"
    assert queue.total == 7


# --- The page, the API and the audit -------------------------------------------------------------------


def test_page_and_api_show_the_same_items_in_the_same_order(personas, only_registration, with_appointments):
    a = personas["office_a"]
    for n in range(6):
        awaiting(a, [personas["officer"], personas["colleague"], None][n % 3], due_in=n - 3)
    for sort in ("due", "kind", "case", "officer"):
        page = web_client(personas["head"]).get(reverse("workqueue:today"), {"sort": sort})
        api = api_client(personas["head"]).get(API, {"sort": sort})
        assert page.status_code == 200 and api.status_code == 200
        page_keys = [row["item"].key for row in page.context["rows"]]
        assert page_keys == [item["key"] for item in api.json()["items"]]
        assert len(page_keys) == 12
    api = api_client(personas["head"]).get(API, {"kind": "deadline", "officer": personas["colleague"].pk})
    body = api.json()
    assert [i["kind"] for i in body["items"]] == ["deadline"] * 2
    assert body["officer"] == personas["colleague"].pk
    assert {c["kind"]: c["count"] for c in body["counts"]}["appointment"] == 2


def test_each_view_of_the_queue_is_recorded_once_with_the_cases_shown(personas, only_registration):
    case = awaiting(personas["office_a"], personas["officer"])
    web_client(personas["officer"]).get(reverse("workqueue:today"))
    api_client(personas["officer"]).get(API, {"sort": "case"})
    events = list(AuditEvent.objects.filter(action="workqueue.view").order_by("id"))
    assert len(events) == 2
    assert events[0].details["shown"] == [case.pk]
    assert events[1].details["sort"] == "case"


def test_page_shows_tabs_with_counts_rows_with_actions_and_next(personas, only_registration, with_appointments):
    case = awaiting(personas["office_a"], personas["officer"], due_in=-1, number="T-P-0001")
    response = web_client(personas["officer"]).get(reverse("workqueue:today"))
    html = response.content.decode()
    for tab in ("all", "appointment", "deadline", "violation", "task"):
        assert f'id="queue-tab-{tab}"' in html
    assert 'aria-current="page"' in html
    assert "Record outcome" in html
    assert f"/cases/{case.pk}/appointments/{case.pk}/outcome/?next=%2Ftoday%2F" in html
    assert f"/cases/{case.pk}/register/?next=%2Ftoday%2F" in html
    assert 'role="region"' in html and 'tabindex="0"' in html
    # An officer's own queue has no officer column or filter.
    assert 'id="queue-officer-filter"' not in html
    head = web_client(personas["head"]).get(reverse("workqueue:today"), {"kind": "deadline"}).content.decode()
    assert 'id="queue-officer-filter"' in head
    assert "Record outcome" not in head  # the appointments tab is not chosen


def test_an_empty_queue_says_the_day_is_clear(personas, only_registration):
    html = web_client(personas["officer"]).get(reverse("workqueue:today")).content.decode()
    assert 'id="queue-empty"' in html
    assert "The day is clear" in html


def _page_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("workqueue:today")).status_code == 200
    return len(ctx.captured_queries)


def test_page_queries_do_not_grow_with_the_number_of_items(
    personas, only_registration, with_appointments, django_assert_num_queries
):
    a = personas["office_a"]
    for n in range(5):
        awaiting(a, personas["officer"] if n % 2 else None, due_in=n - 2)
    client = web_client(personas["head"])
    _page_queries(client)  # warm-up: the audit chain's head is created once
    few = _page_queries(client)
    assert len(client.get(reverse("workqueue:today")).context["rows"]) == 10
    for n in range(15):
        awaiting(a, personas["colleague"] if n % 2 else None, due_in=n - 7)
    with django_assert_num_queries(few):
        response = client.get(reverse("workqueue:today"))
    assert len(response.context["rows"]) == 40


def test_api_queries_do_not_grow_with_the_limit(personas, only_registration, with_appointments):
    a = personas["office_a"]
    for n in range(30):
        awaiting(a, personas["officer"], due_in=n - 15)
    client = api_client(personas["officer"])
    client.get(API)

    def queries(limit: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(API, {"limit": limit})
        return len(ctx.captured_queries), len(response.json()["items"])

    (q10, n10), (q40, n40) = queries(10), queries(40)
    assert (n10, n40) == (10, 40)
    assert q10 == q40
