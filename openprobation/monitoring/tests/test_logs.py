"""The SQL log: append, consume in order per partition, redelivery, prune."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from openprobation.monitoring.models import LogEntry, PartitionCursor
from openprobation.monitoring.pipeline.log import partition_of
from openprobation.monitoring.pipeline.logs import close_log, get_log
from openprobation.monitoring.pipeline.sqllog import SqlLog

pytestmark = pytest.mark.django_db


def test_partitions_keep_their_own_order():
    log = SqlLog(4)
    log.append(1, [b"a", b"b"])
    log.append(2, [b"x"])
    log.append(1, [b"c"])
    one = log.consumer(1)
    entries = one.fetch(10, 0)
    assert [e.payload for e in entries] == [b"a", b"b", b"c"]
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert [e.payload for e in log.consumer(2).fetch(10, 0)] == [b"x"]
    assert log.consumer(3).fetch(10, 0) == []


def test_fetch_hands_out_each_entry_once_and_respects_max():
    log = SqlLog(2)
    log.append(0, [b"1", b"2", b"3"])
    consumer = log.consumer(0)
    assert [e.payload for e in consumer.fetch(2, 0)] == [b"1", b"2"]
    assert [e.payload for e in consumer.fetch(2, 0)] == [b"3"]
    assert consumer.fetch(2, 0) == []


def test_a_consumer_starts_after_the_committed_cursor():
    log = SqlLog(2)
    log.append(0, [b"1", b"2", b"3"])
    first = log.consumer(0).fetch(1, 0)[0]
    PartitionCursor.objects.create(partition=0, last_seq=first.seq)  # what the evaluator commits
    assert [e.payload for e in log.consumer(0).fetch(10, 0)] == [b"2", b"3"]


def test_unacknowledged_entries_are_handed_out_again_after_the_ack_wait():
    log = SqlLog(2)
    log.append(0, [b"1", b"2"])
    consumer = log.consumer(0)
    consumer.ack_wait_s = 0.0
    entries = consumer.fetch(1, 0)
    consumer.ack(entries)
    assert [e.payload for e in consumer.fetch(10, 0)] == [b"2"]  # handed out, never acknowledged
    time.sleep(0.01)
    assert [e.payload for e in consumer.fetch(10, 0)] == [b"2"]


def test_a_committed_append_wakes_a_waiting_consumer(django_capture_on_commit_callbacks):
    log = SqlLog(2)
    generation = log.generation
    thread = threading.Thread(target=log.wait, args=(generation, 60.0))
    thread.start()
    with django_capture_on_commit_callbacks(execute=True):
        log.append(0, [b"now"])
    thread.join(30)
    assert not thread.is_alive()  # woken by the commit, long before its 60 s
    assert log.generation == generation + 1


def test_fetch_many_asks_each_partition_and_acknowledges_each_consumer():
    log = SqlLog(partitions=4)
    log.append(1, [b"one"])
    log.append(3, [b"three-a", b"three-b"])
    consumers = [log.consumer(p) for p in range(4)]
    fetched = log.fetch_many(consumers, 10, 0.05)
    assert [[e.payload for e in group] for group in fetched] == [[], [b"one"], [], [b"three-a", b"three-b"]]
    log.ack_many(consumers, fetched)
    assert log.fetch_many(consumers, 10, 0.0) == [[], [], [], []]


def test_append_many_spans_partitions_in_one_block_and_refuses_a_wrong_partition():
    log = SqlLog(partitions=4)
    log.append_many([(2, b"a"), (0, b"b"), (2, b"c")])
    assert [e.payload for e in log.consumer(2).fetch(10, 0.0)] == [b"a", b"c"]
    assert [e.payload for e in log.consumer(0).fetch(10, 0.0)] == [b"b"]
    with pytest.raises(ValueError, match="partition 4"):
        log.append_many([(1, b"kept?"), (4, b"bad")])
    assert log.consumer(1).fetch(10, 0.0) == []  # nothing of a refused call is appended


def test_an_empty_append_is_nothing_and_a_wrong_partition_is_an_error():
    log = SqlLog(2)
    log.append(0, [])
    assert not LogEntry.objects.exists()
    with pytest.raises(ValueError, match="partition"):
        log.append(2, [b"x"])


def test_prune_deletes_only_old_applied_entries():
    log = SqlLog(2)
    log.append(0, [b"1", b"2", b"3"])
    log.append(1, [b"9"])
    ids = list(LogEntry.objects.filter(partition=0).order_by("id").values_list("id", flat=True))
    LogEntry.objects.update(appended_at=timezone.now() - dt.timedelta(days=40))
    PartitionCursor.objects.create(partition=0, last_seq=ids[1])
    assert log.prune(timezone.now() - dt.timedelta(days=30)) == 2
    assert list(LogEntry.objects.order_by("id").values_list("payload", flat=True)) == [b"3", b"9"]


def test_get_log_is_one_per_process_and_sql_without_nats():
    close_log()
    with override_settings(EM_NATS_URL=""):
        assert get_log() is get_log()
        assert isinstance(get_log(), SqlLog)
    close_log()


def test_partition_of_is_stable():
    assert {partition_of(d, 16) for d in (5, 21, 37)} == {5}
