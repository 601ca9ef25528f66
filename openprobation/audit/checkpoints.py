"""Signed checkpoints of the audit chain head, kept outside the database.

A checkpoint is a small JSON file — the last event's id and hash, the number of events and the
time — signed with Ed25519. Someone who can rewrite the database (even one who also holds the chain
key) cannot make a shortened or rewritten chain agree with checkpoints taken before, and cannot
forge a checkpoint without the signing key. Files are written once (never overwritten) into
``AUDIT_CHECKPOINT_DIR``; copy them to storage the database's administrators cannot change.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from openprobation.audit.keys import public_key_id

FORMAT_CHAINED = "openprobation-audit-checkpoint/1"  # before seals: the head is the last chained event
FORMAT = "openprobation-audit-checkpoint/2"  # the head is the last seal (``seal_id``; 0 before the first)
PATTERN = "checkpoint-*.json"


@dataclass(frozen=True)
class Checkpoint:
    file: str
    last_id: int
    last_hash: str
    count: int
    chain_key_id: str
    written_at: str
    signed_by: str
    seal_id: int = 0


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read or whose signature does not verify."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason  # "unreadable", "unknown-key" or "bad-signature"


def checkpoint_dir() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def write_checkpoint(
    *, private: Ed25519PrivateKey, last_id: int, last_hash: str, count: int, chain_key_id: str, seal_id: int = 0
) -> Path:
    """``seal_id`` and ``last_hash``: the last seal (its hash), or 0 and the last chained event's hash
    before the first seal; ``last_id``: the last chained event; ``count``: the events they cover."""
    now = dt.datetime.now(dt.UTC)
    body = {
        "format": FORMAT,
        "seal_id": seal_id,
        "last_id": last_id,
        "last_hash": last_hash,
        "count": count,
        "chain_key_id": chain_key_id,
        "written_at": now.isoformat(timespec="microseconds"),
        "signed_by": public_key_id(private.public_key()),
    }
    signature = base64.b64encode(private.sign(_canonical(body))).decode("ascii")
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoint-{last_id:012d}-{seal_id:012d}-{now:%Y%m%dT%H%M%S%fZ}.json"
    # Written once: O_EXCL refuses to overwrite an existing checkpoint.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(json.dumps({**body, "signature": signature}, sort_keys=True, indent=1) + "\n")
    return path


def read_checkpoint(path: Path, public_keys: dict[str, Ed25519PublicKey]) -> Checkpoint:
    try:
        data = json.loads(path.read_text(encoding="ascii"))
        signature = base64.b64decode(data.pop("signature"), validate=True)
        if data.get("format") not in {FORMAT, FORMAT_CHAINED}:
            raise ValueError("format")
        checkpoint = Checkpoint(
            file=path.name,
            last_id=int(data["last_id"]),
            last_hash=str(data["last_hash"]),
            count=int(data["count"]),
            chain_key_id=str(data["chain_key_id"]),
            written_at=str(data["written_at"]),
            signed_by=str(data["signed_by"]),
            seal_id=int(data["seal_id"]) if data["format"] == FORMAT else 0,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(path.name, "unreadable") from exc
    public = public_keys.get(checkpoint.signed_by)
    if public is None:
        raise CheckpointError(path.name, "unknown-key")
    try:
        public.verify(signature, _canonical(data))
    except InvalidSignature as exc:
        raise CheckpointError(path.name, "bad-signature") from exc
    return checkpoint


def checkpoint_files() -> list[Path]:
    folder = checkpoint_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob(PATTERN))
