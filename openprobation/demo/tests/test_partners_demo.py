"""Demo partner organisations in every district, the partner logins tied to organisations, and
referrals in every state (some overdue and escalated) for the programmes' measures."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import cast

import pytest
from django.core.management import call_command

from openprobation.accounts.models import Office, User
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.demo.partners import seed_partners, seed_referrals
from openprobation.programmes.models import (
    PartnerOrganisation,
    PartnerStaff,
    Programme,
    ProgrammeMeasure,
    Referral,
    ReferralEvent,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
MEASURES = ["employment", "health_care", "legal_advice", "counselling", "housing", "vocational_training"]


def _programmes() -> None:
    """Stand-in for the programmes' own demo data: an agreed programme with measures for open cases."""
    for i, case in enumerate(
        Case.objects.filter(status__in=OPEN_STATUSES, officer__isnull=False)
        .select_related("officer")
        .order_by("pk")[:80]
    ):
        if Programme.objects.filter(person_id=case.person_id).exists():
            continue
        programme = Programme.objects.create(
            person_id=case.person_id,
            case=case,
            office_id=case.office_id,
            status="agreed",
            basis="officer_study",
            opened_on=TODAY - dt.timedelta(days=60),
            created_by=cast(User, case.officer),
        )
        for j in range(3):
            ProgrammeMeasure.objects.create(
                programme=programme, measure=MEASURES[(i + j) % len(MEASURES)], due_on=TODAY + dt.timedelta(days=90)
            )


def test_partners_in_every_district_and_referrals_in_every_state():
    call_command("seed_demo", people=120, cases=150, today=TODAY, stdout=StringIO(), stderr=StringIO())
    if not PartnerOrganisation.objects.exists():
        counts = seed_partners(seed=7, today=TODAY)
        assert counts["organisations"] >= 10 * Office.objects.count()
    for office in Office.objects.all():
        kinds = set(PartnerOrganisation.objects.filter(districts=office).values_list("kind", flat=True))
        assert {
            "employment_centre",
            "akimat",
            "health",
            "education",
            "ngo",
            "legal_aid",
            "guardianship",
            "child_rights",
            "employer",
        } <= kinds, office.code
    assert set(PartnerStaff.objects.values_list("user__username", flat=True)) >= {"partner", "partner_ngo"}

    before = Referral.objects.count()  # the demo's own (seed_demo refers the programmes' measures)
    _programmes()
    counts = seed_referrals(seed=7, today=TODAY)  # a second run refers the measures not referred yet
    assert counts["referrals"] + before == Referral.objects.count() > 20
    assert Referral.objects.values("number").distinct().count() == Referral.objects.count()
    states = set(Referral.objects.values_list("status", flat=True))
    assert {"draft", "sent", "accepted", "declined", "in_progress", "completed", "cancelled"} <= states
    escalated = Referral.objects.filter(escalated_at__isnull=False).count()
    assert escalated > 0
    for referral in Referral.objects.select_related("organisation", "measure", "case")[:50]:
        assert referral.measure.measure in referral.organisation.services
        assert referral.organisation.districts.filter(pk=referral.case.office_id).exists()
    assert ReferralEvent.objects.filter(kind="escalation").count() == escalated
    completed = Referral.objects.filter(status="completed").select_related("measure").first()
    assert completed is not None and completed.measure.status in ("done", "not_done")
