"""Readiness arithmetic: done / needed without the items not needed, the percentage, the open items
with their owners, the days left and the level by the documented thresholds."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.releases import readiness as r
from openprobation.releases.models import Area, ItemStatus, ReleasePlanItem
from openprobation.releases.readiness import plan_readiness, readiness_level


@pytest.mark.parametrize(
    ("done", "needed", "days", "late", "level"),
    [
        (8, 8, 5, 0, r.READY),
        (0, 0, 100, 0, r.READY),
        (3, 8, 120, 0, r.ON_TRACK),
        (3, 8, 120, 1, r.AT_RISK),
        (4, 8, r.AT_RISK_WITHIN_DAYS, 0, r.AT_RISK),
        (3, 8, r.AT_RISK_WITHIN_DAYS, 0, r.NOT_READY),  # under half done within two months
        (3, 8, r.AT_RISK_WITHIN_DAYS + 1, 0, r.ON_TRACK),
        (7, 8, r.NOT_READY_WITHIN_DAYS, 0, r.NOT_READY),
        (7, 8, r.NOT_READY_WITHIN_DAYS + 1, 0, r.AT_RISK),
        (7, 8, -3, 0, r.NOT_READY),
    ],
)
def test_level_thresholds(done, needed, days, late, level):
    assert readiness_level(done=done, needed=needed, days_to_release=days, late=late) == level


@pytest.mark.django_db
def test_readiness_of_a_plan_leaves_out_items_not_needed(personas, plan):
    items = {i.area: i for i in plan.items.all()}
    assert len(items) == 8
    today = plan.release_date - dt.timedelta(days=90)
    for area in (Area.HOUSING, Area.DOCUMENTS, Area.HEALTH):
        ReleasePlanItem.objects.filter(pk=items[area].pk).update(status=ItemStatus.DONE)
    ReleasePlanItem.objects.filter(pk=items[Area.BENEFITS].pk).update(status=ItemStatus.NOT_NEEDED)
    ReleasePlanItem.objects.filter(pk=items[Area.FAMILY].pk).update(
        status=ItemStatus.IN_PROGRESS, owner_name="Сіңлісі Айгүл", due_on=today - dt.timedelta(days=1)
    )
    got = plan_readiness(plan, on=today)
    assert (got.done, got.needed, got.percent, got.days_to_release) == (3, 7, 42, 90)
    assert [i.area for i in got.open_items] == [Area.EMPLOYMENT, Area.FAMILY, Area.TRAVEL, Area.REGISTRATION]
    family = next(i for i in got.open_items if i.area == Area.FAMILY)
    assert family.owner == "Сіңлісі Айгүл"
    assert family.late is True
    assert got.level == r.AT_RISK  # three months left, but an item is past its date
    assert plan_readiness(plan, on=plan.release_date - dt.timedelta(days=30)).level == r.NOT_READY
    ReleasePlanItem.objects.filter(plan=plan).exclude(status=ItemStatus.NOT_NEEDED).update(status=ItemStatus.DONE)
    done = plan_readiness(plan, on=today)
    assert (done.done, done.needed, done.percent, done.level, done.open_items) == (7, 7, 100, r.READY, [])
