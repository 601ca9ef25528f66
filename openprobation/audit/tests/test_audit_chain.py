"""The audit trail: one event per service call with old → new values, a hash chain that verifies,
append-only in the ORM and in the database, and tampering by a database owner detected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from openprobation.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from openprobation.audit.services import GENESIS, audit_record, audit_verify
from openprobation.cases.models import CaseStatus, CaseType
from openprobation.cases.services import CaseInput, case_allocate, case_open, case_transfer, case_transition
from openprobation.core.exceptions import DomainError
from openprobation.people.services import person_create, person_update

pytestmark = pytest.mark.django_db

DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent",
    ],
}


def drop_triggers() -> None:
    """What only a database owner can do (rolled back with the test's transaction)."""
    with connection.cursor() as cursor:
        for sql in DROP_TRIGGERS[connection.vendor]:
            cursor.execute(sql)


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def new_events(before: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def story(personas):
    return make_story(personas)


def make_story(personas):
    """A person and a case taken through every service, one audit event each."""
    officer, head = personas["officer"], personas["head"]
    person = person_create(
        actor=officer,
        office=personas["office_a"],
        data={"surname": "Ахметов", "first_name": "Ерлан", "birth_date": dt.date(1990, 5, 17), "sex": "M"},
    )
    person_update(actor=officer, person=person, data={"phone": "+7 701 111 22 33"})
    case = case_open(
        actor=officer,
        person=person,
        office=personas["office_a"],
        data=CaseInput(
            case_type=CaseType.SENTENCE,
            received_on=dt.date(2026, 1, 20),
            court="Суд",
            decision_number="1-1/2026",
            decision_date=dt.date(2026, 1, 5),
            sentence_kind="conditional",
            term_months=24,
        ),
    )
    case_allocate(actor=head, case=case, officer=officer, reason="Новое дело")
    case_transition(actor=officer, case=case, to_status=CaseStatus.REGISTERED, reason="Учёт")
    case_transfer(actor=head, case=case, to_office=personas["office_b"], reason="Переезд")
    return {"person": person, "case": case, **personas}


# --- One event per service, with old → new ------------------------------------------------------


def test_person_create_writes_one_event_with_the_new_values(personas):
    before = last_id()
    person = person_create(
        actor=personas["officer"],
        office=personas["office_a"],
        data={"surname": "Сейтқали", "first_name": "Дәурен", "birth_date": dt.date(1988, 2, 3), "sex": "M"},
    )
    [event] = new_events(before)
    assert event.action == "person.create"
    assert (event.subject_type, event.subject_id) == ("people.person", str(person.pk))
    assert event.actor_id == personas["officer"].pk
    assert event.actor_username == "officer"
    assert event.changes["surname"] == [None, "Сейтқали"]
    assert event.changes["surname_latin"] == [None, "Seitkali"]
    assert event.changes["birth_date"] == [None, "1988-02-03"]
    assert event.details["office"] == "NA1"


def test_person_update_writes_one_event_with_only_the_changed_fields(story):
    before = last_id()
    # The case went to office B at the end of the story: B's officer now keeps the record.
    person_update(
        actor=story["other_district"], person=story["person"], data={"phone": "+7 702 000 00 00", "notes": ""}
    )
    [event] = new_events(before)
    assert event.action == "person.update"
    assert event.changes == {"phone": ["+7 701 111 22 33", "+7 702 000 00 00"]}


def test_refused_service_calls_write_no_event(story):
    before = last_id()
    with pytest.raises(DomainError):
        person_update(actor=story["officer"], person=story["person"], data={"surname": "Smith"})
    with pytest.raises(DomainError):
        case_transition(actor=story["other_head"], case=story["case"], to_status=CaseStatus.COMPLETED, reason="")
    with pytest.raises(DomainError):
        case_transfer(actor=story["head"], case=story["case"], to_office=story["office_c"], reason="Переезд")
    assert new_events(before) == []
    assert audit_verify().ok


def test_case_services_write_one_event_each_with_old_and_new(story):
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == [
        "person.create",
        "person.update",
        "case.open",
        "case.allocate",
        "case.transition",
        "case.transfer",
    ]
    opened, allocated, registered, transferred = events[2:]
    case = story["case"]
    for event in events[2:]:
        assert (event.subject_type, event.subject_id, event.subject_repr) == ("cases.case", str(case.pk), case.number)
    assert opened.changes["status"] == [None, "awaiting_registration"]
    assert opened.changes["number"] == [None, case.number]
    assert opened.changes["control_end"] == [None, "2028-01-04"]
    assert opened.details == {"person_id": story["person"].pk}
    assert allocated.changes == {"officer": [None, str(story["officer"])]}
    assert allocated.details["reason"] == "Новое дело"
    assert registered.changes["status"] == ["awaiting_registration", "registered"]
    assert registered.changes["registered_on"][0] is None
    assert transferred.changes == {"office": ["NA1", "NB2"], "officer": [str(story["officer"]), None]}
    assert transferred.actor_username == "head"


def test_events_form_a_chain_from_genesis_that_verifies(story):
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.prev_hash == earlier.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash, head.count) == (events[-1].id, events[-1].hash, len(events))
    result = audit_verify()
    assert result.ok, result.problems
    assert result.checked == 6


def test_verification_walks_the_chain_in_batches(story):
    for n in range(5):
        audit_record(actor=story["auditor"], action="case.search", details={"query": f"Ахметов {n}"})
    result = audit_verify(batch=2)
    assert result.ok, result.problems
    assert result.checked == 11


def test_empty_trail_verifies():
    result = audit_verify()
    assert result.ok
    assert result.checked == 0


def test_verify_command_reports_an_intact_chain(story, capsys):
    call_command("audit_verify")
    assert "Audit chain intact: 6 events verified, 0 checkpoints." in capsys.readouterr().out


def test_cli_maps_audit_verify_with_a_hyphen_to_the_command(monkeypatch):
    import sys

    import django.core.management

    from openprobation import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", seen.append)
    monkeypatch.setattr(sys, "argv", ["anything", "audit-verify"])
    cli.main()
    assert seen == [["openprobation", "audit_verify"]]


# --- Append-only --------------------------------------------------------------------------------


def test_orm_refuses_to_change_or_delete_events(story):
    event = AuditEvent.objects.order_by("id")[0]
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.action = "x"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "person.create"
    assert audit_verify().ok


def test_database_triggers_refuse_raw_update_and_delete(story):
    event_id = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["case.view", event_id])
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event_id])
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 6
    assert audit_verify().ok


# --- Tampering by a database owner is detected ----------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_a_truncated_trail_is_detected_on_postgresql(story):
    raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 0
    _assert_detected("chain head")


def _assert_detected(expected_fragment: str) -> None:
    result = audit_verify()
    assert not result.ok
    assert any(expected_fragment in p for p in result.problems), result.problems
    with pytest.raises(CommandError, match="Audit chain BROKEN"):
        call_command("audit_verify")


def test_edited_row_is_detected(story):
    drop_triggers()
    target = AuditEvent.objects.filter(action="case.transition").values_list("id", flat=True).get()
    raw("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["colleague", target])
    assert AuditEvent.objects.get(pk=target).actor_username == "colleague"
    _assert_detected(f"event {target}: content does not match its hash")


def test_edited_json_changes_are_detected(story):
    drop_triggers()
    target = AuditEvent.objects.filter(action="person.update").values_list("id", flat=True).get()
    raw("UPDATE audit_auditevent SET changes = %s WHERE id = %s", ['{"phone": ["", "+7 700 000 00 00"]}', target])
    _assert_detected(f"event {target}: content does not match its hash")


def test_deleted_middle_row_is_detected(story):
    drop_triggers()
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[2]])
    result = audit_verify()
    assert f"event {ids[3]}: previous-hash link broken (a row before it was removed or edited)" in result.problems
    assert any("counts 6 events; 5 found" in p for p in result.problems)
    _assert_detected("previous-hash link broken")


def test_deleted_last_row_is_detected(story):
    drop_triggers()
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[-1]])
    result = audit_verify()
    assert not result.ok
    # every remaining link is intact: only the chain head shows that the tail is gone
    assert not any("link broken" in p or "does not match" in p for p in result.problems)
    _assert_detected(f"chain head expects event {ids[-1]}; the chain ends at {ids[-2]}")


def test_deleted_first_row_is_detected(story):
    drop_triggers()
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[0]])
    _assert_detected(f"event {ids[1]}: previous-hash link broken")


def test_deleting_everything_is_detected_by_the_chain_head(story):
    drop_triggers()
    raw("DELETE FROM audit_auditevent")
    _assert_detected("chain head expects event")


def test_rewriting_a_row_with_a_recomputed_hash_still_breaks_the_next_link(story):
    from openprobation.audit.services import compute_hash

    drop_triggers()
    events = list(AuditEvent.objects.order_by("id"))
    forged = events[1]
    forged.actor_username = "colleague"
    new_hash = compute_hash(prev_hash=forged.prev_hash, event=forged)
    raw("UPDATE audit_auditevent SET actor_username = %s, hash = %s WHERE id = %s", ["colleague", new_hash, forged.id])
    _assert_detected(f"event {events[2].id}: previous-hash link broken")


# --- The admin ----------------------------------------------------------------------------------


def test_audit_events_are_not_in_the_admin_at_all():
    """Nobody adds, changes or deletes them there, and the system administrator does not read
    them there (personal data in the trail is for auditors; see test_audit_admin.py)."""
    from django.contrib import admin

    assert AuditEvent not in admin.site._registry
