"""Later court decisions (the case's terms derive from them) and the PEC art. 163 appearance, in
the service, the API and the web page — with everyone who must be refused refused and nothing
changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CourtDecision
from openprobation.cases.services import CaseInput, DecisionInput, case_open, court_decision_record
from openprobation.cases.terms import current_terms, registration_state
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.testing.clients import api_client as api
from openprobation.testing.clients import web_client as web
from openprobation.testing.factories import a_person

D = dt.date
pytestmark = pytest.mark.django_db


def open_case(personas: dict[str, Any], **over: Any) -> Case:
    data: dict[str, Any] = {
        "case_type": "sentence",
        "received_on": D(2026, 1, 20),
        "court": "Алматы қаласының аудандық соты",
        "decision_number": "1-77/2026",
        "decision_date": D(2026, 1, 5),
        "effective_date": D(2026, 1, 15),
        "sentence_kind": "conditional",
        "term_months": 12,
    }
    data.update(over)
    person = a_person(registered_office=personas["office_a"])
    case = case_open(actor=personas["officer"], person=person, office=personas["office_a"], data=CaseInput(**data))
    Case.objects.filter(pk=case.pk).update(officer=personas["officer"], status=CaseStatus.ACTIVE)
    case.refresh_from_db()
    return case


EXTENSION = {
    "kind": "extension",
    "court": "Алматы қаласының аудандық соты",
    "number": "4-12/2026",
    "decision_date": "2026-06-01",
    "effective_date": "2026-06-16",
    "extension_months": 3,
}


# --- Derived terms ------------------------------------------------------------------------------


def test_an_extension_is_recorded_and_the_control_period_is_derived_from_it(personas):
    case = open_case(personas)
    assert (case.control_start, case.control_end) == (D(2026, 1, 15), D(2027, 1, 14))
    answer = api(personas["officer"]).post(f"/api/v1/cases/{case.pk}/decisions/", EXTENSION, format="json")
    assert answer.status_code == 201, answer.json()
    case.refresh_from_db()
    # The original order is kept; the current end is derived from it and the decision.
    assert (case.ordered_control_start, case.ordered_control_end) == (D(2026, 1, 15), D(2027, 1, 14))
    assert case.control_end == D(2027, 4, 14)
    terms = current_terms(case)
    assert terms.control_end == D(2027, 4, 14)
    assert terms.original_end == D(2027, 1, 14)
    event = AuditEvent.objects.get(action="case.decision")
    assert event.changes["control_end"] == ["2027-01-14", "2027-04-14"]
    assert event.details["kind"] == "extension"


def test_decisions_apply_in_the_order_they_took_effect(personas):
    case = open_case(personas)
    officer = personas["officer"]
    court_decision_record(
        actor=officer,
        case=case,
        data=DecisionInput(
            kind="shortened",
            court="Суд",
            number="2",
            decision_date=D(2026, 8, 1),
            new_control_end=D(2026, 12, 31),
        ),
    )
    court_decision_record(
        actor=officer,
        case=case,
        data=DecisionInput(kind="extension", court="Суд", number="1", decision_date=D(2026, 7, 1), extension_months=2),
    )
    # extended first (to 14 March 2027), then ended early on 31 December 2026
    assert current_terms(case).control_end == D(2026, 12, 31)
    case.refresh_from_db()
    assert case.control_end == D(2026, 12, 31)


def test_cancelling_a_conditional_sentence_ends_control_on_its_effective_date(personas):
    case = open_case(personas)
    court_decision_record(
        actor=personas["officer"],
        case=case,
        data=DecisionInput(
            kind="conditional_cancelled",
            court="Суд",
            number="3",
            decision_date=D(2026, 9, 1),
            effective_date=D(2026, 9, 17),
        ),
    )
    case.refresh_from_db()
    assert case.control_end == D(2026, 9, 17)


def test_replacing_the_sentence_changes_the_current_punishment(personas):
    case = open_case(personas, sentence_kind="restriction_of_liberty", term_months=12)
    court_decision_record(
        actor=personas["officer"],
        case=case,
        data=DecisionInput(
            kind="sentence_replaced",
            court="Суд",
            number="5",
            decision_date=D(2026, 9, 1),
            new_sentence_kind="imprisonment",
        ),
    )
    terms = current_terms(case)
    assert terms.sentence_kind == "imprisonment"
    assert terms.control_end == D(2026, 9, 1)
    body = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["sentence_kind"] == "restriction_of_liberty"  # the original sentence is not overwritten
    assert body["terms"]["sentence_kind"] == "imprisonment"
    assert body["forced_labour"] is None  # no longer a restriction of liberty


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extension_months": 13}, "extension_months"),  # the rulebook's cap is 12
        ({"extension_months": None}, "extension_months"),
        ({"decision_date": "2099-01-01", "effective_date": "2099-01-02"}, "effective_date"),
        ({"effective_date": "2026-05-01"}, "effective_date"),  # before the decision
        ({"decision_date": "2025-12-01", "effective_date": "2025-12-10"}, "decision_date"),  # before the sentence
        ({"kind": "shortened", "new_control_end": "2030-01-01"}, "new_control_end"),
        ({"kind": "sentence_replaced"}, "new_sentence_kind"),
        ({"kind": "duties_changed"}, "duties_added"),
        ({"court": ""}, "court"),
    ],
)
def test_bad_decisions_are_refused_naming_the_field_and_nothing_changes(personas, change, field):
    case = open_case(personas)
    before = AuditEvent.objects.count()
    answer = api(personas["officer"]).post(
        f"/api/v1/cases/{case.pk}/decisions/", {**EXTENSION, **change}, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()["errors"], answer.json()
    assert not CourtDecision.objects.exists()
    case.refresh_from_db()
    assert case.control_end == D(2027, 1, 14)
    assert AuditEvent.objects.count() == before


def test_cancelling_a_sentence_that_is_not_conditional_is_refused(personas):
    case = open_case(personas, sentence_kind="restriction_of_liberty", term_months=12)
    with pytest.raises(DomainError) as err:
        court_decision_record(
            actor=personas["officer"],
            case=case,
            data=DecisionInput(kind="conditional_cancelled", court="Суд", number="1", decision_date=D(2026, 6, 1)),
        )
    assert err.value.field == "kind"


@pytest.mark.parametrize("who", ["colleague", "court_liaison", "analyst", "auditor", "sysadmin", "partner"])
def test_who_may_not_record_a_decision_is_refused_and_nothing_changes(personas, who):
    case = open_case(personas)
    answer = api(personas[who]).post(f"/api/v1/cases/{case.pk}/decisions/", EXTENSION, format="json")
    assert answer.status_code in (403, 404)
    assert not CourtDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="case.decision").exists()


@pytest.mark.parametrize(("who", "status"), [("colleague", 403), ("court_liaison", 403), ("other_district", 404)])
def test_the_decision_page_is_only_for_those_who_may_record_one(personas, who, status):
    case = open_case(personas)
    assert web(personas[who]).get(reverse("cases:decision", args=[case.pk])).status_code == status
    assert web(personas[who]).post(reverse("cases:decision", args=[case.pk]), EXTENSION).status_code == status
    assert not CourtDecision.objects.exists()


@pytest.mark.parametrize("who", ["other_district", "other_region"])
def test_another_office_gets_404_for_decisions(personas, who):
    case = open_case(personas)
    client = api(personas[who])
    assert client.get(f"/api/v1/cases/{case.pk}/decisions/").status_code == 404
    assert client.post(f"/api/v1/cases/{case.pk}/decisions/", EXTENSION, format="json").status_code == 404
    assert not CourtDecision.objects.exists()


def test_a_former_office_may_no_longer_record_a_decision(personas):
    case = open_case(personas)
    web(personas["head"]).post(
        reverse("cases:transfer", args=[case.pk]), {"to_office": personas["office_b"].pk, "reason": "Переезд"}
    )
    with pytest.raises(PermissionDeniedError):
        court_decision_record(
            actor=personas["head"],
            case=case,
            data=DecisionInput(
                kind="extension", court="Суд", number="1", decision_date=D(2026, 6, 1), extension_months=1
            ),
        )
    assert not CourtDecision.objects.exists()


def test_a_decision_recorded_on_the_page_shows_on_the_page_and_in_the_timeline(personas):
    case = open_case(personas)
    client = web(personas["officer"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:decision", args=[case.pk]) in page
    form = client.get(reverse("cases:decision", args=[case.pk]))
    assert form.status_code == 200
    assert 'id="decision-form"' in form.content.decode()
    assert form.context["form"].initial["court"] == case.court
    bad = client.post(reverse("cases:decision", args=[case.pk]), {**EXTENSION, "extension_months": "13"})
    assert bad.status_code == 200
    assert "An extension is 1 to 12 months" in bad.content.decode()
    assert not CourtDecision.objects.exists()
    ok = client.post(reverse("cases:decision", args=[case.pk]), EXTENSION)
    assert ok.status_code == 302
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "14.04.2027" in html
    assert "As first ordered: until 14.01.2027." in html
    assert 'data-kind="decision"' in html
    timeline = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/timeline/").json()
    assert timeline["results"][0]["kind"] == "decision"


# --- PEC art. 163: the person's appearance -----------------------------------------------------------


def deferral_case(personas: dict[str, Any], released: D) -> Case:
    person = a_person(registered_office=personas["office_a"])
    case = case_open(
        actor=personas["officer"],
        person=person,
        office=personas["office_a"],
        data=CaseInput(
            case_type="sentence",
            received_on=released,
            court="Суд",
            decision_number="1-9/2026",
            decision_date=released - dt.timedelta(days=30),
            effective_date=released - dt.timedelta(days=15),
            sentence_kind="deferral",
            term_months=24,
            release_date=released,
        ),
    )
    Case.objects.filter(pk=case.pk).update(officer=personas["officer"])
    case.refresh_from_db()
    return case


def test_a_deferral_case_waits_for_the_appearance_then_counts_three_working_days(personas):
    released = local_today() - dt.timedelta(days=3)
    case = deferral_case(personas, released)
    assert case.registration_due is None
    state = registration_state(case, today=local_today())
    assert state.appear_by is not None and not state.search_due
    answer = api(personas["officer"]).post(
        f"/api/v1/cases/{case.pk}/appearance/", {"appeared_on": local_today().isoformat()}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["appeared_on"] == local_today().isoformat()
    assert body["registration"]["due"] is not None
    assert body["registration"]["source"].startswith("PEC art. 163")
    assert AuditEvent.objects.filter(action="case.appearance").count() == 1


def test_when_the_person_has_not_appeared_in_two_weeks_search_measures_are_due(personas):
    case = deferral_case(personas, local_today() - dt.timedelta(days=30))
    state = registration_state(case, today=local_today())
    assert state.search_due
    html = web(personas["officer"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="search-due-alert"' in html
    # Recording the appearance is the first thing to do: a primary action opening its own form.
    assert 'id="action-appearance"' in html
    form = web(personas["officer"]).get(reverse("cases:appearance", args=[case.pk])).content.decode()
    assert 'id="appearance-form"' in form
    assert api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/").json()["registration"]["search_due"] is True


def test_the_day_after_the_last_day_to_appear_is_the_first_day_search_is_due(personas):
    case = deferral_case(personas, D(2026, 2, 27))  # Friday: the two weeks end on Friday 13 March
    assert not registration_state(case, today=D(2026, 3, 13)).search_due
    assert registration_state(case, today=D(2026, 3, 14)).search_due


@pytest.mark.parametrize(
    ("day", "field"),
    [("2099-01-01", "appeared_on"), ("2020-01-01", "appeared_on"), ("not a date", "appeared_on")],
)
def test_bad_appearance_dates_are_refused(personas, day, field):
    case = deferral_case(personas, local_today() - dt.timedelta(days=3))
    answer = api(personas["officer"]).post(f"/api/v1/cases/{case.pk}/appearance/", {"appeared_on": day}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["errors"]
    case.refresh_from_db()
    assert case.appeared_on is None


def test_the_appearance_is_recorded_on_the_page(personas):
    case = deferral_case(personas, local_today() - dt.timedelta(days=3))
    client = web(personas["officer"])
    r = client.post(reverse("cases:appearance", args=[case.pk]), {"appeared_on": local_today().isoformat()})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.appeared_on == local_today()
    assert case.registration_due is not None
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="action-appearance"' not in html
    assert client.get(reverse("cases:appearance", args=[case.pk])).status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"duties_added": [{"nested": {"deeper": [1, 2]}}], "kind": "duties_changed"},
        {"duties_added": ["x"] * 51, "kind": "duties_changed"},
        {"duties_added": ["x" * 501], "kind": "duties_changed"},
        {"extension_months": "1e9"},
        {"extension_months": 10**30},
        {"decision_date": "0001-01-01"},
        {"decision_date": "9999-12-31", "effective_date": "9999-12-31"},
        {"kind": {"$ne": "x"}},
        {"note": "x" * 5000},
    ],
)
def test_odd_decision_payloads_get_a_clear_400_and_change_nothing(personas, change):
    case = open_case(personas)
    answer = api(personas["officer"]).post(
        f"/api/v1/cases/{case.pk}/decisions/", {**EXTENSION, **change}, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"]
    assert not CourtDecision.objects.exists()
