"""A case's messages on the page, the case-page section and the API; "send again" for a dead
message, refused (nothing changed) to everyone who may not act on the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case
from openprobation.core.casepage import case_sections
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.notifications.casepage import messages_section
from openprobation.notifications.models import Message, MessageStatus
from openprobation.notifications.selectors import case_messages
from openprobation.notifications.services import message_enqueue, message_retry
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db

BODY = "Құрметті Асхат, ертең 10:00-де кездесу."


@pytest.fixture
def case_a(personas: dict[str, Any]) -> Case:
    person = a_person(registered_office=personas["office_a"], phone="+77011234567")
    return a_case(person=person, officer=personas["officer"])


def a_message(case: Case, key: str = "m1", status: str = MessageStatus.DEAD, **over: Any) -> Message:
    message = message_enqueue(
        channel="sms",
        to=case.person.phone or "+77019999999",
        body=BODY,
        language="kk",
        dedupe_key=key,
        case=case,
        person=case.person,
        purpose="appointment_reminder",
    )
    assert message is not None
    Message.objects.filter(pk=message.pk).update(
        status=status,
        attempts=over.pop("attempts", 8),
        last_error=over.pop("last_error", "SMS gateway answered HTTP 503"),
    )
    message.refresh_from_db()
    return message


def row(message: Message) -> dict[str, Any]:
    return dict(Message.objects.filter(pk=message.pk).values().get())


# --- Reading -----------------------------------------------------------------------------------------


def test_the_officer_sees_the_messages_with_their_text_and_the_read_is_audited(personas, case_a) -> None:
    message = a_message(case_a)
    response = web_client(personas["officer"]).get(reverse("notifications:case_messages", args=[case_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="message-{message.pk}"' in html and BODY in html and "+77011234567" in html
    assert f'id="retry-{message.pk}"' in html
    assert "Appointment reminder" in html and "not delivered" in html
    assert AuditEvent.objects.filter(
        action="case.view", subject_id=str(case_a.pk), details={"part": "messages"}, actor=personas["officer"]
    ).exists()


def test_court_liaison_sees_status_but_not_the_text(personas, case_a) -> None:
    a_message(case_a)
    response = web_client(personas["court_liaison"]).get(reverse("notifications:case_messages", args=[case_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert BODY not in html and "+77011234567" not in html and "retry-" not in html
    data = api_client(personas["court_liaison"]).get(f"/api/v1/cases/{case_a.pk}/messages/").json()
    assert data["results"][0]["body"] == "" and data["results"][0]["to"] == ""
    assert data["results"][0]["status"] == "dead"


@pytest.mark.parametrize("name", ["other_district", "other_region", "analyst", "auditor", "sysadmin", "partner"])
def test_outside_the_jurisdiction_the_messages_are_not_found(personas, case_a, name) -> None:
    a_message(case_a)
    assert web_client(personas[name]).get(reverse("notifications:case_messages", args=[case_a.pk])).status_code == 404
    response = api_client(personas[name]).get(f"/api/v1/cases/{case_a.pk}/messages/")
    assert response.status_code == 404 and response.json()["code"]
    with pytest.raises(Case.DoesNotExist):
        case_messages(user=personas[name], case=case_a)


def test_the_api_lists_newest_first_paged(personas, case_a) -> None:
    first = a_message(case_a, "a", status=MessageStatus.SENT)
    second = a_message(case_a, "b", status=MessageStatus.PENDING)
    a_message(a_case(person=a_person(registered_office=personas["office_a"])), "other-case")
    data = api_client(personas["officer"]).get(f"/api/v1/cases/{case_a.pk}/messages/?page_size=1").json()
    assert data["count"] == 2
    assert [m["id"] for m in data["results"]] == [second.pk]
    page2 = api_client(personas["officer"]).get(f"/api/v1/cases/{case_a.pk}/messages/?page_size=1&page=2").json()
    assert [m["id"] for m in page2["results"]] == [first.pk]
    assert page2["results"][0]["body"] == BODY and page2["results"][0]["status_label"] == "sent"


@pytest.mark.parametrize("pk", ["99999999999999999999", "0", "-1", "١٢", "abc"])
def test_odd_case_ids_are_not_found(personas, pk) -> None:
    response = api_client(personas["officer"]).get(f"/api/v1/cases/{pk}/messages/")
    assert response.status_code == 404


def test_the_messages_page_query_count_does_not_grow(personas, case_a, django_assert_num_queries) -> None:
    client = web_client(personas["officer"])
    url = reverse("notifications:case_messages", args=[case_a.pk])
    a_message(case_a, "warm")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for n in range(30):
        a_message(case_a, f"more-{n}", status=MessageStatus.SENT)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["messages_page"]) == 25


def test_the_case_page_section_lists_the_newest_messages(personas, case_a) -> None:
    sent = a_message(case_a, "s", status=MessageStatus.SENT)
    dead = a_message(case_a, "d")
    with CaptureQueriesContext(connection) as ctx:
        mine = messages_section(user=personas["officer"], case=case_a, today=dt.date(2026, 12, 1))
    assert mine is not None and len(ctx.captured_queries) == 2
    sections = case_sections(user=personas["officer"], case=case_a, today=dt.date(2026, 12, 1))
    (section,) = [s for s in sections if s.key == "messages"]
    assert [m.pk for m in section.context["message_rows"]] == [dead.pk, sent.pk]
    assert section.context["dead_count"] == 1 and section.context["can_retry"] and section.context["show_body"]
    other = case_sections(user=personas["court_liaison"], case=case_a, today=dt.date(2026, 12, 1))
    (section,) = [s for s in other if s.key == "messages"]
    assert not section.context["can_retry"] and not section.context["show_body"]


# --- Send again --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "senior", "head", "regional_admin"])
def test_a_caseworker_sends_a_dead_message_again_audited(personas, case_a, who) -> None:
    message = a_message(case_a)
    response = web_client(personas[who]).post(reverse("notifications:retry", args=[case_a.pk, message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.PENDING, 0, "")
    assert message.next_attempt_at <= timezone.now()
    event = AuditEvent.objects.get(action="notifications.retry")
    assert event.actor == personas[who] and event.subject_id == str(message.pk)
    assert event.details["attempts"] == 8 and event.details["case_id"] == case_a.pk


def test_send_again_through_the_api(personas, case_a) -> None:
    message = a_message(case_a)
    response = api_client(personas["officer"]).post(f"/api/v1/cases/{case_a.pk}/messages/{message.pk}/retry/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    again = api_client(personas["officer"]).post(f"/api/v1/cases/{case_a.pk}/messages/{message.pk}/retry/")
    assert again.status_code == 400 and again.json()["code"] == "not_dead"
    assert AuditEvent.objects.filter(action="notifications.retry").count() == 1


@pytest.mark.parametrize(
    "status", [MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.FAILED]
)
def test_only_a_dead_message_may_be_sent_again(personas, case_a, status) -> None:
    message = a_message(case_a, status=status)
    before = row(message)
    with pytest.raises(DomainError) as err:
        message_retry(actor=personas["officer"], case=case_a, message=message)
    assert err.value.code == "not_dead"
    assert row(message) == before
    response = web_client(personas["officer"]).post(reverse("notifications:retry", args=[case_a.pk, message.pk]))
    assert response.status_code == 302 and row(message) == before
    assert not AuditEvent.objects.filter(action="notifications.retry").exists()


@pytest.mark.parametrize(
    ("name", "web_status", "api_status"),
    [
        ("colleague", 403, 403),  # same office, not the case's officer
        ("court_liaison", 403, 403),
        ("other_district", 404, 404),
        ("other_region", 404, 404),
        ("analyst", 404, 404),
        ("auditor", 404, 404),
        ("sysadmin", 404, 404),
        ("monitoring", 404, 404),
    ],
)
def test_send_again_is_refused_to_others_and_changes_nothing(personas, case_a, name, web_status, api_status) -> None:
    message = a_message(case_a)
    before = row(message)
    events = AuditEvent.objects.count()
    web = web_client(personas[name]).post(reverse("notifications:retry", args=[case_a.pk, message.pk]))
    api = api_client(personas[name]).post(f"/api/v1/cases/{case_a.pk}/messages/{message.pk}/retry/")
    assert (web.status_code, api.status_code) == (web_status, api_status)
    assert row(message) == before
    assert not AuditEvent.objects.filter(action="notifications.retry").exists()
    assert AuditEvent.objects.count() == events
    if name == "colleague":
        with pytest.raises(PermissionDeniedError):
            message_retry(actor=personas[name], case=case_a, message=message)


def test_a_message_of_another_case_is_not_found(personas, case_a) -> None:
    other_case = a_case(person=a_person(registered_office=personas["office_a"]), officer=personas["officer"])
    message = a_message(other_case)
    before = row(message)
    web = web_client(personas["officer"]).post(reverse("notifications:retry", args=[case_a.pk, message.pk]))
    api = api_client(personas["officer"]).post(f"/api/v1/cases/{case_a.pk}/messages/{message.pk}/retry/")
    assert (web.status_code, api.status_code) == (404, 404)
    assert row(message) == before


def test_get_on_send_again_is_not_allowed(personas, case_a) -> None:
    message = a_message(case_a)
    assert (
        web_client(personas["officer"]).get(reverse("notifications:retry", args=[case_a.pk, message.pk])).status_code
        == 405
    )


def test_send_again_ignores_a_body(personas, case_a) -> None:
    message = a_message(case_a)
    response = api_client(personas["officer"]).post(
        f"/api/v1/cases/{case_a.pk}/messages/{message.pk}/retry/",
        {"status": "sent", "attempts": 10**30, "nested": {"a": [{"b": 1}]}},
        format="json",
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0


# --- The work queue ----------------------------------------------------------------------------------


def test_dead_messages_of_the_scope_are_in_the_work_queue(personas, case_a, django_assert_num_queries) -> None:
    from openprobation.core.workqueue import WorkScope, work_sources  # noqa: PLC0415

    dead = a_message(case_a, "dead")
    a_message(case_a, "sent", status=MessageStatus.SENT)
    elsewhere = a_case(person=a_person(registered_office=personas["office_b"]))
    a_message(elsewhere, "elsewhere")
    source = work_sources()["messages"]
    today = timezone.localdate()
    scope = WorkScope(user=personas["officer"], cases=Case.objects.filter(officer=personas["officer"]), today=today)
    with django_assert_num_queries(2):
        batch = source(scope)
    assert (batch.kind, batch.count, batch.overdue) == ("message", 1, 0)
    (item,) = batch.items
    assert item.key == f"message:{dead.pk}" and item.case_id == case_a.pk and item.due == today
    assert item.url.endswith(f"/cases/{case_a.pk}/messages/#message-{dead.pk}")
    assert "Appointment reminder" in item.title
    for n in range(3):
        a_message(case_a, f"more-{n}")
    later = WorkScope(user=personas["officer"], cases=scope.cases, today=today + dt.timedelta(days=1), limit=2)
    with django_assert_num_queries(3):
        batch = source(later)
    assert (batch.count, len(batch.items), batch.overdue) == (4, 2, 4)


def test_the_case_page_section_renders(personas, case_a, rf) -> None:
    from django.template.loader import render_to_string  # noqa: PLC0415

    dead = a_message(case_a, "d")
    request = rf.get("/")
    request.user = personas["officer"]
    section = messages_section(user=personas["officer"], case=case_a, today=dt.date(2026, 12, 1))
    assert section is not None
    html = render_to_string(section.template, section.context, request=request)
    assert 'id="case-messages"' in html and f'id="retry-{dead.pk}"' in html and BODY in html
    assert 'name="next" value="case"' in html and "1 message was not delivered." in html
    empty = a_case(person=a_person(registered_office=personas["office_a"]))
    section = messages_section(user=personas["officer"], case=empty, today=dt.date(2026, 12, 1))
    assert section is not None
    assert "No messages have been sent about this case." in render_to_string(section.template, section.context)


def test_send_again_from_the_case_page_returns_there(personas, case_a) -> None:
    message = a_message(case_a)
    response = web_client(personas["officer"]).post(
        reverse("notifications:retry", args=[case_a.pk, message.pk]), {"next": "case"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case_a.pk]) + "#case-messages"
