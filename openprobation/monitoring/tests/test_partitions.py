"""Positions by day on PostgreSQL (created ahead, strays moved out of the default partition, expired
days dropped, the track query pruned to its days and served by the primary key) and retention on
SQLite; raw payloads pruned only once applied."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from openprobation.monitoring import partitions
from openprobation.monitoring.catalogue import Channel
from openprobation.monitoring.engine.types import FixBatch, Params
from openprobation.monitoring.models import LogEntry, PartitionCursor, Position
from openprobation.monitoring.pipeline import store

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


def _positions(device: int, times: list[dt.datetime]) -> None:
    epoch = [t.timestamp() for t in times]
    batch = FixBatch.from_columns(
        {
            "device": [device] * len(times),
            "t": epoch,
            "seq": list(range(1, len(times) + 1)),
            "lat": [43.2] * len(times),
            "lon": [76.9] * len(times),
            "received": epoch,
            "channel": [Channel.HTTP] * len(times),
        }
    )
    store.apply(partition=None, batch=batch, params=Params())


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("day partitions are PostgreSQL's")


@pytest.mark.postgres
def test_days_created_ahead_idempotently_and_strays_moved_out_of_the_default() -> None:
    _postgres()
    # A fix of a day with no partition yet lands in the default partition …
    _positions(7, [_at(TODAY + dt.timedelta(days=2))])
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM monitoring_position_default")
        assert cur.fetchone()[0] == 1
    created = partitions.ensure_partitions(days_ahead=3, days_back=1, today=TODAY)
    assert created == [partitions.partition_name(TODAY + dt.timedelta(days=d)) for d in range(-1, 4)]
    assert partitions.ensure_partitions(days_ahead=3, days_back=1, today=TODAY) == []
    # … and moves into its day when the day is made: nothing lost, the default empty.
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM monitoring_position_default")
        assert cur.fetchone()[0] == 0
        cur.execute(f"SELECT count(*) FROM {partitions.partition_name(TODAY + dt.timedelta(days=2))}")  # noqa: S608
        assert cur.fetchone()[0] == 1
    assert Position.objects.filter(device_id=7).count() == 1


@pytest.mark.postgres
def test_expired_days_are_dropped() -> None:
    _postgres()
    partitions.ensure_partitions(days_ahead=0, days_back=5, today=TODAY)
    _positions(8, [_at(TODAY - dt.timedelta(days=d)) for d in range(6)])
    _positions(9, [_at(TODAY - dt.timedelta(days=30))])  # far back: in the default partition
    dropped = partitions.drop_expired(3, today=TODAY)
    assert dropped == 2  # days -5 and -4: three days back is the first day kept
    kept = sorted(p.fix_time.date() for p in Position.objects.filter(device_id__in=[8, 9]))
    assert kept == [TODAY - dt.timedelta(days=d) for d in (3, 2, 1, 0)]
    assert partitions.partition_name(TODAY - dt.timedelta(days=4)) not in partitions.existing_partitions()


@pytest.mark.postgres
def test_a_track_query_reads_only_its_days_through_the_primary_key() -> None:
    _postgres()
    partitions.ensure_partitions(days_ahead=1, days_back=6, today=TODAY)
    with connection.cursor() as cur:
        cur.execute("ANALYZE monitoring_position")
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(
            "EXPLAIN SELECT * FROM monitoring_position WHERE device_id = %s AND fix_time BETWEEN %s AND %s",
            [7, _at(TODAY - dt.timedelta(days=1), 6), _at(TODAY, 18)],
        )
        plan = "\n".join(r[0] for r in cur.fetchall())
    # Pruned to the two days asked for (no other day, not the default partition) …
    assert partitions.partition_name(TODAY) in plan
    assert partitions.partition_name(TODAY - dt.timedelta(days=1)) in plan
    assert partitions.partition_name(TODAY - dt.timedelta(days=2)) not in plan
    assert "monitoring_position_default" not in plan
    # … each read through its primary-key index.
    assert "Index" in plan and "_pkey" in plan


def test_sqlite_or_not_old_positions_go_after_the_retention() -> None:
    if connection.vendor == "postgresql":
        partitions.ensure_partitions(days_ahead=0, days_back=0, today=TODAY)
    _positions(10, [_at(TODAY), _at(TODAY - dt.timedelta(days=500))])
    partitions.drop_expired(400, today=TODAY)
    assert [p.fix_time.date() for p in Position.objects.filter(device_id=10)] == [TODAY]


def test_raw_payloads_pruned_only_once_applied() -> None:
    old = timezone.now() - dt.timedelta(days=40)
    applied = LogEntry.objects.create(partition=0, payload=b"{}")
    waiting = LogEntry.objects.create(partition=0, payload=b"{}")
    LogEntry.objects.filter(pk__in=[applied.pk, waiting.pk]).update(appended_at=old)
    PartitionCursor.objects.create(partition=0, last_seq=applied.pk)
    assert partitions.prune_raw(30) == {"log_entries": 1, "rejected": 0}
    assert list(LogEntry.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert partitions.ensure_partitions() == [] or connection.vendor == "postgresql"
