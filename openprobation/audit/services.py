"""Writing to the audit trail. Every service that changes data calls ``audit_record`` once, in its
own transaction; views call it for sensitive reads and searches.

Each event's ``hash`` is HMAC-SHA256, under the chain key kept outside the database (``keys.py``),
over the key's id and the event's canonical content; writing it takes no lock. After the commit the
sealer (``audit_seal``) puts committed events into append-only seals, each keyed over the previous
seal's hash and its members' ids and hashes, so the order and completeness of the trail are kept by
the seals. Events written before (chained one by one: ``prev_hash`` set, keyed or, earlier still,
plain SHA-256) keep verifying; the first seal links to the last of them. Signed checkpoints of the
last seal, written outside the database (``checkpoints.py``), show a trail that was shortened or
rewritten.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
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
from openprobation.audit.models import AuditChainHead, AuditEvent, AuditSeal, AuditSealMember

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


def compute_event_hash(*, event: AuditEvent, key: ChainKey) -> str:
    """The hash of a sealed-form event (``prev_hash`` empty): HMAC-SHA256 under the chain key over
    the key's id and the event's canonical content, with no link to the previous event — the order
    and completeness of the trail are kept by the seals. Its own label keeps the two forms apart: a
    chained event cannot be passed off as a sealed-form one (or back) without the key."""
    message = _text(["hmac-sha256-sealed-event", key.id, *_payload("", event)[1:]])
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def compute_seal_hash(*, prev_hash: str, at: dt.datetime, members: list[tuple[int, str]], key: ChainKey) -> str:
    """HMAC-SHA256 under the chain key over the previous seal's hash, the seal's time and every
    member's id and hash, in the seal's order."""
    mac = hmac.new(key.secret, digestmod=hashlib.sha256)
    mac.update(_text(["hmac-sha256-seal", key.id, prev_hash, _canonical_at(at), len(members)]))
    for event_id, event_hash in members:
        mac.update(f"\n{event_id}:{event_hash}".encode("ascii", "replace"))
    return mac.hexdigest()


_clock_lock = threading.Lock()
_last_at = dt.datetime.min.replace(tzinfo=dt.UTC)


def _event_time() -> dt.datetime:
    """Now, but strictly later than this process's previous event: two identical events (the same
    request, actor, action and content) would otherwise have the same hash, which is unique, now
    that no previous hash tells them apart."""
    global _last_at  # noqa: PLW0603
    with _clock_lock:
        now = timezone.now()
        if now <= _last_at:
            now = _last_at + dt.timedelta(microseconds=1)
        _last_at = now
        return now


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    on_behalf_of: str = "",
) -> AuditEvent:
    """Append one event (atomic with the caller's transaction).

    No lock is taken: the event's hash is keyed over its own content only, and the sealer
    (``audit_seal``) adds it to the next seal once the caller's transaction has committed — run from
    ``on_commit`` here, so sealing is near-synchronous and amortised over concurrent writers."""
    ctx = current_context()
    key = current_chain_key()
    event = AuditEvent(
        at=_event_time(),
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
        prev_hash="",
        key_id=key.id,
    )
    event.hash = compute_event_hash(event=event, key=key)
    if connection.vendor == "postgresql":
        _insert_postgresql(event)
    else:
        event.save(force_insert=True)
    _seal_on_commit()
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


def _insert_postgresql(event: AuditEvent) -> None:
    """One statement, without the ORM's per-save overhead (every audited write pays it)."""
    values = [getattr(event, column) for column in _EVENT_COLUMNS]
    values[8], values[9] = json.dumps(event.changes), json.dumps(event.details)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(_EVENT_COLUMNS)}) "  # noqa: S608
            f"VALUES ({_PLACEHOLDERS}) RETURNING id",
            values,
        )
        event.id = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


class _SealAfterCommit:
    """The sealer run after a commit; registered once per transaction (a transaction with several
    events seals once)."""

    def __init__(self) -> None:
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        try:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                _seal_unless_busy()
            else:
                audit_seal()
        except Exception:  # the caller's data is committed; the scheduled sealer will catch up
            log.exception("audit sealing after commit failed")


SEALER_LOCK = 0x6F70_6175_6469_7431  # the advisory lock of the sealers run after a commit


_last_attempt = float("-inf")
SEAL_ATTEMPT_INTERVAL = 0.2  # seconds between one process's attempts after its commits


def _seal_unless_busy() -> None:
    """On PostgreSQL, after a commit: one round trip tells a caller that another sealer is at work
    (it will look again for this caller's events before it stops), so most commits pay one query.
    A process that tried less than SEAL_ATTEMPT_INTERVAL ago does not try again: under load the
    other processes' commits seal its events within moments, and when everything falls quiet the
    scheduled sealer does."""
    global _last_attempt  # noqa: PLW0603
    now = time.monotonic()
    if now - _last_attempt < SEAL_ATTEMPT_INTERVAL:
        return
    _last_attempt = now
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SEALER_LOCK])
        if not cursor.fetchone()[0]:
            return
        try:
            audit_seal()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SEALER_LOCK])


def _seal_on_commit() -> None:
    pending = getattr(connection, "run_on_commit", None) or []
    if any(isinstance(entry[1], _SealAfterCommit) and not entry[1].ran for entry in pending):
        return
    transaction.on_commit(_SealAfterCommit(), robust=True)


def _seal_max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.AUDIT_SEAL_MAX_AGE_SECONDS)


SEAL_LOOKBACK_IDS = 10_000
SEAL_MAX_GAPS = 2_000
SEAL_MAX_EVENTS = 10_000
SEAL_ROUNDS = 4


def audit_seal(*, sweep: bool = False) -> int:
    """Seal the committed events that are not sealed yet; returns how many were sealed.

    One sealer at a time: on PostgreSQL the chain head row is taken with ``FOR UPDATE SKIP LOCKED``
    and a caller that finds it taken returns at once (the sealer holding it seals what is pending,
    and looks again before it stops). Candidates are the unsealed events above the sealer's bookmark
    and in the gaps it left below it (ids of transactions not committed when it passed them), or,
    with ``sweep`` (the scheduled task, verification, checkpoints), every unsealed event younger
    than ``AUDIT_SEAL_MAX_AGE_SECONDS``. Older unsealed events are never sealed: verification
    reports them."""
    total, rounds = 0, 0
    while True:
        sealed = _seal_once(sweep=sweep)
        total, rounds = total + sealed, rounds + 1
        # A sweep goes on while seals come out full; the sealer after a commit looks again a few times
        # for what committed while it held the head (those callers skipped sealing).
        if not sealed or (sweep and sealed < SEAL_MAX_EVENTS) or (not sweep and rounds >= SEAL_ROUNDS):
            return total


def _lock_head() -> AuditChainHead | None:
    if connection.vendor == "postgresql":
        head = AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if head is not None:
            return head
        if AuditChainHead.objects.filter(pk=1).exists():
            return None  # another sealer holds it
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {AuditChainHead._meta.db_table} "  # noqa: S608
                "(id, last_id, last_hash, count, seal_id, seal_hash, sealed_to, gaps) "
                "VALUES (1, 0, %s, 0, 0, '', 0, '') ON CONFLICT (id) DO NOTHING",
                [GENESIS],
            )
        return AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).first()
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _not_sealed() -> models.QuerySet[AuditEvent]:
    """Sealed-form events without a membership row: an indexed anti-join (``NOT EXISTS``)."""
    member = AuditSealMember.objects.filter(event_id=models.OuterRef("id"))
    return AuditEvent.objects.filter(prev_hash="").exclude(key_id="").filter(~models.Exists(member))


def _candidates(head: AuditChainHead, *, sweep: bool) -> list[tuple[int, str]]:
    """After a commit: the events above the sealer's bookmark and the gaps it left below it (ids it
    had not seen committed) — a range scan of the primary key and a few lookups. A sweep: every
    unsealed event younger than AUDIT_SEAL_MAX_AGE_SECONDS (an indexed anti-join)."""
    if sweep:
        pending = _not_sealed().filter(at__gte=timezone.now() - _seal_max_age())
    else:
        gaps = _gap_ids(head.gaps)
        where = models.Q(id__gt=head.sealed_to) | models.Q(id__in=gaps) if gaps else models.Q(id__gt=head.sealed_to)
        pending = _not_sealed().filter(where)
    return list(pending.order_by("id").values_list("id", "hash")[:SEAL_MAX_EVENTS])


def _gap_ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def _next_gaps(head: AuditChainHead, sealed: list[int]) -> tuple[int, str]:
    """The new bookmark: the highest sealed id, and the ids below it not sealed yet (the old gaps
    still open and the ids skipped in this batch), the oldest dropped beyond the look-back (the
    scheduled sweep still finds those)."""
    top = max(head.sealed_to, sealed[-1])
    done = set(sealed)
    gaps = {gap for gap in _gap_ids(head.gaps) if gap not in done}
    skipped = range(max(head.sealed_to + 1, top - SEAL_LOOKBACK_IDS + 1), top)
    gaps.update(gap for gap in skipped if gap not in done)
    kept = sorted(gap for gap in gaps if gap > top - SEAL_LOOKBACK_IDS)[-SEAL_MAX_GAPS:]
    return top, ",".join(map(str, kept))


def _seal_once(*, sweep: bool) -> int:
    with transaction.atomic():
        head = _lock_head()
        if head is None:
            return 0
        members = _candidates(head, sweep=sweep)
        if not members:
            return 0
        key = current_chain_key()
        prev = head.seal_hash if head.seal_id else head.last_hash
        seal = AuditSeal(
            at=timezone.now(),
            key_id=key.id,
            events=",".join(str(event_id) for event_id, _hash in members),
            count=len(members),
            prev_hash=prev,
        )
        seal.hash = compute_seal_hash(prev_hash=prev, at=seal.at, members=members, key=key)
        seal.save(force_insert=True)
        AuditSealMember.objects.bulk_create(
            [AuditSealMember(event_id=event_id, seal_id=seal.id) for event_id, _hash in members], batch_size=2000
        )
        sealed_to, gaps = _next_gaps(head, [event_id for event_id, _hash in members])
        AuditChainHead.objects.filter(pk=1).update(
            seal_id=seal.id,
            seal_hash=seal.hash,
            count=models.F("count") + len(members),
            sealed_to=sealed_to,
            gaps=gaps,
        )
    return len(members)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]
    checkpoints: int = 0
    seals: int = 0
    pending: int = 0  # events written recently and not sealed yet (not a problem)


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
    """Check every event's keyed hash, the chained history before the seals (links and order), every
    seal (its keyed hash, its link to the previous seal, its members present with the hashes it
    recorded), the counts against the chain head, the events not sealed in time, and every signed
    checkpoint written outside the database. The pending events are sealed first.

    ``public_keys`` is a PEM bundle of the checkpoint keys to trust (default: the configured ones).
    ``since`` checks only what came after one checkpoint (used before writing the next)."""
    try:
        audit_seal(sweep=True)
    except DatabaseError:  # a read-only copy (an independent audit): what is unsealed is reported
        log.warning("audit-verify could not seal the pending events", exc_info=True)
    state = _Verify(batch=batch, keys=chain_keys())
    found = [since] if since is not None else _load_checkpoints(public_keys, state.problems)
    for checkpoint in found:
        if checkpoint.seal_id:
            state.at_seal.setdefault(checkpoint.seal_id, []).append(checkpoint)
        else:
            state.at_event.setdefault(checkpoint.last_id, []).append(checkpoint)
    floor = state.start(since)
    state.walk_events(floor)
    state.walk_seals()
    state.unsealed(floor)
    state.finish(found, incremental=since is not None and since.seal_id > 0)
    return VerifyResult(
        ok=not state.problems,
        checked=state.checked,
        problems=state.problems,
        checkpoints=len(found),
        seals=state.seals,
        pending=state.pending,
    )


class _Verify:
    """The state of one verification run (see ``audit_verify``)."""

    def __init__(self, *, batch: int, keys: dict[str, ChainKey]) -> None:
        self.batch, self.keys = batch, keys
        self.problems: list[str] = []
        self.at_event: dict[int, list[checkpoints.Checkpoint]] = {}
        self.at_seal: dict[int, list[checkpoints.Checkpoint]] = {}
        self.matched: set[str] = set()
        self.prev, self.last_chained = GENESIS, 0  # the chained history
        self.checked = self.chained = 0
        self.keyed_seen = False
        self.seal_after, self.seal_prev, self.last_seal = 0, "", 0
        self.covered = 0  # events covered by the seals walked (plus the checkpoint's count)
        self.seals = self.pending = self.not_sealed = 0
        self.check_links = True

    def edited(self, event_id: int) -> str:
        return _("event %(id)s: content does not match its hash (the row was edited)") % {"id": event_id}

    def start(self, since: checkpoints.Checkpoint | None) -> int:
        """Where to start from: the beginning, or the checkpointed event or seal. Returns the event
        id floor of the walk."""
        if since is None:
            return 0
        self.matched.add(since.file)
        if since.seal_id:
            anchor = AuditSeal.objects.filter(pk=since.seal_id).first()
            if anchor is None:
                self.at_seal.setdefault(since.seal_id, []).append(since)
                self.matched.discard(since.file)
                return 0
            self.check_links = False
            self.seal_after, self.seal_prev, self.last_seal = anchor.id, anchor.hash, anchor.id
            self.covered = since.count
            if anchor.hash != since.last_hash:
                self.problems.append(_cp_seal_rewritten(since, anchor.id))
            self.check_seal(anchor)
            later = AuditSealMember.objects.filter(seal_id__gt=anchor.id).aggregate(low=models.Min("event_id"))["low"]
            top = max(anchor.member_ids() or [0])
            return max(min(later or top, top) - 1, 0)
        anchor_event = AuditEvent.objects.filter(pk=since.last_id).first()
        if since.last_id and anchor_event is not None:
            # Start from the checkpointed event instead of the genesis.
            self.prev, self.last_chained = anchor_event.hash, since.last_id
            self.checked = self.chained = since.count
            self.keyed_seen = bool(anchor_event.key_id)
            self.at_event = {}
            if anchor_event.hash != since.last_hash:
                self.problems.append(_cp_rewritten(since, since.last_id))
            if _expected_hash(anchor_event, self.keys) != anchor_event.hash:
                self.problems.append(self.edited(anchor_event.id))
            return since.last_id
        self.matched.discard(since.file)
        return 0

    def walk_events(self, floor: int) -> None:
        last_id = floor
        while True:
            rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[: self.batch])
            if not rows:
                return
            for event in rows:
                self.check_event(event)
            last_id = rows[-1].id

    def check_event(self, event: AuditEvent) -> None:
        self.checked += 1
        sealed_form = not event.prev_hash and bool(event.key_id)
        if not sealed_form and self.check_links:
            self.chained += 1
            if event.prev_hash != self.prev:
                self.problems.append(
                    _("event %(id)s: previous-hash link broken (a row before it was removed or edited)")
                    % {"id": event.id}
                )
        if not event.key_id:
            if self.keyed_seen:
                self.problems.append(
                    _("event %(id)s: written without the chain key after keyed events (the row was forged)")
                    % {"id": event.id}
                )
        else:
            self.keyed_seen = True
            if event.key_id not in self.keys:
                self.problems.append(
                    _(
                        "event %(id)s: written with chain key %(key)s, which is not configured "
                        "(add it to AUDIT_CHAIN_OLD_KEYS) — or the row was forged"
                    )
                    % {"id": event.id, "key": event.key_id}
                )
        expected = _expected_hash(event, self.keys)
        if expected is not None and expected != event.hash:
            self.problems.append(self.edited(event.id))
        if sealed_form or not self.check_links:
            return
        for checkpoint in self.at_event.get(event.id, []):
            self.matched.add(checkpoint.file)
            if checkpoint.last_hash != event.hash:
                self.problems.append(_cp_rewritten(checkpoint, event.id))
            if checkpoint.count != self.chained:
                self.problems.append(
                    _(
                        "checkpoint %(file)s: %(then)s events up to event %(id)s when it was written, "
                        "%(now)s now (rows removed or added)"
                    )
                    % {"file": checkpoint.file, "then": checkpoint.count, "id": event.id, "now": self.chained}
                )
        self.prev, self.last_chained = event.hash, event.id

    def walk_seals(self) -> None:
        if self.check_links:
            self.seal_prev, self.covered = self.prev, self.chained
        while True:
            seals = list(AuditSeal.objects.filter(id__gt=self.seal_after).order_by("id")[:200])
            if not seals:
                return
            rows = dict(
                AuditSealMember.objects.filter(seal_id__in=[seal.id for seal in seals])
                .values("seal_id")
                .annotate(n=models.Count("event_id"))
                .values_list("seal_id", "n")
            )
            for seal in seals:
                self.seals += 1
                if seal.prev_hash != self.seal_prev:
                    self.problems.append(
                        _("seal %(id)s: link to the previous seal broken (a seal before it was removed or edited)")
                        % {"id": seal.id}
                    )
                self.check_seal(seal)
                if rows.get(seal.id, 0) != seal.count:
                    self.problems.append(
                        _("seal %(id)s: %(rows)s membership rows for its %(count)s events (rows removed or added)")
                        % {"id": seal.id, "rows": rows.get(seal.id, 0), "count": seal.count}
                    )
                self.covered += seal.count
                for checkpoint in self.at_seal.get(seal.id, []):
                    self.matched.add(checkpoint.file)
                    if checkpoint.last_hash != seal.hash:
                        self.problems.append(_cp_seal_rewritten(checkpoint, seal.id))
                    if checkpoint.count != self.covered:
                        self.problems.append(
                            _(
                                "checkpoint %(file)s: %(then)s events up to seal %(id)s when it was written, "
                                "%(now)s now (rows removed or added)"
                            )
                            % {"file": checkpoint.file, "then": checkpoint.count, "id": seal.id, "now": self.covered}
                        )
                self.seal_prev, self.last_seal, self.seal_after = seal.hash, seal.id, seal.id

    def check_seal(self, seal: AuditSeal) -> None:
        """The seal's own hash, over its members as they are now; a member that is gone is reported."""
        ids = seal.member_ids()
        hashes: dict[int, str] = {}
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            hashes.update(AuditEvent.objects.filter(id__in=chunk).values_list("id", "hash"))
        missing = [event_id for event_id in ids if event_id not in hashes]
        for event_id in missing:
            self.problems.append(
                _("seal %(seal)s: event %(id)s is missing (a row was removed)") % {"seal": seal.id, "id": event_id}
            )
        key = self.keys.get(seal.key_id)
        if key is None:
            self.problems.append(
                _("seal %(id)s: written with chain key %(key)s, which is not configured — or the seal was forged")
                % {"id": seal.id, "key": seal.key_id}
            )
            return
        members = [(event_id, hashes.get(event_id, "")) for event_id in ids]
        expected = compute_seal_hash(prev_hash=seal.prev_hash, at=seal.at, members=members, key=key)
        if not missing and (expected != seal.hash or len(ids) != seal.count):
            self.problems.append(
                _("seal %(id)s: does not match its events (an event's hash or the seal was altered)") % {"id": seal.id}
            )

    def unsealed(self, floor: int) -> None:
        """Events not in any seal: recent ones are pending; older ones are a problem (the sealer is not
        running, or the row was inserted behind the application's back)."""
        cutoff = timezone.now() - _seal_max_age()
        minutes = max(int(_seal_max_age().total_seconds() // 60), 1)
        unsealed = _not_sealed().filter(id__gt=floor).order_by("id")
        self.pending = unsealed.filter(at__gte=cutoff).count()
        late = unsealed.filter(at__lt=cutoff)
        self.not_sealed = late.count()
        for event_id in late.values_list("id", flat=True)[:20]:
            self.problems.append(
                _(
                    "event %(id)s: still not sealed more than %(minutes)s minutes after it was written "
                    "(the sealer is not running, or the row was inserted behind the application's back)"
                )
                % {"id": event_id, "minutes": minutes}
            )
        if self.not_sealed > 20:
            self.problems.append(_("%(count)s more events not sealed in time") % {"count": self.not_sealed - 20})

    def finish(self, found: list[checkpoints.Checkpoint], *, incremental: bool) -> None:
        for checkpoint in found:
            if checkpoint.file in self.matched or (checkpoint.last_id == 0 and checkpoint.seal_id == 0):
                continue
            if checkpoint.seal_id:
                if checkpoint.seal_id > self.last_seal:
                    self.problems.append(
                        _(
                            "checkpoint %(file)s: the trail reached seal %(id)s (%(count)s events) when it was "
                            "written; it now ends at seal %(end)s (seals removed from the end)"
                        )
                        % {
                            "file": checkpoint.file,
                            "id": checkpoint.seal_id,
                            "count": checkpoint.count,
                            "end": self.last_seal,
                        }
                    )
                else:
                    self.problems.append(
                        _("checkpoint %(file)s: seal %(id)s is missing (a seal was removed)")
                        % {"file": checkpoint.file, "id": checkpoint.seal_id}
                    )
            elif checkpoint.last_id > self.last_chained:
                self.problems.append(
                    _(
                        "checkpoint %(file)s: the chain reached event %(id)s (%(count)s events) when it was written; "
                        "it now ends at %(end)s (rows removed from the end)"
                    )
                    % {
                        "file": checkpoint.file,
                        "id": checkpoint.last_id,
                        "count": checkpoint.count,
                        "end": self.last_chained,
                    }
                )
            else:
                self.problems.append(
                    _("checkpoint %(file)s: event %(id)s is missing (a row was removed)")
                    % {"file": checkpoint.file, "id": checkpoint.last_id}
                )
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is None:
            if self.chained or self.seals:  # (no seal yet: events are pending or reported as unsealed)
                self.problems.append(_("chain head is missing"))
            return
        if self.check_links and (head.last_id != self.last_chained or head.last_hash != self.prev):
            self.problems.append(
                _("chain head expects event %(head)s; the chain ends at %(end)s (rows removed)")
                % {"head": head.last_id, "end": self.last_chained}
            )
        if head.seal_id != self.last_seal or (head.seal_id and head.seal_hash != self.seal_prev):
            self.problems.append(
                _("chain head expects seal %(head)s; the seals end at %(end)s (seals removed)")
                % {"head": head.seal_id, "end": self.last_seal}
            )
        found_count = self.covered if incremental else self.checked - self.pending - self.not_sealed
        for count in dict.fromkeys([found_count, self.covered]):
            if head.count != count:
                self.problems.append(
                    _("chain head counts %(head)s events; %(found)s found (rows removed or added)")
                    % {"head": head.count, "found": count}
                )
                break


def _expected_hash(event: AuditEvent, keys: dict[str, ChainKey]) -> str | None:
    if not event.key_id:
        return compute_hash(prev_hash=event.prev_hash, event=event)
    key = keys.get(event.key_id)
    if key is None:
        return None
    if not event.prev_hash:
        return compute_event_hash(event=event, key=key)
    return compute_keyed_hash(prev_hash=event.prev_hash, event=event, key=key)


def _cp_rewritten(checkpoint: checkpoints.Checkpoint, event_id: int) -> str:
    return _(
        "checkpoint %(file)s: event %(id)s no longer has the hash it had when the checkpoint was written "
        "(the chain was rewritten)"
    ) % {"file": checkpoint.file, "id": event_id}


def _cp_seal_rewritten(checkpoint: checkpoints.Checkpoint, seal_id: int) -> str:
    return _(
        "checkpoint %(file)s: seal %(id)s no longer has the hash it had when the checkpoint was written "
        "(the trail was rewritten)"
    ) % {"file": checkpoint.file, "id": seal_id}


class CheckpointRefused(RuntimeError):
    """No checkpoint was written: no signing key, or the chain does not verify."""


def latest_checkpoint() -> checkpoints.Checkpoint | None:
    """The valid checkpoint furthest along (highest seal, then highest chained event; invalid files
    are skipped here; verification reports them)."""
    trusted = trusted_public_keys()
    best: checkpoints.Checkpoint | None = None
    for path in checkpoints.checkpoint_files():
        try:
            checkpoint = checkpoints.read_checkpoint(path, trusted)
        except checkpoints.CheckpointError:
            continue
        if best is None or (checkpoint.seal_id, checkpoint.last_id) >= (best.seal_id, best.last_id):
            best = checkpoint
    return best


def audit_checkpoint() -> Path:
    """Sign the current chain head into a new checkpoint file outside the database.

    The pending events are sealed and everything since the latest checkpoint is verified first: a
    trail that does not verify is never signed (that would bless the tampering). The checkpoint
    holds the last seal (or, before the first seal, the last chained event) and the event count."""
    private = signing_key()
    if private is None:
        raise CheckpointRefused(
            "No checkpoint signing key: set AUDIT_CHECKPOINT_SIGNING_KEY_FILE "
            "(python -m openprobation.audit.keys PATH creates one)."
        )
    result = audit_verify(since=latest_checkpoint())
    if not result.ok:
        raise CheckpointRefused("The audit chain does not verify; no checkpoint written: " + "; ".join(result.problems))
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_hash=GENESIS)
    event = AuditEvent.objects.filter(pk=head.last_id).first() if head.last_id else None
    if head.last_id and (event is None or event.hash != head.last_hash):
        raise CheckpointRefused("The chain head does not match the last event; no checkpoint written.")
    last_hash, key_id = head.last_hash, event.key_id if event is not None else ""
    if head.seal_id:
        seal = AuditSeal.objects.filter(pk=head.seal_id).first()
        if seal is None or seal.hash != head.seal_hash:
            raise CheckpointRefused("The chain head does not match the last seal; no checkpoint written.")
        last_hash, key_id = seal.hash, seal.key_id
    path = checkpoints.write_checkpoint(
        private=private,
        last_id=head.last_id,
        last_hash=last_hash,
        count=head.count,
        chain_key_id=key_id,
        seal_id=head.seal_id,
    )
    log.info("audit checkpoint %s: seal %s, %s events", path.name, head.seal_id, head.count)
    return path
