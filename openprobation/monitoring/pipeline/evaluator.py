"""The evaluator worker: consumes log partitions, evaluates, stores, and acknowledges after commit.

For each partition it owns the worker keeps a consumer, a rules engine loaded with the assignments
of the partition's devices and their committed state, and the partition's cursor. One step of a
partition: fetch up to ``max_entries`` entries, decode, evaluate, then write positions, alert changes,
device state and the new cursor (``store.apply``), and only then acknowledge. A round fetches from
all its partitions at once (``Log.fetch_many``: on NATS concurrent pulls, one wait for all), writes
every partition's batch in ONE transaction (a savepoint each: one commit, one flush to disk per
round), and acknowledges once it committed, with one flush (``Log.ack_many``). If that transaction
fails, every partition written in it is rebuilt from the database and evaluated again.
Entries delivered again (at or below the cursor: a crash between commit and acknowledgement, or a
JetStream redelivery behind newer entries) are applied again, idempotently, never replayed.

On a database error nothing is acknowledged: the worker rolls back, waits (backing off while
PostgreSQL restarts), reloads the partition's engine state from the database — the engine in memory
may be ahead of what committed — and evaluates the same entries again. Every ``tick_s`` the clock
rules (lost communication, no fix) run and their alert changes are stored the same way. Changes to
assignments (``ConfigRevision``) are polled at most every ``config_poll_s`` and just those
assignments are recompiled.

A device's messages are in one partition, consumed by one worker, so its order holds. On
PostgreSQL the worker also holds a session advisory lock per partition (on its own connection): a
second worker started for the same partition waits until the first stops. The cursor row lock
makes a double application impossible even without it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection, transaction

from openprobation.monitoring.engine import warm_up
from openprobation.monitoring.engine.types import AlertChange, Params
from openprobation.monitoring.models import ConfigRevision
from openprobation.monitoring.pipeline import store
from openprobation.monitoring.pipeline.log import Consumer, Entry, Log
from openprobation.monitoring.pipeline.messages import decode

log = logging.getLogger("openprobation.monitoring.evaluator")

ADVISORY_LOCK_CLASS = 0x454D  # "EM": pg_advisory_lock(class, partition)


def _engine_factory(params: Params, specs: list[Any]) -> Any:
    from openprobation.monitoring.engine import Engine  # noqa: PLC0415 - the engine lands beside the worker

    return Engine(params, specs)


def _specs(*, ids: Sequence[int] | None = None, device_partition: tuple[int, int] | None = None) -> list[Any]:
    from openprobation.monitoring.specs import assignment_specs  # noqa: PLC0415

    return list(assignment_specs(ids=ids, device_partition=device_partition))


def _params(on: dt.date) -> Params:
    from openprobation.monitoring.specs import engine_params  # noqa: PLC0415

    return engine_params(on)


@dataclass
class Counters:
    entries: int = 0
    fixes: int = 0
    opened: int = 0
    cleared: int = 0
    replayed: int = 0
    failures: int = 0
    started: float = field(default_factory=time.monotonic)


@dataclass
class _Partition:
    number: int
    consumer: Consumer
    engine: Any
    cursor: int
    assignments: set[int] = field(default_factory=set)
    pending: list[Entry] = field(default_factory=list)
    last_tick: float = 0.0


@dataclass
class _Done:
    """A partition's batch written in the round's transaction: acknowledged once that commits."""

    part: _Partition
    entries: list[Entry]
    cursor: int
    fixes: int
    opened: int
    cleared: int


class Evaluator:
    """Evaluates the given partitions of ``log``. ``run()`` loops until ``stop()``; ``step()`` does one
    round over all the partitions (tests drive it directly). ``clock`` gives "now" in epoch seconds."""

    def __init__(
        self,
        log: Log,
        partitions: Sequence[int],
        *,
        max_entries: int = 2000,
        fetch_wait_s: float = 0.1,
        tick_s: float = 5.0,
        config_poll_s: float = 1.0,
        report_s: float = 30.0,
        clock: Callable[[], float] = time.time,
        advisory_locks: bool = True,
    ) -> None:
        self.log = log
        self.numbers = sorted({int(p) for p in partitions})
        self.partition_count = int(log.partitions)
        self.max_entries = max_entries
        self.fetch_wait_s = fetch_wait_s
        self.tick_s = tick_s
        self.config_poll_s = config_poll_s
        self.report_s = report_s
        self.clock = clock
        self.advisory_locks = advisory_locks
        self.counters = Counters()
        self._stop = threading.Event()
        self._parts: dict[int, _Partition] = {}
        self._params: Params | None = None
        self._params_day: dt.date | None = None
        self._revision = 0
        self._last_poll = 0.0
        self._last_report = time.monotonic()
        self._lock_conn: Any = None
        self._backoff = 0.0

    # ----------------------------------------------------------------------------- set-up

    def params(self) -> Params:
        today = dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC).date()
        if self._params is None or today != self._params_day:
            self._params = _params(today)
            self._params_day = today
            for part in self._parts.values():
                if part.engine is not None:
                    part.engine.set_params(self._params)
        return self._params

    def start(self) -> None:
        """Take the partitions (advisory locks on PostgreSQL), load specs and state, open consumers."""
        if self.advisory_locks:
            self._take_locks()
        # The engine's compiled kernels load (or compile, on a fresh install) before the first batch.
        warm_up()
        self._revision = int(ConfigRevision.objects.order_by("-id").values_list("id", flat=True).first() or 0)
        self._last_poll = time.monotonic()
        for number in self.numbers:
            self._parts[number] = self._load(number, consumer=None)

    def _load(self, number: int, consumer: Consumer | None) -> _Partition:
        """(Re)build a partition's engine from the database: its assignments, its committed state."""
        params = self.params()
        specs = _specs(device_partition=(number, self.partition_count))
        engine = _engine_factory(params, specs)
        engine.load_state(store.load_states(number, self.partition_count))
        return _Partition(
            number=number,
            consumer=consumer if consumer is not None else self.log.consumer(number),
            engine=engine,
            cursor=store.read_cursor(number),
            assignments={int(s.assignment_id) for s in specs},
        )

    def _take_locks(self) -> None:
        if connection.vendor != "postgresql":
            return
        import psycopg  # noqa: PLC0415

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        self._lock_conn = psycopg.connect(**params, autocommit=True)
        waiting_logged = False
        for number in self.numbers:
            while not self._stop.is_set():
                row = self._lock_conn.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, number]
                ).fetchone()
                if row and row[0]:
                    break
                if not waiting_logged:
                    log.info("partition %s is evaluated by another worker; waiting for it", number)
                    waiting_logged = True
                time.sleep(1.0)

    def _release_locks(self) -> None:
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self._lock_conn.close()
            self._lock_conn = None

    # ----------------------------------------------------------------------------- the loop

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Loop until ``stop()``: one step after another, recovering from database errors."""
        if not self._parts:
            self.start()
        try:
            while not self._stop.is_set():
                try:
                    self.step()
                    self._backoff = 0.0
                except Exception as exc:  # noqa: BLE001 - the worker recovers and goes on
                    try:
                        self._recover(exc)
                    except Exception:  # noqa: BLE001 - still down: the next round tries again
                        log.warning("recovery failed; trying again", exc_info=True)
                self._report()
        finally:
            self.close()

    def close(self) -> None:
        for part in self._parts.values():
            try:
                part.consumer.close()
            except Exception:  # noqa: BLE001 - best effort on the way out
                log.exception("closing the consumer of partition %s", part.number)
        self._parts.clear()
        self._release_locks()

    def step(self) -> int:
        """One round: poll configuration; fetch from every partition at once (one wait for all);
        evaluate and store every partition's entries in one transaction; acknowledge once it
        committed; run the clock. Returns the number of entries applied."""
        self._poll_config()
        for part in list(self._parts.values()):
            if part.engine is None:
                self._reload(part)
        parts = list(self._parts.values())
        idle = [p for p in parts if not p.pending]
        if idle:
            fetched = self.log.fetch_many([p.consumer for p in idle], self.max_entries, self.fetch_wait_s)
            for part, entries in zip(idle, fetched, strict=True):
                part.pending = entries
        # Every partition's batch in ONE transaction (a savepoint each): one commit, one flush to disk,
        # per round rather than per partition.
        done: list[_Done] = []
        try:
            with transaction.atomic():
                for part in parts:
                    result = self._apply_pending(self._parts[part.number])
                    if result is not None:
                        done.append(result)
        except BaseException:
            for result in done:
                self._mark_dirty(result.part)  # evaluated ahead of a transaction that did not commit
            raise
        for result in done:
            result.part.cursor = result.cursor
            result.part.pending = []
            self.counters.entries += len(result.entries)
            self.counters.fixes += result.fixes
            self.counters.opened += result.opened
            self.counters.cleared += result.cleared
        self._ack(done)
        now = self.clock()
        for part in self._parts.values():
            if now - part.last_tick >= self.tick_s:
                self._tick(part, now)
        return sum(len(r.entries) for r in done)

    def _apply_pending(self, part: _Partition) -> _Done | None:
        """Evaluate and write the partition's pending entries (in the round's transaction); None if
        there were none, or the cursor had moved (the partition is reloaded)."""
        if not part.pending:
            return None
        fresh = part.pending
        # Entries at or below the cursor come again after a crash between commit and acknowledgement
        # — or, with JetStream, out of order: what a killed worker fetched is redelivered after the
        # ack wait, behind newer entries another worker already applied. Skipping them by the cursor
        # would lose the latter, so they are applied again, idempotently: their positions exist or
        # are stored once (primary key), and the engine, whose state has moved past them, flags
        # them late and raises nothing twice.
        replayed = sum(1 for e in fresh if e.seq <= part.cursor)
        self.counters.replayed += replayed
        batch, events = decode(e.payload for e in fresh)
        params = self.params()
        now = self.clock()
        new_cursor = max(part.cursor, *(e.seq for e in fresh))
        try:
            result = part.engine.evaluate(batch, now) if len(batch) else None
            changes: list[AlertChange] = list(result.changes) if result is not None else []
            devices: set[int] = set(result.changed_devices.tolist()) if result is not None else set()
            for event in events:
                changes.extend(part.engine.device_event(event.device, event.kind, event.at))
                devices.add(event.device)
            states = part.engine.export_state(sorted(devices)) if devices else {}
            applied = store.apply(
                partition=part.number,
                expected_cursor=part.cursor,
                new_cursor=new_cursor,
                batch=batch,
                result=result,
                changes=changes,
                states=states,
                params=params,
            )
        except store.CursorMoved as moved:
            log.warning("%s; reloading the partition", moved)
            self._reload(part)
            return None
        except BaseException:
            self._mark_dirty(part)
            raise
        return _Done(part, fresh, new_cursor, len(batch), len(applied.opened), len(applied.cleared))

    def _ack(self, done: Sequence[_Done]) -> None:
        if not done:
            return
        try:
            self.log.ack_many([d.part.consumer for d in done], [d.entries for d in done])
        except Exception:  # noqa: BLE001 - redelivered later and applied again, idempotently
            log.exception("acknowledging the entries of partitions %s failed", [d.part.number for d in done])

    def _tick(self, part: _Partition, now: float) -> None:
        if part.engine is None:
            return
        part.last_tick = now
        changes = list(part.engine.tick(now))
        if not changes:
            return
        devices = sorted({c.device_id for c in changes})
        try:
            applied = store.apply(
                partition=part.number,
                changes=changes,
                states=part.engine.export_state(devices),
                params=self.params(),
            )
        except BaseException:
            self._mark_dirty(part)
            raise
        self.counters.opened += len(applied.opened)
        self.counters.cleared += len(applied.cleared)

    # ----------------------------------------------------------------------------- configuration

    def _poll_config(self) -> None:
        if time.monotonic() - self._last_poll < self.config_poll_s:
            return
        self._last_poll = time.monotonic()
        rows = list(
            ConfigRevision.objects.filter(id__gt=self._revision).order_by("id").values_list("id", "assignment_id")
        )
        if not rows:
            return
        changed = sorted({int(a) for _i, a in rows})
        specs = _specs(ids=changed)
        for part in self._parts.values():
            mine = [s for s in specs if int(s.device_id) % self.partition_count == part.number]
            mine_ids = {int(s.assignment_id) for s in mine}
            removed = [a for a in changed if a in part.assignments and a not in mine_ids]
            if part.engine is not None and (mine or removed):
                part.engine.update_assignments(mine, removed=removed)
                part.assignments = (part.assignments - set(removed)) | mine_ids
        self._revision = int(rows[-1][0])

    # ----------------------------------------------------------------------------- recovery

    def _mark_dirty(self, part: _Partition) -> None:
        """The engine evaluated past what committed: rebuild it from the database before going on."""
        part.engine = None

    def _reload(self, part: _Partition) -> None:
        fresh = self._load(part.number, consumer=part.consumer)
        fresh.pending = part.pending
        self._parts[part.number] = fresh

    def _recover(self, exc: BaseException) -> None:
        """An error (the database went away, most often): nothing was acknowledged. Wait with backoff,
        reconnect, take the partitions' locks again; the failed partition's engine is rebuilt from what
        committed on the next round, which evaluates the entries still pending again."""
        self.counters.failures += 1
        self._backoff = min(5.0, max(0.2, self._backoff * 2))
        if isinstance(exc, DatabaseError | InterfaceError):
            log.warning("database error (%s: %s); retrying in %.1f s", exc.__class__.__name__, exc, self._backoff)
        else:
            log.exception("evaluation failed; retrying in %.1f s", self._backoff)
        with contextlib.suppress(Exception):  # the connection is already broken
            connection.close()
        self._stop.wait(self._backoff)
        if self._stop.is_set():
            return
        self._params = None
        if self.advisory_locks and connection.vendor == "postgresql":
            self._release_locks()
            self._take_locks()

    def _report(self) -> None:
        now = time.monotonic()
        if now - self._last_report < self.report_s:
            return
        elapsed = max(1e-9, now - self._last_report)
        c = self.counters
        log.info(
            "partitions %s: %s fixes (%.0f/s), %s entries, %s alerts opened, %s cleared, %s replayed, %s failures",
            ",".join(map(str, self.numbers)),
            c.fixes,
            c.fixes / elapsed,
            c.entries,
            c.opened,
            c.cleared,
            c.replayed,
            c.failures,
        )
        self.counters = Counters()
        self._last_report = now


def partitions_of_worker(index: int, workers: int, partitions: int) -> list[int]:
    """The partitions worker ``index`` of ``workers`` owns (p % workers == index)."""
    if workers < 1 or not 0 <= index < workers:
        raise ValueError("worker index out of range")
    return [p for p in range(partitions) if p % workers == index]


def parse_partitions(text: str, partitions: int) -> list[int]:
    """``0-7`` or ``0,3,5-6`` → partition numbers, each below ``partitions``."""
    numbers: set[int] = set()
    for piece in text.split(","):
        item = piece.strip()
        if not item:
            continue
        low, _dash, high = item.partition("-")
        first, last = int(low), int(high or low)
        if first > last:
            raise ValueError(f"bad partition range {item}")
        numbers.update(range(first, last + 1))
    if not numbers or min(numbers) < 0 or max(numbers) >= partitions:
        raise ValueError(f"partitions must be within 0-{partitions - 1}")
    return sorted(numbers)


def default_partitions() -> list[int]:
    return list(range(int(settings.EM_PARTITIONS)))
