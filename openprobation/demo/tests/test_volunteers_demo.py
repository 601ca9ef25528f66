"""Demo volunteers: two to four per region with checks, some lapsing, assignments with consent to
open cases of their districts, eligible on their first day, and sessions since."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.accounts.models import Region
from openprobation.volunteers.domain import eligibility
from openprobation.volunteers.models import SupportSession, Volunteer, VolunteerAssignment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def test_demo_has_volunteers_with_checks_assignments_and_sessions():
    call_command(
        "seed_demo", people=120, cases=150, today=TODAY, stdout=StringIO(), stderr=StringIO()
    )  # seeds volunteers
    regions = Region.objects.filter(offices__isnull=False).distinct()
    for region in regions:
        assert 2 <= Volunteer.objects.filter(region=region).count() <= 4
    assert VolunteerAssignment.objects.exists() and SupportSession.objects.exists()
    for assignment in VolunteerAssignment.objects.select_related("volunteer", "case"):
        volunteer = assignment.volunteer
        assert assignment.case.office_id in set(volunteer.offices.values_list("pk", flat=True))
        assert assignment.consent_note and assignment.consent_on <= assignment.started_on <= TODAY
        assert eligibility(status=volunteer.status, checks=volunteer.checks.all(), on=assignment.started_on).eligible
    sessions = SupportSession.objects.select_related("assignment")
    assert all(s.assignment.started_on <= s.held_on < TODAY and 1 <= s.minutes <= 720 for s in sessions)
