"""Cases over the API: the scoping matrix, opening under the rulebook, the status pipeline,
allocation and transfer permissions, audit of views and searches, and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from rest_framework.test import APIClient

from openprobation.audit.models import AuditEvent
from openprobation.audit.services import audit_verify
from openprobation.cases.models import Case, CaseStatus
from openprobation.people.models import Person
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def a_person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


def a_case(**fields: Any) -> Case:
    return cast(Case, CaseFactory(**fields))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def case_a(personas):
    person = a_person(registered_office=personas["office_a"])
    return a_case(person=person, office=personas["office_a"], officer=personas["officer"])


def sentence(who, where, **over):
    data = {
        "person": who.pk,
        "office": where.pk,
        "case_type": "sentence",
        "received_on": "2026-01-20",
        "court": "Алматы қаласының аудандық соты",
        "decision_number": "1-77/2026",
        "decision_date": "2026-01-05",
        "effective_date": "2026-01-15",
        "cc_articles": "188 ч.2",
        "sentence_kind": "restriction_of_liberty",
        "term_months": 12,
    }
    data.update(over)
    return data


# --- scoping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "colleague", "senior", "head", "court_liaison", "regional_admin"])
def test_staff_of_the_jurisdiction_find_the_case_in_their_list(personas, case_a, who):
    client = signed_in(personas[who])
    assert case_a.pk in [c["id"] for c in client.get("/api/v1/cases/").json()["results"]]


@pytest.mark.parametrize("who", ["other_district", "other_head", "other_region"])
def test_another_district_or_region_gets_404_and_does_not_list_the_case(personas, case_a, who):
    client = signed_in(personas[who])
    answer = client.get(f"/api/v1/cases/{case_a.pk}/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found.", "code": "not_found"}
    assert client.get(f"/api/v1/cases/{case_a.pk}/timeline/").status_code == 404
    assert client.get("/api/v1/cases/").json()["count"] == 0
    for action, body in [
        ("transition", {"to_status": "suspended", "reason": "x"}),
        ("register", {"registered_on": "2026-01-20"}),
        ("allocate", {"officer": personas[who].pk, "reason": "x"}),
        ("transfer", {"to_office": personas[who].office_id, "reason": "x"}),
    ]:
        assert client.post(f"/api/v1/cases/{case_a.pk}/{action}/", body, format="json").status_code == 404
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.ACTIVE
    assert case_a.office == personas["office_a"]
    # Only their own (empty) list reads are recorded: nothing about case A, no change.
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"case.search"}
    assert not AuditEvent.objects.filter(subject_id=str(case_a.pk)).exists()


@pytest.mark.parametrize("who", ["analyst", "auditor", "monitoring", "partner", "sysadmin"])
def test_roles_without_case_work_get_empty_lists_and_404(personas, case_a, who):
    client = signed_in(personas[who])
    listing = client.get("/api/v1/cases/")
    assert listing.status_code == 200
    assert listing.json()["count"] == 0
    assert client.get(f"/api/v1/cases/{case_a.pk}/").status_code == 404


def test_regional_admin_sees_every_office_of_the_region_only(personas, case_a):
    in_b = a_case(person=a_person(registered_office=personas["office_b"]), office=personas["office_b"])
    in_c = a_case(person=a_person(registered_office=personas["office_c"]), office=personas["office_c"])
    ids = {c["id"] for c in signed_in(personas["regional_admin"]).get("/api/v1/cases/").json()["results"]}
    assert ids == {case_a.pk, in_b.pk}
    assert in_c.pk not in ids


def test_malformed_and_huge_ids_are_json_404s(personas):
    client = signed_in(personas["officer"])
    for url in ["/api/v1/cases/abc/", "/api/v1/cases/99999999999999999999999/", "/api/v1/cases/0/", "/api/v1/nope/"]:
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert answer.json()["code"] == "not_found"


# --- reads are audited ------------------------------------------------------------------------


def test_viewing_a_case_is_audited_and_shows_what_the_caller_may_do(personas, case_a):
    body = signed_in(personas["officer"]).get(f"/api/v1/cases/{case_a.pk}/").json()
    assert body["number"] == case_a.number
    assert body["person"]["id"] == case_a.person_id
    assert body["permissions"] == {"transition": True, "allocate": False, "transfer": False}
    assert {m["status"] for m in body["allowed_moves"]} == {
        "suspended",
        "wanted",
        "completed",
        "revoked",
        "transferred",
        "closed",
    }
    event = AuditEvent.objects.get(action="case.view")
    assert event.subject_type == "cases.case"
    assert event.subject_id == str(case_a.pk)
    assert event.actor_username == "officer"

    colleague = signed_in(personas["colleague"]).get(f"/api/v1/cases/{case_a.pk}/").json()
    assert colleague["allowed_moves"] == []
    head = signed_in(personas["head"]).get(f"/api/v1/cases/{case_a.pk}/").json()
    assert head["permissions"] == {"transition": True, "allocate": True, "transfer": True}


def test_searching_and_filtering_cases_is_audited_with_the_filters(personas, case_a):
    client = signed_in(personas["officer"])
    client.get("/api/v1/cases/")
    # Every read of the list is recorded, with no query and no filters for the plain list.
    assert AuditEvent.objects.get(action="case.search").details == {"query": "", "filters": {}}
    answer = client.get("/api/v1/cases/", {"q": case_a.person.surname, "status": "active", "mine": "true"})
    assert [c["id"] for c in answer.json()["results"]] == [case_a.pk]
    event = AuditEvent.objects.filter(action="case.search").latest("id")
    assert event.details == {"query": case_a.person.surname, "filters": {"status": "active", "mine": True}}


def test_list_filters_and_ordering(personas, case_a):
    office = personas["office_a"]
    closed = a_case(person=a_person(registered_office=office), office=office, status=CaseStatus.CLOSED, officer=None)
    pre = a_case(
        person=a_person(registered_office=office),
        office=office,
        case_type="pre_trial",
        sentence_kind="",
        received_on=dt.date(2026, 2, 1),
    )
    client = signed_in(personas["head"])

    def ids(**params):
        return [c["id"] for c in client.get("/api/v1/cases/", params).json()["results"]]

    assert ids(type="pre_trial") == [pre.pk]
    assert set(ids(open="true")) == {case_a.pk, pre.pk}
    assert ids(status="closed") == [closed.pk]
    assert ids(officer=personas["officer"].pk) == [case_a.pk]
    assert ids(office=personas["office_a"].pk, ordering="received")[-1] == pre.pk
    assert ids(ordering="-received")[0] == pre.pk
    assert ids(q=case_a.number) == [case_a.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"type": "space"},
        {"status": "flying"},
        {"office": "abc"},
        {"officer": "-3"},
        {"mine": "perhaps"},
        {"ordering": "salary"},
        {"q": "x" * 200},
        {"page": "999"},
    ],
)
def test_bad_list_parameters_get_a_4xx_not_a_500(personas, case_a, params):
    answer = signed_in(personas["officer"]).get("/api/v1/cases/", params)
    assert answer.status_code in (400, 404)
    assert answer.json()["detail"]


# --- opening ----------------------------------------------------------------------------------


def test_opening_a_sentence_case_computes_the_control_period(personas):
    person = a_person(registered_office=personas["office_a"])
    answer = signed_in(personas["officer"]).post(
        "/api/v1/cases/", sentence(person, personas["office_a"]), format="json"
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "awaiting_registration"
    assert body["control_start"] == "2026-01-15"
    assert body["control_end"] == "2027-01-14"
    assert body["registration_due"]
    assert body["forced_labour"]["source"] == "CC art. 44(1)"
    case = Case.objects.get(pk=body["id"])
    assert case.office == personas["office_a"]
    assert AuditEvent.objects.get(action="case.open").subject_id == str(case.pk)


def test_four_months_of_restriction_of_liberty_is_refused_citing_the_article(personas):
    person = a_person(registered_office=personas["office_a"])
    answer = signed_in(personas["officer"]).post(
        "/api/v1/cases/", sentence(person, personas["office_a"], term_months=4), format="json"
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "term_out_of_bounds"
    assert "CC art. 44(1)" in body["detail"]
    assert "term_months" in body["errors"]
    assert not Case.objects.exists()
    assert not AuditEvent.objects.exists()


def test_pre_trial_with_detention_is_refused_with_the_explanation(personas):
    minor = a_person(registered_office=personas["office_a"], birth_date=dt.date(2010, 4, 4))
    answer = signed_in(personas["officer"]).post(
        "/api/v1/cases/",
        {
            "person": minor.pk,
            "office": personas["office_a"].pk,
            "case_type": "pre_trial",
            "received_on": "2026-02-02",
            "restraint_measure": "detention",
            "consent_date": "2026-02-01",
        },
        format="json",
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "not_eligible"
    assert "detention in custody" in body["detail"]
    assert "restraint_measure" in body["errors"]
    assert not Case.objects.exists()


def test_eligible_pre_trial_case_carries_its_explained_decision(personas):
    minor = a_person(registered_office=personas["office_a"], birth_date=dt.date(2010, 4, 4))
    answer = signed_in(personas["officer"]).post(
        "/api/v1/cases/",
        {
            "person": minor.pk,
            "office": personas["office_a"].pk,
            "case_type": "pre_trial",
            "received_on": "2026-02-02",
            "restraint_measure": "undertaking",
            "consent_date": "2026-02-01",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    eligibility = answer.json()["eligibility"]
    assert eligibility["eligible"] is True
    assert eligibility["source"].startswith("LoP ch. 3")
    assert any("minor" in line for line in eligibility["explanation"])
    assert answer.json()["forced_labour"] is None


def test_opening_needs_a_visible_person_and_an_office_in_jurisdiction(personas):
    mine = a_person(registered_office=personas["office_a"])
    elsewhere = a_person(registered_office=personas["office_c"])
    client = signed_in(personas["officer"])
    hidden = client.post("/api/v1/cases/", sentence(elsewhere, personas["office_a"]), format="json")
    assert hidden.status_code == 400
    assert "person" in hidden.json()["errors"]
    other_office = client.post("/api/v1/cases/", sentence(mine, personas["office_b"]), format="json")
    assert other_office.status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"decision_date": "tomorrow"}, "decision_date"),
        ({"case_type": "holiday"}, "case_type"),
        ({"sentence_kind": "exile"}, "sentence_kind"),
        ({"term_months": "twelve"}, "term_months"),
        ({"term_months": -1}, "term_months"),
        ({"person": "abc"}, "person"),
        ({"person": 99999999999999999999}, "person"),
        ({"office": 999999}, "office"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"decision_number": ""}, "court"),
        ({"sentence_kind": "imprisonment"}, "sentence_kind"),
    ],
)
def test_bad_case_input_gets_400_naming_the_field(personas, change, field):
    person = a_person(registered_office=personas["office_a"])
    answer = signed_in(personas["officer"]).post(
        "/api/v1/cases/", sentence(person, personas["office_a"], **change), format="json"
    )
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"]
    assert not Case.objects.exists()


# --- the status pipeline ------------------------------------------------------------------------


def test_an_illegal_move_is_refused_and_leaves_no_trace(personas, case_a):
    answer = signed_in(personas["officer"]).post(
        f"/api/v1/cases/{case_a.pk}/transition/",
        {"to_status": "awaiting_registration", "reason": "ошибка"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "illegal_transition"
    assert "to_status" in answer.json()["errors"]
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.ACTIVE
    assert not AuditEvent.objects.exists()


def test_a_legal_move_is_made_recorded_and_audited(personas, case_a):
    answer = signed_in(personas["officer"]).post(
        f"/api/v1/cases/{case_a.pk}/transition/",
        {"to_status": "suspended", "reason": "Болезнь", "effective_on": "2026-03-01"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "suspended"
    event = AuditEvent.objects.get(action="case.transition")
    assert event.changes["status"] == ["active", "suspended"]
    timeline = signed_in(personas["officer"]).get(f"/api/v1/cases/{case_a.pk}/timeline/").json()
    newest = timeline["results"][0]
    assert newest["kind"] == "status"
    assert newest["detail"] == "Болезнь"


def test_transition_input_is_checked(personas, case_a):
    client = signed_in(personas["officer"])
    url = f"/api/v1/cases/{case_a.pk}/transition/"
    assert "to_status" in client.post(url, {"to_status": "flying", "reason": "x"}, format="json").json()["errors"]
    assert "reason" in client.post(url, {"to_status": "suspended"}, format="json").json()["errors"]
    assert (
        "effective_on"
        in client.post(
            url, {"to_status": "suspended", "reason": "x", "effective_on": "2999-01-01"}, format="json"
        ).json()["errors"]
    )
    assert client.post(url, ["not", "an", "object"], format="json").status_code == 400


def test_registering_a_case(personas):
    office = personas["office_a"]
    case = a_case(
        person=a_person(registered_office=office),
        office=office,
        officer=personas["officer"],
        status=CaseStatus.AWAITING_REGISTRATION,
    )
    client = signed_in(personas["officer"])
    early = client.post(f"/api/v1/cases/{case.pk}/register/", {"registered_on": "2026-01-01"}, format="json")
    assert early.status_code == 400
    answer = client.post(f"/api/v1/cases/{case.pk}/register/", {"registered_on": "2026-01-16"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "registered"
    assert answer.json()["registered_on"] == "2026-01-16"


# --- allocation and transfer ------------------------------------------------------------------


def test_head_allocates_to_an_officer_of_the_office_only(personas, case_a):
    client = signed_in(personas["head"])
    url = f"/api/v1/cases/{case_a.pk}/allocate/"
    answer = client.post(url, {"officer": personas["colleague"].pk, "reason": "Отпуск"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["officer"]["username"] == "colleague"
    assert AuditEvent.objects.filter(action="case.allocate").count() == 1
    foreign = client.post(url, {"officer": personas["other_district"].pk, "reason": "x"}, format="json")
    assert foreign.status_code == 400
    assert "officer" in foreign.json()["errors"]
    unknown = client.post(url, {"officer": "abc", "reason": "x"}, format="json")
    assert unknown.status_code == 400
    removed = client.post(url, {"officer": None, "reason": "Увольнение"}, format="json")
    assert removed.status_code == 200
    assert removed.json()["officer"] is None


def test_head_transfers_the_case_and_both_offices_see_it(personas, case_a):
    answer = signed_in(personas["head"]).post(
        f"/api/v1/cases/{case_a.pk}/transfer/",
        {"to_office": personas["office_b"].pk, "reason": "Переезд"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["office"]["code"] == "NB2"
    assert answer.json()["officer"] is None
    for who in ("officer", "other_district", "other_head"):
        client = signed_in(personas[who])
        assert client.get(f"/api/v1/cases/{case_a.pk}/").status_code == 200, who
        assert case_a.pk in [c["id"] for c in client.get("/api/v1/cases/").json()["results"]], who
    assert signed_in(personas["other_region"]).get(f"/api/v1/cases/{case_a.pk}/").status_code == 404
    # The old office keeps the history but may no longer change the case.
    after = signed_in(personas["head"]).get(f"/api/v1/cases/{case_a.pk}/").json()
    assert after["permissions"] == {"transition": False, "allocate": False, "transfer": False}
    timeline = signed_in(personas["other_head"]).get(f"/api/v1/cases/{case_a.pk}/timeline/").json()
    kinds = [e["kind"] for e in timeline["results"]]
    assert "transfer" in kinds


def test_bad_offices_to_transfer_to_are_refused(personas, case_a):
    url = f"/api/v1/cases/{case_a.pk}/transfer/"
    head = signed_in(personas["head"])
    assert "to_office" in head.post(url, {"to_office": 999999, "reason": "x"}, format="json").json()["errors"]
    same = head.post(url, {"to_office": personas["office_a"].pk, "reason": "x"}, format="json")
    assert same.status_code == 400
    assert "to_office" in same.json()["errors"]


def test_every_change_over_the_api_keeps_the_audit_chain_intact(personas, case_a):
    head = signed_in(personas["head"])
    head.get(f"/api/v1/cases/{case_a.pk}/")
    head.post(
        f"/api/v1/cases/{case_a.pk}/allocate/", {"officer": personas["colleague"].pk, "reason": "x"}, format="json"
    )
    head.post(f"/api/v1/cases/{case_a.pk}/transition/", {"to_status": "suspended", "reason": "y"}, format="json")
    result = audit_verify()
    assert result.ok, result.problems
    assert result.checked == 3


def test_domain_errors_follow_accept_language(personas, case_a):
    answer = signed_in(personas["colleague"], language="ru").post(
        f"/api/v1/cases/{case_a.pk}/transition/", {"to_status": "suspended", "reason": "x"}, format="json"
    )
    assert answer.status_code == 403
    assert answer.json()["detail"]
    missing = signed_in(personas["officer"], language="ru").post(
        f"/api/v1/cases/{case_a.pk}/transfer/", {}, format="json"
    )
    assert missing.json()["errors"]["to_office"] == ["Обязательное поле."]
