"""Demo assessments: most cases assessed with scores that match the instrument, some overrides,
some reassessments due."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.assessments.instruments import spec_of
from openprobation.assessments.models import Assessment, CaseAssessmentState, DueReason, LevelOverride, OverrideStatus
from openprobation.assessments.scoring import score_answers
from openprobation.cases.models import OPEN_STATUSES, Case

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def test_demo_has_assessments_overrides_and_due_reassessments() -> None:
    call_command("seed_demo", people=300, cases=380, today=TODAY, stdout=StringIO(), stderr=StringIO())
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES, officer__isnull=False).count()
    assessed = CaseAssessmentState.objects.filter(risk__isnull=False).count()
    assert assessed > 0.6 * open_cases
    assert Assessment.objects.filter(kind="needs").count() > 0.5 * assessed
    for a in Assessment.objects.select_related("instrument").order_by("?")[:30]:
        assert score_answers(spec_of(a.instrument), a.answers).score == pytest.approx(a.score)
    assert {OverrideStatus.PENDING, OverrideStatus.COUNTERSIGNED} <= set(
        LevelOverride.objects.values_list("status", flat=True)
    )
    due = CaseAssessmentState.objects.filter(due_on__lte=TODAY)
    assert due.filter(due_reason=DueReason.INITIAL).exists() or due.filter(due_reason=DueReason.SCHEDULED).exists()
    assert due.count() > 0
