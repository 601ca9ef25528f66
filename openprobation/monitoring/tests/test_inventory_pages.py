"""The device inventory and device health pages: scoping (another office or region gets a 404, an
operator reads, analysts and the system administrator are refused), each action through the page
doing what the service does (a history row and one audit event), bad input answered on the form,
constant query counts, the health thresholds read from the rulebook, and the same health over the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.monitoring import selectors, services
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus, Strap
from openprobation.monitoring.credentials import credential_matches
from openprobation.monitoring.models import Device, DeviceState, DeviceStatusChange, DeviceTransfer
from openprobation.monitoring.tests.matrix import active_case, fitted, stock_device
from openprobation.rules.rulebook import rule

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state(device: Device, *, silent_for: dt.timedelta | None = None, battery: int = 80, **fields) -> DeviceState:
    now = timezone.now()
    last = None if silent_for is None else now - silent_for
    values = {"charging": False, "strap": Strap.INTACT, "connected": True, **fields}
    return DeviceState.objects.create(
        device=device, last_message_at=last, last_valid_fix_at=last, battery=battery, **values
    )


def snapshot() -> tuple[int, ...]:
    return (
        Device.objects.count(),
        DeviceStatusChange.objects.count(),
        DeviceTransfer.objects.count(),
        AuditEvent.objects.filter(action__startswith="monitoring.device.").exclude(action__endswith="view").count(),
        *Device.objects.order_by("pk").values_list("office_id", flat=True),
    )


# --- Who sees what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("head", 200),
        ("officer", 200),
        ("regional_admin", 200),
        ("monitoring", 200),
        ("other_head", 404),
        ("other_region", 404),
        ("analyst", 403),
        ("sysadmin", 403),
        ("auditor", 403),
    ],
)
def test_a_device_page_is_seen_in_scope_only(personas, who, status):
    device = stock_device(personas["office_a"])
    response = client_for(personas[who]).get(reverse("monitoring:device", args=[device.pk]))
    assert response.status_code == (404 if status == 403 else status)


@pytest.mark.parametrize(("who", "status"), [("head", 200), ("monitoring", 200), ("analyst", 403), ("sysadmin", 403)])
def test_the_lists_are_refused_to_who_sees_no_monitoring(personas, who, status):
    client = client_for(personas[who])
    assert client.get(reverse("monitoring:devices")).status_code == status
    assert client.get(reverse("monitoring:health")).status_code == status


def test_the_list_and_stock_show_only_the_users_offices(personas):
    mine = stock_device(personas["office_a"])
    neighbour = stock_device(personas["office_b"])
    south = stock_device(personas["office_c"])
    head = client_for(personas["head"]).get(reverse("monitoring:devices"))
    assert mine.serial in head.text and neighbour.serial not in head.text and south.serial not in head.text
    assert [row.office for row in head.context["stock"]] == [personas["office_a"]]
    regional = client_for(personas["regional_admin"]).get(reverse("monitoring:devices"))
    assert mine.serial in regional.text and neighbour.serial in regional.text and south.serial not in regional.text
    assert {row.office for row in regional.context["stock"]} == {personas["office_a"], personas["office_b"]}


def test_the_stock_counts_by_kind_and_status(personas):
    office = personas["office_a"]
    for _ in range(3):
        stock_device(office)
    Device.objects.filter(pk=stock_device(office).pk).update(status=DeviceStatus.IN_REPAIR)
    stock_device(office, kind=DeviceKind.HOME_UNIT)
    rows = {row.kind: row for row in selectors.device_stock(user=personas["head"])}
    assert rows[DeviceKind.BRACELET].counts[DeviceStatus.IN_STOCK] == 3
    assert rows[DeviceKind.BRACELET].counts[DeviceStatus.IN_REPAIR] == 1
    assert rows[DeviceKind.BRACELET].total == 4
    assert rows[DeviceKind.HOME_UNIT].total == 1


def test_an_operator_reads_but_is_offered_no_action_and_may_not_act(personas):
    device = stock_device(personas["office_a"])
    client = client_for(personas["monitoring"])
    page = client.get(reverse("monitoring:device", args=[device.pk]))
    assert page.status_code == 200 and 'id="device-actions"' not in page.text
    assert 'id="register-device"' not in client.get(reverse("monitoring:devices")).text
    before = snapshot()
    for name, payload in [
        ("monitoring:device_status", {"to_status": "in_repair", "reason": "x"}),
        ("monitoring:device_credential", {}),
        ("monitoring:device_transfer", {"office": personas["office_b"].pk}),
        ("monitoring:device_edit", {"kind": "bracelet", "serial": "OP-1"}),
    ]:
        assert client.post(reverse(name, args=[device.pk]), payload).status_code == 403
    assert client.post(reverse("monitoring:device_register"), {"kind": "bracelet", "serial": "OP-2"}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["other_head", "other_region", "officer", "analyst", "sysadmin"])
def test_others_change_nothing(personas, who):
    device = stock_device(personas["office_a"])
    client = client_for(personas[who])
    before = snapshot()
    for name, payload in [
        ("monitoring:device_status", {"to_status": "retired", "reason": "x"}),
        ("monitoring:device_credential", {}),
        ("monitoring:device_transfer", {"office": personas["office_b"].pk}),
    ]:
        assert client.post(reverse(name, args=[device.pk]), payload).status_code in (403, 404)
    assert snapshot() == before
    assert Device.objects.get(pk=device.pk).credential_hash == device.credential_hash


def test_navigation_offers_the_pages_to_who_may_open_them(personas):
    home = client_for(personas["head"]).get(reverse("monitoring:devices"))
    assert reverse("monitoring:health") in home.text
    assert home.context["nav"]["em_devices"] and home.context["nav"]["em_health"]
    analyst = client_for(personas["analyst"]).get(reverse("home"))
    assert not analyst.context["nav"]["em_devices"]


# --- Actions through the page = the service ---------------------------------------------------------------


def test_registering_through_the_page_shows_the_secret_once(personas):
    client = client_for(personas["head"])
    response = client.post(
        reverse("monitoring:device_register"),
        {"kind": "bracelet", "serial": "BR-77", "office": personas["office_a"].pk, "supplier": "ҚазТрек"},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    device = Device.objects.get(serial="BR-77")
    secret = response.context["secret"]
    assert credential_matches(secret, device.credential_hash)
    assert AuditEvent.objects.filter(action="monitoring.device.register", subject_id=str(device.pk)).count() == 1
    page = client.get(reverse("monitoring:device", args=[device.pk]))
    assert secret not in page.text and device.credential_hash not in page.text
    assert 'id="credential-set-at"' in page.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("serial", "X" * 65),
        ("serial", "БР-1"),
        ("serial", "١٢٣"),
        ("serial", "A\x00B"),
        ("office", "999999999"),
        ("office", "١"),
        ("office", "not a number"),
        ("kind", "toaster"),
    ],
)
def test_bad_input_is_answered_on_the_form(personas, field, value):
    payload = {"kind": "bracelet", "serial": "OK-1", "office": str(personas["office_a"].pk), field: value}
    before = snapshot()
    response = client_for(personas["head"]).post(reverse("monitoring:device_register"), payload)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert snapshot() == before


def test_a_head_may_not_register_into_another_office(personas):
    payload = {"kind": "bracelet", "serial": "OK-2", "office": personas["office_b"].pk}
    response = client_for(personas["head"]).post(reverse("monitoring:device_register"), payload)
    assert response.status_code == 200 and "office" in response.context["form"].errors
    assert not Device.objects.filter(serial="OK-2").exists()


def test_a_duplicate_serial_is_a_form_error(personas):
    device = stock_device(personas["office_a"])
    payload = {"kind": "bracelet", "serial": device.serial, "office": personas["office_a"].pk}
    response = client_for(personas["head"]).post(reverse("monitoring:device_register"), payload)
    assert "serial" in response.context["form"].errors


def test_editing_through_the_page(personas):
    device = stock_device(personas["office_a"])
    url = reverse("monitoring:device_edit", args=[device.pk])
    client = client_for(personas["head"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "bracelet", "serial": device.serial, "firmware": "3.1.0", "leased": "on"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.firmware == "3.1.0" and device.leased
    event = AuditEvent.objects.get(action="monitoring.device.update")
    assert event.changes["firmware"] == ["", "3.1.0"]
    again = client.post(url, {"kind": "bracelet", "serial": device.serial, "firmware": "3.1.0", "leased": "on"})
    assert again.status_code == 200 and again.context["form"].non_field_errors()


@pytest.mark.parametrize(
    ("to", "start", "reason"),
    [
        (DeviceStatus.IN_REPAIR, DeviceStatus.IN_STOCK, "Батарея ісінген"),
        (DeviceStatus.IN_STOCK, DeviceStatus.IN_REPAIR, "Жөндеуден оралды"),
        (DeviceStatus.LOST, DeviceStatus.IN_STOCK, "Табылмады"),
        (DeviceStatus.RETIRED, DeviceStatus.IN_REPAIR, "Жөндеуге келмейді"),
    ],
)
def test_status_moves_through_the_page(personas, to, start, reason):
    device = stock_device(personas["office_a"])
    Device.objects.filter(pk=device.pk).update(status=start)
    client = client_for(personas["head"])
    url = reverse("monitoring:device_status", args=[device.pk])
    assert client.get(url + f"?to={to}").status_code == 200
    assert client.post(url, {"to_status": to, "reason": reason}).status_code == 302
    device.refresh_from_db()
    assert device.status == to
    change = DeviceStatusChange.objects.get(device=device)
    assert (change.from_status, change.to_status, change.reason) == (start, to, reason)
    assert AuditEvent.objects.filter(action="monitoring.device.transition", subject_id=str(device.pk)).count() == 1


def test_a_status_move_needs_a_reason_and_a_legal_target(personas):
    device = stock_device(personas["office_a"])
    client = client_for(personas["head"])
    url = reverse("monitoring:device_status", args=[device.pk])
    before = snapshot()
    assert client.post(url, {"to_status": "retired", "reason": "  "}).context["form"].errors
    assert "to_status" in client.post(url, {"to_status": "assigned", "reason": "x"}).context["form"].errors
    assert snapshot() == before


def test_an_assigned_device_is_not_moved_by_hand(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    client = client_for(personas["head"])
    page = client.get(reverse("monitoring:device", args=[assignment.device_id]))
    assert 'id="transfer-device"' not in page.text and 'id="status-in_repair"' not in page.text
    response = client.post(
        reverse("monitoring:device_status", args=[assignment.device_id]), {"to_status": "in_repair", "reason": "x"}
    )
    assert "to_status" in response.context["form"].errors
    moved = client.post(
        reverse("monitoring:device_transfer", args=[assignment.device_id]), {"office": personas["office_b"].pk}
    )
    assert moved.status_code == 200 and "office" in moved.context["form"].errors
    assert Device.objects.get(pk=assignment.device_id).status == DeviceStatus.ASSIGNED


def test_moving_to_another_office_within_the_region(personas):
    device = stock_device(personas["office_a"])
    client = client_for(personas["head"])
    url = reverse("monitoring:device_transfer", args=[device.pk])
    form = client.get(url).context["form"]
    offered = {value for value, _ in form.fields["office"].choices if value}
    assert offered == {personas["office_b"].pk}
    assert client.post(url, {"office": personas["office_c"].pk}).context["form"].errors
    response = client.post(url, {"office": personas["office_b"].pk, "reason": "Теңестіру"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.office == personas["office_b"]
    transfer = DeviceTransfer.objects.get(device=device)
    assert (transfer.from_office, transfer.to_office, transfer.moved_by) == (
        personas["office_a"],
        personas["office_b"],
        personas["head"],
    )
    assert transfer.effective_on == local_today()
    event = AuditEvent.objects.get(action="monitoring.device.transfer")
    assert event.changes == {"office": ["NA1", "NB2"]}
    # Held by office B now: the head of office A no longer sees it, the head of office B does.
    assert client.get(reverse("monitoring:device", args=[device.pk])).status_code == 404
    page = client_for(personas["other_head"]).get(reverse("monitoring:device", args=[device.pk]))
    assert "NA1" in page.text and "NB2" in page.text  # the history line


def test_the_transfer_service_refuses_another_region(personas):
    device = stock_device(personas["office_a"])
    with pytest.raises(DomainError) as caught:
        services.device_transfer(
            actor=personas["regional_admin"], device=device, office=personas["office_c"], reason=""
        )
    assert caught.value.field == "office"
    assert not DeviceTransfer.objects.exists()


def test_rotating_the_credential_through_the_page(personas):
    device = stock_device(personas["office_a"])
    client = client_for(personas["head"])
    url = reverse("monitoring:device_credential", args=[device.pk])
    warning = client.get(url)
    assert warning.status_code == 200 and 'id="rotate-warning-heading"' in warning.text
    response = client.post(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert credential_matches(response.context["secret"], device.credential_hash)
    assert AuditEvent.objects.filter(action="monitoring.device.rotate_credential").count() == 1
    Device.objects.filter(pk=device.pk).update(status=DeviceStatus.RETIRED)
    refused = client.post(url)
    assert refused.status_code == 302
    assert AuditEvent.objects.filter(action="monitoring.device.rotate_credential").count() == 1


def test_assignments_link_the_case_only_for_who_sees_it(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    url = reverse("monitoring:device", args=[assignment.device_id])
    link = reverse("cases:detail", args=[assignment.case_id]) + "#em"
    head = client_for(personas["head"]).get(url)
    assert link in head.text and assignment.case.number in head.text
    operator = client_for(personas["monitoring"]).get(url)
    assert operator.status_code == 200 and link not in operator.text and assignment.case.number in operator.text


# --- Query counts ------------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_inventory_list_costs_the_same_for_more_devices(personas):
    client = client_for(personas["regional_admin"])
    url = reverse("monitoring:devices")
    stock_device(personas["office_a"])
    client.get(url)
    few = _queries(client, url)
    for office in ("office_a", "office_b"):
        for kind in (DeviceKind.BRACELET, DeviceKind.HOME_UNIT):
            for _ in range(5):
                stock_device(personas[office], kind=kind)
    assert _queries(client, url) == few


def test_the_health_page_costs_the_same_for_more_devices(personas):
    client = client_for(personas["regional_admin"])
    url = reverse("monitoring:health")
    state(fitted(personas["senior"], active_case(personas)).device, silent_for=dt.timedelta(hours=2), battery=5)
    client.get(url)
    few = _queries(client, url)
    for _ in range(6):
        device = fitted(personas["senior"], active_case(personas)).device
        state(device, silent_for=dt.timedelta(hours=3), battery=4)
    assert _queries(client, url) == few


def test_the_device_page_costs_the_same_for_a_longer_history(personas):
    device = stock_device(personas["office_a"])
    client = client_for(personas["head"])
    url = reverse("monitoring:device", args=[device.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for to in (DeviceStatus.IN_REPAIR, DeviceStatus.IN_STOCK, DeviceStatus.IN_REPAIR):
        device = services.device_set_status(actor=personas["head"], device=device, to_status=to, reason="x")
    services.device_transfer(actor=personas["regional_admin"], device=device, office=personas["office_b"], reason="")
    services.device_transfer(actor=personas["regional_admin"], device=device, office=personas["office_a"], reason="")
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second.captured_queries) == len(first.captured_queries)


# --- Health -----------------------------------------------------------------------------------------------


def test_silent_and_low_battery_follow_the_rulebook(personas):
    limits = rule("monitoring.thresholds", on=local_today()).params
    lost = dt.timedelta(minutes=limits["lost_communication_minutes"])
    low = limits["low_battery_pct"]
    case = active_case(personas)
    quiet = fitted(personas["senior"], case).device
    recent = fitted(personas["senior"], active_case(personas)).device
    never = fitted(personas["senior"], active_case(personas)).device
    drained = fitted(personas["senior"], active_case(personas)).device
    state(quiet, silent_for=lost + dt.timedelta(minutes=1))
    state(recent, silent_for=lost - dt.timedelta(minutes=1), battery=low)
    state(drained, silent_for=dt.timedelta(minutes=1), battery=low - 1, charging=None)
    stock_device(personas["office_a"])  # not in use: not listed
    response = client_for(personas["head"]).get(reverse("monitoring:health"))
    silent = [h["row"].device for h in response.context["silent"]]
    assert silent == [never, quiet]  # never heard from first, then the longest silent
    assert [h["row"].device for h in response.context["low"]] == [drained]
    assert {h["row"].device for h in response.context["rows"]} == {quiet, recent, never, drained}
    assert response.context["lost_minutes"] == limits["lost_communication_minutes"]
    assert 'id="silent-table"' in response.text and case.number in response.text


def test_health_is_sortable_and_scoped(personas):
    a = fitted(personas["senior"], active_case(personas)).device
    b = fitted(personas["senior"], active_case(personas)).device
    state(a, silent_for=dt.timedelta(minutes=1), battery=90)
    state(b, silent_for=dt.timedelta(minutes=2), battery=30)
    client = client_for(personas["head"])
    by_battery = client.get(reverse("monitoring:health") + "?sort=battery").context["rows"]
    assert [h["row"].device for h in by_battery] == [b, a]
    odd = client.get(reverse("monitoring:health") + "?sort=%00<script>&page=١")
    assert odd.status_code == 200 and odd.context["sort"] == "message"
    assert not client_for(personas["other_head"]).get(reverse("monitoring:health")).context["rows"]
    assert len(client_for(personas["monitoring"]).get(reverse("monitoring:health")).context["rows"]) == 2


def test_the_health_page_updates_itself_until_told_to_stop(personas):
    a = fitted(personas["senior"], active_case(personas)).device
    state(a, silent_for=dt.timedelta(minutes=1), battery=90)
    client = client_for(personas["head"])
    url = reverse("monitoring:health")
    live = client.get(url, {"sort": "battery"})
    body = live.text
    # Every minute the lists are fetched again with the same sort; the reader can stop it.
    assert live.context["live"] and f'hx-get="{url}?sort=battery" hx-trigger="every 60s"' in body
    assert f'href="{url}?sort=battery&amp;live=0"' in body and 'id="health-updated"' in body
    still = client.get(url, {"sort": "battery", "live": "0"})
    assert not still.context["live"] and "hx-trigger" not in still.text.split('id="health-live"')[1][:200]
    assert 'href="?sort=serial&amp;live=0"' in still.text  # sorting keeps it still
    assert [h["row"].device for h in still.context["rows"]] == [a]
    odd = client.get(url, {"live": "١"})
    assert odd.status_code == 200 and odd.context["live"]


def test_the_api_gives_the_same_health(personas):
    limits = rule("monitoring.thresholds", on=local_today()).params
    quiet = fitted(personas["senior"], active_case(personas)).device
    state(quiet, silent_for=dt.timedelta(minutes=limits["lost_communication_minutes"] + 5), battery=3, strap=1)
    fine = fitted(personas["senior"], active_case(personas)).device
    state(fine, silent_for=dt.timedelta(minutes=1))
    client = client_for(personas["monitoring"])
    body = client.get("/api/v1/em/device-health/", {"only": "silent"}).json()
    assert [r["serial"] for r in body["results"]] == [quiet.serial]
    row = body["results"][0]
    assert row["silent"] and row["low_battery"] and row["battery"] == 3 and row["strap"] == "opened"
    assert "lat" not in row and "lon" not in row
    every = client.get("/api/v1/em/device-health/", {"sort": "battery"}).json()
    assert [r["serial"] for r in every["results"]] == [quiet.serial, fine.serial]
    assert client.get("/api/v1/em/device-health/", {"sort": "nonsense"}).status_code == 400
    assert client_for(personas["analyst"]).get("/api/v1/em/device-health/").status_code == 403


@pytest.mark.parametrize("status", [DeviceStatus.RETIRED, DeviceStatus.ASSIGNED])
def test_a_retired_or_assigned_device_stays_where_it_is(personas, status):
    device = stock_device(personas["office_a"])
    Device.objects.filter(pk=device.pk).update(status=status)
    with pytest.raises(DomainError):
        services.device_transfer(actor=personas["head"], device=device, office=personas["office_b"], reason="")
    assert Device.objects.get(pk=device.pk).office == personas["office_a"]
    assert not DeviceTransfer.objects.exists()
    assert not AuditEvent.objects.filter(action="monitoring.device.transfer").exists()


def test_the_same_office_is_not_a_move(personas):
    device = stock_device(personas["office_a"])
    with pytest.raises(DomainError) as caught:
        services.device_transfer(actor=personas["head"], device=device, office=personas["office_a"], reason="")
    assert caught.value.field == "office"


@pytest.mark.parametrize(
    "url",
    [
        "/monitoring/devices/99999999999999999999999/",
        "/monitoring/devices/99999999999999999999999/status/",
        "/monitoring/devices/?office=99999999999999999999999&page=99999999999999999999",
        "/monitoring/devices/?q=%00&kind=%D9%A1",
        "/monitoring/devices/?office=%D9%A1&status=" + "x" * 5000,
        "/monitoring/health/?page=-1&sort=" + "é" * 300,
        "/api/v1/em/device-health/?page=99999999999999999999",
        "/api/v1/em/device-health/?only=%00",
    ],
)
def test_odd_addresses_are_no_server_error(personas, url):
    assert client_for(personas["head"]).get(url).status_code in (200, 400, 404)
