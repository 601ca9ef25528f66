"""Labour with the real court duties (conditions) and violations (enforcement): the deadline the
court set wins over the rulebook's, and the candidates are real, once each."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from openprobation.conditions.services import case_condition_add
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import Violation
from openprobation.labour.models import EmploymentDuty
from openprobation.labour.services import (
    employment_deadline_scan,
    job_offer_answer,
    job_offer_record,
    job_referral_record,
)
from openprobation.labour.tests.conftest import rol_case

pytestmark = pytest.mark.django_db


def _order_work(personas, case, deadline):
    return case_condition_add(
        actor=personas["officer"],
        case=case,
        code="work_or_study",
        params={"deadline": deadline},
        in_force_from=case.effective_date,
    )


def test_the_court_deadline_in_days_wins_and_the_job_flags_it_once(personas):
    today = local_today()
    case = rol_case(personas, start=today - dt.timedelta(days=60), effective_date=today - dt.timedelta(days=60))
    _order_work(personas, case, {"days": 30})
    first = employment_deadline_scan(today=today)
    duty = EmploymentDuty.objects.get(case=case)
    assert duty.deadline == today - dt.timedelta(days=30)
    assert (duty.rule_key, first.duties_started) == ("court_order", 1)
    violations = Violation.objects.filter(case=case)
    assert [(v.kind, v.source, v.source_ref, v.status) for v in violations] == [
        ("work_refusal", "employment", f"deadline:{duty.pk}", "candidate")
    ]
    employment_deadline_scan(today=today)
    assert Violation.objects.filter(case=case).count() == 1 and EmploymentDuty.objects.count() == 1


def test_a_refused_offer_makes_a_real_candidate_and_no_order_no_duty(personas):
    today = local_today()
    case = rol_case(personas, effective_date=today - dt.timedelta(days=10))
    with pytest.raises(DomainError):
        job_referral_record(
            actor=personas["officer"], case=case, kind="employer", organisation="«Тазалық» ЖШС", issued_on=today
        )
    _order_work(personas, case, {"date": (today + relativedelta(months=2)).isoformat()})
    offer = job_offer_record(
        actor=personas["officer"], case=case, employer="«Тазалық» ЖШС", position="Аула сыпырушы", offered_on=today
    )
    assert EmploymentDuty.objects.get(case=case).deadline == today + relativedelta(months=2)
    job_offer_answer(
        actor=personas["officer"], case=case, offer_id=offer.pk, answer="refused_no_reason", answered_on=today
    )
    violation = Violation.objects.get(case=case)
    assert (violation.source_ref, violation.status, violation.occurred_on) == (f"offer:{offer.pk}", "candidate", today)
