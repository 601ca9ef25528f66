"""`make bench`, electronic monitoring, the people's side: the console and an alert's page at 25,000
monitored people with a month of positions, on PostgreSQL (target p95 <= 150 ms).

The data set: the organisation of ``seed-demo --scale large`` (20 regions, 200 offices) and its
population (``--people``, ``--cases``, ``--active``), then ``--monitored`` of the active cases
under electronic monitoring, round every office of the organisation: each with an EM resolution in
force, a bracelet, an assignment with its zones (home with the curfew, the city as the inclusion
zone, for some an exclusion place), written in bulk by the simulator (``simulator.fleet``). Their
simulated days (``simulator.traces``, the same traces the demo uses; zones and traces lie in the
simulator's three cities, Almaty's for a region without one) give:

- positions for ``--days`` days up to the build, one fix every ``--interval`` seconds per person,
  each UTC day loaded as binary COPY into a table of its own, indexed and attached as the day's
  partition (the evaluator writes the same rows; COPY then indexing is the fastest bulk path);
- alerts from the scripted events of those days (curfew, exclusion, inclusion, strap, battery,
  signal gaps; ``--violations`` a person-day): those of the last ``--unresolved-hours`` hours wait
  in the queue (new, acknowledged with a call, some escalated to the officer), the older ones are
  resolved by the operator (false alarm, technical, confirmed violation), with their status changes
  and some calls;
- each device's state (its last fix).

The operator ``monitoring`` watches every region; two more operators watch one region and none.
The database is built once and reused by the next runs (``--rebuild`` builds it again; a build cut
short resumes where it stopped).

Measured in the same run (in-process test client, ``--warmup`` untimed then ``--requests`` timed
requests per page; p50, p95, max and SQL queries per request; figures printed, never asserted):

- the console (``/monitoring/console/``) for the operator of every region and for one of one region;
- the console's polling fallback (the same URL with ``HX-Request``: the queue alone, what
  ``console.js`` fetches every 5 s when the event stream fails);
- one poll of the console's event stream (``ConsoleStream.poll``, what the stream does every 0.5 s:
  the stream itself is an endless response) with a few alerts changed in the last minute;
- an alert's page (``/monitoring/alerts/<id>/``: zones in force, fixes within 15 min read from the
  month of positions) for alerts picked at random among the open and the historical ones;
- baselines: the home page of the same operator (a trivial authenticated page) and the console of an
  operator watching no region (the console's fixed cost); ratios against both.

PostgreSQL only: BENCH_DATABASE_URL when it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432/openprobation_bench_em_console (created when missing); otherwise
skipped with a message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import struct
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import pgbench  # noqa: E402 - beside this script

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/openprobation_bench_em_console"
TARGET_P95_MS = 150.0
PREFIX = "BENCHEM"
OPERATOR_ALL = "monitoring"
OPERATOR_ONE = "bench-em-one-region"
OPERATOR_NONE = "bench-em-no-region"
ONE_REGION = "ALA"
META_TABLE = "bench_em_console"
# Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for binary timestamps.
PG_EPOCH = 946_684_800
CHUNK_SECONDS = 6 * 3600
CHANGED_LIVE = 5  # alerts touched just before the stream's poll is measured


# --- Database and Django --------------------------------------------------------------------------------


def _meta_get(key: str) -> Any:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)")
        cur.execute(f"SELECT value FROM {META_TABLE} WHERE key = %s", [key])  # noqa: S608 - a constant name
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def _meta_set(key: str, value: Any) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s) "  # noqa: S608 - a constant name
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, json.dumps(value)],
        )


@contextmanager
def _historic(*models: Any) -> Iterator[None]:
    """Rows keep the moments given to them instead of "now" (``auto_now_add``)."""
    touched = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now_add", False):
                f.auto_now_add = False
                touched.append(f)
    try:
        yield
    finally:
        for f in touched:
            f.auto_now_add = True


# --- The data set ---------------------------------------------------------------------------------------


@dataclass
class Plan:
    monitored: int
    days: int
    interval: int
    violations: float
    unresolved_hours: float
    seed: int


def _fit_devices(plan: Plan, *, anchor: dt.datetime) -> int:
    """Bracelets on ``plan.monitored`` active cases (sentences first), each under a resolution of
    its office's head, installed 35 to 200 days before the anchor. Returns how many were fitted."""
    from django.db import transaction

    from openprobation.accounts.models import Role, User
    from openprobation.cases.models import Case, CaseStatus, CaseType
    from openprobation.monitoring.models import Assignment
    from openprobation.monitoring.simulator.fleet import Fleet, fleet_assign, simulator_user

    have = Assignment.objects.filter(device__serial__startswith=f"{PREFIX}-", removed_at__isnull=True).count()
    missing = plan.monitored - have
    if missing <= 0:
        return 0
    heads = {
        u.office_id: u
        for u in User.objects.filter(role=Role.HEAD_OF_OFFICE, office__isnull=False).order_by("pk")
        if u.office_id is not None
    }
    candidates = list(
        Case.objects.filter(status=CaseStatus.ACTIVE)
        .exclude(pk__in=Assignment.objects.filter(removed_at__isnull=True).values("case_id"))
        .select_related("office__region")
        .order_by("pk")
    )
    preferred = {CaseType.SENTENCE, CaseType.POST_PENITENTIARY}
    candidates.sort(key=lambda c: (c.case_type not in preferred, c.pk))
    chosen = sorted(candidates[:missing], key=lambda c: c.pk)
    if len(chosen) < missing:
        print(f"  only {len(chosen):,} active cases free for a device (asked {missing:,})")
    rng = random.Random(plan.seed)  # noqa: S311 - simulated data
    actor = simulator_user()
    installed = [anchor - dt.timedelta(days=rng.uniform(plan.days + 5, 200)) for _ in chosen]
    with transaction.atomic():
        for start in range(0, len(chosen), 5000):
            part = chosen[start : start + 5000]
            fleet_assign(
                Fleet(devices=[], people=[]),
                cases=part,
                seed=plan.seed,
                prefix=PREFIX,
                actor=actor,
                installed_at=installed[start : start + 5000],
                supplier="Kazakhtelecom (лизинг)",
                decided_by=[heads.get(c.office_id) or actor for c in part],
            )
    return len(chosen)


def _simulation(plan: Plan, *, anchor: dt.datetime) -> tuple[Any, Any, float]:
    from openprobation.monitoring.simulator.fleet import fleet_load
    from openprobation.monitoring.simulator.traces import DAY, Simulation

    fleet = fleet_load(prefix=PREFIX, limit=plan.monitored, seed=plan.seed, rotate=False)
    start = anchor.timestamp() - plan.days * DAY
    simulation = Simulation(fleet.people, seed=plan.seed, start=start, days=plan.days + 2, violations=plan.violations)
    return fleet, simulation, start


def _copy_layout() -> Any:
    """The binary COPY record of one position (no NULLs: every column has a value)."""
    import numpy as np

    columns = [
        ("device_id", ">i8"),
        ("fix_time", ">i8"),
        ("seq", ">i8"),
        ("received_at", ">i8"),
        ("assignment_id", ">i8"),
        ("lat", ">f8"),
        ("lon", ">f8"),
        ("accuracy_m", ">f8"),
        ("battery", ">i2"),
        ("speed", ">f8"),
        ("course", ">i2"),
        ("strap", ">i2"),
        ("fix", ">i2"),
        ("charging", "u1"),
        ("flags", ">i4"),
        ("channel", ">i2"),
    ]
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for name, kind in columns:
        fields += [(f"len_{name}", ">i4"), (name, kind)]
    return np.dtype(fields), [name for name, _kind in columns]


def _copy_bytes(fixes: Any, *, device_ids: Any, assignment_ids: Any) -> bytes:
    import numpy as np

    from openprobation.monitoring.catalogue import Channel

    layout, names = _copy_layout()
    n = len(fixes)
    rows = np.zeros(n, dtype=layout)
    rows["n"] = len(names)
    for name in names:
        rows[f"len_{name}"] = layout[name].itemsize
    micros = np.rint((fixes.t - PG_EPOCH) * 1e6).astype(np.int64)
    rows["device_id"] = device_ids[fixes.device]
    rows["fix_time"] = micros
    rows["seq"] = fixes.seq
    # Held in a signal gap: received with the first fix after it (store and forward), here 2 s after
    # the gap's end is approximated by 10 minutes after the fix.
    rows["received_at"] = micros + np.where(fixes.held, 600_000_000, 2_000_000)
    rows["assignment_id"] = assignment_ids[fixes.device]
    rows["lat"] = np.round(fixes.lat, 6)
    rows["lon"] = np.round(fixes.lon, 6)
    rows["accuracy_m"] = np.round(fixes.accuracy, 1)
    rows["battery"] = fixes.battery
    rows["speed"] = np.round(fixes.speed, 1)
    rows["course"] = fixes.course
    rows["strap"] = fixes.strap
    rows["fix"] = fixes.fix
    rows["charging"] = fixes.charging.astype(np.uint8)
    rows["flags"] = 0
    rows["channel"] = int(Channel.MQTT)
    return rows.tobytes()


def _load_positions(plan: Plan, *, anchor: dt.datetime, fleet: Any, simulation: Any, start: float) -> int:
    """A month of positions, each UTC day COPYed into a table of its own, indexed, then attached as
    the day's partition. Days already loaded (a resumed build) are kept. Returns rows written."""
    import numpy as np
    from django.db import connection, transaction

    from openprobation.monitoring.partitions import TABLE, _bounds, existing_partitions, partition_name

    _layout, names = _copy_layout()
    device_ids = np.array([d.device_id for d in fleet.devices], dtype=np.int64)
    assignment_ids = np.array([d.assignment_id for d in fleet.devices], dtype=np.int64)
    end = anchor.timestamp()
    first_day = dt.datetime.fromtimestamp(start, dt.UTC).date()
    last_day = anchor.astimezone(dt.UTC).date()
    done = set(_meta_get("position_days") or [])
    total = 0
    day = first_day
    while day <= last_day:
        name = partition_name(day)
        if name in done:
            day += dt.timedelta(days=1)
            continue
        day_start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
        low, high = max(day_start, start), min(day_start + 86_400, end)
        began = time.monotonic()
        rows = 0
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute("SET LOCAL synchronous_commit = off")
            if name in existing_partitions():
                cur.execute(f"DROP TABLE {name}")
            cur.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
            raw = connection.connection
            with raw.cursor() as rc, rc.copy(f"COPY {name} ({', '.join(names)}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
                chunk = low
                while chunk < high:
                    upto = min(chunk + CHUNK_SECONDS, high)
                    index, t = simulation.schedule(interval=plan.interval, start=chunk, end=upto, origin=start)
                    fixes = simulation.fixes(index, t)
                    copy.write(_copy_bytes(fixes, device_ids=device_ids, assignment_ids=assignment_ids))
                    rows += len(fixes)
                    chunk = upto
                copy.write(struct.pack(">h", -1))
            cur.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (device_id, fix_time, seq)")
            lo, hi = _bounds(day)
            cur.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [lo, hi])
            done.add(name)
            _meta_set("position_days", sorted(done))
        total += rows
        took = time.monotonic() - began
        print(f"  positions {day}: {rows:,} rows in {took:.1f} s ({rows / max(took, 1e-9):,.0f} rows/s)", flush=True)
        day += dt.timedelta(days=1)
    return total


def _load_alerts(plan: Plan, *, anchor: dt.datetime, fleet: Any, simulation: Any, start: float) -> int:
    """The scripted events of the month as alerts, handled as a monitoring centre would."""
    from django.db import transaction

    from openprobation.accounts.models import User
    from openprobation.cases.models import Case
    from openprobation.monitoring.alerting import AlertResolution, AlertStatus, CallOutcome, CallParty
    from openprobation.monitoring.catalogue import Rule, ZoneKind
    from openprobation.monitoring.models import Alert, AlertCall, AlertStatusChange, Assignment, Zone, ZoneVersion
    from openprobation.rules.rulebook import rule

    if Alert.objects.filter(details__bench=True).exists():
        return 0
    rng = random.Random(plan.seed + 1)  # noqa: S311 - simulated data
    end = anchor.timestamp()
    operator = User.objects.get(username=OPERATOR_ALL)
    severity = rule("monitoring.thresholds", on=anchor.date()).params["severity"]
    zone_of_rule = {
        Rule.CURFEW: ZoneKind.HOME,
        Rule.EXCLUSION_ENTRY: ZoneKind.EXCLUSION,
        Rule.INCLUSION_EXIT: ZoneKind.INCLUSION,
    }
    assignment_ids = [d.assignment_id for d in fleet.devices]
    zones = {(z.assignment_id, z.kind): z for z in Zone.objects.filter(assignment_id__in=assignment_ids)}
    versions = {v.zone_id: v for v in ZoneVersion.objects.filter(zone__assignment_id__in=assignment_ids, number=1)}
    case_of = dict(Assignment.objects.filter(pk__in=assignment_ids).values_list("pk", "case_id").order_by())
    officer_of = dict(Case.objects.filter(pk__in=case_of.values()).values_list("pk", "officer_id"))
    recent = end - plan.unresolved_hours * 3600
    alerts: list[Alert] = []
    open_keys: set[tuple[int, str]] = set()
    for event in simulation.ground_truth(start=start, end=end):
        if event.start >= end:
            continue
        device = fleet.devices[event.device]
        ongoing = event.end >= end
        key = (device.assignment_id, event.kind)
        if ongoing:
            if key in open_keys:
                continue
            open_keys.add(key)
        zone = zones.get((device.assignment_id, zone_of_rule[event.kind])) if event.kind in zone_of_rule else None
        where = event.kind not in (Rule.LOST_COMMUNICATION, Rule.NO_FIX)
        lat, lon = simulation.position_at(event.device, event.start)
        if event.kind == Rule.INCLUSION_EXIT:
            lat, lon = simulation.people[event.device].outside
        opened = dt.datetime.fromtimestamp(event.start, dt.UTC)
        cleared = None if ongoing else dt.datetime.fromtimestamp(event.end, dt.UTC)
        case_id = case_of[device.assignment_id]
        alert = Alert(
            assignment_id=device.assignment_id,
            device_id=device.device_id,
            case_id=case_id,
            rule=event.kind,
            severity=severity.get(event.kind, "medium"),
            zone=zone,
            zone_version=versions.get(zone.pk) if zone is not None else None,
            opened_at=opened,
            received_at=opened + dt.timedelta(seconds=2),
            raised_at=opened + dt.timedelta(seconds=2, milliseconds=300),
            cleared_at=cleared,
            lat=round(lat, 6) if where else None,
            lon=round(lon, 6) if where else None,
            details={"bench": True},
            changed_at=cleared or opened,
        )
        if event.start < recent:
            ack = opened + dt.timedelta(minutes=rng.uniform(1, 12))
            done_at = max(cleared or ack, ack) + dt.timedelta(minutes=rng.uniform(3, 40))
            alert.status = AlertStatus.RESOLVED
            alert.acknowledged_at, alert.acknowledged_by = ack, operator
            alert.resolved_at, alert.resolved_by = done_at, operator
            if event.kind in (Rule.LOST_COMMUNICATION, Rule.LOW_BATTERY, Rule.NO_FIX):
                alert.resolution, alert.resolution_note = AlertResolution.TECHNICAL, "Сбой связи оператора."
            elif rng.random() < 0.3:
                alert.resolution = AlertResolution.CONFIRMED_VIOLATION
                alert.resolution_note = "Позиция вне зоны подтверждена."
            else:
                alert.resolution, alert.resolution_note = AlertResolution.FALSE_ALARM, "Отражение GPS у дома."
            alert.changed_at = done_at
        elif rng.random() < 0.5:
            ack = min(opened + dt.timedelta(minutes=rng.uniform(1, 12)), anchor)
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_at, alert.acknowledged_by = ack, operator
            alert.changed_at = max(alert.changed_at, ack)
            if rng.random() < 0.3 and officer_of.get(case_id):
                alert.status = AlertStatus.ESCALATED
                alert.escalated_at, alert.escalated_by = ack, operator
                alert.escalated_to_id = officer_of[case_id]
        alerts.append(alert)
    changes: list[AlertStatusChange] = []
    calls: list[AlertCall] = []
    with transaction.atomic(), _historic(Alert, AlertStatusChange, AlertCall):
        Alert.objects.bulk_create(alerts, batch_size=2000)
        for alert in alerts:
            if alert.acknowledged_at is None:
                continue
            ack = alert.acknowledged_at
            changes.append(_change(alert, AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, ack, actor=operator, reason=""))
            if alert.status != AlertStatus.RESOLVED or rng.random() < 0.35:
                answered = alert.status == AlertStatus.RESOLVED
                calls.append(
                    AlertCall(
                        alert=alert,
                        called_at=ack,
                        called_by=operator,
                        party=CallParty.PERSON,
                        number="+7 701 000 00 00",
                        outcome=CallOutcome.ANSWERED if answered else CallOutcome.NO_ANSWER,
                        note="Объяснил, уже дома." if answered else "Не ответил, перезвонить.",
                        created_at=ack,
                    )
                )
            if alert.status == AlertStatus.ESCALATED:
                changes.append(
                    _change(
                        alert, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED, ack, actor=operator, reason="Нет связи."
                    )
                )
            if alert.resolved_at is not None:
                changes.append(
                    _change(
                        alert,
                        AlertStatus.ACKNOWLEDGED,
                        AlertStatus.RESOLVED,
                        alert.resolved_at,
                        actor=operator,
                        reason="",
                    )
                )
        AlertStatusChange.objects.bulk_create(changes, batch_size=5000)
        AlertCall.objects.bulk_create(calls, batch_size=5000)
    return len(alerts)


def _change(alert: Any, before: str, after: str, at: dt.datetime, *, actor: Any, reason: str) -> Any:
    from openprobation.monitoring.models import AlertStatusChange

    return AlertStatusChange(
        alert=alert,
        from_status=before,
        to_status=after,
        reason=reason,
        effective_on=at.date(),
        changed_by=actor,
        changed_at=at,
    )


def _load_states(plan: Plan, *, anchor: dt.datetime, fleet: Any, simulation: Any) -> int:
    """Each device's last fix as the evaluator keeps it (``DeviceState``)."""
    import numpy as np

    from openprobation.monitoring.models import DeviceState

    if DeviceState.objects.filter(device_id=fleet.devices[0].device_id).exists():
        return 0
    end = anchor.timestamp()
    index, t = simulation.schedule(interval=plan.interval, start=end - 2 * plan.interval, end=end)
    fixes = simulation.fixes(index, t)
    newest: dict[int, int] = {}
    for k, i in enumerate(fixes.device.tolist()):
        newest[i] = k  # in time order
    states = []
    for i, k in newest.items():
        at = dt.datetime.fromtimestamp(float(fixes.t[k]), dt.UTC)
        states.append(
            DeviceState(
                device_id=fleet.devices[i].device_id,
                last_message_at=at,
                last_fix_at=at,
                last_valid_fix_at=at if int(fixes.fix[k]) == 0 else None,
                lat=round(float(fixes.lat[k]), 6),
                lon=round(float(fixes.lon[k]), 6),
                accuracy_m=round(float(fixes.accuracy[k]), 1),
                battery=int(fixes.battery[k]),
                charging=bool(fixes.charging[k]),
                strap=int(fixes.strap[k]),
            )
        )
    DeviceState.objects.bulk_create(states, batch_size=5000)
    del np
    return len(states)


def _operators() -> None:
    from openprobation.accounts.models import Region, Role, User

    all_regions = list(Region.objects.all())
    everyone = User.objects.get(username=OPERATOR_ALL)
    everyone.monitored_regions.set(all_regions)
    one, _ = User.objects.get_or_create(
        username=OPERATOR_ONE,
        defaults={"role": Role.MONITORING_OPERATOR, "first_name": "Bench", "last_name": "One region"},
    )
    one.monitored_regions.set(Region.objects.filter(code=ONE_REGION))
    User.objects.get_or_create(
        username=OPERATOR_NONE,
        defaults={"role": Role.MONITORING_OPERATOR, "first_name": "Bench", "last_name": "No region"},
    )


def _build(plan: Plan, args: argparse.Namespace) -> None:
    from django.db import connection
    from django.utils import timezone

    from openprobation.monitoring.partitions import ensure_partitions

    anchor_text = _meta_get("anchor")
    if anchor_text is None:
        anchor = timezone.now().replace(microsecond=0)
        _meta_set("anchor", anchor.isoformat())
        _meta_set("plan", plan.__dict__)
    else:
        anchor = dt.datetime.fromisoformat(anchor_text)
        saved = _meta_get("plan") or {}
        if saved and saved != plan.__dict__:
            print(f"  (resuming a build made with {saved}; the options given differ: use --rebuild)")
            plan = Plan(**saved)
    timings: dict[str, float] = dict(_meta_get("timings") or {})

    def step(name: str, fn: Callable[[], Any]) -> Any:
        began = time.monotonic()
        out = fn()
        timings[name] = timings.get(name, 0.0) + time.monotonic() - began
        _meta_set("timings", timings)
        said = f"{out:,}" if isinstance(out, int) else out if isinstance(out, str) else "done"
        print(f"  {name}: {said} ({time.monotonic() - began:.1f} s)", flush=True)
        return out

    step(
        "population",
        lambda: (
            pgbench.load_large_population(
                seed=plan.seed, people=args.people, cases=args.cases, active=args.active, label="bench-em-console"
            )
            if not _population_loaded(args.active)
            else "reused"
        ),
    )
    _operators()
    step("devices, resolutions, assignments, zones", lambda: _fit_devices(plan, anchor=anchor))
    fleet, simulation, start = step("simulated days", lambda: _simulation(plan, anchor=anchor))
    step("positions", lambda: _load_positions(plan, anchor=anchor, fleet=fleet, simulation=simulation, start=start))
    step("alerts", lambda: _load_alerts(plan, anchor=anchor, fleet=fleet, simulation=simulation, start=start))
    step("device states", lambda: _load_states(plan, anchor=anchor, fleet=fleet, simulation=simulation))
    ensure_partitions()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    _meta_set("built", True)


def _population_loaded(active: int) -> bool:
    from openprobation.accounts.models import User
    from openprobation.cases.models import Case, CaseStatus

    return (
        User.objects.filter(username="officer").exists()
        and Case.objects.filter(status=CaseStatus.ACTIVE).count() >= active * 0.9
    )


def _facts() -> list[str]:
    from django.db import connection
    from django.db.models import Count

    from openprobation.accounts.models import Region
    from openprobation.cases.models import Case, CaseStatus
    from openprobation.monitoring.alerting import UNRESOLVED
    from openprobation.monitoring.models import Alert, AlertCall, AlertStatusChange, Assignment, EmResolution
    from openprobation.monitoring.partitions import existing_partitions
    from openprobation.people.models import Person

    plan = _meta_get("plan") or {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(c.reltuples), 0)::bigint, pg_size_pretty(coalesce(sum(pg_total_relation_size(c.oid)), 0)) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = 'monitoring_position'"
        )
        positions, size = cur.fetchone()
    days = list(existing_partitions().values())
    monitored = Assignment.objects.filter(removed_at__isnull=True, device__serial__startswith=f"{PREFIX}-")
    regions = monitored.values("case__office__region").distinct().count()
    offices = monitored.values("case__office").distinct().count()
    alerts = Alert.objects.count()
    unresolved = dict(
        Alert.objects.filter(status__in=UNRESOLVED).values_list("status").annotate(n=Count("pk")).order_by()
    )
    timings = _meta_get("timings") or {}
    return [
        f"{Person.objects.count():,} people, {Case.objects.filter(status=CaseStatus.ACTIVE).count():,} active cases; "
        f"{monitored.count():,} monitored (EM resolutions in force: "
        f"{EmResolution.objects.filter(status='in_force').count():,}) in {regions} of "
        f"{Region.objects.count()} regions, {offices} offices",
        f"positions: ~{positions:,} rows ({size}) in {len(days)} day partitions "
        f"({min(days) if days else '-'} to {max(days) if days else '-'}); one fix every "
        f"{plan.get('interval', '?')} s per person for {plan.get('days', '?')} days",
        f"alerts: {alerts:,} ({Alert.objects.filter(cleared_at__isnull=True).count():,} not cleared), "
        f"waiting for handling: {sum(unresolved.values()):,} "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(unresolved.items()))}); "
        f"{AlertStatusChange.objects.count():,} status changes, {AlertCall.objects.count():,} calls",
        "build: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + f" (total {sum(timings.values()):.0f} s)",
    ]


# --- Measuring ------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    p50: float
    p95: float
    max: float
    mean: float
    queries: float


def _timed(name: str, call: Callable[[int], Any], *, requests: int, warmup: int, count: Callable[[], int]) -> Result:
    import pages

    for i in range(warmup):
        call(i)
    times = []
    for i in range(requests):
        started = time.perf_counter()
        call(warmup + i)
        times.append((time.perf_counter() - started) * 1000)
    queries = statistics.median(count() for _ in range(3))
    return Result(
        name=name,
        p50=pages.percentile(times, 50),
        p95=pages.percentile(times, 95),
        max=max(times),
        mean=statistics.fmean(times),
        queries=queries,
    )


def _page(
    name: str,
    username: str,
    url: Callable[[int], str],
    *,
    requests: int,
    warmup: int,
    headers: dict[str, str] | None = None,
) -> Result:
    import pages
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = pages._client(username)

    def call(i: int) -> Any:
        response = client.get(url(i), headers=headers or {})
        if response.status_code != 200:
            raise SystemExit(f"GET {url(i)} answered {response.status_code}; the benchmark needs the page to work.")
        return response

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            call(0)
        return len(ctx.captured_queries)

    return _timed(name, call, requests=requests, warmup=warmup, count=count)


def _stream_poll(name: str, username: str, *, requests: int, warmup: int) -> Result:
    """One poll of the console's event stream, as a fresh connection's cursor one minute back."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from openprobation.accounts.models import User
    from openprobation.monitoring import alert_selectors
    from openprobation.monitoring.alerting import UNRESOLVED
    from openprobation.monitoring.models import Alert
    from openprobation.monitoring.pages.console import ConsoleStream

    user = User.objects.get(username=username)
    touched = list(
        Alert.objects.filter(status__in=UNRESOLVED).order_by("?").values_list("pk", flat=True)[:CHANGED_LIVE]
    )
    Alert.objects.filter(pk__in=touched).update(changed_at=timezone.now())
    request = RequestFactory().get("/monitoring/console/events/")
    request.user = user
    sent: list[int] = []

    def call(i: int) -> Any:
        stream = ConsoleStream(
            request=request,
            user=user,
            filters=alert_selectors.QueueFilters(),
            since=timezone.now() - dt.timedelta(minutes=1),
        )
        events = stream.poll()
        sent.append(len(events))
        return events

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            call(0)
        return len(ctx.captured_queries)

    result = _timed(f"{name} ({CHANGED_LIVE} changed)", call, requests=requests, warmup=warmup, count=count)
    if not sent or min(sent) < CHANGED_LIVE:
        print(f"  (the stream's poll sent {min(sent) if sent else 0} events, expected {CHANGED_LIVE})")
    return result


def _alert_ids(*, unresolved: bool, n: int, seed: int) -> list[int]:
    from openprobation.monitoring.alerting import UNRESOLVED, AlertStatus
    from openprobation.monitoring.models import Alert

    qs = (
        Alert.objects.filter(status__in=UNRESOLVED) if unresolved else Alert.objects.filter(status=AlertStatus.RESOLVED)
    )
    ids = list(qs.values_list("pk", flat=True))
    random.Random(seed).shuffle(ids)  # noqa: S311 - a sample
    return ids[:n]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=45_000)
    parser.add_argument("--active", type=int, default=30_000)
    parser.add_argument("--monitored", type=int, default=25_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--interval", type=int, default=600, help="seconds between a person's fixes (default 600)")
    parser.add_argument("--violations", type=float, default=0.05, help="scripted events per person-day")
    parser.add_argument("--unresolved-hours", type=float, default=3.0, help="alerts this recent still wait")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--only", default="", help="measure only the pages whose name holds this (and the baselines)")
    args = parser.parse_args()

    url = pgbench.postgres_url(DEFAULT_URL, part="EM console", fresh=args.rebuild)
    if url is None:
        return 0
    pgbench.setup_django(url, LOCAL_DEVELOPMENT="true", EM_EVALUATE_IN_PROCESS="false", EM_DEMO_STREAM="false")

    from django.core.management import call_command
    from django.urls import reverse

    from openprobation.accounts.models import User

    print()
    print("Electronic monitoring: the console and an alert's page on PostgreSQL")
    print("command:", " ".join(["bench/em_console.py", *sys.argv[1:]]))
    print(f"machine: {os.cpu_count()} CPU, {platform.platform()}, Python {platform.python_version()}; load {_load()}")
    call_command("migrate", verbosity=0, interactive=False)
    plan = Plan(
        monitored=args.monitored,
        days=args.days,
        interval=args.interval,
        violations=args.violations,
        unresolved_hours=args.unresolved_hours,
        seed=args.seed,
    )
    if _meta_get("built"):
        print("data set reused (--rebuild builds it again)")
    else:
        if User.objects.exists() and not User.objects.filter(username="officer").exists():
            print("The EM console database holds something else; run with --rebuild.", file=sys.stderr)
            return 2
        started = time.monotonic()
        print("building the data set (once; later runs reuse it)")
        _build(plan, args)
        print(f"data set built in {time.monotonic() - started:.0f} s")
    for line in _facts():
        print(f"  {line}")

    console = reverse("monitoring:console")
    home = "/"
    opened = _alert_ids(unresolved=True, n=args.requests + args.warmup, seed=args.seed)
    history = _alert_ids(unresolved=False, n=args.requests + args.warmup, seed=args.seed)
    if not opened or not history:
        print("No alerts to open: the data set is incomplete; run with --rebuild.", file=sys.stderr)
        return 2

    def alert_url(ids: list[int]) -> Callable[[int], str]:
        return lambda i: reverse("monitoring:alert", kwargs={"record": ids[i % len(ids)]})

    n, w = args.requests, args.warmup
    print(f"load before measuring: {_load()}")
    measured: list[tuple[str, Callable[[str], Result]]] = [
        ("baseline: home page, operator", lambda name: _page(name, OPERATOR_ALL, lambda i: home, requests=n, warmup=w)),
        (
            "baseline: console, operator of no region",
            lambda name: _page(name, OPERATOR_NONE, lambda i: console, requests=n, warmup=w),
        ),
        (
            "console, operator of every region",
            lambda name: _page(name, OPERATOR_ALL, lambda i: console, requests=n, warmup=w),
        ),
        (
            f"console, operator of one region ({ONE_REGION})",
            lambda name: _page(name, OPERATOR_ONE, lambda i: console, requests=n, warmup=w),
        ),
        (
            "console polling fallback (HX-Request)",
            lambda name: _page(
                name, OPERATOR_ALL, lambda i: console, requests=n, warmup=w, headers={"HX-Request": "true"}
            ),
        ),
        ("console event stream: one poll", lambda name: _stream_poll(name, OPERATOR_ALL, requests=n, warmup=w)),
        ("alert page, open alert", lambda name: _page(name, OPERATOR_ALL, alert_url(opened), requests=n, warmup=w)),
        (
            "alert page, historical alert",
            lambda name: _page(name, OPERATOR_ALL, alert_url(history), requests=n, warmup=w),
        ),
    ]
    results = [
        measure(name) for name, measure in measured if name.startswith("baseline") or not args.only or args.only in name
    ]
    print(f"load after measuring: {_load()}")
    home_p95, empty_p95 = results[0].p95, results[1].p95
    print()
    print(
        f"{n} timed requests per page after {w} untimed (in-process test client); "
        f"ratios: p95 against the home page / the console of no region, same run"
    )
    header = (
        f"{'page':<46} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>7} {'×home':>6} {'×empty':>6} {'target':>9}  result"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        verdict = "PASS" if r.p95 <= TARGET_P95_MS else "FAIL"
        print(
            f"{r.name:<46} {r.p50:6.1f}ms {r.p95:6.1f}ms {r.max:6.1f}ms {r.queries:>7.0f} "
            f"{r.p95 / home_p95:6.2f} {r.p95 / empty_p95:6.2f} {'≤' + format(TARGET_P95_MS, '.0f') + ' ms':>9}  {verdict}"
        )
    print(f"{len(opened)} open and {len(history)} historical alerts opened at random, in turn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
