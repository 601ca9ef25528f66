"""The keyed chain and the signed checkpoints outside the database: someone who can write to the
database (triggers dropped, rows edited, deleted, the chain head rewritten, later hashes recomputed)
but holds neither the chain key nor the checkpoint signing key cannot make the trail verify."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from openprobation.audit import checkpoints
from openprobation.audit.keys import (
    ChainKey,
    current_chain_key,
    key_id,
    new_signing_key_pem,
    public_pem,
    signing_key,
)
from openprobation.audit.models import AuditChainHead, AuditEvent, AuditSeal
from openprobation.audit.services import (
    GENESIS,
    CheckpointRefused,
    audit_checkpoint,
    audit_record,
    audit_verify,
    compute_event_hash,
    compute_hash,
    compute_keyed_hash,
)
from openprobation.audit.tests.test_audit_chain import drop_triggers, make_story, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(personas):
    return make_story(personas)


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id"))


def forget_seals() -> None:
    """What someone with database access does to hide removed rows: the seals and their membership
    deleted and a consistent chain head (the sealer then seals what is left afresh)."""
    raw("DELETE FROM audit_auditsealmember")
    raw("DELETE FROM audit_auditseal")
    chained = AuditEvent.objects.exclude(prev_hash="")
    last = chained.order_by("-id").first()
    raw(
        "UPDATE audit_auditchainhead SET last_id = %s, last_hash = %s, count = %s, seal_id = 0, seal_hash = '' "
        "WHERE id = 1",
        [last.id if last else 0, last.hash if last else GENESIS, chained.count()],
    )


def rechain(from_index: int, hasher) -> None:
    """Recompute every hash from ``from_index`` on with ``hasher(prev_hash, event)`` and rewrite the
    rows and the chain head, as a forger with write access to the database would."""
    rows = events()
    prev = rows[from_index - 1].hash if from_index else GENESIS
    for event in rows[from_index:]:
        event.prev_hash = prev
        new_hash = hasher(prev, event)
        raw(
            "UPDATE audit_auditevent SET actor_username = %s, prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
            [event.actor_username, prev, new_hash, event.key_id, event.id],
        )
        prev = new_hash
    forget_seals()


def assert_reported(fragment: str) -> list[str]:
    result = audit_verify()
    assert not result.ok
    assert any(fragment in problem for problem in result.problems), result.problems
    with pytest.raises(CommandError, match="Audit chain BROKEN"):
        call_command("audit_verify")
    return result.problems


def checkpoint_files() -> list[Path]:
    return sorted(Path(settings.AUDIT_CHECKPOINT_DIR).glob("checkpoint-*.json"))


# --- The keyed chain ------------------------------------------------------------------------------


def test_new_events_are_keyed_with_hmac_under_the_chain_key(story):
    key = current_chain_key()
    assert key.id == key_id(settings.AUDIT_CHAIN_KEY.encode())
    for event in events():
        assert event.key_id == key.id
        assert event.hash == compute_event_hash(event=event, key=key)
        assert event.hash != compute_keyed_hash(prev_hash=event.prev_hash, event=event, key=key)
        assert event.hash != compute_hash(prev_hash=event.prev_hash, event=event)
    assert audit_verify().ok


def test_without_a_configured_key_the_chain_key_is_derived_from_the_secret_key(settings):
    settings.AUDIT_CHAIN_KEY = ""
    derived = current_chain_key()
    expected = hmac.new(settings.SECRET_KEY.encode(), b"openprobation.audit.chain-key.v1", hashlib.sha256).hexdigest()
    assert derived.secret == expected.encode()
    assert derived.secret != settings.SECRET_KEY.encode()


def test_events_written_before_the_chain_was_keyed_or_sealed_still_verify(personas):
    """Unkeyed events (plain SHA-256), then keyed chained ones, then sealed ones: the first seal links
    to the last chained event, so the three form one history; a checkpoint of the chained history
    (the earlier format) still holds."""
    key, prev = current_chain_key(), GENESIS
    for n in range(4):
        event = AuditEvent(action="case.search", actor_username="auditor", details={"n": n}, prev_hash=prev)
        if n < 2:
            event.hash = compute_hash(prev_hash=prev, event=event)
        else:
            event.key_id = key.id
            event.hash = compute_keyed_hash(prev_hash=prev, event=event, key=key)
        event.save(force_insert=True)
        prev = event.hash
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_id": event.id, "last_hash": prev, "count": 4})
    private = signing_key()
    body = {
        "format": checkpoints.FORMAT_CHAINED,
        "last_id": event.id,
        "last_hash": prev,
        "count": 4,
        "chain_key_id": key.id,
        "written_at": "2026-11-01T00:00:00+00:00",
        "signed_by": checkpoints.public_key_id(private.public_key()),  # type: ignore[union-attr]
    }
    folder = Path(settings.AUDIT_CHECKPOINT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    signature = private.sign(checkpoints._canonical(body))  # type: ignore[union-attr]
    import base64

    (folder / "checkpoint-old.json").write_text(json.dumps({**body, "signature": base64.b64encode(signature).decode()}))
    audit_record(actor=personas["auditor"], action="case.search", details={"n": 4})
    rows = events()
    assert [bool(e.key_id) for e in rows] == [False, False, True, True, True]
    assert rows[4].prev_hash == ""
    result = audit_verify()
    assert result.ok, result.problems
    assert (result.checked, result.seals, result.checkpoints) == (5, 1, 1)
    [seal] = AuditSeal.objects.all()
    assert (seal.prev_hash, seal.member_ids()) == (rows[3].hash, [rows[4].id])
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.count, head.seal_id) == (rows[3].id, 5, seal.id)
    audit_checkpoint()
    assert audit_verify().ok
    # The chained history is still checked link by link.
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].id])
    assert_reported(f"event {rows[2].id}: previous-hash link broken")


def test_edit_with_later_hashes_recomputed_as_plain_sha256_is_reported(story):
    """(b) Today's chain accepts this forgery: the forger recomputes the unkeyed hash of the edited
    row and of every later one and rewrites the chain head."""
    drop_triggers()
    target = events()[2]
    raw("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["colleague", target.id])
    rechain(2, lambda prev, event: compute_hash(prev_hash=prev, event=event))
    assert AuditEvent.objects.get(pk=target.id).actor_username == "colleague"
    assert_reported(f"event {target.id}: content does not match its hash")


def test_edit_recomputed_as_unkeyed_events_is_reported(story):
    """(b) Passing the forged rows off as written before the chain was keyed does not work either."""
    drop_triggers()
    target = events()[2]
    raw("UPDATE audit_auditevent SET actor_username = %s, key_id = '' WHERE id >= %s", ["colleague", target.id])
    rechain(2, lambda prev, event: compute_hash(prev_hash=prev, event=event))
    assert_reported(f"event {target.id}: written without the chain key after keyed events")


@pytest.mark.parametrize(
    "guess",
    [
        b"",
        b"secret",
        b"test-only-secret-key-not-for-any-deployment-0123456789",  # the SECRET_KEY itself
    ],
)
def test_edit_recomputed_with_a_guessed_key_is_reported(story, guess):
    """(b) HMAC under any other key (the key id copied from the real events) does not verify."""
    drop_triggers()
    real = current_chain_key()
    forged_key = ChainKey(id=real.id, secret=guess)
    target = events()[3]
    raw("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["colleague", target.id])
    rechain(3, lambda prev, event: compute_keyed_hash(prev_hash=prev, event=event, key=forged_key))
    assert_reported(f"event {target.id}: content does not match its hash")


def test_an_event_under_an_unknown_key_is_reported(story):
    drop_triggers()
    target = events()[-1]
    raw("UPDATE audit_auditevent SET key_id = %s WHERE id = %s", ["0123456789abcdef", target.id])
    assert_reported(f"event {target.id}: written with chain key 0123456789abcdef, which is not configured")


def test_rotated_keys_verify_while_the_retired_key_is_kept(story, settings):
    old_id = current_chain_key().id
    settings.AUDIT_CHAIN_OLD_KEYS = [settings.AUDIT_CHAIN_KEY]
    settings.AUDIT_CHAIN_KEY = "the-next-audit-chain-key-for-tests-only-abcdefghijklmnop"
    audit_record(actor=story["auditor"], action="case.search", details={"query": "after rotation"})
    rows = events()
    assert rows[-1].key_id == current_chain_key().id != old_id
    assert {e.key_id for e in rows[:-1]} == {old_id}
    assert audit_verify().ok
    settings.AUDIT_CHAIN_OLD_KEYS = []
    problems = audit_verify().problems
    assert problems and all("not configured" in p for p in problems)


# --- Signed checkpoints outside the database ------------------------------------------------------


def test_intact_chain_with_checkpoints_verifies(story, capsys):
    """(d)"""
    first = audit_checkpoint()
    audit_record(actor=story["auditor"], action="case.search", details={"query": "Ахметов"})
    call_command("audit_checkpoint")
    assert "Audit checkpoint written" in capsys.readouterr().out
    assert len(checkpoint_files()) == 2
    body = json.loads(first.read_text())
    seal = AuditSeal.objects.order_by("id")[0]
    assert (body["seal_id"], body["last_hash"], body["count"], body["last_id"]) == (seal.id, seal.hash, 6, 0)
    assert body["chain_key_id"] == current_chain_key().id
    result = audit_verify()
    assert result.ok, result.problems
    assert (result.checked, result.checkpoints) == (7, 2)
    call_command("audit_verify")
    assert "Audit chain intact: 7 events verified, 2 checkpoints." in capsys.readouterr().out


def test_truncation_with_a_consistent_chain_head_is_reported_by_the_checkpoint(story):
    """(a) Today's chain accepts this: the last rows deleted and the chain head rewritten to match."""
    audit_checkpoint()
    [seal] = AuditSeal.objects.all()
    drop_triggers()
    rows = events()
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [rows[-2].id])
    forget_seals()
    assert_reported(f"seal {seal.id} is missing (a seal was removed)")


def test_seals_removed_from_the_end_are_reported_by_the_checkpoint(story):
    audit_checkpoint()
    [seal] = AuditSeal.objects.all()
    drop_triggers()
    raw("DELETE FROM audit_auditevent")
    forget_seals()
    assert_reported(f"the trail reached seal {seal.id} (6 events) when it was written; it now ends at seal 0")


def test_truncation_followed_by_new_events_is_reported_by_the_checkpoint(story):
    """(a) The tail deleted and the head rewritten; the service then goes on appending keyed events."""
    audit_checkpoint()
    drop_triggers()
    rows = events()
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [rows[-2].id])
    forget_seals()
    for n in range(3):
        audit_record(actor=story["auditor"], action="case.search", details={"n": n})
    assert_reported("is missing (a seal was removed)")


def test_whole_chain_rewritten_as_unkeyed_is_reported_by_the_checkpoint(story):
    """Every row rewritten as if written before the chain was keyed: only a checkpoint shows it."""
    audit_checkpoint()
    drop_triggers()
    raw("UPDATE audit_auditevent SET key_id = ''")
    rechain(0, lambda prev, event: compute_hash(prev_hash=prev, event=event))
    problems = assert_reported("(seals removed from the end)")
    assert not any("content does not match" in p for p in problems)


def test_forged_checkpoint_is_reported(story):
    """(c) A checkpoint altered after signing (to cover a truncation) fails its signature."""
    path = audit_checkpoint()
    body = json.loads(path.read_text())
    body["count"] = 4
    body["last_id"] = events()[3].id
    body["last_hash"] = events()[3].hash
    path.write_text(json.dumps(body))
    assert_reported(f"checkpoint {path.name}: the signature is not valid (the file was forged or altered)")


def test_checkpoint_signed_with_another_key_is_reported(story, settings):
    """(c) Someone who makes their own key cannot write a checkpoint the verifier trusts."""
    trusted = public_pem(signing_key().public_key())  # type: ignore[union-attr]
    settings.AUDIT_CHECKPOINT_SIGNING_KEY = new_signing_key_pem()
    path = audit_checkpoint()
    settings.AUDIT_CHECKPOINT_PUBLIC_KEYS = trusted
    assert_reported(f"checkpoint {path.name}: signed with a key that is not among the trusted public keys")


def test_unreadable_checkpoint_is_reported(story):
    audit_checkpoint()
    garbage = Path(settings.AUDIT_CHECKPOINT_DIR) / "checkpoint-999999999999-x.json"
    garbage.write_text("{not json")
    assert_reported(f"checkpoint {garbage.name}: the file cannot be read")


def test_auditor_verifies_with_their_own_copy_of_the_public_key(story, tmp_path, capsys):
    audit_checkpoint()
    public = tmp_path / "checkpoint-public.pem"
    call_command("audit_checkpoint", "--print-public-key")
    public.write_text(capsys.readouterr().out)
    call_command("audit_verify", "--public-keys", str(public))
    assert "1 checkpoints" in capsys.readouterr().out
    other = tmp_path / "other.pem"
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(new_signing_key_pem().encode(), password=None)
    other.write_text(public_pem(key.public_key()))  # type: ignore[arg-type]
    with pytest.raises(CommandError):
        call_command("audit_verify", "--public-keys", str(other))


def test_a_broken_chain_is_never_checkpointed(story):
    audit_checkpoint()
    drop_triggers()
    target = events()[-1]
    raw("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["colleague", target.id])
    with pytest.raises(CheckpointRefused):
        audit_checkpoint()
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_checkpoint")
    assert len(checkpoint_files()) == 1


def test_checkpoint_needs_a_signing_key(story, settings):
    settings.AUDIT_CHECKPOINT_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="No checkpoint signing key"):
        call_command("audit_checkpoint")
    assert checkpoint_files() == []


def test_checkpoint_files_are_never_overwritten(story):
    first = audit_checkpoint()
    second = audit_checkpoint()
    assert first != second
    assert len(checkpoint_files()) == 2
    assert audit_verify().ok


def test_scheduled_checkpoint_task_writes_a_checkpoint(story):
    from openprobation.audit.tasks import write_checkpoint

    assert write_checkpoint() is True
    assert len(checkpoint_files()) == 1
    assert connection.vendor in {"sqlite", "postgresql"}


def test_deploy_checks_warn_about_missing_audit_keys(settings):
    from openprobation.audit.checks import audit_keys

    assert audit_keys() == []
    settings.AUDIT_CHAIN_KEY = ""
    settings.AUDIT_CHECKPOINT_SIGNING_KEY = ""
    assert {message.id for message in audit_keys()} == {"audit.W001", "audit.W002"}
    settings.AUDIT_CHECKPOINT_SIGNING_KEY = "not a key"
    assert "audit.W003" in {message.id for message in audit_keys()}
