"""The bridge from the database to the rules engine: the assignments' rules as ``AssignmentSpec`` and
the thresholds of the rulebook as ``Params`` (``engine.types``). The evaluators call these when
they start and again for the assignments named by new ``ConfigRevision`` rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from openprobation.monitoring.engine.types import INF, AssignmentSpec, Params, ZoneVersionSpec
from openprobation.monitoring.models import Assignment, ScheduleException, ZoneVersion
from openprobation.monitoring.zones import windows_intervals
from openprobation.rules.rulebook import rule

# How long after its removal an assignment still judges fixes stored late by the device.
LATE_FIXES_GRACE = dt.timedelta(days=1)


def _ts(value: dt.datetime | None) -> float:
    return INF if value is None else value.timestamp()


def _assignments(
    *, ids: Iterable[int] | None, device_partition: tuple[int, int] | None, now: dt.datetime
) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(Q(removed_at__isnull=True) | Q(removed_at__gte=now - LATE_FIXES_GRACE))
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if device_partition is not None:
        partition, partitions = device_partition
        if partitions <= 0 or not 0 <= partition < partitions:
            raise ValueError(f"bad device partition {device_partition!r}")
        # In SQL: the evaluator of one partition must not load the whole country's assignments.
        qs = qs.alias(_part=F("device_id") % partitions).filter(_part=partition)
    versions = ZoneVersion.objects.select_related("zone").order_by("zone_id", "number")
    exceptions = ScheduleException.objects.filter(cancelled_at__isnull=True).order_by("starts_at")
    return qs.order_by("pk").prefetch_related(
        Prefetch("zones__versions", queryset=versions, to_attr="_versions"),
        Prefetch("exceptions", queryset=exceptions, to_attr="_exceptions"),
    )


def _zone_spec(version: ZoneVersion) -> ZoneVersionSpec:
    kind = cast(Any, version.zone.kind)
    return ZoneVersionSpec(
        zone_id=version.zone_id,
        version_id=version.pk,
        kind=kind,
        geometry=version.geometry,
        radius_m=version.radius_m,
        buffer_m=float(version.buffer_m or 0.0),
        valid_from=version.valid_from.timestamp(),
        valid_to=_ts(version.valid_to),
        windows=tuple(windows_intervals(version.windows or [])),
    )


def assignment_spec(assignment: Assignment) -> AssignmentSpec:
    """One assignment, read with the prefetches of ``assignment_specs``."""
    zones: list[ZoneVersionSpec] = []
    for zone in assignment.zones.all():
        zones.extend(_zone_spec(v) for v in getattr(zone, "_versions", zone.versions.all()))
    exceptions = tuple(
        (e.starts_at.timestamp(), e.ends_at.timestamp(), e.zone_id)
        for e in getattr(assignment, "_exceptions", assignment.exceptions.filter(cancelled_at__isnull=True))
    )
    return AssignmentSpec(
        assignment_id=assignment.pk,
        device_id=assignment.device_id,
        tz=assignment.time_zone,
        installed_at=assignment.installed_at.timestamp(),
        removed_at=_ts(assignment.removed_at),
        zones=tuple(zones),
        exceptions=exceptions,
        victim_device_id=assignment.victim_device_id,
        proximity_m=float(assignment.proximity_m) if assignment.proximity_m is not None else None,
        rules=frozenset(assignment.rules or ()),
    )


def assignment_specs(
    *, ids: Iterable[int] | None = None, device_partition: tuple[int, int] | None = None
) -> list[AssignmentSpec]:
    """The assignments in force (or removed within ``LATE_FIXES_GRACE``, so late fixes find them),
    optionally only ``ids`` or only the devices of one partition ``(p, P)`` (device id % P == p),
    each with every version of every zone and the exceptions not cancelled. Four queries
    (assignments, zones, versions, exceptions), however many assignments."""
    qs = _assignments(ids=ids, device_partition=device_partition, now=timezone.now())
    return [assignment_spec(a) for a in qs]


def engine_params(on: dt.date) -> Params:
    """The thresholds of the rulebook (``monitoring.thresholds``) in force on ``on``, in the engine's
    units (minutes become seconds)."""
    p = rule("monitoring.thresholds", on=on).params
    defaults = Params()
    return Params(
        debounce_fixes=int(p.get("debounce_fixes", defaults.debounce_fixes)),
        debounce_seconds=float(p.get("debounce_seconds", defaults.debounce_seconds)),
        low_battery_pct=int(p.get("low_battery_pct", defaults.low_battery_pct)),
        battery_clear_pct=int(p.get("battery_clear_pct", defaults.battery_clear_pct)),
        lost_communication_s=float(p["lost_communication_minutes"]) * 60.0
        if "lost_communication_minutes" in p
        else defaults.lost_communication_s,
        no_fix_s=float(p["no_fix_minutes"]) * 60.0 if "no_fix_minutes" in p else defaults.no_fix_s,
        proximity_m=float(p.get("proximity_m", defaults.proximity_m)),
        max_accuracy_m=float(p.get("max_accuracy_m", defaults.max_accuracy_m)),
        severity={**defaults.severity, **dict(p.get("severity") or {})},
    )
