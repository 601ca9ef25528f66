"""The audit trail: one event per service call with old → new values, sealed in batches after the
commit into seals that verify, append-only in the ORM and in the database, and tampering by a
database owner detected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from openprobation.audit.models import AppendOnlyError, AuditChainHead, AuditEvent, AuditSeal, AuditSealMember
from openprobation.audit.services import GENESIS, audit_record, audit_verify
from openprobation.cases.models import CaseStatus, CaseType
from openprobation.cases.services import CaseInput, case_allocate, case_open, case_transfer, case_transition
from openprobation.core.exceptions import DomainError
from openprobation.people.services import person_create, person_update

pytestmark = pytest.mark.django_db

DROP_TRIGGERS = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {table}_{verb}"
        for table, verb in [
            ("audit_event", "no_update"),
            ("audit_event", "no_delete"),
            ("audit_auditseal", "no_update"),
            ("audit_auditseal", "no_delete"),
            ("audit_auditsealmember", "no_update"),
            ("audit_auditsealmember", "no_delete"),
        ]
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_auditseal_no_update ON audit_auditseal",
        "DROP TRIGGER IF EXISTS audit_auditsealmember_no_update ON audit_auditsealmember",
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
    """A person and a case taken through every service, one audit event each; the sealer runs after
    the commit, as it does outside the test's transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _story(personas)


def seal_of(event_id: int) -> AuditSeal:
    return AuditSeal.objects.get(pk=AuditSealMember.objects.get(event_id=event_id).seal_id)


def _story(personas):
    officer, head = personas["officer"], personas["head"]
    person = person_create(
        actor=officer,
        office=personas["office_a"],
        data={"surname": "Ахметов", "first_name": "Ерлан", "birth_date": dt.date(1990, 5, 17), "sex": "M"},
    )
    person_update(actor=officer, person=person, data={"phone": "+7 701 111 22 33"})
    # Opened by the court liaison (who carries no cases), so the head allocates it.
    case = case_open(
        actor=personas["court_liaison"],
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
    assert opened.details == {"person_id": story["person"].pk, "officer_id": None}
    assert allocated.changes == {"officer": [None, str(story["officer"])]}
    assert allocated.details["reason"] == "Новое дело"
    assert registered.changes["status"] == ["awaiting_registration", "registered"]
    assert registered.changes["registered_on"][0] is None
    assert transferred.changes == {"office": ["NA1", "NB2"], "officer": [str(story["officer"]), None]}
    assert transferred.actor_username == "head"


def test_events_are_sealed_after_the_commit_in_a_seal_that_verifies(story):
    events = list(AuditEvent.objects.order_by("id"))
    assert all(event.prev_hash == "" for event in events)  # no link, no lock while the caller writes
    [seal] = AuditSeal.objects.all()
    assert seal.member_ids() == [event.id for event in events]
    assert (seal.count, seal.prev_hash) == (6, GENESIS)
    assert set(AuditSealMember.objects.values_list("event_id", flat=True)) == {event.id for event in events}
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seal_id, head.seal_hash, head.count, head.last_id) == (seal.id, seal.hash, 6, 0)
    result = audit_verify()
    assert result.ok, result.problems
    assert (result.checked, result.seals, result.pending) == (6, 1, 0)


def test_recording_an_event_takes_no_lock_and_seals_once_after_the_commit(personas):
    """The chain head is not touched while the caller's transaction is open; one seal per transaction."""
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks, transaction.atomic():
        first = audit_record(actor=personas["auditor"], action="case.search", details={"n": 1})
        second = audit_record(actor=personas["auditor"], action="case.search", details={"n": 2})
        assert not AuditChainHead.objects.exists()
        assert not AuditSealMember.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert seal_of(first.id) == seal_of(second.id)
    assert AuditChainHead.objects.get(pk=1).count == 2
    # Nothing new: the sealer writes no empty seal.
    callbacks[0]()
    assert AuditSeal.objects.count() == 1


def test_seals_link_to_each_other_and_verify_in_batches(story):
    with TestCase.captureOnCommitCallbacks(execute=True):
        for n in range(3):
            audit_record(actor=story["auditor"], action="case.search", details={"n": n})
    first, second = AuditSeal.objects.order_by("id")
    assert second.prev_hash == first.hash
    result = audit_verify(batch=2)
    assert result.ok, result.problems
    assert (result.checked, result.seals) == (9, 2)


def test_events_left_unsealed_are_sealed_by_the_scheduled_task_and_by_verification(personas):
    from openprobation.audit.tasks import seal_pending

    event = audit_record(actor=personas["auditor"], action="case.search")  # on_commit never runs here
    assert not AuditSealMember.objects.filter(event_id=event.id).exists()
    assert seal_pending() == 1
    assert AuditSealMember.objects.filter(event_id=event.id).exists()
    later = audit_record(actor=personas["auditor"], action="case.search")
    assert audit_verify().ok
    assert AuditSealMember.objects.filter(event_id=later.id).exists()


def test_an_event_not_sealed_in_time_is_reported(personas, settings):
    """The sealer did not run (its on_commit never fired and no scheduled sealer): once the event is
    older than AUDIT_SEAL_MAX_AGE_SECONDS it is never sealed, and verification says so."""
    event = audit_record(actor=personas["auditor"], action="case.search")
    settings.AUDIT_SEAL_MAX_AGE_SECONDS = 0
    _assert_detected(f"event {event.id}: still not sealed more than 1 minutes after it was written")
    assert not AuditSealMember.objects.filter(event_id=event.id).exists()


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
    seal = seal_of(ids[2])
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[2]])
    result = audit_verify()
    assert f"seal {seal.id}: event {ids[2]} is missing (a row was removed)" in result.problems
    assert any("counts 6 events; 5 found" in p for p in result.problems)
    _assert_detected("is missing (a row was removed)")


@pytest.mark.parametrize("which", [0, -1])
def test_deleted_first_or_last_row_is_detected(story, which):
    drop_triggers()
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[which]])
    _assert_detected(f"event {ids[which]} is missing")


def test_deleted_row_with_its_membership_is_detected(story):
    """Removing the membership row too leaves the seal short of a member."""
    drop_triggers()
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    seal = seal_of(ids[3])
    raw("DELETE FROM audit_auditsealmember WHERE event_id = %s", [ids[3]])
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[3]])
    problems = audit_verify().problems
    assert f"seal {seal.id}: 5 membership rows for its 6 events (rows removed or added)" in problems
    _assert_detected(f"seal {seal.id}: event {ids[3]} is missing")


def test_deleting_everything_is_detected_by_the_seals_and_the_chain_head(story):
    drop_triggers()
    raw("DELETE FROM audit_auditevent")
    _assert_detected("chain head counts 6 events; 0 found")


def test_deleting_everything_with_the_seals_is_detected_by_the_chain_head(story):
    drop_triggers()
    for table in ("audit_auditevent", "audit_auditseal", "audit_auditsealmember"):
        raw(f"DELETE FROM {table}")  # noqa: S608
    _assert_detected("chain head expects seal")


def test_deleted_seal_is_detected(story):
    with TestCase.captureOnCommitCallbacks(execute=True):
        audit_record(actor=story["auditor"], action="case.search")
    first, second = AuditSeal.objects.order_by("id")
    drop_triggers()
    raw("DELETE FROM audit_auditseal WHERE id = %s", [first.id])
    _assert_detected(f"seal {second.id}: link to the previous seal broken")


def test_forged_seal_is_detected(story):
    drop_triggers()
    [seal] = AuditSeal.objects.all()
    ids = seal.member_ids()
    raw("UPDATE audit_auditseal SET events = %s, count = %s WHERE id = %s", [",".join(map(str, ids[:-1])), 5, seal.id])
    _assert_detected(f"seal {seal.id}: does not match its events")


def test_inserted_event_is_detected(story):
    """A row inserted behind the application's back: without the chain key its hash cannot be right;
    backdated, it is never sealed either."""
    drop_triggers()
    real = AuditEvent.objects.order_by("id")[0]
    for at, action in [("2026-01-01 10:00:00", "case.view"), (None, "person.view")]:
        raw(
            "INSERT INTO audit_auditevent (at, actor_username, on_behalf_of, action, subject_type, subject_id, "
            "subject_repr, changes, details, request_id, ip, prev_hash, hash, key_id) "
            "VALUES (%s, 'colleague', '', %s, '', '', '', '{}', '{}', '', '', '', %s, %s)",
            [at or dt.datetime.now(dt.UTC), action, f"{action:0>64}"[-64:], real.key_id],
        )
    backdated, recent = AuditEvent.objects.order_by("-id")[1], AuditEvent.objects.order_by("-id")[0]
    problems = audit_verify().problems
    assert f"event {backdated.id}: content does not match its hash (the row was edited)" in problems
    assert any(f"event {backdated.id}: still not sealed" in p for p in problems)
    assert f"event {recent.id}: content does not match its hash (the row was edited)" in problems
    _assert_detected("still not sealed")


def test_rewriting_a_row_with_a_recomputed_hash_is_detected(story):
    from openprobation.audit.services import compute_hash

    drop_triggers()
    events = list(AuditEvent.objects.order_by("id"))
    forged = events[1]
    forged.actor_username = "colleague"
    new_hash = compute_hash(prev_hash=forged.prev_hash, event=forged)
    raw("UPDATE audit_auditevent SET actor_username = %s, hash = %s WHERE id = %s", ["colleague", new_hash, forged.id])
    problems = audit_verify().problems
    assert f"event {forged.id}: content does not match its hash (the row was edited)" in problems
    _assert_detected(f"seal {seal_of(forged.id).id}: does not match its events")


# --- The admin ----------------------------------------------------------------------------------


def test_audit_events_are_not_in_the_admin_at_all():
    """Nobody adds, changes or deletes them there, and the system administrator does not read
    them there (personal data in the trail is for auditors; see test_audit_admin.py)."""
    from django.contrib import admin

    assert AuditEvent not in admin.site._registry


# --- The sealer's bookkeeping ---------------------------------------------------------------------


def test_the_sealer_remembers_ids_it_has_not_seen_committed():
    from openprobation.audit.services import _next_gaps

    head = AuditChainHead(sealed_to=10, gaps="4,7")
    assert _next_gaps(head, [7, 12, 14]) == (14, "4,11,13")


def test_an_event_committed_after_later_ones_were_sealed_is_sealed_from_the_gaps(personas):
    from openprobation.audit.services import audit_seal

    late = audit_record(actor=personas["auditor"], action="case.search")
    # As if later events had been sealed while ``late``'s transaction was still open.
    AuditChainHead.objects.create(pk=1, sealed_to=late.id + 5)
    assert audit_seal() == 0
    AuditChainHead.objects.filter(pk=1).update(gaps=f"{late.id - 1},{late.id}")
    assert audit_seal() == 1
    assert AuditSealMember.objects.filter(event_id=late.id).exists()
    assert AuditChainHead.objects.get(pk=1).gaps == f"{late.id - 1}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_after_a_commit_the_sealer_steps_aside_while_another_one_works(personas, monkeypatch):
    import psycopg

    from openprobation.audit import services
    from openprobation.audit.services import SEALER_LOCK, _seal_unless_busy

    monkeypatch.setattr(services, "SEAL_ATTEMPT_INTERVAL", 0.0)

    event = audit_record(actor=personas["auditor"], action="case.search")
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [SEALER_LOCK])
        _seal_unless_busy()
        assert not AuditSealMember.objects.filter(event_id=event.id).exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [SEALER_LOCK])
    _seal_unless_busy()
    assert AuditSealMember.objects.filter(event_id=event.id).exists()


def test_verification_of_a_read_only_copy_reports_instead_of_sealing(personas, monkeypatch):
    """An auditor verifying a copy the sealer cannot write to: recent unsealed events are pending."""
    from openprobation.audit import services

    def read_only(**kwargs):
        raise DatabaseError("cannot execute INSERT in a read-only transaction")

    event = audit_record(actor=personas["auditor"], action="case.search")
    monkeypatch.setattr(services, "_seal_once", read_only)
    result = audit_verify()
    assert result.ok, result.problems
    assert (result.checked, result.pending) == (1, 1)
    assert not AuditSealMember.objects.filter(event_id=event.id).exists()


def test_identical_events_in_quick_succession_get_distinct_hashes(personas, monkeypatch):
    """Without a previous hash in the message, the event time keeps two identical events apart."""
    from django.utils import timezone

    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    first = audit_record(actor=personas["auditor"], action="case.search", details={"query": "x"})
    second = audit_record(actor=personas["auditor"], action="case.search", details={"query": "x"})
    assert first.hash != second.hash
    assert second.at > first.at
    assert audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the commit-time sealer of PostgreSQL")
def test_a_process_that_just_tried_to_seal_leaves_it_to_the_others(personas, monkeypatch):
    from openprobation.audit import services

    monkeypatch.setattr(services, "SEAL_ATTEMPT_INTERVAL", 3600.0)
    monkeypatch.setattr(services, "_last_attempt", float("-inf"))
    first = audit_record(actor=personas["auditor"], action="case.search")
    services._seal_unless_busy()
    second = audit_record(actor=personas["auditor"], action="case.search")
    services._seal_unless_busy()
    assert AuditSealMember.objects.filter(event_id=first.id).exists()
    assert not AuditSealMember.objects.filter(event_id=second.id).exists()
    assert audit_verify().ok  # the sweep seals it
    assert AuditSealMember.objects.filter(event_id=second.id).exists()


def test_database_triggers_refuse_changing_or_deleting_seals(story):
    seal = AuditSeal.objects.get()
    for sql in [
        "UPDATE audit_auditseal SET count = 5",
        "DELETE FROM audit_auditseal",
        "UPDATE audit_auditsealmember SET seal_id = 0",
        "DELETE FROM audit_auditsealmember",
    ]:
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(sql)
    assert AuditSealMember.objects.filter(seal_id=seal.id).count() == seal.count == 6
    assert audit_verify().ok
