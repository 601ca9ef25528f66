"""Alert handling: the lifecycle (legal and illegal moves), who may act (and that a refused actor
changes nothing), a confirmed alert becoming one violation candidate, the response-time timers,
the console's live stream, and the console's query count."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError, PermissionDeniedError, TransitionError
from openprobation.enforcement.models import Violation, ViolationKind, ViolationSource, ViolationStatus
from openprobation.monitoring import alert_selectors, services
from openprobation.monitoring.alerting import AlertResolution, AlertStatus
from openprobation.monitoring.catalogue import Rule, Severity
from openprobation.monitoring.models import Alert, AlertCall, AlertStatusChange
from openprobation.monitoring.pages.console import ConsoleStream
from openprobation.monitoring.sla import alert_timer, response_times
from openprobation.monitoring.tests.matrix import active_case, fitted
from openprobation.testing.clients import api_client

pytestmark = pytest.mark.django_db


def an_alert(personas, *, case=None, rule=Rule.CURFEW, severity=Severity.HIGH, minutes_ago=5, **fields):
    case = case or active_case(personas)
    assignment = fitted(personas["senior"], case)
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Alert.objects.create(
        assignment=assignment,
        device=assignment.device,
        case=case,
        rule=rule,
        severity=severity,
        opened_at=at,
        lat=51.13,
        lon=71.43,
        **fields,
    )


def snapshot(alert):
    alert.refresh_from_db()
    return (
        alert.status,
        alert.resolution,
        alert.violation_id,
        AlertStatusChange.objects.count(),
        AlertCall.objects.count(),
        Violation.objects.count(),
        AuditEvent.objects.filter(action__startswith="monitoring.alert").count(),
    )


# --- The lifecycle -----------------------------------------------------------------------------------------


def test_an_operator_acknowledges_then_resolves_as_a_false_alarm(personas):
    alert = an_alert(personas)
    operator = personas["monitoring"]
    acked = services.alert_acknowledge(actor=operator, alert=alert)
    assert acked.status == AlertStatus.ACKNOWLEDGED
    assert acked.acknowledged_by == operator and acked.acknowledged_at is not None
    done = services.alert_resolve(
        actor=operator, alert=alert, resolution=AlertResolution.FALSE_ALARM, note="GPS drift by the river"
    )
    assert done.status == AlertStatus.RESOLVED and done.resolution == AlertResolution.FALSE_ALARM
    assert done.violation_id is None
    moves = list(AlertStatusChange.objects.filter(alert=alert).values_list("from_status", "to_status"))
    assert moves == [("new", "acknowledged"), ("acknowledged", "resolved")]
    assert AuditEvent.objects.filter(action="monitoring.alert.transition").count() == 2


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (AlertStatus.NEW, "resolve"),
        (AlertStatus.NEW, "escalate"),
        (AlertStatus.ACKNOWLEDGED, "acknowledge"),
        (AlertStatus.RESOLVED, "acknowledge"),
        (AlertStatus.RESOLVED, "resolve"),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(personas, start, action):
    alert = an_alert(personas, status=start)
    before = snapshot(alert)
    operator = personas["monitoring"]
    with pytest.raises(TransitionError):
        if action == "resolve":
            services.alert_resolve(actor=operator, alert=alert, resolution="technical", note="x")
        elif action == "escalate":
            services.alert_escalate(actor=operator, alert=alert, reason="x")
        else:
            services.alert_acknowledge(actor=operator, alert=alert)
    assert snapshot(alert) == before


def test_escalation_goes_to_the_cases_officer_who_then_handles_it(personas):
    alert = an_alert(personas)
    operator, officer = personas["monitoring"], personas["officer"]
    services.alert_acknowledge(actor=operator, alert=alert)
    escalated = services.alert_escalate(actor=operator, alert=alert, reason="No answer at home")
    assert escalated.status == AlertStatus.ESCALATED and escalated.escalated_to == officer
    assert list(alert_selectors.escalated_to_me(officer)) == [escalated]
    # The operator no longer moves it on (but may still record a call).
    with pytest.raises(PermissionDeniedError):
        services.alert_resolve(actor=operator, alert=alert, resolution="technical", note="x")
    services.alert_call_record(
        actor=operator, alert=alert, party="person", number="+7 701 000 00 00", outcome="no_answer"
    )
    services.alert_acknowledge(actor=officer, alert=alert, note="I will visit")
    done = services.alert_resolve(actor=officer, alert=alert, resolution="technical", note="Strap sensor fault")
    assert done.status == AlertStatus.RESOLVED


# --- Who may act -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "colleague",
        "other_district",
        "other_head",
        "other_region",
        "regional_admin",
        "analyst",
        "auditor",
        "sysadmin",
        "court_liaison",
    ],
)
def test_others_are_refused_and_nothing_changes(personas, who):
    alert = an_alert(personas)
    before = snapshot(alert)
    actor = personas[who]
    for attempt in (
        lambda: services.alert_acknowledge(actor=actor, alert=alert),
        lambda: services.alert_call_record(
            actor=actor, alert=alert, party="person", number="87010000000", outcome="no_answer"
        ),
    ):
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert snapshot(alert) == before


def test_an_operator_of_another_region_is_refused(personas):
    from openprobation.accounts.models import Role  # noqa: PLC0415
    from openprobation.testing.factories import UserFactory  # noqa: PLC0415

    south_operator: Any = UserFactory(username="south-op", role=Role.MONITORING_OPERATOR)
    south_operator.monitored_regions.set([personas["south"]])
    alert = an_alert(personas)
    before = snapshot(alert)
    with pytest.raises(PermissionDeniedError):
        services.alert_acknowledge(actor=south_operator, alert=alert)
    assert snapshot(alert) == before
    assert alert_selectors.alert_queue(user=south_operator, filters=alert_selectors.QueueFilters()).total == 0


def test_staff_who_may_handle(personas):
    for who in ("officer", "senior", "head"):
        alert = an_alert(personas)
        assert services.alert_acknowledge(actor=personas[who], alert=alert).status == AlertStatus.ACKNOWLEDGED


# --- A confirmed violation ---------------------------------------------------------------------------------


def test_a_confirmed_alert_records_one_violation_candidate_with_the_evidence(personas):
    alert = an_alert(personas, rule=Rule.CURFEW)
    operator = personas["monitoring"]
    services.alert_acknowledge(actor=operator, alert=alert)
    done = services.alert_resolve(
        actor=operator,
        alert=alert,
        resolution=AlertResolution.CONFIRMED_VIOLATION,
        note="Not at home, confirmed by phone",
    )
    violation = Violation.objects.get()
    assert done.violation_id == violation.pk
    assert violation.status == ViolationStatus.CANDIDATE
    assert violation.kind == ViolationKind.CURFEW_BREACH
    assert violation.source == ViolationSource.MONITORING_ALERT
    assert violation.source_ref == f"em-alert:{alert.pk}"
    assert violation.recorded_by is None  # the monitoring centre records for the system
    assert reverse("monitoring:alert", kwargs={"record": alert.pk}) in violation.evidence
    assert "Curfew" in violation.evidence
    # Once: resolving again is refused, and nothing more is recorded.
    with pytest.raises(TransitionError):
        services.alert_resolve(actor=operator, alert=alert, resolution="confirmed_violation", note="again")
    assert Violation.objects.count() == 1


def test_a_candidate_already_recorded_for_the_alert_is_reused(personas):
    from openprobation.enforcement.services import violation_record  # noqa: PLC0415

    alert = an_alert(personas, rule=Rule.STRAP, status=AlertStatus.ACKNOWLEDGED)
    earlier = violation_record(
        actor=None,
        case=alert.case,
        kind=ViolationKind.DEVICE_TAMPERING,
        source=ViolationSource.MONITORING_ALERT,
        source_ref=f"em-alert:{alert.pk}",
        occurred_on=timezone.localdate(),
        description="Strap cut",
        candidate=True,
    )
    done = services.alert_resolve(actor=personas["officer"], alert=alert, resolution="confirmed_violation", note="Cut")
    assert done.violation_id == earlier.pk and Violation.objects.count() == 1


def test_a_device_alert_cannot_be_a_confirmed_violation(personas):
    alert = an_alert(personas, rule=Rule.LOW_BATTERY, severity=Severity.LOW, status=AlertStatus.ACKNOWLEDGED)
    before = snapshot(alert)
    with pytest.raises(DomainError):
        services.alert_resolve(actor=personas["monitoring"], alert=alert, resolution="confirmed_violation", note="x")
    assert snapshot(alert) == before


@pytest.mark.parametrize("number", ["", "abc", "٠١٢٣٤٥", "1" * 41, "+7\x00701"])
def test_a_call_with_a_bad_number_is_refused(personas, number):
    alert = an_alert(personas)
    with pytest.raises(DomainError):
        services.alert_call_record(
            actor=personas["monitoring"], alert=alert, party="person", number=number, outcome="no_answer"
        )
    assert AlertCall.objects.count() == 0


# --- Timers ------------------------------------------------------------------------------------------------


def test_timers_against_the_response_times(personas):
    times = response_times(on=timezone.localdate())
    limit = times.acknowledge[Severity.CRITICAL]
    now = timezone.now()
    fresh = an_alert(personas, severity=Severity.CRITICAL, minutes_ago=0)
    Alert.objects.filter(pk=fresh.pk).update(raised_at=now - dt.timedelta(minutes=limit - 1))
    late = an_alert(personas, rule=Rule.STRAP, severity=Severity.CRITICAL, minutes_ago=limit + 10)
    Alert.objects.filter(pk=late.pk).update(raised_at=now - dt.timedelta(minutes=limit + 1))
    fresh.refresh_from_db()
    late.refresh_from_db()
    fresh_timer = alert_timer(fresh, now=now, times=times)
    assert fresh_timer is not None and not fresh_timer.overdue
    timer = alert_timer(late, now=now, times=times)
    assert timer is not None
    assert timer.overdue and timer.stage == "acknowledge" and timer.limit_minutes == limit
    queue = alert_selectors.alert_queue(user=personas["monitoring"], filters=alert_selectors.QueueFilters(), now=now)
    assert queue.total == 2 and queue.overdue == 1
    # Oldest waiting first.
    assert [r.alert.pk for r in queue.rows] == [late.pk, fresh.pk]


def test_the_queue_carries_the_oldest_waiting_up_to_its_limit_and_counts_them_all(personas, monkeypatch):
    monkeypatch.setattr(alert_selectors, "QUEUE_LIMIT", 3)
    waiting = [an_alert(personas, minutes_ago=m) for m in (50, 40, 30, 20, 10)]
    resolved = an_alert(personas, minutes_ago=90)
    Alert.objects.filter(pk=resolved.pk).update(status=AlertStatus.RESOLVED, cleared_at=timezone.now())
    queue = alert_selectors.alert_queue(user=personas["monitoring"], filters=alert_selectors.QueueFilters())
    assert [r.alert.pk for r in queue.rows] == [a.pk for a in waiting[:3]]
    assert queue.total == 5 and queue.truncated
    row = queue.rows[0].alert
    assert row.case.person.full_name and row.case.office.region_id and row.device.serial  # loaded with the row


# --- The console -------------------------------------------------------------------------------------------


def test_the_live_stream_sends_a_new_alert(personas):
    user = personas["monitoring"]
    from django.test import RequestFactory  # noqa: PLC0415

    request = RequestFactory().get(reverse("monitoring:console_events"))
    request.user = user
    stream = ConsoleStream(
        request=request,
        user=user,
        filters=alert_selectors.QueueFilters(),
        since=timezone.now() - dt.timedelta(seconds=1),
    )
    assert stream.poll() == []
    alert = an_alert(personas)
    events = list(stream.events(seconds=0.3, poll_seconds=0.05))
    assert events[0].startswith("retry:")
    sent = [json.loads(e.split("data: ", 1)[1]) for e in events if e.startswith("id:")]
    assert [s["id"] for s in sent] == [alert.pk]  # once, though the stream looked several times
    assert sent[0]["show"] and f'id="alert-row-{alert.pk}"' in sent[0]["html"]
    # A change (acknowledged) is sent again; resolved leaves the queue.
    services.alert_acknowledge(actor=user, alert=alert)
    services.alert_resolve(actor=user, alert=alert, resolution="technical", note="x")
    later = [json.loads(e.split("data: ", 1)[1]) for e in stream.poll()]
    assert later and later[-1]["id"] == alert.pk and not later[-1]["show"]


def test_the_stream_of_another_region_sends_nothing(personas):
    from django.test import RequestFactory  # noqa: PLC0415

    user = personas["other_region"]
    request = RequestFactory().get("/")
    request.user = user
    stream = ConsoleStream(
        request=request,
        user=user,
        filters=alert_selectors.QueueFilters(),
        since=timezone.now() - dt.timedelta(seconds=1),
    )
    an_alert(personas)
    assert stream.poll() == []


def test_the_events_address_answers_a_stream(personas, client):
    client.force_login(personas["monitoring"])
    response = client.get(reverse("monitoring:console_events"), {"since": "not a date"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/event-stream")
    assert client.get(reverse("monitoring:console_events"), {"severity": "🙂"}).status_code == 400


def test_the_console_query_count_does_not_grow_with_the_queue(personas, client, django_assert_num_queries):
    client.force_login(personas["monitoring"])
    url = reverse("monitoring:console")
    an_alert(personas)
    client.get(url)  # warm the caches (rulebook, sessions)
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(6):
        an_alert(personas)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="op-alert-row') == 7


def test_acknowledge_from_the_console_swaps_the_row(personas, client):
    alert = an_alert(personas)
    client.force_login(personas["monitoring"])
    response = client.post(
        reverse("monitoring:alert_acknowledge", args=[alert.pk]), {"note": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "Acknowledged" in body
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_the_alert_page_shows_the_story_and_the_forms(personas, client):
    alert = an_alert(personas, status=AlertStatus.ACKNOWLEDGED)
    client.force_login(personas["monitoring"])
    response = client.get(reverse("monitoring:alert", args=[alert.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for needle in ('id="alert-map"', 'id="resolve-form"', 'id="escalate-form"', 'id="call-form"', 'id="device-health"'):
        assert needle in body
    assert alert.case.person.iin not in body  # masked
    assert AuditEvent.objects.filter(action="monitoring.alert.view").exists()
    # The device's health block says where the person was last: read through the audited selector.
    assert AuditEvent.objects.filter(action="monitoring.device.state_view", actor=personas["monitoring"]).exists()


def test_the_api_queue_and_resolve(personas):
    alert = an_alert(personas, status=AlertStatus.ACKNOWLEDGED)
    client = api_client(personas["monitoring"])
    queue = client.get(reverse("api-em-alert-queue")).json()
    assert queue["total"] == 1 and queue["rows"][0]["alert"]["status"] == "acknowledged"
    assert queue["rows"][0]["timer"]["stage"] == "resolve"
    url = reverse("api-em-alert-resolve", args=[alert.pk])
    assert client.post(url, {"resolution": "nope", "note": "x"}, format="json").status_code == 400
    ok = client.post(url, {"resolution": "technical", "note": "Battery swap"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"
    assert api_client(personas["other_region"]).post(url, {}, format="json").status_code == 404


def test_under_asgi_the_stream_is_asynchronous(personas):
    # async_to_sync from the test's thread: the stream's database reads come back to this thread
    # (and its transaction).
    from asgiref.sync import async_to_sync  # noqa: PLC0415
    from django.test import AsyncClient, RequestFactory  # noqa: PLC0415

    user = personas["monitoring"]
    alert = an_alert(personas)
    request = RequestFactory().get("/")
    request.user = user
    stream = ConsoleStream(
        request=request,
        user=user,
        filters=alert_selectors.QueueFilters(),
        since=timezone.now() - dt.timedelta(seconds=2),
    )

    async def collect() -> list[str]:
        return [e async for e in stream.async_events(seconds=0.3, poll_seconds=0.05)]

    events = async_to_sync(collect)()
    sent = [json.loads(e.split("data: ", 1)[1]) for e in events if e.startswith("id:")]
    assert [s["id"] for s in sent] == [alert.pk]

    client = AsyncClient()
    async_to_sync(client.aforce_login)(user)
    response = async_to_sync(client.get)(reverse("monitoring:console_events"))
    assert response.status_code == 200 and getattr(response, "is_async", False)


def test_read_only_staff_see_the_alert_but_no_form(personas, client):
    alert = an_alert(personas, status=AlertStatus.ACKNOWLEDGED)
    client.force_login(personas["regional_admin"])
    body = client.get(reverse("monitoring:alert", args=[alert.pk])).content.decode()
    assert 'id="device-health"' in body
    assert 'id="resolve-form"' not in body and 'id="call-form"' not in body
    response = client.post(
        reverse("monitoring:alert_resolve", args=[alert.pk]), {"resolution": "technical", "note": "x"}
    )
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_odd_input_on_the_pages_is_a_clear_4xx(personas, client):
    alert = an_alert(personas, status=AlertStatus.ACKNOWLEDGED)
    client.force_login(personas["monitoring"])
    assert client.get(reverse("monitoring:alert", args=[10**30])).status_code == 404
    url = reverse("monitoring:alert_resolve", args=[alert.pk])
    assert client.post(url, {"resolution": "technical", "note": "x" * 5000}).status_code == 400
    assert client.post(url, {"resolution": "bogus", "note": "x"}).status_code == 400
    call = reverse("monitoring:alert_call", args=[alert.pk])
    response = client.post(call, {"party": "person", "number": "١٢٣٤٥٦", "outcome": "no_answer"})
    assert response.status_code == 400 and "0–9" in response.content.decode()
    console = reverse("monitoring:console")
    assert client.get(console, {"region": "9" * 40}).status_code == 400
    assert client.get(console, {"rule": "x" * 10_000}).status_code == 400
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and AlertCall.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("monitoring", True),
        ("officer", True),
        ("head", True),
        ("regional_admin", True),
        ("analyst", False),
        ("sysadmin", False),
    ],
)
def test_the_menu_offers_the_console_to_who_may_open_it(personas, client, who, shown):
    client.force_login(personas[who])
    body = client.get(reverse("home")).content.decode()
    assert (reverse("monitoring:console") in body) is shown


def test_a_row_says_its_words_in_the_readers_language_with_working_links(personas, client):
    """The row's words and links are made once per page (RowText), not per row: they must still be
    the alert's own, in the reader's language, and its form must carry the CSRF token."""
    alert = an_alert(personas, rule=Rule.CURFEW, severity=Severity.HIGH)
    client.force_login(personas["monitoring"])
    body = client.get(reverse("monitoring:console"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    row = body.split(f'id="alert-row-{alert.pk}"')[1].split("</tr>")[0]
    assert f'href="{reverse("monitoring:alert", args=[alert.pk])}"' in row
    assert f'hx-post="{reverse("monitoring:alert_acknowledge", args=[alert.pk])}"' in row
    assert 'data-label="Важность"' in row and "Нарушение комендантского часа" in row and "Высокий" in row
    assert alert.case.person.full_name in row
    token = row.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert len(token) >= 32
