"""The bridge to the engine: assignments as specs (zone versions, windows as minute-of-week
intervals, exceptions, partitions) in few queries, and the rulebook's thresholds in seconds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openprobation.core.timeutil import local_today
from openprobation.monitoring import services
from openprobation.monitoring.engine.types import INF
from openprobation.monitoring.models import Assignment
from openprobation.monitoring.specs import assignment_specs, engine_params
from openprobation.monitoring.tests.matrix import active_case, fitted

pytestmark = pytest.mark.django_db

DAY = 1440


def _monitored(personas, n: int = 1) -> list[Assignment]:
    out = []
    for _ in range(n):
        assignment = fitted(personas["senior"], active_case(personas))
        zone = services.zone_create(
            actor=personas["senior"],
            assignment=assignment,
            kind="home",
            name="Home",
            shape=services.ZoneShape(
                geometry={"type": "Point", "coordinates": [71.43, 51.13]},
                radius_m=100,
                windows=[{"day": 6, "start": "22:00", "end": "06:00"}],
            ),
        )
        services.zone_change(
            actor=personas["senior"], zone=zone, buffer_m=20, valid_from=timezone.now() + dt.timedelta(hours=1)
        )
        now = timezone.now()
        services.exception_create(
            actor=personas["senior"],
            assignment=assignment,
            starts_at=now + dt.timedelta(hours=2),
            ends_at=now + dt.timedelta(hours=3),
            reason="Doctor",
            zone=zone,
        )
        out.append(assignment)
    return out


def test_an_assignment_becomes_a_spec_with_every_version_and_split_windows(personas):
    (assignment,) = _monitored(personas)
    (spec,) = assignment_specs(ids=[assignment.pk])
    assert spec.assignment_id == assignment.pk and spec.device_id == assignment.device_id
    assert spec.tz == assignment.time_zone and spec.removed_at == INF
    first, second = spec.zones
    assert (first.kind, first.radius_m, second.buffer_m) == ("home", 100.0, 20.0)
    assert first.valid_to == second.valid_from and second.valid_to == INF
    # Sunday 22:00 to Monday 06:00 crosses the week's end: two intervals.
    assert first.windows == ((0, 360), (6 * DAY + 1320, 7 * DAY))
    ((start, end, zone_id),) = spec.exceptions
    assert end - start == 3600 and zone_id == first.zone_id


def test_specs_are_read_in_four_queries_whatever_their_number(personas, django_assert_num_queries):
    _monitored(personas, 3)
    with django_assert_num_queries(4):
        specs = assignment_specs()
    assert len(specs) == 3


def test_a_partition_holds_only_its_devices(personas):
    assignments = _monitored(personas, 4)
    seen: list[int] = []
    for p in range(3):
        part = assignment_specs(device_partition=(p, 3))
        assert all(s.device_id % 3 == p for s in part)
        seen.extend(s.assignment_id for s in part)
    assert sorted(seen) == sorted(a.pk for a in assignments)


def test_a_removed_assignment_stays_a_day_for_late_fixes_and_cancelled_permissions_go(personas):
    (assignment,) = _monitored(personas)
    for permission in assignment.exceptions.all():
        services.exception_cancel(actor=personas["senior"], exception=permission)
    services.assignment_end(actor=personas["senior"], assignment=assignment, reason="Done")
    (spec,) = assignment_specs(ids=[assignment.pk])
    assert spec.removed_at < INF and spec.exceptions == ()
    Assignment.objects.filter(pk=assignment.pk).update(
        installed_at=timezone.now() - dt.timedelta(days=10), removed_at=timezone.now() - dt.timedelta(days=2)
    )
    assert assignment_specs(ids=[assignment.pk]) == []


def test_thresholds_come_from_the_rulebook_in_seconds():
    params = engine_params(local_today())
    assert params.lost_communication_s == 15 * 60
    assert params.no_fix_s == 20 * 60
    assert params.debounce_fixes == 3
    assert params.severity["strap"] == "critical"
