"""Demo electronic monitoring: bracelets in stock round the offices (a few in repair or lost), about
thirty active cases of the cities' offices (Almaty, Astana, Shymkent) under monitoring with a home
zone and curfew, the city as the inclusion zone and an exclusion place, a few one-off permissions,
the positions of the last hours and a week of alerts that opened and cleared — all from the same
simulated traces, so the alerts agree with the zones and the tracks.

Most monitored devices (serials ``DEMO-…``) are streamed live by ``demo.stream`` while the server
runs, so they carry no open alert (the evaluator raises those as the stream goes). A few devices
(``DEMOQ-…``) went quiet some hours ago with an alert still open: lost communication, a strap cut,
leaving the city, a run-down battery — and, having sent nothing since, lost communication and no valid
position open too, from when their thresholds passed. Deterministic by seed; dates relative to ``today``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import Case, CaseStatus, CaseType
from openprobation.core.timeutil import local_today
from openprobation.demo.people import stream
from openprobation.monitoring.catalogue import Channel, DeviceKind, DeviceStatus, Rule, ZoneKind
from openprobation.monitoring.models import (
    Alert,
    Assignment,
    ConfigRevision,
    Device,
    DeviceState,
    DeviceStatusChange,
    EmResolution,
    Position,
    ScheduleException,
    Zone,
)
from openprobation.monitoring.selectors import AROUND_EVENT
from openprobation.monitoring.simulator.cities import BY_REGION
from openprobation.monitoring.simulator.fleet import Fleet, fleet_assign
from openprobation.monitoring.simulator.traces import DAY, HOUR, Simulation
from openprobation.rules.rulebook import rule

BATCH = 2000
ENDING_IN = 9  # days left on one demo resolution (within the rulebook's notice)
WINDOW = AROUND_EVENT.total_seconds()  # the alert page shows the fixes this far either side of the event
MONITORED = 30
QUIET = 6  # of the monitored, the devices that went quiet with an alert open
IN_STOCK = 40
STREAM_PREFIX = "DEMO"
QUIET_PREFIX = "DEMOQ"
STOCK_PREFIX = "KZ-EM"
SUPPLIERS = ["Kazakhtelecom (лизинг)", "ТОО «GeoTrack KZ» (лизинг)", "Beeline Казахстан (лизинг)"]
QUIET_RULES = [
    Rule.LOST_COMMUNICATION,
    Rule.STRAP,
    Rule.INCLUSION_EXIT,
    Rule.LOW_BATTERY,
    Rule.LOST_COMMUNICATION,
    Rule.STRAP,
]
ZONE_OF_RULE: dict[str, str] = {
    Rule.CURFEW: ZoneKind.HOME,
    Rule.EXCLUSION_ENTRY: ZoneKind.EXCLUSION,
    Rule.INCLUSION_EXIT: ZoneKind.INCLUSION,
}
PERMISSIONS = [
    "Разрешение: посещение родственника в больнице",
    "Рұқсат: туысының үйлену тойы",
    "Разрешение: ночная смена на работе (справка работодателя)",
]


@contextmanager
def _historic_alert_times() -> Iterator[None]:
    """Demo alerts keep when they were raised (``raised_at`` is otherwise "now")."""
    field: Any = Alert._meta.get_field("raised_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _anchor(today: dt.date) -> dt.datetime:
    """ "Now" for the demo: the current time when ``today`` is today, else 18:00 local of ``today``."""
    if today >= local_today():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(today, dt.time(18)))


def _actor(case: Case, heads: dict[int, User]) -> User | None:
    return heads.get(case.office_id) or case.officer


def seed_monitoring(*, seed: int, today: dt.date) -> dict[str, int]:
    """Devices, assignments with zones, permissions, positions and alerts (see the module)."""
    rng = stream(seed, "monitoring")
    now = _anchor(today)
    offices = list(Office.objects.select_related("region").order_by("pk"))
    if not offices or Device.objects.filter(serial__startswith=f"{STOCK_PREFIX}-").exists():
        return {"devices": 0, "assignments": 0, "positions": 0, "alerts": 0, "permissions": 0}  # seeded already
    heads = {
        u.office_id: u
        for u in User.objects.filter(role="head_of_office", office__isnull=False).order_by("pk")
        if u.office_id is not None
    }
    candidates = list(
        Case.objects.filter(
            status=CaseStatus.ACTIVE,
            case_type__in=[CaseType.SENTENCE, CaseType.POST_PENITENTIARY],
            office__region__code__in=list(BY_REGION),
        )
        .exclude(pk__in=Assignment.objects.filter(removed_at__isnull=True).values("case_id"))
        .select_related("office__region", "officer")
        .order_by("pk")
    )
    candidates = [c for c in candidates if _actor(c, heads) is not None]
    chosen = rng.sample(candidates, min(MONITORED, len(candidates)))
    chosen.sort(key=lambda c: c.pk)
    quiet, streamed = chosen[:QUIET], chosen[QUIET:]
    with transaction.atomic(), _historic_alert_times():
        stock = _stock(rng, offices=offices, heads=heads, today=today)
        fleets: list[tuple[Fleet, list[Case], bool]] = []
        for cases, prefix, is_quiet in ((streamed, STREAM_PREFIX, False), (quiet, QUIET_PREFIX, True)):
            fleet = Fleet(devices=[], people=[])
            for case in cases:
                installed = now - dt.timedelta(days=rng.randint(10, 120), hours=rng.randint(0, 8))
                actor = _actor(case, heads)
                assert actor is not None  # noqa: S101 - filtered above
                fleet_assign(
                    fleet,
                    cases=[case],
                    seed=seed,
                    prefix=prefix,
                    actor=actor,
                    installed_at=[installed],
                    supplier=rng.choice(SUPPLIERS),
                    # The resolution is the office head's (Order 511 para. 140).
                    decided_by=[heads.get(case.office_id) or actor],
                )
            fleets.append((fleet, cases, is_quiet))
        _ending_soon(streamed, today=now.date())
        counts = {"devices": stock, "assignments": len(chosen), "positions": 0, "alerts": 0, "permissions": 0}
        for fleet, cases, is_quiet in fleets:
            if fleet.devices:
                history = _history(fleet, cases=cases, seed=seed, now=now, quiet=is_quiet, rng=rng)
                for key, value in history.items():
                    counts[key] += value
        # The demo's monitoring operator watches the regions of the monitored cases (the console,
        # the devices and their health are theirs to see).
        regions = {c.office.region_id for c in chosen}
        for operator in User.objects.filter(username="monitoring", role=Role.MONITORING_OPERATOR):
            operator.monitored_regions.add(*regions)
            counts["handled"] = _handle(operator, rng, now=now)
    counts["devices"] += len(chosen)
    return counts


def _ending_soon(cases: list[Case], *, today: dt.date) -> None:
    """The first monitored case's resolution ends in ENDING_IN days: the work queue and the case page
    announce it (the head decides an extension, or the device comes off)."""
    if not cases:
        return
    resolution = EmResolution.objects.filter(case=cases[0]).order_by("-starts_on").first()
    if resolution is not None:
        resolution.ends_on = max(today + dt.timedelta(days=ENDING_IN), resolution.starts_on)
        resolution.save(update_fields=["ends_on", "updated_at"])


def _stock(rng: Any, *, offices: list[Office], heads: dict[int, User], today: dt.date) -> int:
    """Bracelets, home units and victims' devices held by the offices; a few in repair or lost."""
    devices, moves = [], []
    kinds = [DeviceKind.BRACELET] * 6 + [DeviceKind.HOME_UNIT, DeviceKind.VICTIM_DEVICE, DeviceKind.SMARTPHONE]
    for i in range(IN_STOCK):
        office = offices[i % len(offices)]
        roll = rng.random()
        status = DeviceStatus.IN_REPAIR if roll < 0.08 else DeviceStatus.LOST if roll < 0.12 else DeviceStatus.IN_STOCK
        devices.append(
            Device(
                kind=rng.choice(kinds),
                serial=f"{STOCK_PREFIX}-{i + 1:05d}",
                supplier=rng.choice(SUPPLIERS),
                leased=True,
                firmware=rng.choice(["2.3.9", "2.4.1"]),
                status=status,
                office=office,
                notes="Корпус треснул" if status == DeviceStatus.IN_REPAIR else "",
            )
        )
    Device.objects.bulk_create(devices, batch_size=BATCH)
    for device in devices:
        actor = heads.get(device.office_id)
        if device.status != DeviceStatus.IN_STOCK and actor is not None:
            moves.append(
                DeviceStatusChange(
                    device=device,
                    from_status=DeviceStatus.IN_STOCK,
                    to_status=device.status,
                    reason="Сдан в ремонт" if device.status == DeviceStatus.IN_REPAIR else "Утерян при задержании",
                    effective_on=today - dt.timedelta(days=rng.randint(2, 40)),
                    changed_by=actor,
                )
            )
    DeviceStatusChange.objects.bulk_create(moves, batch_size=BATCH)
    return len(devices)


def _history(fleet: Fleet, *, cases: list[Case], seed: int, now: dt.datetime, quiet: bool, rng: Any) -> dict[str, int]:
    """A week of the fleet's simulated days: its scripted events as alerts (cleared when they ended
    before now; a quiet device keeps its last one open and stops reporting there), its last hours
    as positions, and a few permissions."""
    end = now.timestamp()
    start = end - 7 * DAY
    simulation = Simulation(fleet.people, seed=seed + (1 if quiet else 0), start=start, days=9, violations=0.12)
    severity = rule("monitoring.thresholds", on=now.date()).params["severity"]
    assignment_ids = [d.assignment_id for d in fleet.devices]
    zones = {(z.assignment_id, z.kind): z for z in Zone.objects.filter(assignment_id__in=assignment_ids)}
    versions = {z.pk: v for z in zones.values() for v in z.versions.all()}
    alerts: list[Alert] = []
    context: dict[str, Any] = {
        "fleet": fleet,
        "cases": cases,
        "zones": zones,
        "versions": versions,
        "severity": severity,
        "simulation": simulation,
    }
    silent_from: dict[int, float] = {}
    events = simulation.ground_truth(start=start, end=end)
    if quiet:
        # Each quiet device's open alert: the condition began some hours ago and has not cleared. It
        # has not reported since, so the evaluator's clock rules have followed as they would: lost
        # communication and no valid position, each once its threshold passed — open as well (and
        # not raised anew, as if just noticed, when the demo's evaluator first starts).
        limits = rule("monitoring.thresholds", on=now.date()).params
        after = {
            Rule.LOST_COMMUNICATION: float(limits["lost_communication_minutes"]) * 60,
            Rule.NO_FIX: float(limits["no_fix_minutes"]) * 60,
        }
        for index in range(len(fleet.devices)):
            kind = QUIET_RULES[index % len(QUIET_RULES)]
            began = end - rng.uniform(1.5, 9.0) * HOUR
            silent_from[index] = began  # the strap cut, the battery dead, out of the city: no more fixes
            if kind not in after:
                alerts.append(_alert(**context, index=index, kind=str(kind), began=began, ended=None))
            for clock_rule, seconds in after.items():
                alerts.append(_alert(**context, index=index, kind=str(clock_rule), began=began + seconds, ended=None))
    for event in events:
        if event.end >= end or event.start >= silent_from.get(event.device, end):
            continue
        alerts.append(_alert(**context, index=event.device, kind=event.kind, began=event.start, ended=event.end))
    Alert.objects.bulk_create(alerts, batch_size=BATCH)

    # The last six hours at one fix a minute (quiet devices: until they went quiet), and the quarter
    # hour either side of every older alert (what its page shows around the event).
    recent = end - 6 * HOUR
    device_idx, t = simulation.schedule(interval=60, start=recent, end=end)
    index_of = {d.assignment_id: i for i, d in enumerate(fleet.devices)}
    around = [
        (index_of[a.assignment_id], a.opened_at.timestamp())
        for a in alerts
        if a.opened_at.timestamp() < recent + WINDOW
    ]
    if around:
        steps = np.arange(-WINDOW, WINDOW + 1, 60.0)
        near_device = np.repeat(np.array([i for i, _ in around], dtype=np.int64), len(steps))
        near_t = np.floor(np.concatenate([at + steps for _, at in around]))
        early = near_t < recent  # the last six hours have theirs
        device_idx = np.concatenate([near_device[early], device_idx])
        t = np.concatenate([near_t[early], t])
        # One fix per device and second (windows of one device's alerts overlap), in time order.
        _, first = np.unique(np.stack([device_idx, np.floor(t).astype(np.int64)]), axis=1, return_index=True)
        device_idx, t = device_idx[first], t[first]
        order = np.lexsort((device_idx, t))
        device_idx, t = device_idx[order], t[order]
    limit = np.array([silent_from.get(i, end) for i in range(len(fleet.devices))])
    keep = (t < limit[device_idx]) & (t <= end)
    fixes = simulation.fixes(device_idx[keep], t[keep])
    ids = np.array([d.device_id for d in fleet.devices])
    aids = np.array(assignment_ids)
    positions = [
        Position(
            device_id=int(ids[i]),
            fix_time=dt.datetime.fromtimestamp(ft, dt.UTC),
            seq=int(seq),
            received_at=dt.datetime.fromtimestamp(ft + 2, dt.UTC),
            assignment_id=int(aids[i]),
            lat=round(lat, 6),
            lon=round(lon, 6),
            accuracy_m=round(acc, 1),
            battery=int(b),
            speed=round(sp, 1),
            course=int(c),
            strap=int(st),
            fix=int(fx),
            charging=bool(ch),
            channel=Channel.HTTP,
        )
        for i, ft, seq, lat, lon, acc, b, sp, c, st, fx, ch in zip(
            fixes.device.tolist(),
            fixes.t.tolist(),
            fixes.seq.tolist(),
            fixes.lat.tolist(),
            fixes.lon.tolist(),
            fixes.accuracy.tolist(),
            fixes.battery.tolist(),
            fixes.speed.tolist(),
            fixes.course.tolist(),
            fixes.strap.tolist(),
            fixes.fix.tolist(),
            fixes.charging.tolist(),
            strict=True,
        )
    ]
    Position.objects.bulk_create(positions, batch_size=BATCH)
    DeviceState.objects.bulk_create(_states(fixes, ids), batch_size=BATCH)

    permissions = []
    if not quiet:
        for n, device in enumerate(fleet.devices[: len(PERMISSIONS)]):
            home = zones.get((device.assignment_id, ZoneKind.HOME))
            begin = timezone.localtime(now).replace(hour=21, minute=0, second=0, microsecond=0) + dt.timedelta(days=n)
            permissions.append(
                ScheduleException(
                    assignment_id=device.assignment_id,
                    zone=home,
                    starts_at=begin,
                    ends_at=begin + dt.timedelta(hours=3 + n),
                    reason=PERMISSIONS[n],
                    created_by=cases[device.index].officer
                    or Assignment.objects.get(pk=device.assignment_id).created_by,
                )
            )
        ScheduleException.objects.bulk_create(permissions)
        ConfigRevision.objects.bulk_create([ConfigRevision(assignment_id=p.assignment_id) for p in permissions])
    return {"positions": len(positions), "alerts": len(alerts), "permissions": len(permissions)}


def _states(fixes: Any, ids: Any) -> list[DeviceState]:
    """What the evaluator knows of each device after these positions — its last message, last fix,
    last valid fix, position, battery and strap (zone membership and open alerts it learns from the
    fixes to come) — so that its first start goes on from them, not as if the devices had never
    reported (a device whose next fix has no position would be "without a valid fix since it was
    fitted"). In the evaluator's own form (``Engine.export_state``), stored as it stores it."""
    # The store loads the rules engine (Numba): imported when seeding, not in every process that
    # loads the demo app.
    from openprobation.monitoring.pipeline.store import state_row  # noqa: PLC0415

    newest: dict[int, int] = {}
    valid: dict[int, float] = {}
    for k, (index, t, fix) in enumerate(zip(fixes.device.tolist(), fixes.t.tolist(), fixes.fix.tolist(), strict=True)):
        newest[index] = k  # the fixes are in time order
        if fix == 0:
            valid[index] = t
    states = []
    for index, k in newest.items():
        t = float(fixes.t[k])
        exported: dict[str, Any] = {
            "last_message": t,
            "last_received": t + 2,  # as the positions' received_at
            "last_fix": t,
            "last_valid_fix": valid.get(index),
            "lat": round(float(fixes.lat[k]), 6),
            "lon": round(float(fixes.lon[k]), 6),
            "accuracy": round(float(fixes.accuracy[k]), 1),
            "battery": int(fixes.battery[k]),
            "strap": int(fixes.strap[k]),
            "charging": bool(fixes.charging[k]),
            "connected": None,
            "zones": {},
            "alerts": {},
        }
        states.append(DeviceState(device_id=int(ids[index]), engine=exported, **state_row(exported)))
    return states


def _alert(
    *,
    fleet: Fleet,
    cases: list[Case],
    zones: dict[tuple[int, str], Zone],
    versions: dict[int, Any],
    severity: dict[str, str],
    simulation: Simulation,
    index: int,
    kind: str,
    began: float,
    ended: float | None,
) -> Alert:
    device = fleet.devices[index]
    zone = zones.get((device.assignment_id, ZONE_OF_RULE[kind])) if kind in ZONE_OF_RULE else None
    lat, lon = simulation.position_at(index, began)
    if kind == Rule.INCLUSION_EXIT and ended is None:
        lat, lon = simulation.people[index].outside
    where = kind not in (Rule.LOST_COMMUNICATION, Rule.NO_FIX)  # clock rules, as the evaluator's: no position
    opened = dt.datetime.fromtimestamp(began, dt.UTC)
    return Alert(
        assignment_id=device.assignment_id,
        device_id=device.device_id,
        case=cases[index],
        rule=kind,
        severity=severity.get(kind, "medium"),
        zone=zone,
        zone_version=versions.get(zone.pk) if zone is not None else None,
        opened_at=opened,
        received_at=opened + dt.timedelta(seconds=2),
        raised_at=opened + dt.timedelta(seconds=3),
        cleared_at=dt.datetime.fromtimestamp(ended, dt.UTC) if ended is not None else None,
        lat=round(lat, 6) if where else None,
        lon=round(lon, 6) if where else None,
        details={"demo": True},
    )


# What the operator did with the demo's alerts: every cleared one older than HANDLED_BEFORE handled
# (false alarms, technical problems, curfew breaches confirmed as violation candidates) — a centre
# does not leave last week's alerts waiting — the recent ones still waiting, and some open ones
# acknowledged or escalated to the case's officer, with a call recorded — all through the services,
# so the console shows every handling state with its history and audit trail.
HANDLED_BEFORE = dt.timedelta(hours=12)
CONFIRMED_RULES = (Rule.CURFEW, Rule.INCLUSION_EXIT, Rule.EXCLUSION_ENTRY)


def _handle(operator: User, rng: Any, *, now: dt.datetime) -> int:
    from openprobation.core.exceptions import DomainError  # noqa: PLC0415
    from openprobation.monitoring import services  # noqa: PLC0415
    from openprobation.monitoring.alerting import AlertResolution, CallOutcome, CallParty  # noqa: PLC0415

    handled = 0
    alerts = list(Alert.objects.select_related("case__officer", "case__person").order_by("opened_at", "pk"))
    cleared = [a for a in alerts if a.cleared_at is not None]
    still_open = [a for a in alerts if a.cleared_at is None]
    for alert in (a for a in cleared if a.opened_at < now - HANDLED_BEFORE):
        try:
            services.alert_acknowledge(actor=operator, alert=alert)
            if alert.rule in CONFIRMED_RULES and rng.random() < 0.5:
                services.alert_resolve(
                    actor=operator,
                    alert=alert,
                    resolution=AlertResolution.CONFIRMED_VIOLATION,
                    note="Позиция вне зоны подтверждена; человек не отвечал на звонок.",
                )
            elif alert.rule in (Rule.LOST_COMMUNICATION, Rule.NO_FIX, Rule.LOW_BATTERY):
                services.alert_resolve(
                    actor=operator, alert=alert, resolution=AlertResolution.TECHNICAL, note="Сбой связи оператора."
                )
            else:
                services.alert_resolve(
                    actor=operator, alert=alert, resolution=AlertResolution.FALSE_ALARM, note="Отражение GPS у дома."
                )
            handled += 1
        except DomainError:
            continue  # a case that cannot take it (closed since): left as it was
    for number, alert in enumerate(still_open[: max(len(still_open) // 2, 1)]):
        try:
            services.alert_acknowledge(actor=operator, alert=alert)
            services.alert_call_record(
                actor=operator,
                alert=alert,
                party=CallParty.PERSON,
                number=alert.case.person.phone or "+7 701 000 00 00",
                outcome=CallOutcome.NO_ANSWER,
                note="Не ответил, перезвонить.",
            )
            if number % 3 == 0 and alert.case.officer is not None:
                services.alert_escalate(actor=operator, alert=alert, reason="Не выходит на связь больше часа.")
            handled += 1
        except DomainError:
            continue
    return handled
