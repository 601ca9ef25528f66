"""The registry pages, the case section and forms, and the API: they call the same functions and
agree; odd input gets a clear 4xx, never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.core.casepage import case_actions, case_facts
from openprobation.core.timeutil import local_today
from openprobation.testing.clients import api_client, web_client
from openprobation.volunteers.models import SupportSession, Volunteer, VolunteerAssignment
from openprobation.volunteers.tests.matrix import eligible_volunteer

pytestmark = pytest.mark.django_db
TODAY = local_today


def _assigned(personas, case, volunteer):
    response = api_client(personas["officer"]).post(
        f"/api/v1/cases/{case.pk}/volunteers/",
        {
            "volunteer": volunteer.pk,
            "consent_on": TODAY().isoformat(),
            "consent_note": "Жазбаша келісім",
            "started_on": TODAY().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return VolunteerAssignment.objects.get(pk=response.json()["id"])


def test_the_registry_lists_the_districts_volunteers_with_filters(personas, volunteer):
    lapsing = eligible_volunteer(personas["office_a"], personas["head"], name="Бекова Сәуле")
    lapsing.checks.filter(kind="training").update(valid_until=TODAY() + dt.timedelta(days=5))
    page = web_client(personas["officer"]).get("/volunteers/")
    assert page.status_code == 200
    text = page.content.decode()
    assert volunteer.full_name in text and "Бекова Сәуле" in text
    assert 'id="register-volunteer"' not in text  # officers read, seniors and heads manage
    filtered = web_client(personas["officer"]).get("/volunteers/?attention=on").content.decode()
    assert "Бекова Сәуле" in filtered and volunteer.full_name not in filtered
    assert volunteer.full_name not in web_client(personas["other_district"]).get("/volunteers/").content.decode()
    api = api_client(personas["officer"]).get("/api/v1/volunteers/?attention=true").json()
    assert [row["full_name"] for row in api["results"]] == ["Бекова Сәуле"]
    assert web_client(personas["court_liaison"]).get("/volunteers/").status_code == 403
    assert 'href="/volunteers/"' in web_client(personas["officer"]).get("/").content.decode()
    assert 'href="/volunteers/"' not in web_client(personas["court_liaison"]).get("/").content.decode()


def test_the_detail_page_and_the_api_agree_and_the_read_is_audited(personas, volunteer):
    volunteer.checks.filter(kind="training").update(valid_until=TODAY() - dt.timedelta(days=1))
    page = web_client(personas["officer"]).get(f"/volunteers/{volunteer.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="eligible-no"' in text and "Training expired on" in text
    api = api_client(personas["officer"]).get(f"/api/v1/volunteers/{volunteer.pk}/").json()
    assert api["eligibility"]["eligible"] is False and api["eligibility"]["expired"] == ["training"]
    assert len(api["checks"]) == 4
    assert AuditEvent.objects.filter(action="volunteers.view", subject_id=str(volunteer.pk)).count() == 2
    assert web_client(personas["other_district"]).get(f"/volunteers/{volunteer.pk}/").status_code == 404
    assert api_client(personas["other_region"]).get(f"/api/v1/volunteers/{volunteer.pk}/").status_code == 404


def test_a_head_registers_on_the_page_and_errors_show_next_to_fields(personas):
    client = web_client(personas["head"])
    bad = client.post(
        "/volunteers/new/",
        {"full_name": "Әлиев Марат", "kind": "volunteer", "iin": "١٢٣٤٥٦٧٨٩٠١٢", "offices": [personas["office_a"].pk]},
    )
    assert bad.status_code == 200 and 'id="id_iin_error"' in bad.content.decode()
    assert Volunteer.objects.count() == 0
    wrong_office = client.post(
        "/volunteers/new/", {"full_name": "Әлиев Марат", "kind": "volunteer", "offices": [personas["office_b"].pk]}
    )
    assert wrong_office.status_code == 200 and Volunteer.objects.count() == 0
    good = client.post(
        "/volunteers/new/", {"full_name": "Әлиев Марат", "kind": "volunteer", "offices": [personas["office_a"].pk]}
    )
    assert good.status_code == 302
    volunteer = Volunteer.objects.get()
    assert good["Location"] == f"/volunteers/{volunteer.pk}/"
    checked = client.post(
        f"/volunteers/{volunteer.pk}/checks/", {"kind": "training", "passed": "yes", "on": "01.11.2026"}
    )
    assert checked.status_code == 302 and volunteer.checks.get().passed is True
    assert web_client(personas["officer"]).get("/volunteers/new/").status_code == 403


def test_the_registry_api_registers_edits_checks_and_suspends(personas):
    client = api_client(personas["senior"])
    created = client.post(
        "/api/v1/volunteers/",
        {
            "full_name": "Омарова Ләззат",
            "kind": "mentor",
            "offices": [personas["office_a"].pk],
            "languages": ["kk", "ru"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    patched = client.patch(f"/api/v1/volunteers/{pk}/", {"phone": "+7 701 123 45 67"}, format="json")
    assert patched.status_code == 200 and patched.json()["phone"] == "+7 701 123 45 67"
    assert patched.json()["languages"] == ["kk", "ru"]
    check = client.post(
        f"/api/v1/volunteers/{pk}/checks/",
        {"kind": "criminal_record", "passed": True, "on": "2026-11-01"},
        format="json",
    )
    assert check.status_code == 201 and check.json()["valid_until"] == "2027-10-31"
    status = client.post(
        f"/api/v1/volunteers/{pk}/status/", {"to_status": "suspended", "reason": "Ауырып"}, format="json"
    )
    assert status.status_code == 200 and status.json()["status"] == "suspended"
    refused = api_client(personas["officer"]).post(
        f"/api/v1/volunteers/{pk}/checks/", {"kind": "training", "passed": True, "on": "2026-11-01"}, format="json"
    )
    assert refused.status_code == 403
    outside = api_client(personas["senior"]).post(
        "/api/v1/volunteers/", {"full_name": "Х", "offices": [personas["office_c"].pk]}, format="json"
    )
    assert outside.status_code == 400 and "offices" in outside.json()["errors"]


def test_the_case_section_forms_and_the_api_agree(personas, case, volunteer):
    officer = web_client(personas["officer"])
    form = officer.get(f"/cases/{case.pk}/volunteers/assign/")
    assert form.status_code == 200 and volunteer.full_name in form.content.decode()
    posted = officer.post(
        f"/cases/{case.pk}/volunteers/assign/",
        {
            "volunteer": volunteer.pk,
            "consent": "on",
            "consent_on": TODAY().strftime("%d.%m.%Y"),
            "consent_note": "Өтініш жазды",
            "started_on": TODAY().strftime("%d.%m.%Y"),
        },
    )
    assert posted.status_code == 302 and posted["Location"].endswith(f"/cases/{case.pk}/#volunteers")
    assignment = VolunteerAssignment.objects.get()
    logged = officer.post(
        f"/cases/{case.pk}/volunteers/{assignment.pk}/session/",
        {"held_on": TODAY().strftime("%d.%m.%Y"), "minutes": "90", "kind": "accompanying", "summary": "ХҚКО-ға барды"},
    )
    assert logged.status_code == 302 and SupportSession.objects.count() == 1
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="volunteers"' in page and volunteer.full_name in page and "1 session logged" in page
    api = api_client(personas["officer"]).get(f"/api/v1/cases/{case.pk}/volunteers/").json()
    assert api[0]["volunteer"] == volunteer.pk and api[0]["sessions"] == 1
    sessions = api_client(personas["officer"]).get(f"/api/v1/cases/{case.pk}/volunteers/{assignment.pk}/sessions/")
    assert sessions.json()[0]["minutes"] == 90
    timeline = api_client(personas["officer"]).get(f"/api/v1/cases/{case.pk}/timeline/").json()
    assert f"Volunteer assigned: {volunteer.full_name}" in [e["title"] for e in timeline["results"]]
    facts = {f.key: f for f in case_facts(user=personas["officer"], case=case, today=TODAY())}
    assert facts["volunteer"].data == [volunteer.pk]
    assert "assign_volunteer" in {a.key for a in case_actions(user=personas["officer"], case=case)}
    assert "assign_volunteer" not in {a.key for a in case_actions(user=personas["court_liaison"], case=case)}
    liaison = web_client(personas["court_liaison"]).get(f"/cases/{case.pk}/").content.decode()
    assert volunteer.full_name in liaison and 'id="assign-volunteer"' not in liaison


def test_consent_is_required_on_the_form(personas, case, volunteer):
    response = web_client(personas["officer"]).post(
        f"/cases/{case.pk}/volunteers/assign/",
        {
            "volunteer": volunteer.pk,
            "consent_on": TODAY().strftime("%d.%m.%Y"),
            "started_on": TODAY().strftime("%d.%m.%Y"),
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="id_consent_error"' in text and 'id="id_consent_note_error"' in text
    assert VolunteerAssignment.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"minutes": "١٢"},
        {"minutes": 721},
        {"minutes": 0},
        {"minutes": {"nested": [1, {"deeper": True}]}},
        {"held_on": "9999-12-31"},
        {"held_on": "0001-01-01"},
        {"held_on": "yesterday"},
        {"summary": "x" * 100_000},
        {"kind": ["meeting"]},
    ],
)
def test_odd_session_input_gets_a_400_naming_the_field(personas, case, volunteer, body):
    assignment = _assigned(personas, case, volunteer)
    payload = {"held_on": TODAY().isoformat(), "minutes": 30, "kind": "meeting", "summary": "Сөйлесті", **body}
    response = api_client(personas["officer"]).post(
        f"/api/v1/cases/{case.pk}/volunteers/{assignment.pk}/sessions/", payload, format="json"
    )
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == set(body)
    assert SupportSession.objects.count() == 0


def test_odd_bodies_and_ids_are_4xx(personas, case, volunteer):
    client = api_client(personas["officer"])
    url = f"/api/v1/cases/{case.pk}/volunteers/"
    assert client.post(url, json.dumps([1, 2]), content_type="application/json").status_code == 400
    assert client.post(url, "{not json", content_type="application/json").status_code == 400
    for volunteer_id in (2**70, -1, "١", 10**12):
        body = {
            "volunteer": volunteer_id,
            "consent_on": TODAY().isoformat(),
            "consent_note": "Иә",
            "started_on": TODAY().isoformat(),
        }
        response = client.post(url, body, format="json")
        assert response.status_code == 400 and "volunteer" in response.json()["errors"], volunteer_id
    assert client.get(f"/api/v1/cases/{case.pk}/volunteers/999999/sessions/").status_code == 404
    assert client.get("/api/v1/volunteers/99999999999999999999/").status_code == 404
    page = web_client(personas["officer"]).post(
        f"/cases/{case.pk}/volunteers/assign/",
        {"volunteer": "١", "consent": "on", "consent_on": "31.12.9999", "consent_note": "x", "started_on": "x"},
    )
    assert page.status_code == 200 and VolunteerAssignment.objects.count() == 0


def test_errors_come_in_the_users_language(personas, case, volunteer):
    response = api_client(personas["officer"], language="ru").post(
        f"/api/v1/cases/{case.pk}/volunteers/", {"volunteer": volunteer.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["consent_on"] == ["Обязательное поле."]
