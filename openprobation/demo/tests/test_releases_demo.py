"""Demo release plans: plans for the prison cases released in the coming months, with items in
various states (some at risk), receiving offices in other districts, some handed over."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command

from openprobation.demo.releases import seed_releases
from openprobation.releases.models import Area, ItemStatus, PlanStatus, ReleasePlan, ReleasePlanItem
from openprobation.releases.readiness import plan_readiness

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def test_demo_has_release_plans_due_in_the_next_months():
    call_command("seed_demo", people=160, cases=200, today=TODAY, stdout=StringIO(), stderr=StringIO())
    ReleasePlan.objects.all().delete()  # seeded here, whether or not the demo already calls it
    counts = seed_releases(seed=7, today=TODAY)
    plans = list(ReleasePlan.objects.filter(status=PlanStatus.OPEN).select_related("case"))
    assert counts["release_plans"] == len(plans) > 0
    assert all(TODAY <= p.release_date <= TODAY + relativedelta(months=7) for p in plans)
    assert ReleasePlanItem.objects.count() == 8 * ReleasePlan.objects.count()
    assert set(ReleasePlanItem.objects.values_list("area", flat=True)) == set(Area.values)
    assert {ItemStatus.DONE, ItemStatus.OPEN} <= set(ReleasePlanItem.objects.values_list("status", flat=True))
    received = [p for p in plans if p.receiving_office_id]
    assert received and all(p.receiving_office_id != p.office_id for p in received)
    levels = {plan_readiness(p, on=TODAY).level for p in plans}
    assert len(levels) > 1
    assert seed_releases(seed=7, today=TODAY)["release_plans"] == 0  # no second plan for a case
