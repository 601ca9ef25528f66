"""The evaluator worker on the table log: entries appended → evaluated → positions, alerts and state
committed with the cursor → acknowledged; a restart neither forgets nor repeats an alert; a database
error is rolled back and the same entries are evaluated again; redelivered entries are skipped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import OperationalError

from openprobation.monitoring.catalogue import Rule
from openprobation.monitoring.models import Alert, ConfigRevision, DeviceState, PartitionCursor, Position, ZoneVersion
from openprobation.monitoring.pipeline import store
from openprobation.monitoring.pipeline.evaluator import Evaluator, parse_partitions, partitions_of_worker
from openprobation.monitoring.pipeline.log import Entry, OneByOne, partition_of
from openprobation.monitoring.pipeline.logs import get_log
from openprobation.monitoring.tests.pipeline_fixtures import ALMATY, T0, fixes_payload, monitored_device, north_of

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _trace(device_id: int, start_seq: int, metres: Sequence[float], t0: float) -> list[tuple[float, int, float, float]]:
    """Fixes every 15 s at the given distances north of the zone's centre."""
    return [(t0 + 15 * i, start_seq + i, north_of(ALMATY[0], m), ALMATY[1]) for i, m in enumerate(metres)]


def _append(log: Any, device_id: int, rows: list[tuple[float, int, float, float]], **extra: Any) -> None:
    received = rows[-1][0] + 1
    log.append(partition_of(device_id, log.partitions), [fixes_payload(device_id, rows, received=received, **extra)])


def _drain(evaluator: Evaluator, rounds: int = 5) -> int:
    return sum(evaluator.step() for _ in range(rounds))


def _evaluator(log: Any, clock: Clock) -> Evaluator:
    evaluator = Evaluator(
        log, range(log.partitions), fetch_wait_s=0.0, tick_s=5.0, clock=clock, config_poll_s=0.0, advisory_locks=False
    )
    evaluator.start()
    return evaluator


def test_entries_are_evaluated_stored_and_acknowledged_once() -> None:
    assignment = monitored_device("E-1")
    device = assignment.device_id
    log = get_log()
    clock = Clock(T0.timestamp() + 600)
    evaluator = _evaluator(log, clock)
    # Inside, then well outside the 300 m circle for a minute and a half.
    _append(log, device, _trace(device, 1, [0, 50, 100, 900, 950, 1000, 1000, 1000], T0.timestamp()))
    assert _drain(evaluator) == 1
    assert Position.objects.filter(device_id=device).count() == 8
    alert = Alert.objects.get(assignment=assignment)
    assert alert.rule == Rule.INCLUSION_EXIT
    assert alert.cleared_at is None
    assert alert.received_at is not None
    assert alert.case_id == assignment.case_id
    part = partition_of(device, log.partitions)
    assert PartitionCursor.objects.get(partition=part).last_seq > 0
    state = DeviceState.objects.get(device_id=device)
    assert state.last_fix_at == T0 + dt.timedelta(seconds=15 * 7)
    # Nothing left: a second pass applies nothing and raises nothing again.
    assert _drain(evaluator) == 0
    assert Alert.objects.filter(assignment=assignment).count() == 1
    evaluator.close()


def test_restart_continues_from_the_committed_state_without_repeating_an_alert() -> None:
    assignment = monitored_device("E-2")
    device = assignment.device_id
    log = get_log()
    clock = Clock(T0.timestamp() + 600)
    first = _evaluator(log, clock)
    _append(log, device, _trace(device, 1, [0, 900, 950, 1000, 1000], T0.timestamp()))
    _drain(first)
    first.close()
    assert Alert.objects.filter(assignment=assignment, cleared_at__isnull=True).count() == 1

    # A new worker (a restart): still outside → no second alert; back inside → the alert clears.
    second = _evaluator(log, clock)
    later = T0.timestamp() + 300
    _append(log, device, _trace(device, 10, [1000, 1100, 1000], later))
    _drain(second)
    assert Alert.objects.filter(assignment=assignment).count() == 1
    _append(log, device, _trace(device, 20, [0, 10, 20, 10, 0], later + 100))
    _drain(second)
    alert = Alert.objects.get(assignment=assignment)
    assert alert.cleared_at is not None
    assert Position.objects.filter(device_id=device).count() == 13
    second.close()


class _Replaying:
    """A consumer that hands out the same entries again (the worker died after commit, before ack)."""

    def __init__(self, partition: int, entries: list[Entry]) -> None:
        self.partition = partition
        self.entries = entries
        self.acked: list[int] = []

    def fetch(self, max_entries: int, timeout_s: float) -> list[Entry]:
        out, self.entries = self.entries[:max_entries], self.entries[max_entries:]
        return out

    def ack(self, entries: Sequence[Entry]) -> None:
        self.acked.extend(e.seq for e in entries)

    def close(self) -> None:
        pass


class _ReplayLog(OneByOne):
    def __init__(self, partitions: int, entries: dict[int, list[Entry]]) -> None:
        self.partitions = partitions
        self.entries = entries
        self.consumers: dict[int, _Replaying] = {}

    def append(self, partition: int, payloads: Sequence[bytes]) -> None:
        raise NotImplementedError

    def consumer(self, partition: int) -> _Replaying:
        self.consumers[partition] = _Replaying(partition, list(self.entries.get(partition, [])))
        return self.consumers[partition]

    def close(self) -> None:
        pass


def test_redelivered_entries_are_applied_again_without_doubling_anything() -> None:
    assignment = monitored_device("E-3")
    device = assignment.device_id
    partitions = 4
    part = partition_of(device, partitions)
    t = T0.timestamp()
    entries = [
        Entry(part, 1, fixes_payload(device, _trace(device, 1, [0, 900, 950, 1000], t), received=t + 61)),
        Entry(part, 2, fixes_payload(device, _trace(device, 5, [1000, 1000], t + 60), received=t + 76)),
    ]
    clock = Clock(t + 100)
    first = Evaluator(
        _ReplayLog(partitions, {part: entries}), [part], fetch_wait_s=0, clock=clock, advisory_locks=False
    )
    first.start()
    _drain(first)
    first.close()
    assert Alert.objects.filter(assignment=assignment).count() == 1
    # The acknowledgement never reached the log: everything comes again to a new worker.
    replay = _ReplayLog(partitions, {part: entries})
    second = Evaluator(replay, [part], fetch_wait_s=0, clock=clock, advisory_locks=False)
    second.start()
    _drain(second)
    second.close()
    assert replay.consumers[part].acked == [1, 2]
    assert second.counters.replayed == 2
    assert Alert.objects.filter(assignment=assignment).count() == 1
    assert Position.objects.filter(device_id=device).count() == 6


def test_a_database_error_rolls_back_and_the_same_entries_are_evaluated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    assignment = monitored_device("E-4")
    device = assignment.device_id
    log = get_log()
    clock = Clock(T0.timestamp() + 600)
    evaluator = _evaluator(log, clock)
    real_apply = store.apply
    calls = {"n": 0}

    def failing_once(**kwargs: Any) -> store.Applied:
        calls["n"] += 1
        if calls["n"] == 1:
            real_apply(**kwargs)  # written, then the commit "fails": nothing may remain
            raise OperationalError("server closed the connection unexpectedly")
        return real_apply(**kwargs)

    def rolled_back(**kwargs: Any) -> store.Applied:
        from django.db import transaction  # noqa: PLC0415

        with transaction.atomic():
            return failing_once(**kwargs)

    monkeypatch.setattr(store, "apply", rolled_back)
    _append(log, device, _trace(device, 1, [0, 900, 950, 1000, 1000], T0.timestamp()))
    with pytest.raises(OperationalError):
        evaluator.step()
    assert not Alert.objects.exists()
    assert not Position.objects.exists()
    evaluator._backoff = 0.0
    monkeypatch.setattr(evaluator, "_stop", type(evaluator._stop)())
    evaluator._recover(OperationalError("gone"))
    _drain(evaluator)
    assert Alert.objects.filter(assignment=assignment).count() == 1
    assert Position.objects.filter(device_id=device).count() == 5
    assert evaluator.counters.failures == 1
    evaluator.close()


def test_a_failure_in_one_partition_leaves_nothing_of_the_round_and_all_are_evaluated_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every partition's batch goes in the round's one transaction: when a later partition's write
    fails, the earlier one's is rolled back too, nothing is acknowledged, and both engines are
    rebuilt and evaluate their entries again (no alert lost, none doubled)."""
    log = get_log()
    first, second = monitored_device("E-5"), monitored_device("E-6")
    while partition_of(second.device_id, log.partitions) == partition_of(first.device_id, log.partitions):
        second = monitored_device(f"E-6-{second.pk}")
    clock = Clock(T0.timestamp() + 600)
    evaluator = _evaluator(log, clock)
    for a in (first, second):
        _append(log, a.device_id, _trace(a.device_id, 1, [0, 900, 950, 1000, 1000], T0.timestamp()))
    real_apply = store.apply
    calls: list[int | None] = []
    acked: list[int] = []
    real_ack = evaluator._ack

    def recording_ack(done: Any) -> None:
        acked.extend(len(d.entries) for d in done)
        real_ack(done)

    monkeypatch.setattr(evaluator, "_ack", recording_ack)

    def failing_second(**kwargs: Any) -> store.Applied:
        calls.append(kwargs.get("partition"))
        applied = real_apply(**kwargs)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return applied

    monkeypatch.setattr(store, "apply", failing_second)
    with pytest.raises(OperationalError):
        evaluator.step()
    assert len(calls) == 2 and calls[0] != calls[1]
    assert not Position.objects.exists() and not Alert.objects.exists() and not acked
    assert all(part.engine is None or not part.pending for part in evaluator._parts.values())
    monkeypatch.setattr(store, "apply", real_apply)
    _drain(evaluator)
    assert Position.objects.count() == 10
    assert Alert.objects.filter(assignment__in=[first, second]).count() == 2
    assert sum(acked) == 2
    evaluator.close()


def test_the_clock_raises_lost_communication_without_a_message() -> None:
    assignment = monitored_device("E-5")
    device = assignment.device_id
    log = get_log()
    t = T0.timestamp()
    clock = Clock(t + 20)
    evaluator = _evaluator(log, clock)
    _append(log, device, _trace(device, 1, [0], t))
    _drain(evaluator)
    assert not Alert.objects.exists()
    clock.now = t + 3600  # an hour of silence
    evaluator.step()
    alert = Alert.objects.get(assignment=assignment, rule=Rule.LOST_COMMUNICATION)
    assert alert.received_at is None
    assert alert.cleared_at is None
    evaluator.close()


def test_a_changed_zone_is_picked_up_without_a_restart() -> None:
    assignment = monitored_device("E-6", zone_radius_m=300.0)
    device = assignment.device_id
    log = get_log()
    clock = Clock(T0.timestamp() + 600)
    evaluator = _evaluator(log, clock)
    version = ZoneVersion.objects.get(zone__assignment=assignment)
    # The zone grows to 5 km from an hour before the fixes (a new version, a revision): 1 km north is
    # inside now.
    changed_at = T0 - dt.timedelta(hours=1)
    ZoneVersion.objects.filter(pk=version.pk).update(valid_to=changed_at)
    ZoneVersion.objects.create(
        zone=version.zone,
        number=2,
        geometry=version.geometry,
        radius_m=5000.0,
        valid_from=changed_at,
        changed_by=version.changed_by,
    )
    ConfigRevision.objects.create(assignment=assignment)
    _append(log, device, _trace(device, 1, [0, 1000, 1000, 1000, 1000], T0.timestamp()))
    _drain(evaluator)
    assert list(Alert.objects.values_list("rule", flat=True)) == []
    evaluator.close()


def test_partition_ownership() -> None:
    assert partitions_of_worker(1, 4, 16) == [1, 5, 9, 13]
    assert parse_partitions("0-3,7", 16) == [0, 1, 2, 3, 7]
    for bad in ("9-2", "16", "", "x"):
        with pytest.raises(ValueError):
            parse_partitions(bad, 16)
    with pytest.raises(ValueError):
        partitions_of_worker(4, 4, 16)


@pytest.mark.postgres
def test_a_second_worker_for_a_partition_waits_for_the_first() -> None:
    from django.db import connection  # noqa: PLC0415

    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    log = get_log()
    first = Evaluator(log, [0, 1], clock=Clock(T0.timestamp()))
    first.start()
    second = Evaluator(log, [1], clock=Clock(T0.timestamp()))
    waited = {"rounds": 0}

    def give_up(_seconds: float) -> None:
        waited["rounds"] += 1
        second.stop()

    import openprobation.monitoring.pipeline.evaluator as module  # noqa: PLC0415

    original = module.time.sleep
    module.time.sleep = give_up  # type: ignore[assignment]
    try:
        second._take_locks()
    finally:
        module.time.sleep = original
    assert waited["rounds"] == 1
    second.close()
    first.close()
    # Once the first has stopped, the partition is free.
    third = Evaluator(log, [1], clock=Clock(T0.timestamp()))
    third._take_locks()
    assert third._lock_conn is not None
    third.close()
