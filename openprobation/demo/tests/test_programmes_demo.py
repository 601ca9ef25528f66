"""Demo individual programmes: every state, goals from the needs assessments, measures with the
partner organisations serving the district, and minors with their parents or guardians."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openprobation.accounts.models import Office
from openprobation.cases.models import Case
from openprobation.core.timeutil import age_on
from openprobation.demo.programmes import seed_programmes
from openprobation.programmes.models import PartnerOrganisation, Programme, ProgrammeParticipant, ProgrammeVersion

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def _partners() -> None:
    """What the partners' demo (run before) leaves: organisations serving each district."""
    for office in Office.objects.all():
        for name, kind, services in (
            ("Халықты жұмыспен қамту орталығы", "employment_centre", ["employment", "vocational_training"]),
            ("«Жол» үкіметтік емес ұйымы", "ngo", ["housing", "counselling", "identity_documents", "legal_advice"]),
            ("Қорғаншылық және қамқоршылық органы", "guardianship", []),
            ("Бала құқықтарын қорғау орталығы", "child_rights", []),
        ):
            org = PartnerOrganisation.objects.create(
                name=name, kind=kind, region_id=office.region_id, services=services, capacity=10
            )
            org.districts.add(office)


def test_demo_programmes_in_every_state_with_measures_and_minors():
    call_command("seed_demo", people=150, cases=180, today=TODAY, stdout=StringIO(), stderr=StringIO())
    _partners()
    # A minor among the open cases, for certain (the population's ages are random).
    case = Case.objects.filter(status="active", officer__isnull=False).exclude(person__programmes__isnull=False).first()
    assert case is not None
    person = case.person
    person.birth_date = dt.date(2010, 3, 1)
    person.save(update_fields=["birth_date"])
    person.family.create(relation="parent", full_name="Серікова Айгүл", legal_representative=True, phone="+77011112233")

    before = Programme.objects.count()  # none, or those of the whole demo's own run
    counts = seed_programmes(seed=7, today=TODAY)
    assert counts["programmes"] == Programme.objects.count() - before > 10
    states = set(Programme.objects.values_list("status", flat=True))
    assert states == {"draft", "agreed", "refused", "closed"}
    assert Programme.objects.filter(status="draft", version=2, versions__number=1).exists()  # a new draft version
    assert Programme.objects.filter(basis="needs_assessment", goals__assessed_points__gt=0).exists()
    assert ProgrammeVersion.objects.filter(agreement="refused").exists()
    assert Programme.objects.filter(measures__organisation__isnull=False).exists()
    minors = [p for p in Programme.objects.select_related("person") if age_on(p.person.birth_date, TODAY) < 18]
    assert minors and counts["minors"] >= 1
    assert ProgrammeParticipant.objects.filter(programme__in=minors, kind="representative").exists()
    assert ProgrammeParticipant.objects.filter(programme__in=minors, kind="guardianship").exists()
    # Run again: nobody gets a second programme.
    seed_programmes(seed=8, today=TODAY)
    persons = list(Programme.objects.values_list("person_id", flat=True))
    assert len(persons) == len(set(persons))
