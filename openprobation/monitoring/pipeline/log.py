"""The durable log between receivers and evaluators.

Receivers append a batch of validated messages (one entry, ``messages.encode``) to the partition of
its device (``partition_of``) and answer the device only once the append is durable. Evaluators
consume partitions, each in order, and acknowledge an entry only after the transaction that applied
it (and moved the partition's cursor, ``PartitionCursor``) has committed — at least once, applied
once.

Two implementations with one contract: ``SqlLog`` (a table in the application's own database: the
embedded default, and PostgreSQL without NATS) and ``NatsLog`` (NATS JetStream: production, one
subject per partition). ``get_log()`` picks by the settings (``EM_NATS_URL``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Entry:
    """One log entry: its partition, its sequence in the log (strictly increasing within a
    partition), the payload, and what the implementation needs to acknowledge it."""

    partition: int
    seq: int
    payload: bytes
    token: Any = None


class Consumer(Protocol):
    """Reads one partition in order, from the first entry not yet acknowledged."""

    partition: int

    def fetch(self, max_entries: int, timeout_s: float) -> list[Entry]:
        """Up to ``max_entries`` entries, waiting at most ``timeout_s`` for the first; [] if none."""
        ...

    def ack(self, entries: Sequence[Entry]) -> None:
        """Acknowledge entries (after their transaction committed); they are not delivered again."""
        ...

    def close(self) -> None: ...


class Log(Protocol):
    partitions: int

    def append(self, partition: int, payloads: Sequence[bytes]) -> None:
        """Append entries to a partition; durable when this returns (raises otherwise)."""
        ...

    def append_many(self, entries: Sequence[tuple[int, bytes]]) -> None:
        """Append ``(partition, payload)`` entries of several partitions; durable when this returns
        (at once where the log can: a receiver's batch spans many partitions)."""
        ...

    def consumer(self, partition: int) -> Consumer: ...

    def fetch_many(self, consumers: Sequence[Any], max_entries: int, timeout_s: float) -> list[list[Entry]]:
        """Fetch from several of its consumers, waiting at most about ``timeout_s`` in all (an
        evaluator owns many partitions: one wait per round, not one per partition)."""
        ...

    def ack_many(self, consumers: Sequence[Any], entries: Sequence[Sequence[Entry]]) -> None:
        """Acknowledge each consumer's entries (``entries[i]`` of ``consumers[i]``), at once where it can."""
        ...

    def close(self) -> None: ...


class OneByOne:
    """``append_many``, ``fetch_many`` and ``ack_many`` one partition at a time, for a log that has
    no faster way: each consumer waits its share of the time until one had entries, none after that."""

    def append_many(self, entries: Sequence[tuple[int, bytes]]) -> None:
        for partition, payload in entries:
            self.append(partition, [payload])  # type: ignore[attr-defined]

    def fetch_many(self, consumers: Sequence[Consumer], max_entries: int, timeout_s: float) -> list[list[Entry]]:
        out: list[list[Entry]] = []
        busy = False
        for consumer in consumers:
            entries = consumer.fetch(max_entries, 0.0 if busy else timeout_s / max(1, len(consumers)))
            busy = busy or bool(entries)
            out.append(entries)
        return out

    def ack_many(self, consumers: Sequence[Consumer], entries: Sequence[Sequence[Entry]]) -> None:
        for consumer, group in zip(consumers, entries, strict=True):
            if group:
                consumer.ack(group)


def partition_of(device_id: int, partitions: int) -> int:
    """The partition of a device: every message of a device goes to one partition, so its order holds."""
    return int(device_id) % partitions
