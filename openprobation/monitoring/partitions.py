"""Positions by day, and retention of positions and raw payloads.

On PostgreSQL ``monitoring_position`` is partitioned by range of ``fix_time``, one partition per UTC
day (``monitoring_position_pYYYYMMDD``). ``ensure_partitions`` creates the days around today ahead
of time (idempotent); the default partition catches only a fix outside every day made so far (a
device's clock far off). If such rows sit in the default partition when their day is created, they
are moved into the new day in the same transaction (PostgreSQL refuses to attach a range the
default partition holds rows of), so creating a day never fails and never loses a row.
``drop_expired`` drops whole days older than the retention (``EM_POSITION_RETENTION_DAYS``) — a
metadata operation, no row-by-row delete — and deletes expired rows from the default partition.

On SQLite (the embedded default) the table is plain: ``drop_expired`` deletes old rows instead.
``prune_raw`` deletes log entries and rejected messages older than ``EM_RAW_RETENTION_DAYS``.
``maintain`` does all of it; the evaluator calls it at start and a beat task every hour.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from openprobation.monitoring.models import LogEntry, PartitionCursor, RejectedMessage

TABLE = "monitoring_position"
DEFAULT = "monitoring_position_default"
_NAME = re.compile(r"^monitoring_position_p(\d{8})$")


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def partition_name(day: dt.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def _bounds(day: dt.date) -> tuple[str, str]:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return start.isoformat(), (start + dt.timedelta(days=1)).isoformat()


def existing_partitions() -> dict[str, dt.date]:
    """The day partitions of the positions table (PostgreSQL), by name."""
    if not _is_postgres():
        return {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [r[0] for r in cur.fetchall()]
    days: dict[str, dt.date] = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            days[name] = dt.datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=dt.UTC).date()
    return days


def ensure_partitions(*, days_ahead: int = 3, days_back: int = 1, today: dt.date | None = None) -> list[str]:
    """Create the day partitions from ``today - days_back`` to ``today + days_ahead`` (UTC) that do not
    exist yet; returns the names created. Rows of those days in the default partition move in."""
    if not _is_postgres():
        return []
    today = today or timezone.now().astimezone(dt.UTC).date()
    have = set(existing_partitions())
    created: list[str] = []
    for offset in range(-days_back, days_ahead + 1):
        day = today + dt.timedelta(days=offset)
        name = partition_name(day)
        if name in have:
            continue
        start, end = _bounds(day)
        with transaction.atomic(), connection.cursor() as cur:
            # Serialise creators (two evaluators starting at once); re-check under the lock.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
            cur.execute("SELECT to_regclass(%s)", [name])
            if cur.fetchone()[0] is not None:
                continue
            cur.execute(
                f"SELECT 1 FROM {DEFAULT} WHERE fix_time >= %s AND fix_time < %s LIMIT 1",  # noqa: S608
                [start, end],
            )
            strays = cur.fetchone() is not None
            if strays:
                # Take the day's rows out of the default partition, attach the day, put them back.
                cur.execute(f"CREATE TEMP TABLE em_strays ON COMMIT DROP AS SELECT * FROM {DEFAULT} WHERE false")  # noqa: S608
                cur.execute(
                    f"WITH moved AS (DELETE FROM {DEFAULT} WHERE fix_time >= %s AND fix_time < %s RETURNING *) "  # noqa: S608
                    "INSERT INTO em_strays SELECT * FROM moved",
                    [start, end],
                )
            cur.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)", [start, end])
            if strays:
                cur.execute(f"INSERT INTO {TABLE} SELECT * FROM em_strays")  # noqa: S608
        created.append(name)
    return created


def drop_expired(retention_days: int | None = None, *, today: dt.date | None = None) -> int:
    """Remove positions older than the retention: drop whole days on PostgreSQL (and delete expired
    rows of the default partition), delete rows on SQLite. Returns partitions dropped (PostgreSQL)
    or rows deleted (SQLite)."""
    days = int(settings.EM_POSITION_RETENTION_DAYS if retention_days is None else retention_days)
    today = today or timezone.now().astimezone(dt.UTC).date()
    first_kept = today - dt.timedelta(days=days)
    cutoff = dt.datetime(first_kept.year, first_kept.month, first_kept.day, tzinfo=dt.UTC)
    if not _is_postgres():
        with connection.cursor() as cur:
            cutoff_text = connection.ops.adapt_datetimefield_value(cutoff)
            cur.execute(f"DELETE FROM {TABLE} WHERE fix_time < %s", [cutoff_text])  # noqa: S608
            return int(cur.rowcount)
    dropped = 0
    for name, day in sorted(existing_partitions().items(), key=lambda item: item[1]):
        if day < first_kept:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {name}")
            dropped += 1
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {DEFAULT} WHERE fix_time < %s", [cutoff])  # noqa: S608
    return dropped


def prune_raw(retention_days: int | None = None) -> dict[str, int]:
    """Delete log entries and rejected messages older than ``EM_RAW_RETENTION_DAYS``."""
    days = int(settings.EM_RAW_RETENTION_DAYS if retention_days is None else retention_days)
    cutoff = timezone.now() - dt.timedelta(days=days)
    old = LogEntry.objects.filter(appended_at__lt=cutoff)
    if not settings.EM_NATS_URL:
        # The log is this table: never delete what an evaluator has not applied yet.
        applied = Q(pk__in=[])
        for partition, last_seq in PartitionCursor.objects.values_list("partition", "last_seq"):
            applied |= Q(partition=partition, id__lte=last_seq)
        old = old.filter(applied)
    entries, _ = old.delete()
    rejected, _ = RejectedMessage.objects.filter(received_at__lt=cutoff).delete()
    return {"log_entries": int(entries), "rejected": int(rejected)}


def maintain() -> dict[str, int]:
    """Create the coming days, drop expired ones, prune raw payloads."""
    created = ensure_partitions()
    dropped = drop_expired()
    raw = prune_raw()
    return {"created": len(created), "dropped": dropped, **raw}
