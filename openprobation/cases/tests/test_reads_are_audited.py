"""Every read of personal data leaves an audit event, on the pages and in the API alike: the edit
forms (also when a posted form comes back with its errors and nothing was saved), the lists of
people and cases with no query, a person's or case's page, the office caseload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    person = PersonFactory(registered_office=personas["office_a"], surname="Жақсыбеков")
    case = CaseFactory(person=person, status=CaseStatus.ACTIVE, officer=personas["officer"])
    return {**personas, "person": person, "case": case}


def _only_event(user: Any, before: int) -> AuditEvent:
    events = list(AuditEvent.objects.filter(pk__gt=before, actor=user))
    assert len(events) == 1, [(e.action, e.subject_type, e.details) for e in events]
    return events[0]


def _last_id() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last else 0


Get = Callable[[dict[str, Any]], str]

WEB_READS: list[tuple[str, str, Get, str, dict[str, Any] | None]] = [
    ("officer", "person.search", lambda w: reverse("people:list"), "", {"query": "", "filters": {}}),
    ("officer", "person.view", lambda w: reverse("people:edit", args=[w["person"].pk]), "person", {"part": "edit"}),
    (
        "officer",
        "person.view",
        lambda w: reverse("people:add_family", args=[w["person"].pk]),
        "person",
        {"part": "edit"},
    ),
    (
        "officer",
        "person.view",
        lambda w: reverse("people:set_address", args=[w["person"].pk]),
        "person",
        {"part": "edit"},
    ),
    (
        "officer",
        "person.view",
        lambda w: reverse("people:add_document", args=[w["person"].pk]),
        "person",
        {"part": "edit"},
    ),
    ("officer", "person.view", lambda w: reverse("people:detail", args=[w["person"].pk]), "person", None),
    ("officer", "case.search", lambda w: reverse("cases:caseload"), "", None),
    ("officer", "case.view", lambda w: reverse("cases:detail", args=[w["case"].pk]), "case", None),
    ("officer", "case.view", lambda w: reverse("cases:decision", args=[w["case"].pk]), "case", None),
    ("officer", "person.view", lambda w: f"{reverse('cases:open')}?person={w['person'].pk}", "person", None),
    ("head", "office.caseload", lambda w: reverse("cases:office_caseload"), "office", None),
    ("regional_admin", "office.caseload", lambda w: reverse("cases:office_caseload"), "office", None),
]


@pytest.mark.parametrize("read", WEB_READS)
def test_each_page_that_shows_personal_data_records_one_read(world, read):
    who, action, url, subject, details = read
    user = world[who]
    before = _last_id()
    response = web_client(user).get(url(world))
    assert response.status_code == 200
    event = _only_event(user, before)
    assert event.action == action
    if subject == "person":
        assert (event.subject_type, event.subject_id) == ("people.person", str(world["person"].pk))
    elif subject == "case":
        assert (event.subject_type, event.subject_id) == ("cases.case", str(world["case"].pk))
    elif subject == "office":
        assert (event.subject_type, event.subject_id) == ("accounts.office", str(world["office_a"].pk))
    if details is not None:
        assert event.details == details


API_READS: list[tuple[str, str, Get, str]] = [
    ("officer", "person.search", lambda w: reverse("api-people"), ""),
    ("officer", "person.view", lambda w: reverse("api-person", args=[w["person"].pk]), "person"),
    ("officer", "case.search", lambda w: reverse("api-cases"), ""),
    ("officer", "case.view", lambda w: reverse("api-case", args=[w["case"].pk]), "case"),
    ("head", "office.caseload", lambda w: reverse("api-office-caseload", args=[w["office_a"].pk]), "office"),
    (
        "regional_admin",
        "office.caseload",
        lambda w: reverse("api-office-caseload", args=[w["office_a"].pk]),
        "office",
    ),
]


@pytest.mark.parametrize(("who", "action", "url", "subject"), API_READS)
def test_each_api_read_of_personal_data_records_one_event(world, who, action, url, subject):
    user = world[who]
    before = _last_id()
    response = api_client(user).get(url(world))
    assert response.status_code == 200
    event = _only_event(user, before)
    assert event.action == action
    if subject == "office":
        assert event.subject_id == str(world["office_a"].pk)


def test_the_lists_without_a_query_are_recorded_as_searches_with_no_query(world):
    before = _last_id()
    api_client(world["officer"]).get(reverse("api-people"))
    web_client(world["officer"]).get(reverse("people:list"))
    searches = AuditEvent.objects.filter(pk__gt=before, action="person.search")
    assert [e.details["query"] for e in searches] == ["", ""]


# A form posted with errors (or refused by a rule) shows the record again though nothing was saved:
# that page is a read like any other.


@pytest.mark.parametrize(
    ("name", "data"),
    [("people:edit", {"surname": ""}), ("people:add_family", {}), ("people:add_document", {})],
)
def test_a_person_form_shown_again_with_errors_records_the_read(world, name, data):
    officer = world["officer"]
    before = _last_id()
    response = web_client(officer).post(reverse(name, args=[world["person"].pk]), data)
    assert response.status_code == 200
    assert world["person"].surname in response.content.decode()
    event = _only_event(officer, before)
    assert (event.action, event.subject_id) == ("person.view", str(world["person"].pk))
    assert event.details == {"part": "edit"}


@pytest.mark.parametrize(
    ("name", "who", "data"),
    [
        ("cases:transition", "officer", {"to_status": "", "reason": ""}),
        ("cases:allocate", "head", {"officer": "", "reason": ""}),
        ("cases:transfer", "head", {"to_office": "", "reason": ""}),
        ("cases:decision", "officer", {}),
    ],
)
def test_a_case_form_shown_again_with_errors_records_the_read(world, name, who, data):
    user = world[who]
    case: Case = world["case"]
    before = _last_id()
    response = web_client(user).post(reverse(name, args=[case.pk]), data)
    assert response.status_code == 200
    assert case.person.surname in response.content.decode()
    event = _only_event(user, before)
    assert (event.action, event.subject_id) == ("case.view", str(case.pk))
