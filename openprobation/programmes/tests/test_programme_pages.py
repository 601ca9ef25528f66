"""The programme pages and API: the new programme prefilled from the needs assessment, the page
listing goals with points, measures with their referrals and versions, the API giving the same,
odd input answered with a clear 4xx, and the printable copy in the person's language."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import local_today
from openprobation.programmes import services
from openprobation.programmes.models import Programme, Referral
from openprobation.programmes.services import GoalInput, MeasureInput
from openprobation.programmes.tests.conftest import active_case, needs_assessment, organisation

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_new_programme_is_prefilled_from_the_needs_assessment_and_opened_in_one_step(personas, case):
    needs_assessment(case)
    client = _client(personas["officer"])
    page = client.get(f"/cases/{case.pk}/programme/new/").content.decode()
    assert 'id="programme-proposal"' in page
    assert 'value="education_employment" checked' in page.replace("\n", " ") or "education_employment" in page
    due = (local_today() + dt.timedelta(days=60)).isoformat()
    response = client.post(
        f"/cases/{case.pk}/programme/new/",
        {
            "domains": ["education_employment", "documents"],
            "measures": ["employment", "identity_documents"],
            "due_on": due,
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(case=case)
    goals = {g.domain: g for g in programme.goals.all()}
    assert {d: g.assessed_points for d, g in goals.items()} == {"education_employment": 2, "documents": 1}
    measures = {m.measure: m.goal.domain if m.goal else "" for m in programme.measures.select_related("goal")}
    assert measures == {"employment": "education_employment", "identity_documents": "documents"}


def test_programme_page_shows_goals_measures_referrals_and_versions(personas, case):
    needs_assessment(case)
    org = organisation(personas, services=["employment"], name="Жұмыспен қамту орталығы")
    programme = services.programme_open(
        actor=personas["officer"],
        case=case,
        measures=[MeasureInput(measure="employment", due_on=local_today(), organisation_id=org.pk)],
    )
    measure = programme.measures.get()
    Referral.objects.create(
        measure=measure,
        organisation=org,
        case=case,
        office=case.office,
        number="ЖН-2026-0007",
        status="sent",
        request="Жұмыс",
        answer_due=local_today(),
        created_by=personas["officer"],
    )
    services.programme_record_agreement(actor=personas["officer"], programme=programme, agreed=True, on=local_today())
    seen = AuditEvent.objects.filter(action="case.view", details__part="programme").count()
    page = _client(personas["colleague"]).get(f"/cases/{case.pk}/programme/").content.decode()
    assert "assessed: 2 points" in page
    assert "ЖН-2026-0007" in page and "Жұмыспен қамту орталығы" in page
    assert "Version 1" in page
    assert 'id="record-agreement"' not in page  # a colleague reads, does not change
    assert AuditEvent.objects.filter(action="case.view", details__part="programme").count() == seen + 1
    # The case page carries the section and the facts.
    case_page = _client(personas["officer"]).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="case-programme"' in case_page


def test_api_and_page_agree(personas, case):
    programme = services.programme_open(
        actor=personas["officer"],
        case=case,
        study="Жұмыссыз.",
        goals=[GoalInput(domain="documents", text="Куәлік")],
        measures=[MeasureInput(measure="identity_documents", due_on=local_today())],
    )
    data = _client(personas["officer"]).get(f"/api/v1/cases/{case.pk}/programme/").json()
    assert data["programme"]["id"] == programme.pk
    assert data["programme"]["status"] == "draft" and data["minor"] is False
    assert [g["domain"] for g in data["programme"]["goals"]] == ["documents"]
    assert [m["measure"] for m in data["programme"]["measures"]] == ["identity_documents"]
    page = _client(personas["officer"]).get(f"/cases/{case.pk}/programme/").content.decode()
    assert "Куәлік" in page and "Restoring identity documents" in page


def test_api_lifecycle_with_versions_and_changes(personas, case):
    client = _client(personas["officer"])
    base = f"/api/v1/cases/{case.pk}/programme/"
    due = (local_today() + dt.timedelta(days=10)).isoformat()
    opened = client.post(
        base,
        {
            "study": "Үйсіз.",
            "goals": [{"domain": "accommodation"}],
            "measures": [{"measure": "housing", "due_on": due}],
        },
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    measure_id = opened.json()["programme"]["measures"][0]["id"]
    agreed = client.post(
        base + "agreement/", {"agreed": True, "on": local_today().isoformat()}, content_type="application/json"
    )
    assert agreed.json()["programme"]["status"] == "agreed"
    later = (local_today() + dt.timedelta(days=20)).isoformat()
    changed = client.patch(base + f"measures/{measure_id}/", {"due_on": later}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["due_on"] == later
    current = client.get(base).json()["programme"]
    assert (current["status"], current["version"]) == ("draft", 2)
    assert current["pending_changes"][0]["fields"] == {"due_on": [due, later]}
    client.post(
        base + "agreement/",
        {"agreed": False, "on": local_today().isoformat(), "note": "Келіспеймін"},
        content_type="application/json",
    )
    versions = client.get(base + "versions/").json()
    assert [(v["number"], v["agreement"]) for v in versions] == [(2, "refused"), (1, "agreed")]
    one = client.get(base + f"versions/{versions[0]['id']}/").json()
    assert one["changes"][0]["change"] == "changed" and one["content"]["measures"][0]["due_on"] == later
    closed = client.post(
        base + "close/", {"on": local_today().isoformat(), "reason": "Бас тартты"}, content_type="application/json"
    )
    assert closed.json()["programme"]["status"] == "closed"


@pytest.mark.parametrize(
    "body",
    [
        {"measure": "housing", "due_on": "١٢-١٢-٢٠٢٦"},
        {"measure": "housing", "due_on": "9999-12-31"},
        {"measure": "housing", "due_on": "0001-01-01"},
        {"measure": "housing", "due_on": "2026-12-12", "description": "x" * 5000},
        {"measure": {"nested": ["json"]}, "due_on": "2026-12-12"},
        {"measure": "housing", "due_on": 20261212},
        {"measure": "housing", "due_on": "2026-12-12", "organisation": "one"},
        {"measure": "housing", "due_on": "2026-12-12", "organisation": 99999999999999999999999},
        {"measure": "not-a-measure", "due_on": "2026-12-12"},
    ],
)
def test_odd_measure_input_is_a_clear_400_in_the_users_language(personas, case, body):
    services.programme_open(actor=personas["officer"], case=case, study="Жұмыссыз.")
    response = _client(personas["officer"], "ru").post(
        f"/api/v1/cases/{case.pk}/programme/measures/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not Programme.objects.get(case=case).measures.exists()


def test_odd_form_input_comes_back_on_the_form(personas, case):
    services.programme_open(actor=personas["officer"], case=case, study="Жұмыссыз.")
    client = _client(personas["officer"])
    for due in ("9999-12-31", "١٢.١٢.٢٠٢٦", "0001-01-01"):
        response = client.post(f"/cases/{case.pk}/programme/measures/", {"measure": "housing", "due_on": due})
        assert response.status_code == 200
        assert "usa-error-message" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/programme/agreement/", {"agreed": "maybe", "on": "2026-13-45"})
    assert response.status_code == 200
    assert not Programme.objects.get(case=case).measures.exists()


def test_api_writes_refused_to_read_only_roles_change_nothing(personas, case):
    services.programme_open(actor=personas["officer"], case=case, study="Жұмыссыз.")
    for who, status in (("court_liaison", 403), ("other_district", 404), ("analyst", 404), ("auditor", 404)):
        response = _client(personas[who]).post(
            f"/api/v1/cases/{case.pk}/programme/goals/",
            {"domain": "documents", "text": "x"},
            content_type="application/json",
        )
        assert response.status_code == status, who
    assert not Programme.objects.get(case=case).goals.exists()


@pytest.mark.parametrize(("language", "word"), [("kk", "Мәртебесі"), ("ru", "Статус")])
def test_printable_programme_is_in_the_persons_language(personas, language, word):
    case = active_case(personas, native_language=language)
    services.programme_open(
        actor=personas["officer"],
        case=case,
        study="Жұмыссыз.",
        goals=[GoalInput(domain="documents", text="Куәлік")],
        measures=[MeasureInput(measure="identity_documents", due_on=local_today())],
    )
    response = _client(personas["officer"], "en").get(f"/cases/{case.pk}/programme/print/")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    page = response.content.decode()
    assert f'lang="{language}"' in page and word in page
    assert "programmes/print.css" in page


def test_work_queue_lists_due_reviews_and_overdue_measures(personas, case):
    from openprobation.core.workqueue import WorkScope  # noqa: PLC0415
    from openprobation.programmes.casepage import overdue_measures_work, reviews_work  # noqa: PLC0415

    today = local_today()
    programme = services.programme_open(
        actor=personas["officer"],
        case=case,
        study="Жұмыссыз.",
        goals=[GoalInput(domain="documents")],
        measures=[MeasureInput(measure="identity_documents", due_on=today)],
    )
    services.programme_record_agreement(actor=personas["officer"], programme=programme, agreed=True, on=today)
    Programme.objects.filter(pk=programme.pk).update(next_review_on=today - dt.timedelta(days=1))
    scope = WorkScope(
        user=personas["officer"], cases=type(case).objects.filter(pk=case.pk), today=today + dt.timedelta(days=1)
    )
    reviews = reviews_work(scope)
    assert (reviews.count, reviews.overdue) == (1, 1) and reviews.items[0].case_id == case.pk
    overdue = overdue_measures_work(scope)
    assert overdue.count == 1 and overdue.items[0].key.startswith("programme_measure:")


def test_what_changed_is_shown_for_the_draft_and_each_version(personas, case):
    today = local_today()
    officer = personas["officer"]
    programme = services.programme_open(
        actor=officer,
        case=case,
        study="Жұмыссыз.",
        goals=[GoalInput(domain="documents")],
        measures=[MeasureInput(measure="identity_documents", due_on=today)],
    )
    services.programme_record_agreement(actor=officer, programme=programme, agreed=True, on=today)
    services.measure_add(actor=officer, programme=programme, data=MeasureInput(measure="legal_advice", due_on=today))
    client = _client(officer)
    page = " ".join(client.get(f"/cases/{case.pk}/programme/").content.decode().split())
    assert 'id="programme-pending-changes"' in page and "«Social and legal advice»: added" in page
    programme.refresh_from_db()
    services.programme_record_agreement(actor=officer, programme=programme, agreed=True, on=today)
    version = programme.versions.get(number=2)
    shown = " ".join(client.get(f"/cases/{case.pk}/programme/versions/{version.pk}/").content.decode().split())
    assert "«Social and legal advice»: added" in shown
    assert client.get(f"/cases/{case.pk}/programme/versions/999999/").status_code == 404


def test_every_form_renders_for_the_officer_and_is_refused_to_the_court_liaison(personas, case):
    today = local_today()
    programme = services.programme_open(
        actor=personas["officer"],
        case=case,
        study="Жұмыссыз.",
        goals=[GoalInput(domain="documents")],
        measures=[MeasureInput(measure="identity_documents", due_on=today)],
    )
    goal, measure = programme.goals.get(), programme.measures.get()
    base = f"/cases/{case.pk}/programme/"
    forms = [
        "goals/",
        f"goals/{goal.pk}/",
        "measures/",
        f"measures/{measure.pk}/",
        f"measures/{measure.pk}/progress/",
        "agreement/",
        "close/",
        "participants/?kind=other",
        "print/",
    ]
    officer, liaison = _client(personas["officer"]), _client(personas["court_liaison"])
    for path in forms:
        response = officer.get(base + path)
        assert response.status_code == 200, path
        assert b'id="programme-form"' in response.content or path == "print/"
        if path != "print/":
            assert liaison.get(base + path).status_code == 403, path
    assert officer.get(base + "new/").status_code == 302  # one programme in work: back to it
    assert officer.get(base + "review/").status_code == 200
    assert officer.get(base + "measures/999999/").status_code == 404


def test_huge_record_ids_are_not_found(personas, case):
    services.programme_open(
        actor=personas["officer"], case=case, study="Жұмыссыз.", goals=[GoalInput(domain="documents")]
    )
    huge = 10**30
    client = _client(personas["officer"])
    assert client.get(f"/cases/{case.pk}/programme/goals/{huge}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/programme/measures/{huge}/remove/").status_code in (302, 404)
    assert client.get(f"/cases/{case.pk}/programme/versions/{huge}/").status_code == 404
    response = client.patch(f"/api/v1/cases/{case.pk}/programme/measures/{huge}/", {}, content_type="application/json")
    assert response.status_code == 404


def test_the_case_timeline_shows_the_programmes_moves(personas, case):
    programme = services.programme_open(
        actor=personas["officer"],
        case=case,
        study="Жұмыссыз.",
        goals=[GoalInput(domain="documents")],
        measures=[MeasureInput(measure="identity_documents", due_on=local_today())],
    )
    services.programme_record_agreement(actor=personas["officer"], programme=programme, agreed=False, on=local_today())
    data = _client(personas["officer"]).get(f"/api/v1/cases/{case.pk}/timeline/").json()
    entries = data["entries"] if "entries" in data else data["results"]
    titles = [e["title"] for e in entries if e["kind"] == "programme"]
    assert titles == ["Individual programme: Refused by the person", "Individual programme: Draft"]
