"""The one-transaction bulk write of an evaluator: what a batch of log entries did, applied at once.

``apply`` runs in ONE transaction: it locks the partition's cursor row, refuses to go on if the
cursor is not where the evaluation started from (another writer moved it: the caller reloads and
evaluates again), inserts the positions (a repeated message is stored once: the primary key
device, fix time, sequence with ON CONFLICT DO NOTHING), opens and clears alerts in event order,
upserts the devices' state, moves the cursor, and on PostgreSQL notifies ``em_alert`` with the ids
of the alerts that changed (the monitoring console listens). The caller acknowledges the log
entries only after this returns.

PostgreSQL gets set-based statements (``unnest`` of arrays); SQLite (the embedded default) gets
``executemany``. Coordinates that are not numbers (a message without a position) are not stored as
positions: the fix still counts in the device's state (last message) and stays in the raw log.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Mod
from django.utils import timezone

from openprobation.monitoring.engine.types import FLAG_LATE, AlertChange, EvaluationResult, FixBatch, Params
from openprobation.monitoring.models import Assignment, DeviceState, PartitionCursor
from openprobation.monitoring.pipeline import pgbinary
from openprobation.monitoring.pipeline.pgbinary import Float8Array, Int2Array, Int4Array, Int8Array

NOTIFY_CHANNEL = "em_alert"
_NOTIFY_MAX = 7000  # pg_notify payloads must stay under 8,000 bytes

# export_state keys → DeviceState columns
_STATE_TIMES = (
    ("last_message", "last_message_at"),
    ("last_fix", "last_fix_at"),
    ("last_valid_fix", "last_valid_fix_at"),
)
_STATE_VALUES = (
    ("lat", "lat"),
    ("lon", "lon"),
    ("accuracy", "accuracy_m"),
    ("battery", "battery"),
    ("charging", "charging"),
    ("strap", "strap"),
    ("connected", "connected"),
)
STATE_COLUMNS = tuple(c for _k, c in _STATE_TIMES) + tuple(c for _k, c in _STATE_VALUES)


class CursorMoved(Exception):  # noqa: N818 - a condition the evaluator handles, not an error
    """The partition's cursor is not where the evaluation started: the batch was (partly) applied
    by another writer. Nothing was written; reload the partition's state and evaluate again."""

    def __init__(self, partition: int, expected: int, found: int) -> None:
        super().__init__(f"partition {partition}: cursor at {found}, expected {expected}")
        self.partition, self.expected, self.found = partition, expected, found


@dataclass
class Applied:
    positions: int = 0  # rows offered for insert (duplicates are ignored by the database)
    opened: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    states: int = 0
    cursor: int | None = None


def _when(epoch: float | None) -> dt.datetime | None:
    if epoch is None:
        return None
    value = float(epoch)
    if not math.isfinite(value):
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _micros(epoch: float) -> dt.datetime:
    """An epoch time as a datetime rounded to the microsecond (the same fix always maps to the same key)."""
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=round(epoch * 1e6))


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def read_cursor(partition: int) -> int:
    """The last log sequence applied to a partition (0 when none)."""
    row = PartitionCursor.objects.filter(partition=partition).values_list("last_seq", flat=True).first()
    return int(row or 0)


def _lock_cursor(partition: int) -> int:
    with connection.cursor() as cur:
        if _is_postgres():
            cur.execute(
                "INSERT INTO monitoring_partitioncursor (partition, last_seq, updated_at) VALUES (%s, 0, now()) "
                "ON CONFLICT (partition) DO NOTHING",
                [partition],
            )
            cur.execute("SELECT last_seq FROM monitoring_partitioncursor WHERE partition = %s FOR UPDATE", [partition])
        else:
            # SQLite: the transaction is IMMEDIATE, so it already holds the write lock.
            cur.execute(
                "INSERT OR IGNORE INTO monitoring_partitioncursor (partition, last_seq, updated_at) VALUES (%s, 0, %s)",
                [partition, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            cur.execute("SELECT last_seq FROM monitoring_partitioncursor WHERE partition = %s", [partition])
        return int(cur.fetchone()[0])


def _positions(batch: FixBatch, result: EvaluationResult | None) -> int:
    n = len(batch)
    if n == 0:
        return 0
    keep = np.isfinite(batch.lat) & np.isfinite(batch.lon) & np.isfinite(batch.t)
    if not keep.all():
        index = np.flatnonzero(keep)
        if index.size == 0:
            return 0
    else:
        index = None

    def col(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return values if index is None else values[index]

    if result is not None:
        assignment = col(result.assignment_id)
        flags = col(result.flags)
    else:
        assignment = np.full(n, -1, dtype=np.int64) if index is None else np.full(index.size, -1, dtype=np.int64)
        flags = np.zeros(assignment.shape[0], dtype=np.int32)
    micros = np.rint(col(batch.t) * 1e6).astype(np.int64)
    received = col(batch.received)
    accuracy = col(batch.accuracy).astype(np.float64)
    speed = col(batch.speed).astype(np.float64)
    battery = col(batch.battery)
    course = col(batch.course)
    strap = col(batch.strap)
    charging = col(batch.charging)
    count = int(micros.shape[0])

    if _is_postgres():
        _insert_positions_pg(
            device=col(batch.device),
            micros=micros,
            seq=col(batch.seq),
            received=received,
            assignment=assignment,
            lat=col(batch.lat),
            lon=col(batch.lon),
            accuracy=accuracy,
            battery=battery,
            speed=speed,
            course=course,
            strap=strap,
            fix=col(batch.fix),
            charging=charging,
            flags=flags,
            channel=col(batch.channel),
        )
        return count

    def nullable(values: np.ndarray[Any, Any], missing: np.ndarray[Any, Any]) -> list[Any]:
        out: list[Any] = values.tolist()
        for i in np.flatnonzero(missing).tolist():
            out[i] = None
        return out

    columns = {
        "device_id": col(batch.device).tolist(),
        "seq": col(batch.seq).tolist(),
        "lat": col(batch.lat).tolist(),
        "lon": col(batch.lon).tolist(),
        "accuracy_m": nullable(accuracy, ~np.isfinite(accuracy)),
        "battery": nullable(battery, battery < 0),
        "speed": nullable(speed, ~np.isfinite(speed)),
        "course": nullable(course, course < 0),
        "strap": nullable(strap, strap < 0),
        "fix": col(batch.fix).tolist(),
        "charging": nullable(charging.astype(bool), charging < 0),
        "flags": flags.tolist(),
        "channel": col(batch.channel).tolist(),
        "assignment_id": nullable(assignment, assignment < 0),
    }
    with connection.cursor() as cur:
        adapt = connection.ops.adapt_datetimefield_value
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        fix_times = [adapt(epoch + dt.timedelta(microseconds=u)) for u in micros.tolist()]
        received_at = [adapt(_when(r) or epoch) for r in received.tolist()]
        rows = zip(
            columns["device_id"],
            fix_times,
            columns["seq"],
            received_at,
            columns["assignment_id"],
            columns["lat"],
            columns["lon"],
            columns["accuracy_m"],
            columns["battery"],
            columns["speed"],
            columns["course"],
            columns["strap"],
            columns["fix"],
            columns["charging"],
            columns["flags"],
            columns["channel"],
            strict=True,
        )
        cur.executemany(
            "INSERT OR IGNORE INTO monitoring_position (device_id, fix_time, seq, received_at, assignment_id, "
            "lat, lon, accuracy_m, battery, speed, course, strap, fix, charging, flags, channel) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            list(rows),
        )
    return count


_POSITION_INSERT = (
    "INSERT INTO monitoring_position (device_id, fix_time, seq, received_at, assignment_id, lat, lon, "
    "accuracy_m, battery, speed, course, strap, fix, charging, flags, channel) "
    "SELECT d, timestamptz 'epoch' + u * interval '1 microsecond', s, to_timestamp(r), NULLIF(a, -1), la, lo, "
    "NULLIF(ac, 'NaN'::float8), NULLIF(b, -1), NULLIF(sp, 'NaN'::float8), NULLIF(co, -1), NULLIF(st, -1), f, "
    "CASE WHEN ch < 0 THEN NULL ELSE ch > 0 END, fl, cn FROM unnest("
    "%s::bigint[], %s::bigint[], %s::bigint[], %s::float8[], %s::bigint[], %s::float8[], %s::float8[], "
    "%s::float8[], %s::smallint[], %s::float8[], %s::smallint[], %s::smallint[], %s::smallint[], "
    "%s::smallint[], %s::integer[], %s::smallint[]"
    ") AS t(d, u, s, r, a, la, lo, ac, b, sp, co, st, f, ch, fl, cn) "
    "ON CONFLICT DO NOTHING"
)


def _sentinel(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Negative → -1 (NULL in the statement)."""
    return np.where(values < 0, -1, values)


def _nan(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Not finite → NaN (NULL in the statement)."""
    return np.where(np.isfinite(values), values, np.nan)


def _insert_positions_pg(**c: np.ndarray[Any, Any]) -> None:
    """One INSERT of the whole batch, every column a binary array (``pgbinary``)."""
    with pgbinary.cursor() as cur:
        cur.execute(
            _POSITION_INSERT,
            [
                Int8Array(c["device"]),
                Int8Array(c["micros"]),
                Int8Array(c["seq"]),
                Float8Array(c["received"]),
                Int8Array(_sentinel(c["assignment"])),
                Float8Array(c["lat"]),
                Float8Array(c["lon"]),
                Float8Array(_nan(c["accuracy"])),
                Int2Array(_sentinel(c["battery"])),
                Float8Array(_nan(c["speed"])),
                Int2Array(_sentinel(c["course"])),
                Int2Array(_sentinel(c["strap"])),
                Int2Array(c["fix"]),
                Int2Array(_sentinel(c["charging"])),
                Int4Array(c["flags"]),
                Int2Array(c["channel"]),
            ],
        )


def _alerts(changes: Sequence[AlertChange], params: Params, applied: Applied) -> None:
    """Open and clear alerts in event order (an alert may open, clear and open again in one batch)."""
    if not changes:
        return
    cases = dict(Assignment.objects.filter(id__in={c.assignment_id for c in changes}).values_list("id", "case_id"))
    keys = {(c.assignment_id, c.rule) for c in changes}
    if _is_postgres() and len(keys) == len(changes):
        # Each (assignment, rule) changes once: order does not matter, two set-based statements.
        _alerts_pg(changes, cases, params, applied)
        return
    now = timezone.now()
    postgres = _is_postgres()
    adapt = (lambda v: v) if postgres else connection.ops.adapt_datetimefield_value
    json_mark = "%s::jsonb" if postgres else "%s"
    with connection.cursor() as cur:
        for change in changes:
            at = adapt(_when(change.at) or now)
            if change.action == "open":
                case_id = cases.get(change.assignment_id)
                if case_id is None:
                    continue  # the assignment is gone: nothing to hang the alert on
                received = _when(change.received)
                cur.execute(
                    "INSERT INTO monitoring_alert (assignment_id, device_id, case_id, rule, severity, zone_id, "  # noqa: S608
                    "zone_version_id, opened_at, received_at, raised_at, cleared_at, lat, lon, details) "
                    f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s, %s, {json_mark}) "
                    "ON CONFLICT (assignment_id, rule) WHERE cleared_at IS NULL DO NOTHING RETURNING id",
                    [
                        change.assignment_id,
                        change.device_id,
                        case_id,
                        change.rule,
                        str(params.severity.get(change.rule, "medium")),
                        change.zone_id,
                        change.version_id,
                        at,
                        adapt(received) if received is not None else None,
                        adapt(now),
                        _finite(change.lat),
                        _finite(change.lon),
                        orjson.dumps(dict(change.details), option=orjson.OPT_SERIALIZE_NUMPY).decode(),
                    ],
                )
                row = cur.fetchone()
                if row is not None:
                    applied.opened.append(int(row[0]))
            else:
                cur.execute(
                    # changed_at: the console's live stream picks the clearing up.
                    "UPDATE monitoring_alert SET cleared_at = %s, changed_at = %s "
                    "WHERE assignment_id = %s AND rule = %s AND cleared_at IS NULL RETURNING id",
                    [at, timezone.now(), change.assignment_id, change.rule],
                )
                applied.cleared.extend(int(r[0]) for r in cur.fetchall())


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _us(moment: dt.datetime | None) -> int | None:
    """A datetime as integer microseconds since the epoch (exact, for ``timestamptz 'epoch' + ...``)."""
    return None if moment is None else (moment - _EPOCH) // _MICROSECOND


def _alerts_pg(changes: Sequence[AlertChange], cases: Mapping[int, int], params: Params, applied: Applied) -> None:
    """Opens in one INSERT, clears in one UPDATE, each row set sent as one JSON document."""
    now = timezone.now()
    opens = []
    clears = []
    for change in changes:
        at = _us(_when(change.at) or now)
        if change.action != "open":
            clears.append({"assignment_id": change.assignment_id, "rule": change.rule, "at": at})
            continue
        case_id = cases.get(change.assignment_id)
        if case_id is None:
            continue  # the assignment is gone: nothing to hang the alert on
        opens.append(
            {
                "assignment_id": change.assignment_id,
                "device_id": change.device_id,
                "case_id": case_id,
                "rule": change.rule,
                "severity": str(params.severity.get(change.rule, "medium")),
                "zone_id": change.zone_id,
                "zone_version_id": change.version_id,
                "at": at,
                "received": _us(_when(change.received)),
                "lat": _finite(change.lat),
                "lon": _finite(change.lon),
                "details": dict(change.details),
            }
        )
    dump = orjson.OPT_SERIALIZE_NUMPY
    with pgbinary.cursor() as cur:
        if clears:
            cur.execute(
                "UPDATE monitoring_alert AS a SET cleared_at = timestamptz 'epoch' + interval '1 microsecond' * x.at, "
                "changed_at = now() "
                "FROM jsonb_to_recordset(%s::jsonb) AS x(assignment_id bigint, rule text, at bigint) "
                "WHERE a.assignment_id = x.assignment_id AND a.rule = x.rule AND a.cleared_at IS NULL RETURNING a.id",
                [orjson.dumps(clears, option=dump).decode()],
            )
            applied.cleared.extend(int(r[0]) for r in cur.fetchall())
        if opens:
            cur.execute(
                "INSERT INTO monitoring_alert (assignment_id, device_id, case_id, rule, severity, zone_id, "
                "zone_version_id, opened_at, received_at, raised_at, cleared_at, lat, lon, details) "
                "SELECT x.assignment_id, x.device_id, x.case_id, x.rule, x.severity, x.zone_id, x.zone_version_id, "
                "timestamptz 'epoch' + interval '1 microsecond' * x.at, timestamptz 'epoch' + interval '1 microsecond' * x.received, %s, NULL, x.lat, x.lon, "
                "COALESCE(x.details, '{}'::jsonb) "
                "FROM jsonb_to_recordset(%s::jsonb) AS x(assignment_id bigint, device_id bigint, case_id bigint, "
                "rule text, severity text, zone_id bigint, zone_version_id bigint, at bigint, received bigint, "
                "lat float8, lon float8, details jsonb) "
                "ON CONFLICT (assignment_id, rule) WHERE cleared_at IS NULL DO NOTHING RETURNING id",
                [now, orjson.dumps(opens, option=dump).decode()],
            )
            applied.opened.extend(int(r[0]) for r in cur.fetchall())


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def state_row(exported: Mapping[str, Any]) -> dict[str, Any]:
    """DeviceState columns from what ``Engine.export_state`` says of one device."""
    row: dict[str, Any] = {}
    for key, column in _STATE_TIMES:
        row[column] = _when(exported.get(key))
    for key, column in _STATE_VALUES:
        value = exported.get(key)
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        if column in {"charging", "connected"} and value is not None:
            value = bool(value)
        elif column in {"battery", "strap"} and value is not None:
            value = int(value)
            if value < 0:
                value = None
        row[column] = value
    return row


def _states(states: Mapping[int, Mapping[str, Any]], late: Mapping[int, int]) -> int:
    if not states:
        return 0
    devices = sorted(states)
    rows = [state_row(states[d]) for d in devices]
    late_counts = [int(late.get(d, 0)) for d in devices]
    now = timezone.now()
    updates = ", ".join(f"{c} = excluded.{c}" for c in STATE_COLUMNS)
    sql_tail = (
        f"ON CONFLICT (device_id) DO UPDATE SET {updates}, engine = excluded.engine, "
        "updated_at = excluded.updated_at, late_count = monitoring_devicestate.late_count + excluded.late_count"
    )
    names = ", ".join(STATE_COLUMNS)
    if _is_postgres():
        _upsert_states_pg(
            devices=devices,
            rows=rows,
            exported=[states[d] for d in devices],
            late=late_counts,
            now=now,
            sql_tail=sql_tail,
        )
        return len(devices)
    engine = [orjson.dumps(dict(states[d]), option=orjson.OPT_SERIALIZE_NUMPY).decode() for d in devices]
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * (len(STATE_COLUMNS) + 5))
    values = []
    for device, row, blob, late_count in zip(devices, rows, engine, late_counts, strict=True):
        cells = [adapt(row[c]) if c.endswith("_at") else row[c] for c in STATE_COLUMNS]
        values.append([device, *cells, blob, late_count, 0, adapt(now)])
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO monitoring_devicestate (device_id, {names}, engine, late_count, rejected_count, "  # noqa: S608
            f"updated_at) VALUES ({marks}) {sql_tail}",
            values,
        )
    return len(devices)


_STATE_TYPES = {
    "last_message_at": "float8",
    "last_fix_at": "float8",
    "last_valid_fix_at": "float8",
    "lat": "float8",
    "lon": "float8",
    "accuracy_m": "float8",
    "battery": "smallint",
    "charging": "boolean",
    "strap": "smallint",
    "connected": "boolean",
}


def _upsert_states_pg(
    *,
    devices: Sequence[int],
    rows: Sequence[Mapping[str, Any]],
    exported: Sequence[Mapping[str, Any]],
    late: Sequence[int],
    now: dt.datetime,
    sql_tail: str,
) -> None:
    """One statement for every device: the rows travel as ONE JSON document (``jsonb_to_recordset``),
    parsed by the server, rather than a dozen arrays quoted element by element."""
    document = [
        {
            **{c: (v.timestamp() if isinstance(v, dt.datetime) else v) for c, v in row.items()},
            "device_id": device,
            "engine": dict(engine),
            "late": late_count,
        }
        for device, row, engine, late_count in zip(devices, rows, exported, late, strict=True)
    ]
    columns = ", ".join(f"to_timestamp(x.{c})" if c.endswith("_at") else f"x.{c}" for c in STATE_COLUMNS)
    record = ", ".join(f"{c} {_STATE_TYPES[c]}" for c in STATE_COLUMNS)
    with pgbinary.cursor() as cur:
        cur.execute(
            f"INSERT INTO monitoring_devicestate (device_id, {', '.join(STATE_COLUMNS)}, engine, late_count, "  # noqa: S608
            f"rejected_count, updated_at) SELECT x.device_id, {columns}, x.engine, x.late, 0, %s "
            f"FROM jsonb_to_recordset(%s::jsonb) AS x(device_id bigint, {record}, engine jsonb, late integer) "
            f"{sql_tail}",
            [now, orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY).decode()],
        )


def _notify(ids: Iterable[int]) -> None:
    if not _is_postgres():
        return
    chunk: list[str] = []
    size = 0
    with connection.cursor() as cur:
        for alert_id in ids:
            text = str(alert_id)
            if size + len(text) + 1 > _NOTIFY_MAX:
                cur.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, ",".join(chunk)])
                chunk, size = [], 0
            chunk.append(text)
            size += len(text) + 1
        if chunk:
            cur.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, ",".join(chunk)])


def late_counts(batch: FixBatch, result: EvaluationResult | None) -> dict[int, int]:
    """Per device, how many fixes of the batch came late (behind the device's last evaluated fix)."""
    if result is None or len(batch) == 0:
        return {}
    late = (result.flags & FLAG_LATE) != 0
    if not late.any():
        return {}
    devices, counts = np.unique(batch.device[late], return_counts=True)
    return dict(zip(devices.tolist(), counts.tolist(), strict=True))


def apply(
    *,
    partition: int | None,
    expected_cursor: int | None = None,
    new_cursor: int | None = None,
    batch: FixBatch | None = None,
    result: EvaluationResult | None = None,
    changes: Sequence[AlertChange] = (),
    states: Mapping[int, Mapping[str, Any]] | None = None,
    params: Params,
) -> Applied:
    """Write what an evaluation did, in one transaction. With ``new_cursor`` the partition's cursor
    moves to it, provided it is still at ``expected_cursor`` (else ``CursorMoved``, nothing written).
    Without it (the clock's alert changes) the cursor row is still locked, so the write is ordered
    with the partition's batches, but it does not move."""
    applied = Applied()
    batch = batch if batch is not None else FixBatch.empty()
    with transaction.atomic():
        if partition is not None:
            found = _lock_cursor(partition)
            if expected_cursor is not None and found != expected_cursor:
                raise CursorMoved(partition, expected_cursor, found)
        applied.positions = _positions(batch, result)
        _alerts(changes, params, applied)
        applied.states = _states(states or {}, late_counts(batch, result))
        if partition is not None and new_cursor is not None:
            PartitionCursor.objects.filter(partition=partition).update(last_seq=new_cursor, updated_at=timezone.now())
            applied.cursor = new_cursor
        if applied.opened or applied.cleared:
            _notify([*applied.opened, *applied.cleared])
    return applied


def load_states(partition: int, partitions: int) -> list[tuple[int, dict[str, Any]]]:
    """The engine state of every device of a partition, as committed (``Engine.load_state`` rows)."""
    rows = (
        DeviceState.objects.annotate(part=Mod("device_id", Value(partitions)))
        .filter(part=partition)
        .values_list("device_id", "engine")
    )
    return [(int(d), dict(e or {})) for d, e in rows]
