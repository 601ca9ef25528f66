"""The evaluator's one-transaction write: positions once, alerts opened and cleared in order, device
state upserted, the cursor moved only from where the evaluation started."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from openprobation.monitoring.catalogue import Rule
from openprobation.monitoring.engine.types import FLAG_LATE, AlertChange, EvaluationResult, FixBatch, Params
from openprobation.monitoring.models import Alert, DeviceState, PartitionCursor, Position
from openprobation.monitoring.pipeline import store
from openprobation.monitoring.pipeline.messages import decode
from openprobation.monitoring.tests.pipeline_fixtures import ALMATY, T0, fixes_payload, monitored_device

pytestmark = pytest.mark.django_db

PARAMS = Params()


def _batch(device_id: int, n: int = 5, *, start: float | None = None) -> FixBatch:
    t0 = start if start is not None else T0.timestamp()
    rows = [(t0 + 15 * i, i + 1, ALMATY[0] + i * 1e-4, ALMATY[1]) for i in range(n)]
    batch, _events = decode([fixes_payload(device_id, rows, received=t0 + 15 * n)])
    return batch


def _result(batch: FixBatch, assignment_id: int, *, late: int = 0) -> EvaluationResult:
    flags = np.zeros(len(batch), dtype=np.int32)
    flags[:late] = FLAG_LATE
    return EvaluationResult(
        changes=[],
        assignment_id=np.full(len(batch), assignment_id, dtype=np.int64),
        flags=flags,
        changed_devices=np.unique(batch.device),
    )


def _state(t: float) -> dict[str, object]:
    return {
        "last_message": t,
        "last_fix": t,
        "last_valid_fix": t,
        "lat": ALMATY[0],
        "lon": ALMATY[1],
        "accuracy": 10.0,
        "battery": 80,
        "strap": 0,
        "charging": None,
        "connected": True,
        "debounce": {"1": [0, 0.0]},
    }


def test_positions_stored_once_and_cursor_moves() -> None:
    assignment = monitored_device("S-1")
    batch = _batch(assignment.device_id)
    result = _result(batch, assignment.pk, late=2)
    states = {assignment.device_id: _state(T0.timestamp() + 60)}
    applied = store.apply(
        partition=3, expected_cursor=0, new_cursor=7, batch=batch, result=result, states=states, params=PARAMS
    )
    assert applied.positions == 5
    assert applied.cursor == 7
    assert Position.objects.filter(device_id=assignment.device_id).count() == 5
    first = Position.objects.filter(device_id=assignment.device_id).order_by("fix_time").first()
    assert first is not None
    assert first.fix_time == T0
    assert first.assignment_id == assignment.pk
    assert first.flags == FLAG_LATE
    assert first.accuracy_m == 10.0
    assert first.battery == 80
    assert first.speed is None
    assert PartitionCursor.objects.get(partition=3).last_seq == 7
    state = DeviceState.objects.get(device_id=assignment.device_id)
    assert state.last_fix_at == T0 + dt.timedelta(seconds=60)
    assert state.battery == 80
    assert state.connected is True
    assert state.late_count == 2
    assert state.engine["debounce"] == {"1": [0, 0.0]}

    # The same entries again (redelivered): stored once; late fixes counted on top.
    store.apply(partition=3, expected_cursor=7, new_cursor=9, batch=batch, result=result, states=states, params=PARAMS)
    assert Position.objects.filter(device_id=assignment.device_id).count() == 5
    assert DeviceState.objects.get(device_id=assignment.device_id).late_count == 4


def test_cursor_not_where_the_evaluation_started_writes_nothing() -> None:
    assignment = monitored_device("S-2")
    PartitionCursor.objects.create(partition=1, last_seq=10)
    batch = _batch(assignment.device_id)
    with pytest.raises(store.CursorMoved):
        store.apply(
            partition=1,
            expected_cursor=4,
            new_cursor=12,
            batch=batch,
            result=_result(batch, assignment.pk),
            params=PARAMS,
        )
    assert not Position.objects.exists()
    assert PartitionCursor.objects.get(partition=1).last_seq == 10
    assert store.read_cursor(1) == 10
    assert store.read_cursor(2) == 0


def test_alerts_open_clear_and_reopen_in_event_order_once() -> None:
    assignment = monitored_device("S-3")
    zone = assignment.zones.get()
    version = zone.versions.get()
    t = T0.timestamp()
    opened = AlertChange(
        assignment.pk,
        assignment.device_id,
        Rule.INCLUSION_EXIT,
        "open",
        t,
        received=t + 2,
        zone_id=zone.pk,
        version_id=version.pk,
        lat=ALMATY[0],
        lon=ALMATY[1],
        details={"distance_m": 412.5},
    )
    cleared = AlertChange(assignment.pk, assignment.device_id, Rule.INCLUSION_EXIT, "close", t + 60)
    again = AlertChange(assignment.pk, assignment.device_id, Rule.INCLUSION_EXIT, "open", t + 120, received=t + 121)
    battery = AlertChange(assignment.pk, assignment.device_id, Rule.LOW_BATTERY, "open", t + 130)
    applied = store.apply(partition=0, changes=[opened, cleared, again, battery], params=PARAMS)
    assert len(applied.opened) == 3
    assert len(applied.cleared) == 1
    alerts = list(Alert.objects.filter(assignment=assignment).order_by("opened_at"))
    assert [(a.rule, a.cleared_at is None) for a in alerts] == [
        (Rule.INCLUSION_EXIT, False),
        (Rule.INCLUSION_EXIT, True),
        (Rule.LOW_BATTERY, True),
    ]
    first = alerts[0]
    assert first.severity == "high"
    assert first.case_id == assignment.case_id
    assert first.zone_version_id == version.pk
    assert first.opened_at == T0
    assert first.received_at == T0 + dt.timedelta(seconds=2)
    assert first.cleared_at == T0 + dt.timedelta(seconds=60)
    assert first.details == {"distance_m": 412.5}
    assert alerts[2].severity == "low"
    # The clock's changes do not move the cursor.
    assert store.read_cursor(0) == 0

    # An open alert opened again (a redelivery the engine did not know of) stays one alert.
    store.apply(partition=0, changes=[again], params=PARAMS)
    assert Alert.objects.filter(assignment=assignment, rule=Rule.INCLUSION_EXIT, cleared_at__isnull=True).count() == 1


def test_states_of_a_partition_load_back() -> None:
    a = monitored_device("S-4")
    b = monitored_device("S-5")
    t = T0.timestamp()
    store.apply(partition=None, states={a.device_id: _state(t), b.device_id: _state(t + 1)}, params=PARAMS)
    rows = dict(store.load_states(a.device_id % 16, 16))
    assert rows[a.device_id]["last_fix"] == t
    assert (b.device_id in rows) == (b.device_id % 16 == a.device_id % 16)


def test_fix_without_coordinates_is_not_a_position() -> None:
    assignment = monitored_device("S-6")
    batch = FixBatch.from_columns(
        {
            "device": [assignment.device_id] * 2,
            "t": [T0.timestamp(), T0.timestamp() + 1],
            "seq": [1, 2],
            "lat": [ALMATY[0], float("nan")],
            "lon": [ALMATY[1], float("nan")],
            "fix": [0, 1],
            "received": [T0.timestamp() + 2] * 2,
            "channel": [1, 1],
        }
    )
    store.apply(partition=0, expected_cursor=0, new_cursor=1, batch=batch, result=None, params=PARAMS)
    assert Position.objects.filter(device_id=assignment.device_id).count() == 1


def test_missing_values_are_stored_as_null_and_the_rest_exactly() -> None:
    assignment = monitored_device("S-7")
    # Missing values as the decoder leaves them (-1, NaN): stored as NULL; seq -1 stays (it is in the key).
    t = T0.timestamp() + 0.123456
    batch = FixBatch.from_columns(
        {
            "device": [assignment.device_id] * 2,
            "t": [t, t + 15],
            "seq": [-1, 2**40],
            "lat": [ALMATY[0], ALMATY[0] + 1e-6],
            "lon": [ALMATY[1], ALMATY[1]],
            "accuracy": [float("nan"), 7.5],
            "battery": [-1, 100],
            "speed": [float("nan"), 3.25],
            "course": [-1, 359],
            "strap": [-1, 2],
            "fix": [0, 2],
            "charging": [-1, 1],
            "received": [t + 1, t + 16],
            "channel": [1, 2],
        }
    )
    result = _result(batch, assignment.pk, late=1)
    applied = store.apply(partition=None, batch=batch, result=result, params=PARAMS)
    assert applied.positions == 2
    bare, full = Position.objects.filter(device_id=assignment.device_id).order_by("fix_time")
    assert (bare.seq, bare.accuracy_m, bare.battery, bare.speed, bare.course, bare.strap, bare.charging) == (
        -1,
        None,
        None,
        None,
        None,
        None,
        None,
    )
    assert bare.fix_time == dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=round(t * 1e6))
    assert bare.flags == FLAG_LATE and bare.assignment_id == assignment.pk
    assert (full.seq, full.lat, full.accuracy_m, full.battery, full.speed, full.course, full.strap) == (
        2**40,
        ALMATY[0] + 1e-6,
        7.5,
        100,
        3.25,
        359,
        2,
    )
    assert (full.fix, full.charging, full.channel, full.flags) == (2, True, 2, 0)


def test_many_alert_changes_at_once_open_and_clear_each_once() -> None:
    """A burst (say lost communication on every device after an outage): distinct (assignment, rule)
    pairs, written set-wise on PostgreSQL, with the same result as one by one."""
    assignments = [monitored_device(f"S-B{i}") for i in range(6)]
    t = T0.timestamp()
    opens = [
        AlertChange(a.pk, a.device_id, rule, "open", t + i, received=t + i + 0.5, details={"n": i})
        for i, a in enumerate(assignments)
        for rule in (Rule.LOST_COMMUNICATION, Rule.LOW_BATTERY)
    ]
    applied = store.apply(partition=0, changes=opens, params=PARAMS)
    assert len(applied.opened) == 12 and not applied.cleared
    first = Alert.objects.get(assignment=assignments[2], rule=Rule.LOW_BATTERY)
    assert first.opened_at == T0 + dt.timedelta(seconds=2)
    assert first.received_at == T0 + dt.timedelta(seconds=2.5)
    assert first.details == {"n": 2} and first.case_id == assignments[2].case_id and first.cleared_at is None
    assert first.severity == PARAMS.severity.get(Rule.LOW_BATTERY, "medium")
    # The same opens again change nothing; clears of half of them close exactly those.
    assert not store.apply(partition=0, changes=opens, params=PARAMS).opened
    clears = [AlertChange(a.pk, a.device_id, Rule.LOST_COMMUNICATION, "close", t + 100) for a in assignments]
    applied = store.apply(partition=0, changes=clears, params=PARAMS)
    assert sorted(applied.cleared) == sorted(
        Alert.objects.filter(rule=Rule.LOST_COMMUNICATION).values_list("id", flat=True)
    )
    assert Alert.objects.filter(cleared_at__isnull=True).count() == 6
    assert set(Alert.objects.filter(rule=Rule.LOST_COMMUNICATION).values_list("cleared_at", flat=True)) == {
        T0 + dt.timedelta(seconds=100)
    }


@pytest.mark.parametrize("count", [1, 6])
def test_a_cleared_alert_is_marked_changed_for_the_console(count: int) -> None:
    """The console's live stream follows ``changed_at``: clearing (one by one, or set-wise on
    PostgreSQL for a burst) moves it as opening and handling do."""
    assignments = [monitored_device(f"S-C{count}-{i}") for i in range(count)]
    t = T0.timestamp()
    opens = [AlertChange(a.pk, a.device_id, Rule.LOST_COMMUNICATION, "open", t) for a in assignments]
    store.apply(partition=0, changes=opens, params=PARAMS)
    long_ago = T0 - dt.timedelta(days=1)
    Alert.objects.update(changed_at=long_ago)
    clears = [AlertChange(a.pk, a.device_id, Rule.LOST_COMMUNICATION, "close", t + 100) for a in assignments]
    assert len(store.apply(partition=0, changes=clears, params=PARAMS).cleared) == count
    assert all(at > long_ago for at in Alert.objects.values_list("changed_at", flat=True))
