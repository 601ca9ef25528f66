"""The audit trail over the API: auditors only, read-only, filterable, verifiable."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.db import connection
from rest_framework.test import APIClient

from openprobation.audit.models import AuditEvent
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.people.models import Person
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def a_person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


def a_case(**fields: Any) -> Case:
    return cast(Case, CaseFactory(**fields))


EVENTS = "/api/v1/audit/events/"
VERIFY = "/api/v1/audit/verify/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def trail(personas):
    case = a_case(person=a_person(registered_office=personas["office_a"]), office=personas["office_a"])
    signed_in(personas["officer"]).get(f"/api/v1/cases/{case.pk}/")
    signed_in(personas["head"]).get(f"/api/v1/people/{case.person_id}/")
    signed_in(personas["officer"]).get("/api/v1/cases/", {"q": "Ахметов"})
    return case


def test_auditor_reads_events_newest_first_with_the_details(personas, trail):
    answer = signed_in(personas["auditor"]).get(EVENTS)
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [r["action"] for r in rows] == ["case.search", "person.view", "case.view"]
    assert rows[0]["details"] == {"query": "Ахметов", "filters": {}}
    assert rows[2]["subject_id"] == str(trail.pk)
    assert rows[2]["hash"] and rows[2]["prev_hash"] == ""  # sealed in batches, not chained one by one


def test_auditor_filters_by_actor_action_subject_and_dates(personas, trail):
    client = signed_in(personas["auditor"])

    def actions(**params):
        return [r["action"] for r in client.get(EVENTS, params).json()["results"]]

    assert actions(actor="head") == ["person.view"]
    assert actions(action="case.view") == ["case.view"]
    assert actions(subject_type="cases.case", subject_id=str(trail.pk)) == ["case.view"]
    assert actions(subject_type="people.person", actor="officer") == []
    assert "case.view" in actions(**{"from": "2000-01-01", "to": "2999-12-31"})
    assert actions(**{"from": "2999-01-01"}) == []
    assert actions(**{"to": "2000-01-01"}) == []


def test_searching_the_trail_is_itself_recorded(personas, trail):
    signed_in(personas["auditor"]).get(EVENTS, {"actor": "officer"})
    event = AuditEvent.objects.get(action="audit.search")
    assert event.actor_username == "auditor"
    assert event.details == {"filters": {"actor": "officer"}}


@pytest.mark.parametrize(
    "params", [{"from": "yesterday"}, {"to": "2026-02-30"}, {"from": "2026-02-02", "to": "2026-02-01"}]
)
def test_bad_audit_filters_get_400(personas, params):
    answer = signed_in(personas["auditor"]).get(EVENTS, params)
    assert answer.status_code == 400
    assert answer.json()["errors"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_trail_has_no_write_methods(personas, trail, method):
    before = AuditEvent.objects.count()
    answer = getattr(signed_in(personas["auditor"]), method)(EVENTS, {"action": "forged"}, format="json")
    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"
    assert AuditEvent.objects.count() == before
    assert signed_in(personas["auditor"]).options(EVENTS).status_code == 200


def test_no_write_method_is_published_in_the_schema(personas):
    schema = signed_in(personas["auditor"]).get("/api/v1/schema/", {"format": "json"}).json()
    assert set(schema["paths"]["/api/v1/audit/events/"]) == {"get"}


def test_verify_reports_an_intact_chain_and_is_recorded(personas, trail):
    answer = signed_in(personas["auditor"]).post(VERIFY)
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "checked": 3, "checkpoints": 0, "problems": []}
    assert AuditEvent.objects.filter(action="audit.verify", actor_username="auditor").exists()
    assert signed_in(personas["auditor"]).get(VERIFY).status_code == 405


def test_verify_finds_a_broken_chain(personas, trail):
    audit_record(actor=personas["officer"], action="case.view")
    # Simulate tampering behind the application's back (the model itself refuses updates).
    if connection.vendor != "sqlite":
        pytest.skip("drops the SQLite append-only trigger to tamper with a row")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        cursor.execute(
            "UPDATE audit_auditevent SET action = 'nothing' WHERE id = (SELECT MIN(id) FROM audit_auditevent)"
        )
    answer = signed_in(personas["auditor"]).post(VERIFY).json()
    assert answer["ok"] is False
    assert answer["problems"]


def test_verify_holds_the_chain_against_the_signed_checkpoints(personas, trail):
    from openprobation.audit.models import AuditSeal
    from openprobation.audit.services import audit_checkpoint
    from openprobation.audit.tests.test_audit_chain import drop_triggers, raw
    from openprobation.audit.tests.test_audit_chain_keyed import forget_seals

    audit_checkpoint()
    checkpointed = AuditSeal.objects.order_by("-id")[0]
    assert signed_in(personas["auditor"]).post(VERIFY).json()["checkpoints"] == 1
    # Someone with database access removes the tail, the seals, and rewrites the chain head to match.
    drop_triggers()
    keep = AuditEvent.objects.order_by("-id")[2]
    raw("DELETE FROM audit_auditevent WHERE id > %s", [keep.id])
    forget_seals()
    answer = signed_in(personas["auditor"]).post(VERIFY).json()
    assert answer["ok"] is False
    assert answer["checkpoints"] == 1
    assert f"seal {checkpointed.id} is missing (a seal was removed)" in " ".join(answer["problems"])
