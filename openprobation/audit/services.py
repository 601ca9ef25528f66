"""Writing to the audit trail. Every service that changes data calls ``audit_record`` once, in its
own transaction; views call it for sensitive reads and searches.

Each event's ``hash`` is HMAC-SHA256, under the chain key kept outside the database, over the
previous event's hash, the key's id and the event's canonical content (``keys.py``). Events written
before the chain was keyed (``key_id`` empty) keep their plain SHA-256 hash and still verify; none
may follow a keyed event. Signed checkpoints of the chain head, written outside the database
(``checkpoints.py``), show a chain that was shortened or rewritten.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.audit import checkpoints
from openprobation.audit.context import current_context
from openprobation.audit.keys import (
    AuditKeyError,
    ChainKey,
    chain_keys,
    current_chain_key,
    signing_key,
    trusted_public_keys,
)
from openprobation.audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
log = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)


def _canonical_at(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _payload(prev_hash: str, event: AuditEvent) -> list[Any]:
    return [
        prev_hash,
        _canonical_at(event.at),
        event.actor_id,
        event.actor_username,
        event.on_behalf_of,
        event.action,
        event.subject_type,
        event.subject_id,
        event.subject_repr,
        event.changes,
        event.details,
        event.request_id,
        event.ip,
    ]


def _text(payload: list[Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compute_hash(*, prev_hash: str, event: AuditEvent) -> str:
    """The unkeyed SHA-256 of the events written before the chain was keyed (``key_id`` empty)."""
    return hashlib.sha256(_text(_payload(prev_hash, event))).hexdigest()


def compute_keyed_hash(*, prev_hash: str, event: AuditEvent, key: ChainKey) -> str:
    """HMAC-SHA256 under the chain key; the key's id is part of the message, so an event cannot be
    moved to another key (or to the unkeyed algorithm) without its hash changing."""
    message = _text(["hmac-sha256", key.id, *_payload(prev_hash, event)])
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def _keyed_hasher(event: AuditEvent, key: ChainKey) -> Callable[[str], str]:
    """``compute_keyed_hash`` with everything but the previous hash encoded in advance, so that
    little work is left while the chain head is locked (a JSON array encodes item by item)."""
    head = _text(["hmac-sha256", key.id])[:-1] + b","
    tail = b"," + _text(_payload(GENESIS, event)[1:])[1:]
    mac = hmac.new(key.secret, digestmod=hashlib.sha256)
    mac.update(head)

    def finish(prev_hash: str) -> str:
        final = mac.copy()
        final.update(_text([prev_hash])[1:-1] + tail)
        return final.hexdigest()

    return finish


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        before, after = _jsonable(old.get(key)), _jsonable(new.get(key))
        if before != after:
            out[key] = [before, after]
    return out


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: _jsonable(getattr(instance, name)) for name in fields}


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    on_behalf_of: str = "",
) -> AuditEvent:
    """Append one event to the chain (atomic with the caller's transaction).

    Appends are serialised by the chain head row, locked until the caller's transaction commits;
    everything that does not need the previous hash is prepared before the lock is taken, and on
    PostgreSQL the locked part is two statements (lock and read the head; insert the event and
    move the head)."""
    ctx = current_context()
    key = current_chain_key()
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        on_behalf_of=on_behalf_of,
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        subject_repr=str(subject)[:300] if subject is not None else "",
        changes=_jsonable(changes or {}),
        details=_jsonable(details or {}),
        request_id=ctx["request_id"],
        ip=ctx["ip"],
        key_id=key.id,
    )
    keyed_hash = _keyed_hasher(event, key)
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_postgresql(event, keyed_hash)
        else:
            head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            event.prev_hash = head.last_hash
            event.hash = keyed_hash(head.last_hash)
            event.save(force_insert=True)
            AuditChainHead.objects.filter(pk=1).update(last_id=event.id, last_hash=event.hash, count=head.count + 1)
    return event


_EVENT_COLUMNS = (
    "at",
    "actor_id",
    "actor_username",
    "on_behalf_of",
    "action",
    "subject_type",
    "subject_id",
    "subject_repr",
    "changes",
    "details",
    "request_id",
    "ip",
    "prev_hash",
    "hash",
    "key_id",
)


_PLACEHOLDERS = ", ".join("%s::jsonb" if column in {"changes", "details"} else "%s" for column in _EVENT_COLUMNS)


def _append_postgresql(event: AuditEvent, keyed_hash: Callable[[str], str]) -> None:
    """Two round trips while the head is locked: ``UPDATE … RETURNING`` locks the head and reads the
    previous hash; one statement inserts the event and moves the head to it."""
    head = AuditChainHead._meta.db_table
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {head} SET count = count + 1 WHERE id = 1 RETURNING last_hash")  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {head} (id, last_id, last_hash, count) VALUES (1, 0, %s, 0) ON CONFLICT (id) DO NOTHING",  # noqa: S608
                [GENESIS],
            )
            cursor.execute(f"UPDATE {head} SET count = count + 1 WHERE id = 1 RETURNING last_hash")  # noqa: S608
            row = cursor.fetchone()
        event.prev_hash = row[0]
        event.hash = keyed_hash(event.prev_hash)
        values = [getattr(event, column) for column in _EVENT_COLUMNS]
        values[8], values[9] = json.dumps(event.changes), json.dumps(event.details)
        cursor.execute(
            f"WITH ev AS (INSERT INTO {table} ({', '.join(_EVENT_COLUMNS)}) VALUES ({_PLACEHOLDERS}) RETURNING id) "  # noqa: S608
            f"UPDATE {head} SET last_id = ev.id, last_hash = %s FROM ev WHERE {head}.id = 1 RETURNING ev.id",
            [*values, event.hash],
        )
        event.id = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]
    checkpoints: int = 0


def _checkpoint_problem(error: checkpoints.CheckpointError) -> str:
    if error.reason == "bad-signature":
        return _("checkpoint %(file)s: the signature is not valid (the file was forged or altered)") % {
            "file": error.file
        }
    if error.reason == "unknown-key":
        return _("checkpoint %(file)s: signed with a key that is not among the trusted public keys") % {
            "file": error.file
        }
    return _("checkpoint %(file)s: the file cannot be read") % {"file": error.file}


def _load_checkpoints(public_keys: str | None, problems: list[str]) -> list[checkpoints.Checkpoint]:
    files = checkpoints.checkpoint_files()
    if not files:
        return []
    try:
        trusted = trusted_public_keys(public_keys)
    except (AuditKeyError, ValueError):
        problems.append(_("The public keys for the checkpoints cannot be read."))
        return []
    if not trusted:
        problems.append(_("There are checkpoints but no public key to check them with."))
        return []
    found = []
    for path in files:
        try:
            found.append(checkpoints.read_checkpoint(path, trusted))
        except checkpoints.CheckpointError as error:
            problems.append(_checkpoint_problem(error))
    return found


def audit_verify(
    *, batch: int = 5000, public_keys: str | None = None, since: checkpoints.Checkpoint | None = None
) -> VerifyResult:
    """Walk the chain in order and report every broken link, altered row and missing tail, then
    hold the chain against every signed checkpoint written outside the database.

    ``public_keys`` is a PEM bundle of the checkpoint keys to trust (default: the configured ones).
    ``since`` checks only the events after one checkpoint (used before writing the next)."""
    problems: list[str] = []
    keys = chain_keys()
    found = [since] if since is not None else _load_checkpoints(public_keys, problems)
    at_event: dict[int, list[checkpoints.Checkpoint]] = {}
    for checkpoint in found:
        at_event.setdefault(checkpoint.last_id, []).append(checkpoint)
    matched: set[str] = set()
    prev, checked, last_id, last_seen = GENESIS, 0, 0, 0
    keyed_seen = False
    if since is not None:
        anchor = AuditEvent.objects.filter(pk=since.last_id).first()
        if since.last_id and anchor is not None:
            # Start from the checkpointed event instead of the genesis.
            prev, checked, last_id, last_seen = anchor.hash, since.count, since.last_id, since.last_id
            keyed_seen = bool(anchor.key_id)
            at_event = {}
            matched.add(since.file)
            if anchor.hash != since.last_hash:
                problems.append(_cp_rewritten(since, since.last_id))
            if _expected_hash(anchor, keys) != anchor.hash:
                problems.append(
                    _("event %(id)s: content does not match its hash (the row was edited)") % {"id": anchor.id}
                )
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for event in rows:
            checked += 1
            if event.prev_hash != prev:
                problems.append(
                    _("event %(id)s: previous-hash link broken (a row before it was removed or edited)")
                    % {"id": event.id}
                )
            expected = _expected_hash(event, keys)
            if not event.key_id:
                if keyed_seen:
                    problems.append(
                        _("event %(id)s: written without the chain key after keyed events (the row was forged)")
                        % {"id": event.id}
                    )
            else:
                keyed_seen = True
                if event.key_id not in keys:
                    problems.append(
                        _(
                            "event %(id)s: written with chain key %(key)s, which is not configured "
                            "(add it to AUDIT_CHAIN_OLD_KEYS) — or the row was forged"
                        )
                        % {"id": event.id, "key": event.key_id}
                    )
            if expected is not None and expected != event.hash:
                problems.append(
                    _("event %(id)s: content does not match its hash (the row was edited)") % {"id": event.id}
                )
            for checkpoint in at_event.get(event.id, []):
                matched.add(checkpoint.file)
                if checkpoint.last_hash != event.hash:
                    problems.append(_cp_rewritten(checkpoint, event.id))
                if checkpoint.count != checked:
                    problems.append(
                        _(
                            "checkpoint %(file)s: %(then)s events up to event %(id)s when it was written, "
                            "%(now)s now (rows removed or added)"
                        )
                        % {"file": checkpoint.file, "then": checkpoint.count, "id": event.id, "now": checked}
                    )
            prev = event.hash
            last_seen = event.id
        last_id = rows[-1].id
    for checkpoint in found:
        if checkpoint.file in matched or checkpoint.last_id == 0:
            continue
        if checkpoint.last_id > last_seen:
            problems.append(
                _(
                    "checkpoint %(file)s: the chain reached event %(id)s (%(count)s events) when it was written; "
                    "it now ends at %(end)s (rows removed from the end)"
                )
                % {"file": checkpoint.file, "id": checkpoint.last_id, "count": checkpoint.count, "end": last_seen}
            )
        else:
            problems.append(
                _("checkpoint %(file)s: event %(id)s is missing (a row was removed)")
                % {"file": checkpoint.file, "id": checkpoint.last_id}
            )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        if head.last_id != last_seen or head.last_hash != prev:
            problems.append(
                _("chain head expects event %(head)s; the chain ends at %(end)s (rows removed)")
                % {"head": head.last_id, "end": last_seen}
            )
        if head.count != checked:
            problems.append(
                _("chain head counts %(head)s events; %(found)s found (rows removed or added)")
                % {"head": head.count, "found": checked}
            )
    elif checked:
        problems.append(_("chain head is missing"))
    return VerifyResult(ok=not problems, checked=checked, problems=problems, checkpoints=len(found))


def _expected_hash(event: AuditEvent, keys: dict[str, ChainKey]) -> str | None:
    if not event.key_id:
        return compute_hash(prev_hash=event.prev_hash, event=event)
    key = keys.get(event.key_id)
    return compute_keyed_hash(prev_hash=event.prev_hash, event=event, key=key) if key else None


def _cp_rewritten(checkpoint: checkpoints.Checkpoint, event_id: int) -> str:
    return _(
        "checkpoint %(file)s: event %(id)s no longer has the hash it had when the checkpoint was written "
        "(the chain was rewritten)"
    ) % {"file": checkpoint.file, "id": event_id}


class CheckpointRefused(RuntimeError):
    """No checkpoint was written: no signing key, or the chain does not verify."""


def latest_checkpoint() -> checkpoints.Checkpoint | None:
    """The valid checkpoint with the highest event id (invalid files are skipped here; verification
    reports them)."""
    trusted = trusted_public_keys()
    best: checkpoints.Checkpoint | None = None
    for path in checkpoints.checkpoint_files():
        try:
            checkpoint = checkpoints.read_checkpoint(path, trusted)
        except checkpoints.CheckpointError:
            continue
        if best is None or checkpoint.last_id >= best.last_id:
            best = checkpoint
    return best


def audit_checkpoint() -> Path:
    """Sign the current chain head into a new checkpoint file outside the database.

    The events since the latest checkpoint are verified first: a chain that does not verify is
    never signed (that would bless the tampering)."""
    private = signing_key()
    if private is None:
        raise CheckpointRefused(
            "No checkpoint signing key: set AUDIT_CHECKPOINT_SIGNING_KEY_FILE "
            "(python -m openprobation.audit.keys PATH creates one)."
        )
    result = audit_verify(since=latest_checkpoint())
    if not result.ok:
        raise CheckpointRefused("The audit chain does not verify; no checkpoint written: " + "; ".join(result.problems))
    head = AuditChainHead.objects.filter(pk=1).first()
    last_id, last_hash, count = (head.last_id, head.last_hash, head.count) if head else (0, GENESIS, 0)
    event = AuditEvent.objects.filter(pk=last_id).first() if last_id else None
    if last_id and (event is None or event.hash != last_hash):
        raise CheckpointRefused("The chain head does not match the last event; no checkpoint written.")
    path = checkpoints.write_checkpoint(
        private=private,
        last_id=last_id,
        last_hash=last_hash,
        count=count,
        chain_key_id=event.key_id if event is not None else "",
    )
    log.info("audit checkpoint %s: event %s, %s events", path.name, last_id, count)
    return path
