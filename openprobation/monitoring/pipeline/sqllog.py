"""The log as a table of the application's database (``LogEntry``): the embedded default on SQLite,
and PostgreSQL without NATS.

- ``append`` inserts the entries in one atomic block (inside a request that is not itself atomic it
  commits before returning; inside an outer transaction it is durable with that transaction).
- A consumer starts after the partition's committed cursor (``PartitionCursor.last_seq``, moved by the
  evaluator in the transaction that applied the entries) and remembers in memory what it has handed
  out: ``fetch`` returns entries after that, ``ack`` records how far the caller got. Entries handed out
  and not acknowledged within ``ack_wait_s`` are handed out again (as JetStream redelivers), starting
  after the later of the acknowledged position and the committed cursor.
- ``fetch`` wakes at once on an append made in the same process (a condition variable notified
  after the commit) and otherwise polls the table every ``poll_s``.
- ``prune(older_than)`` deletes entries older than the retention and already applied (at or below
  their partition's cursor).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence

from django.db import transaction

from openprobation.monitoring.models import LogEntry, PartitionCursor
from openprobation.monitoring.pipeline.log import Entry, OneByOne


class SqlConsumer:
    def __init__(self, log: SqlLog, partition: int, *, ack_wait_s: float = 30.0, poll_s: float = 0.02):
        self.log = log
        self.partition = partition
        self.ack_wait_s = ack_wait_s
        self.poll_s = poll_s
        self._acked = self._committed()
        self._handed = self._acked
        self._handed_at = 0.0
        self._closed = False

    def _committed(self) -> int:
        cursor = PartitionCursor.objects.filter(partition=self.partition).values_list("last_seq", flat=True).first()
        return int(cursor or 0)

    def _read(self, max_entries: int) -> list[Entry]:
        if self._handed > self._acked and time.monotonic() - self._handed_at > self.ack_wait_s:
            self._handed = max(self._acked, self._committed())  # redeliver what was never acknowledged
        rows = (
            LogEntry.objects.filter(partition=self.partition, id__gt=self._handed)
            .order_by("id")
            .values_list("id", "payload")[:max_entries]
        )
        return [Entry(self.partition, int(pk), bytes(payload)) for pk, payload in rows]

    def fetch(self, max_entries: int, timeout_s: float) -> list[Entry]:
        deadline = time.monotonic() + max(0.0, timeout_s)
        while not self._closed:
            generation = self.log.generation
            entries = self._read(max_entries)
            if entries:
                self._handed = entries[-1].seq
                self._handed_at = time.monotonic()
                return entries
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self.log.wait(generation, min(self.poll_s, left))
        return []

    def ack(self, entries: Sequence[Entry]) -> None:
        if entries:
            self._acked = max(self._acked, *(e.seq for e in entries))

    def close(self) -> None:
        self._closed = True


class SqlLog(OneByOne):
    def __init__(self, partitions: int):
        self.partitions = partitions
        self._changed = threading.Condition()
        self.generation = 0

    def _notify(self) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()

    def wait(self, generation: int, timeout_s: float) -> None:
        """Until an append after ``generation`` committed in this process, or ``timeout_s``."""
        with self._changed:
            if self.generation == generation:
                self._changed.wait(timeout_s)

    def append(self, partition: int, payloads: Sequence[bytes]) -> None:
        if not 0 <= partition < self.partitions:
            raise ValueError(f"partition {partition} out of 0..{self.partitions - 1}")
        if not payloads:
            return
        with transaction.atomic():
            LogEntry.objects.bulk_create([LogEntry(partition=partition, payload=p) for p in payloads])
            transaction.on_commit(self._notify)

    def append_many(self, entries: Sequence[tuple[int, bytes]]) -> None:
        """All entries in one atomic block (as ``append``)."""
        for partition, _payload in entries:
            if not 0 <= partition < self.partitions:
                raise ValueError(f"partition {partition} out of 0..{self.partitions - 1}")
        if not entries:
            return
        with transaction.atomic():
            LogEntry.objects.bulk_create([LogEntry(partition=p, payload=payload) for p, payload in entries])
            transaction.on_commit(self._notify)

    def consumer(self, partition: int) -> SqlConsumer:
        return SqlConsumer(self, partition)

    def prune(self, older_than: dt.datetime) -> int:
        """Delete applied entries appended before ``older_than``; returns how many."""
        deleted = 0
        cursors = dict(PartitionCursor.objects.values_list("partition", "last_seq"))
        for partition, last_seq in cursors.items():
            count, _kinds = LogEntry.objects.filter(
                partition=partition, id__lte=last_seq, appended_at__lt=older_than
            ).delete()
            deleted += count
        return deleted

    def close(self) -> None:
        self._notify()
