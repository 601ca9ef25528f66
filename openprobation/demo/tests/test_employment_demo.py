"""The demo data holds employers with this year's quotas approved by the akimat, vacancies,
referrals, placements (some ended), refusals and status histories, all within the quota rules."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.employment.domain import PlacementFact, quota_usage
from openprobation.employment.models import (
    EmploymentReferral,
    EmploymentStatusChange,
    JobQuota,
    JobRefusal,
    Placement,
    Vacancy,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def test_demo_employment():
    call_command(
        "seed_demo", people=200, cases=260, today=TODAY, stdout=StringIO(), stderr=StringIO()
    )  # seeds employment
    assert JobQuota.objects.filter(year=TODAY.year).exists()
    assert all(q.employer.kind == "employer" and q.decision_number for q in JobQuota.objects.select_related("employer"))
    assert Vacancy.objects.exists() and EmploymentReferral.objects.exists()
    assert (
        Placement.objects.filter(ended_on__isnull=False).exists() and Placement.objects.filter(ended_on=None).exists()
    )
    assert JobRefusal.objects.exists()
    assert EmploymentStatusChange.objects.filter(source="placement").exists()
    for quota in JobQuota.objects.all():
        facts = [PlacementFact(s, e) for s, e in quota.placements.values_list("started_on", "ended_on")]
        assert quota_usage(places=quota.places, year=quota.year, placements=facts).over == 0
    assert all(p.started_on <= TODAY and p.started_on >= p.case.received_on for p in Placement.objects.all())
