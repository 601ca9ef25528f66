"""The demo data holds violations at every ladder step, a wanted case with its tasks and dismissed
candidates — consistent with the rules the services apply."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CaseTask, CourtDecision
from openprobation.enforcement import ladder
from openprobation.enforcement.models import EnforcementStep, Step, Violation, ViolationStatus

TODAY = dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_the_demo_shows_every_ladder_step_and_a_wanted_case():
    call_command("seed_demo", people=300, cases=400, today=TODAY, stdout=StringIO(), stderr=StringIO())
    assert {s.step for s in EnforcementStep.objects.all()} == set(Step.values)
    assert Violation.objects.filter(status=ViolationStatus.DISMISSED).exists()
    assert Violation.objects.filter(status=ViolationStatus.CANDIDATE).exists()
    assert set(CaseTask.objects.values_list("case__status", flat=True)) == {CaseStatus.WANTED}
    assert CaseTask.objects.count() == 2
    decision = CourtDecision.objects.get(number="4-118/2026")
    case = Case.objects.get(pk=decision.case_id)
    assert case.control_end is not None and case.ordered_control_end is not None
    assert case.control_end > case.ordered_control_end
    assert any(ladder.submission_due(c, TODAY).due for c in Case.objects.filter(violations__isnull=False).distinct())
    assert ladder.pending_submission(Case.objects.get(enforcement_steps__document_number="П-31/2026")) is not None
    for v in Violation.objects.all():
        assert v.occurred_on <= TODAY
        assert v.history.last().to_status == v.status  # type: ignore[union-attr]
    # One event for the whole bulk run; the labour demo records its one refusal through the
    # enforcement service, which audits it as the system's; the demo's monitoring operator handles
    # alerts through the monitoring services, audited in the operator's name (a confirmed alert's
    # violation candidate is the system's).
    from openprobation.accounts.models import User

    operator = User.objects.get(username="monitoring").pk
    assert AuditEvent.objects.filter(action="demo.seed").count() == 1
    assert set(AuditEvent.objects.exclude(action="demo.seed").values_list("action", "actor")) <= {
        ("violation.record", None),
        ("monitoring.alert.transition", operator),
        ("monitoring.alert.call", operator),
    }
