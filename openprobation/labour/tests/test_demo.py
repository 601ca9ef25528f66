"""The demo data holds forced-labour hours (some cases behind) and employment duties with
referrals, offers and one refusal without good reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.cases.models import Case
from openprobation.labour.models import EmploymentDuty, JobOffer, JobReferral, LabourHours
from openprobation.labour.selectors import forced_labour_status

TODAY = dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_demo_labour_duties(fakes):
    fakes.work_ordered.update(range(1, 100_000))
    call_command("seed_demo", people=300, cases=400, today=TODAY, stdout=StringIO(), stderr=StringIO())
    assert LabourHours.objects.exists()
    cases = Case.objects.filter(labour_hours__isnull=False).distinct()
    statuses = [forced_labour_status(c, TODAY) for c in cases]
    for case, status in zip(cases, statuses, strict=True):
        assert status is not None
        for day, total in _per_day(case).items():
            assert total <= status.max_hours_per_day, (case, day)
    behind = [s for s in statuses if s is not None and s.figures.behind]
    assert behind and len(behind) < len(statuses)
    assert EmploymentDuty.objects.exists() and JobReferral.objects.exists() and JobOffer.objects.exists()
    assert JobOffer.objects.filter(answer="refused_no_reason").count() == 1
    assert len(fakes.candidates) == 1


def _per_day(case: Case) -> dict[dt.date, Decimal]:
    out: dict[dt.date, Decimal] = {}
    for row in LabourHours.objects.filter(case=case):
        out[row.worked_on] = out.get(row.worked_on, 0) + row.hours
    return out
