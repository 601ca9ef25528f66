"""The person page is composed from the apps above ``people``: the cases section and the person's
timeline come from the registries, the same in the page and the API, limited to what the user may
see. Pre-trial probation starts with the Law "On Probation"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openprobation.cases import legal
from openprobation.cases.models import CaseStatus
from openprobation.core.sections import person_sections
from openprobation.core.timeutil import local_today
from openprobation.rules.rulebook import RuleMissing
from openprobation.testing.clients import api_client as api
from openprobation.testing.clients import web_client as web
from openprobation.testing.factories import a_case, a_person

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def story(personas):
    person = a_person(registered_office=personas["office_a"])
    first = a_case(person=person, status=CaseStatus.ACTIVE, received_on=D(2024, 1, 10))
    second = a_case(person=person, status=CaseStatus.ACTIVE, officer=personas["officer"])
    for case, reason in ((first, "первое"), (second, "второе")):
        api(personas["head"]).post(
            f"/api/v1/cases/{case.pk}/transition/",
            {"to_status": "closed" if case is second else "completed", "reason": reason},
            format="json",
        )
    return {"person": person, "first": first, "second": second}


def test_the_person_page_lists_every_case_through_the_cases_section(personas, story):
    sections = person_sections(user=personas["officer"], person=story["person"], today=local_today())
    assert [s.key for s in sections] == ["cases"]
    assert [row["case"] for row in sections[0].context["rows"]] == [story["first"], story["second"]]
    html = web(personas["officer"]).get(reverse("people:detail", args=[story["person"].pk])).content.decode()
    assert f'id="story-case-{story["first"].pk}"' in html
    assert f'id="story-case-{story["second"].pk}"' in html
    assert 'id="person-timeline"' in html


def test_the_person_timeline_is_the_same_in_the_page_and_the_api(personas, story):
    page = web(personas["officer"]).get(reverse("people:detail", args=[story["person"].pk])).context["timeline"]
    body = api(personas["officer"]).get(f"/api/v1/people/{story['person'].pk}/timeline/").json()
    assert [e.ref for e in page.entries] == [e["ref"] for e in body["results"]]
    assert {e["case_number"] for e in body["results"]} == {story["first"].number, story["second"].number}
    assert body["results"][0]["detail"] == "второе"


def test_another_district_gets_404_for_the_person_timeline(personas, story):
    assert api(personas["other_district"]).get(f"/api/v1/people/{story['person'].pk}/timeline/").status_code == 404
    assert api(personas["analyst"]).get(f"/api/v1/people/{story['person'].pk}/timeline/").status_code == 404


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"page_size": "1000"}, {"page": "9" * 40}])
def test_bad_timeline_paging_is_a_400_not_a_500(personas, story, params):
    answer = api(personas["officer"]).get(f"/api/v1/people/{story['person'].pk}/timeline/", params)
    assert answer.status_code == 400
    assert answer.json()["code"] in {"invalid", "min_value", "max_value", "max_string_length"}


def test_pre_trial_probation_starts_on_the_day_the_law_took_effect():
    minor = a_person(birth_date=D(2001, 6, 1))
    with pytest.raises(RuleMissing):
        legal.pretrial_eligibility(
            person=minor, restraint_measure="none", consent_date=D(2017, 1, 16), on=D(2017, 1, 16)
        )
    decision = legal.pretrial_eligibility(
        person=minor, restraint_measure="none", consent_date=D(2017, 1, 17), on=D(2017, 1, 17)
    )
    assert decision.eligible


def test_a_penitentiary_case_for_a_sentence_passed_under_the_old_code_opens(personas):
    from openprobation.cases.services import CaseInput, case_open

    case = case_open(
        actor=personas["officer"],
        person=a_person(registered_office=personas["office_a"]),
        office=personas["office_a"],
        data=CaseInput(
            case_type="penitentiary",
            received_on=D(2026, 6, 1),
            court="Суд",
            decision_number="1-5/2010",
            decision_date=D(2010, 3, 1),
            sentence_kind="imprisonment",
            term_months=200,
            institution="ИУ",
            release_date=D(2026, 12, 20),
        ),
    )
    assert case.control_end is None
    assert case.registration_due == D(2026, 6, 11)
