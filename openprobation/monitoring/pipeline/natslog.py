"""The log on NATS JetStream (production): one stream, one subject per partition
(``<stream>.in.<partition>``), file storage, raw payloads kept ``EM_RAW_RETENTION_DAYS`` (the stream's
``max_age``). The stream is created, or its configuration updated, when the log opens.

nats-py is asyncio; the log runs one event loop in a daemon thread and offers the synchronous
contract of ``pipeline.log`` (receivers and evaluators are threads). The client reconnects by itself
(unbounded attempts) when NATS restarts; a call made while it is down waits for its timeout and raises,
so a receiver answers an error and the device sends again.

- ``append`` publishes every payload concurrently and returns once JetStream acknowledged all of
  them (stored on disk): durable.
- A consumer is the durable pull consumer ``eval-<partition>`` filtered on the partition's subject
  (deliver all, explicit acks, ack wait 30 s, up to 100,000 unacknowledged): every evaluator of the
  partition shares it, and what an evaluator fetched but never acknowledged (it died) is delivered
  again after the ack wait. ``Entry.seq`` is the stream sequence (increasing within a partition);
  ``ack`` acknowledges each entry and flushes.
- ``fetch_many`` pulls from every partition an evaluator owns concurrently (one wait for all), and
  ``NatsLog.ack`` acknowledges the entries of several partitions with one flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.js import api

from openprobation.monitoring.pipeline.log import Entry

T = TypeVar("T")
ACK_WAIT_S = 30.0
MAX_ACK_PENDING = 100_000
CALL_TIMEOUT_S = 10.0
MIN_FETCH_WAIT_S = 0.05  # a pull waits at least this long for its first entry


class NatsConsumer:
    def __init__(self, log: NatsLog, partition: int, subscription: Any):
        self.log = log
        self.partition = partition
        self._sub = subscription

    async def fetch_async(self, max_entries: int, timeout_s: float) -> list[Entry]:
        try:
            msgs = await self._sub.fetch(max(1, max_entries), timeout=max(MIN_FETCH_WAIT_S, timeout_s))
        except (TimeoutError, nats.errors.TimeoutError):
            return []
        return [Entry(self.partition, int(m.metadata.sequence.stream), bytes(m.data), m) for m in msgs]

    def fetch(self, max_entries: int, timeout_s: float) -> list[Entry]:
        return self.log.call(self.fetch_async(max_entries, timeout_s), timeout_s + CALL_TIMEOUT_S)

    def ack(self, entries: Sequence[Entry]) -> None:
        self.log.ack(entries)

    def close(self) -> None:
        async def run() -> None:
            await self._sub.unsubscribe()

        with contextlib.suppress(Exception):  # closing after the connection went away
            self.log.call(run())


class NatsLog:
    def __init__(self, url: str, *, stream: str, partitions: int, retention_days: int):
        self.url = url
        self.stream = stream
        self.partitions = partitions
        self.retention_days = retention_days
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"nats-log-{stream}", daemon=True)
        self._thread.start()
        self.nc: Any = None
        self.js: Any = None
        try:
            self.call(self._open())
        except BaseException:
            self._stop()
            raise

    def call(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = CALL_TIMEOUT_S) -> T:
        """Run a coroutine on the log's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    def subject(self, partition: int) -> str:
        return f"{self.stream}.in.{partition}"

    async def _open(self) -> None:
        self.nc = await nats.connect(
            self.url, max_reconnect_attempts=-1, reconnect_time_wait=0.5, connect_timeout=5, allow_reconnect=True
        )
        self.js = self.nc.jetstream(timeout=CALL_TIMEOUT_S)
        config = api.StreamConfig(
            name=self.stream,
            subjects=[f"{self.stream}.in.*"],
            storage=api.StorageType.FILE,
            retention=api.RetentionPolicy.LIMITS,
            max_age=float(self.retention_days * 86400),
            discard=api.DiscardPolicy.OLD,
        )
        try:
            await self.js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await self.js.add_stream(config)
        else:
            await self.js.update_stream(config)

    def append(self, partition: int, payloads: Sequence[bytes]) -> None:
        if not 0 <= partition < self.partitions:
            raise ValueError(f"partition {partition} out of 0..{self.partitions - 1}")
        if not payloads:
            return
        subject = self.subject(partition)

        async def run() -> None:
            await asyncio.gather(*(self.js.publish(subject, p, stream=self.stream) for p in payloads))

        self.call(run(), CALL_TIMEOUT_S + 1)

    def append_many(self, entries: Sequence[tuple[int, bytes]]) -> None:
        """Publish entries of several partitions concurrently: one round trip, durable on return."""
        for partition, _payload in entries:
            if not 0 <= partition < self.partitions:
                raise ValueError(f"partition {partition} out of 0..{self.partitions - 1}")
        if not entries:
            return

        async def run() -> None:
            await asyncio.gather(*(self.js.publish(self.subject(p), data, stream=self.stream) for p, data in entries))

        self.call(run(), CALL_TIMEOUT_S + 1)

    def consumer(self, partition: int) -> NatsConsumer:
        durable = f"eval-{partition}"
        config = api.ConsumerConfig(
            durable_name=durable,
            deliver_policy=api.DeliverPolicy.ALL,
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=ACK_WAIT_S,
            max_ack_pending=MAX_ACK_PENDING,
            filter_subject=self.subject(partition),
        )

        async def run() -> Any:
            return await self.js.pull_subscribe(
                self.subject(partition), durable=durable, stream=self.stream, config=config
            )

        return NatsConsumer(self, partition, self.call(run()))

    def fetch_many(self, consumers: Sequence[NatsConsumer], max_entries: int, timeout_s: float) -> list[list[Entry]]:
        """Fetch from several partitions at once: one wait for all of them, not one each."""

        async def run() -> list[list[Entry]]:
            return list(await asyncio.gather(*(c.fetch_async(max_entries, timeout_s) for c in consumers)))

        return self.call(run(), timeout_s + CALL_TIMEOUT_S)

    def ack_many(self, consumers: Sequence[NatsConsumer], entries: Sequence[Sequence[Entry]]) -> None:
        """Acknowledge the entries of several partitions with one flush."""
        self.ack([e for group in entries for e in group])

    def ack(self, entries: Sequence[Entry]) -> None:
        """Acknowledge entries (of any partitions) and flush."""
        if not entries:
            return

        async def run() -> None:
            for entry in entries:
                await entry.token.ack()
            await self.nc.flush()

        self.call(run())

    def delete_stream(self) -> None:
        """Delete the stream and everything in it (tests)."""

        async def run() -> None:
            await self.js.delete_stream(self.stream)

        self.call(run())

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def close(self) -> None:
        if self.nc is not None:

            async def run() -> None:
                await self.nc.close()

            with contextlib.suppress(Exception):  # closing a connection that already went away
                self.call(run())
        self._stop()
