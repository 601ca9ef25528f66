"""Writing to the audit trail. Every service that changes data calls ``audit_record`` once, in its
own transaction; views call it for sensitive reads and searches."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from openprobation.audit.context import current_context
from openprobation.audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


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


def compute_hash(*, prev_hash: str, event: AuditEvent) -> str:
    payload = [
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
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
    """Append one event to the chain (atomic with the caller's transaction)."""
    ctx = current_context()
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
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
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(prev_hash=head.last_hash, event=event)
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_id=event.id, last_hash=event.hash, count=head.count + 1)
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def audit_verify(*, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order and report every broken link, altered row and missing tail."""
    problems: list[str] = []
    prev = GENESIS
    checked = 0
    last_id = 0
    last_seen = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for event in rows:
            checked += 1
            if event.prev_hash != prev:
                problems.append(f"event {event.id}: previous-hash link broken (a row before it was removed or edited)")
            expected = compute_hash(prev_hash=event.prev_hash, event=event)
            if expected != event.hash:
                problems.append(f"event {event.id}: content does not match its hash (the row was edited)")
            prev = event.hash
            last_seen = event.id
        last_id = rows[-1].id
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        if head.last_id != last_seen or head.last_hash != prev:
            problems.append(f"chain head expects event {head.last_id}; the chain ends at {last_seen} (rows removed)")
        if head.count != checked:
            problems.append(f"chain head counts {head.count} events; {checked} found (rows removed or added)")
    elif checked:
        problems.append("chain head is missing")
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
