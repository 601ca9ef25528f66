"""Simulated fleets in the database (counts, statuses, zones valid and matching the traces, fresh
credentials), the em-simulate command's limits, and the demo's monitoring data."""

from __future__ import annotations

import datetime as dt
import threading
import time
from http.server import ThreadingHTTPServer
from io import StringIO

import numpy as np
import pytest
import shapely  # type: ignore[import-untyped]
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from openprobation.cases.models import Case
from openprobation.monitoring.catalogue import Channel, DeviceStatus, ZoneKind
from openprobation.monitoring.credentials import credential_matches
from openprobation.monitoring.engine import Engine, Params
from openprobation.monitoring.models import (
    Alert,
    Assignment,
    ConfigRevision,
    Device,
    DeviceState,
    DeviceStatusChange,
    LogEntry,
    Position,
    ScheduleException,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.pipeline.messages import decode
from openprobation.monitoring.simulator.fleet import fleet_load, fleet_prepare
from openprobation.monitoring.simulator.geo import distance_m
from openprobation.monitoring.tests.test_simulator_senders import Receiver
from openprobation.rules.rulebook import rule

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def test_a_fleet_is_made_on_an_empty_database_with_zones_that_match_the_traces():
    fleet = fleet_prepare(count=24, seed=4)
    assert (fleet.created, fleet.reused, len(fleet.devices)) == (24, 0, 24)
    assert Device.objects.filter(serial__startswith="SIM-", status=DeviceStatus.ASSIGNED).count() == 24
    assert DeviceStatusChange.objects.filter(to_status=DeviceStatus.ASSIGNED).count() == 24
    assert Assignment.objects.filter(removed_at__isnull=True).count() == 24
    assert ConfigRevision.objects.count() == 24
    assert {a.case.status for a in Assignment.objects.select_related("case")} == {"active"}
    for fd, person in zip(fleet.devices, fleet.people, strict=True):
        device = Device.objects.get(pk=fd.device_id)
        assert credential_matches(fd.secret, device.credential_hash)
        zones = {z.kind: z.versions.get() for z in Zone.objects.filter(assignment_id=fd.assignment_id)}
        home = zones[ZoneKind.HOME]
        lon, lat = home.geometry["coordinates"]
        assert distance_m(lat, lon, *person.home) < 1 and home.radius_m and home.windows
        inclusion = zones[ZoneKind.INCLUSION].geometry
        polygon = shapely.Polygon(inclusion["coordinates"][0])
        assert polygon.is_valid and polygon.contains(shapely.Point(lon, lat))
        if person.exclusion is not None:
            elon, elat = zones[ZoneKind.EXCLUSION].geometry["coordinates"]
            assert distance_m(elat, elon, *person.exclusion) < 1
        assert all(v.valid_from == Assignment.objects.get(pk=fd.assignment_id).installed_at for v in zones.values())


def test_a_fleet_is_reused_with_new_credentials_and_the_same_homes():
    first = fleet_prepare(count=6, seed=4)
    again = fleet_prepare(count=9, seed=4)
    assert (again.reused, again.created) == (6, 3)
    assert Device.objects.filter(serial__startswith="SIM-").count() == 9
    for old, new, p_old, p_new in zip(first.devices, again.devices, first.people, again.people, strict=False):
        assert old.device_id == new.device_id and old.secret != new.secret
        assert not credential_matches(old.secret, Device.objects.get(pk=new.device_id).credential_hash)
        assert distance_m(*p_old.home, *p_new.home) < 1
    loaded = fleet_load(prefix="SIM", limit=100, seed=1, rotate=False)
    assert len(loaded.devices) == 9 and all(d.secret == "" for d in loaded.devices)


def test_the_command_refuses_a_remote_target_and_out_of_range_options():
    with pytest.raises(CommandError, match="only to this machine"):
        call_command("em_simulate", devices=2, url="http://203.0.113.5:8000", stdout=StringIO())
    with pytest.raises(CommandError, match="only to this machine"):
        call_command("em_simulate", devices=2, target="mqtt", mqtt_url="mqtt://mqtt.example.com", stdout=StringIO())
    for options in ({"devices": 50_001}, {"duration": 90_000}, {"interval": 0.1}, {"violations": 2}, {"devices": 0}):
        with pytest.raises(CommandError):
            call_command("em_simulate", stdout=StringIO(), **options)
    assert not Device.objects.exists()


def test_the_command_streams_a_fleet_to_a_local_server_and_prints_a_summary():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.requests = []  # type: ignore[attr-defined]
    server.status = 202  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    out = StringIO()
    try:
        call_command(
            "em_simulate",
            devices=5,
            interval=1,
            duration=1,
            speedup=30,
            url=f"http://127.0.0.1:{server.server_port}",
            stdout=out,
        )
    finally:
        server.shutdown()
        server.server_close()
    text = out.getvalue()
    assert "5 devices ready (5 made, 0 reused)" in text
    assert "Sent" in text and "0 not delivered" in text
    serials = {auth.split(":")[0] for _p, auth, _b in server.requests}  # type: ignore[attr-defined]
    # Every request comes from a device the command made; a device in a short signal gap (store and
    # forward, 10:00-16:00 local time on some days) holds its fixes, so not every one need have sent.
    made = set(Device.objects.values_list("serial", flat=True))
    assert len(made) == 5 and serials and serials <= made


def test_demo_monitoring_has_stock_assignments_positions_and_alerts_consistent_with_zones():
    from openprobation.demo.monitoring import QUIET_PREFIX, STREAM_PREFIX, seed_monitoring

    # seed-demo seeds monitoring as well
    call_command("seed_demo", people=400, cases=500, today=TODAY, stdout=StringIO(), stderr=StringIO())
    assigned = Assignment.objects.filter(removed_at__isnull=True).select_related("case__office__region", "device")
    assert assigned.count() >= 20
    assert {a.case.office.region.code for a in assigned} <= {"ALA", "AST", "SHY"}
    # The demo's operator watches those regions: the console shows their alerts.
    from openprobation.accounts.models import User
    from openprobation.monitoring.selectors import alert_qs_for_user

    operator = User.objects.get(username="monitoring")
    assert set(operator.monitored_regions.values_list("pk", flat=True)) == {a.case.office.region_id for a in assigned}
    assert alert_qs_for_user(operator).count() == Alert.objects.count() > 0
    # ... and has handled some: every handling state is on the console, with calls, and the
    # confirmed ones are violation candidates on their cases.
    from openprobation.enforcement.models import Violation, ViolationSource, ViolationStatus
    from openprobation.monitoring.alerting import AlertResolution, AlertStatus
    from openprobation.monitoring.models import AlertCall

    statuses = set(Alert.objects.values_list("status", flat=True))
    assert {AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED, AlertStatus.RESOLVED} <= statuses
    confirmed = Alert.objects.filter(resolution=AlertResolution.CONFIRMED_VIOLATION)
    assert confirmed.exists() and all(a.violation_id for a in confirmed)
    linked = Violation.objects.filter(pk__in=[a.violation_id for a in confirmed])
    assert {(v.source, v.status, v.source_ref) for v in linked} == {
        (ViolationSource.MONITORING_ALERT, ViolationStatus.CANDIDATE, f"em-alert:{a.pk}") for a in confirmed
    }
    assert AlertCall.objects.exists()
    # Each under a resolution in force on the installation day, decided by the head of the case's office.
    for a in assigned.select_related("resolution__decided_by"):
        assert a.resolution is not None and a.resolution.case_id == a.case_id
        assert a.resolution.starts_on <= timezone.localtime(a.installed_at).date() <= a.resolution.ends_on
        assert a.resolution.decided_by.role == "head_of_office"
        assert a.resolution.decided_by.office_id == a.case.office_id
    assert Device.objects.filter(status=DeviceStatus.IN_STOCK).count() >= 30
    assert Device.objects.filter(serial__startswith=f"{STREAM_PREFIX}-").count() > 0
    assert Device.objects.filter(serial__startswith=f"{QUIET_PREFIX}-").count() > 0
    assert ZoneVersion.objects.filter(zone__kind=ZoneKind.HOME).exclude(windows=[]).count() == assigned.count()
    assert ScheduleException.objects.exists()
    assert Position.objects.exists()
    open_alerts = Alert.objects.filter(cleared_at__isnull=True).select_related("device")
    assert open_alerts.exists() and all(a.device.serial.startswith(f"{QUIET_PREFIX}-") for a in open_alerts)
    cleared = Alert.objects.filter(cleared_at__isnull=False)
    assert cleared.exists() and all(a.cleared_at is not None and a.cleared_at > a.opened_at for a in cleared)
    for alert in Alert.objects.filter(rule="curfew").select_related("zone"):
        assert alert.zone is not None and alert.zone.kind == ZoneKind.HOME and alert.zone_version_id
        version = alert.zone.versions.get()
        lon, lat = version.geometry["coordinates"]
        assert alert.lat is not None and alert.lon is not None and version.radius_m is not None
        assert distance_m(lat, lon, alert.lat, alert.lon) > version.radius_m  # out at the window's start
    positions = Position.objects.order_by("fix_time")
    assert all(p.assignment_id is not None for p in positions[:50])
    # A quiet device has sent nothing since it went quiet: lost communication and no valid position
    # are open, from their thresholds after its last position (as the evaluator's clock would have).
    limits = rule("monitoring.thresholds", on=TODAY).params
    for device in Device.objects.filter(serial__startswith=f"{QUIET_PREFIX}-"):
        opened = dict(
            Alert.objects.filter(
                device=device, cleared_at__isnull=True, rule__in=["lost_communication", "no_fix"]
            ).values_list("rule", "opened_at")
        )
        assert set(opened) == {"lost_communication", "no_fix"}
        last = (
            Position.objects.filter(device_id=device.pk)
            .order_by("-fix_time")
            .values_list("fix_time", flat=True)
            .first()
        )
        if last is not None:
            assert opened["lost_communication"] - last >= dt.timedelta(minutes=limits["lost_communication_minutes"])
            assert opened["no_fix"] - last >= dt.timedelta(minutes=limits["no_fix_minutes"])
    # Every monitored device's state is what the evaluator would know after its positions, in the
    # evaluator's own form: its newest fix, and the newest one with a valid position (a quiet device
    # silent for longer than the positions go back has none: nothing is known of it).
    engine = Engine(Params(), [])
    for assignment in assigned:
        newest = Position.objects.filter(device_id=assignment.device_id).order_by("-fix_time").first()
        if newest is None:
            assert assignment.device.serial.startswith(f"{QUIET_PREFIX}-")
            assert not DeviceState.objects.filter(device_id=assignment.device_id).exists()
            continue
        state = DeviceState.objects.get(device_id=assignment.device_id)
        newest_valid = Position.objects.filter(device_id=assignment.device_id, fix=0).order_by("-fix_time").first()
        assert newest_valid is not None and state.last_fix_at == newest.fix_time
        assert state.last_valid_fix_at == newest_valid.fix_time and state.last_message_at == newest.fix_time
        engine.load_state([(assignment.device_id, state.engine)])
        again = engine.export_state([assignment.device_id])[assignment.device_id]
        assert again == {**state.engine, "zones": {}, "alerts": {}}
    # Every alert's page has the fixes around its event (the demo's positions cover its quarter hour
    # either side), but a quiet device's after it went quiet; a centre has handled last week's alerts.
    from openprobation.demo.monitoring import HANDLED_BEFORE, _anchor
    from openprobation.monitoring.selectors import AROUND_EVENT

    for alert in Alert.objects.exclude(device__serial__startswith=f"{QUIET_PREFIX}-"):
        near = Position.objects.filter(
            device_id=alert.device_id,
            fix_time__gte=alert.opened_at - AROUND_EVENT,
            fix_time__lte=alert.opened_at + AROUND_EVENT,
        )
        assert near.count() >= 25, alert
    old = Alert.objects.filter(cleared_at__isnull=False, opened_at__lt=_anchor(TODAY) - HANDLED_BEFORE)
    assert old.exists() and not old.filter(status=AlertStatus.NEW).exists()
    # One resolution is ending within the notice, with its device fitted: announced on the case.
    from openprobation.demo.monitoring import ENDING_IN
    from openprobation.monitoring.models import EmResolution

    ending = EmResolution.objects.get(ends_on=TODAY + dt.timedelta(days=ENDING_IN))
    assert ending.status == "in_force" and Assignment.objects.filter(resolution=ending, removed_at=None).exists()
    assert seed_monitoring(seed=7, today=TODAY)["assignments"] == 0  # seeded once


def test_the_demo_stream_opens_a_few_straps_soon_after_it_starts():
    """Whenever the demo starts, the console soon has new alerts to handle: the first devices free
    of another event have their strap opened a minute or two after the start, for a few minutes."""
    from openprobation.demo.stream import FRESH, fresh_events
    from openprobation.monitoring.simulator.cities import CITIES
    from openprobation.monitoring.simulator.traces import Simulation, draw_people

    now = dt.datetime(2026, 12, 2, 11, 0, tzinfo=dt.UTC).timestamp()
    people = draw_people(7, list(CITIES.values()) * 4)
    simulation = Simulation(people, seed=7, start=now - 3600, days=3, violations=0.03)
    chosen = fresh_events(simulation, now)
    assert len(chosen) == len(FRESH) == len(set(chosen))
    for index, (after, minutes) in zip(chosen, FRESH, strict=True):
        t = now + np.arange(0, 600, 15.0)
        fixes = simulation.fixes(np.full(len(t), index), t)
        assert np.array_equal(fixes.strap != 0, (t >= now + after) & (t < now + after + minutes * 60))


@pytest.mark.django_db(transaction=True)
def test_the_demo_stream_reports_the_demo_devices_to_the_local_server_and_stops(settings, monkeypatch):
    from openprobation.demo.monitoring import STREAM_PREFIX
    from openprobation.demo.stream import start_demo_stream
    from openprobation.monitoring.simulator.fleet import Fleet, _create_cases, fleet_assign, simulator_user

    monkeypatch.setattr("openprobation.demo.stream.INTERVAL_S", 3.0)  # every device within 3 s, not 15
    monkeypatch.setattr("openprobation.demo.stream.FORWARD_S", 30.0)  # forwarded at start: 30 s, not an hour
    settings.EM_DEMO_STREAM = False
    assert start_demo_stream() is None
    settings.EM_DEMO_STREAM = True
    assert start_demo_stream() is None  # no demo devices
    # Made without fleet_prepare: its audit event could not be flushed after a transactional test.
    fleet = Fleet(devices=[], people=[])
    cases = list(Case.objects.filter(pk__in=[c.pk for c in _create_cases(3, start=1)]).select_related("office__region"))
    user = simulator_user()
    assert user.is_active is False
    fleet_assign(fleet, cases=cases, seed=2, prefix=STREAM_PREFIX, actor=user, installed_at=[timezone.now()] * 3)
    stored = time.time() - 10  # the first device has a position 10 s old: it forwards only what came after
    first_device = fleet.devices[0]
    Position.objects.create(
        device_id=first_device.device_id,
        assignment_id=first_device.assignment_id,
        fix_time=dt.datetime.fromtimestamp(stored, dt.UTC),
        received_at=dt.datetime.fromtimestamp(stored + 1, dt.UTC),
        seq=1,
        lat=43.2,
        lon=76.9,
        channel=Channel.HTTP,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.requests = []  # type: ignore[attr-defined]
    server.status = 202  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        started = time.time()
        stop = start_demo_stream(f"http://127.0.0.1:{server.server_port}")
        assert stop is not None
        # Each device forwarded what it held (the last 30 s, or since its newest position) straight
        # into the log — the in-process evaluator, started next, evaluates it before its first clock
        # run — every 3 s, before the stream's own schedule.
        first, _events = decode(bytes(p) for p in LogEntry.objects.order_by("id").values_list("payload", flat=True))
        assert (first.t < started).all() and (first.channel == Channel.HTTP).all()
        held = {d.device_id: np.sort(first.t[first.device == d.device_id]) for d in fleet.devices}
        assert all(np.allclose(np.diff(t), 3.0) for t in held.values())
        others = [t for device_id, t in held.items() if device_id != first_device.device_id]
        assert all(len(t) == 10 and np.array_equal(t, others[0]) and started - 32 < t[0] < started - 26 for t in others)
        assert np.array_equal(held[first_device.device_id], others[0][others[0] > stored])
        waited = threading.Event()
        for _ in range(300):  # the first fixes are due within one interval
            if len(server.requests) >= 3:  # type: ignore[attr-defined]
                break
            waited.wait(0.1)
        stop()
    finally:
        server.shutdown()
        server.server_close()
    auths = {auth for _p, auth, _b in server.requests}  # type: ignore[attr-defined]
    assert {a.split(":")[0] for a in auths} == {d.serial for d in fleet.devices}
    for auth in auths:  # credentials were rotated when the stream started: the new ones are stored
        serial, secret = auth.split(":")
        assert credential_matches(secret, Device.objects.get(serial=serial).credential_hash)
