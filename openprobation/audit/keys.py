"""The keys that make the audit trail resist someone with write access to the database.

* The **chain key** (``AUDIT_CHAIN_KEY``): each event's hash is HMAC-SHA256 under it, so rows
  edited, inserted or removed with the later hashes recomputed do not verify without the key.
  Retired keys stay readable in ``AUDIT_CHAIN_OLD_KEYS`` so that older events still verify; each
  event records the id of its key (a fingerprint, never the key). Without ``AUDIT_CHAIN_KEY`` the
  key is derived from ``SECRET_KEY`` under its own label (also kept outside the database).
* The **checkpoint signing key** (``AUDIT_CHECKPOINT_SIGNING_KEY``, an Ed25519 private key in PEM):
  signs the checkpoints of the chain head written outside the database. Verifying a checkpoint
  needs only the public key (``AUDIT_CHECKPOINT_PUBLIC_KEYS``), which an auditor keeps separately.

``python -m openprobation.audit.keys PATH`` writes a new Ed25519 private key to PATH (mode 0600)
and prints its public key; ``make run`` uses it for the embedded default.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

DERIVATION_LABEL = b"openprobation.audit.chain-key.v1"
KEY_ID_LABEL = b"openprobation.audit.key-id.v1\x00"
PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)


class AuditKeyError(RuntimeError):
    """A key needed for the audit trail is missing or malformed."""


@dataclass(frozen=True)
class ChainKey:
    id: str
    secret: bytes


def key_id(secret: bytes) -> str:
    """A public fingerprint of a key (16 hex digits): it names the key without revealing it."""
    return hashlib.sha256(KEY_ID_LABEL + secret).hexdigest()[:16]


def _chain_key(secret: bytes) -> ChainKey:
    return ChainKey(id=key_id(secret), secret=secret)


def current_chain_key() -> ChainKey:
    configured: str = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return _chain_key(configured.encode("utf-8"))
    derived = hmac.new(settings.SECRET_KEY.encode("utf-8"), DERIVATION_LABEL, hashlib.sha256).hexdigest()
    return _chain_key(derived.encode("ascii"))


def chain_keys() -> dict[str, ChainKey]:
    """Every key an event may have been written with, by id: the current one and the retired ones."""
    keys = [current_chain_key()]
    for old in getattr(settings, "AUDIT_CHAIN_OLD_KEYS", []):
        keys.append(_chain_key(old.encode("utf-8")))
    return {key.id: key for key in keys}


def public_key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def signing_key() -> Ed25519PrivateKey | None:
    pem: str = getattr(settings, "AUDIT_CHECKPOINT_SIGNING_KEY", "")
    if not pem:
        return None
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError) as exc:
        raise AuditKeyError("AUDIT_CHECKPOINT_SIGNING_KEY is not a PEM private key.") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyError("AUDIT_CHECKPOINT_SIGNING_KEY is not an Ed25519 key.")
    return key


def parse_public_keys(text: str) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for block in PEM_BLOCK.findall(text):
        key = serialization.load_pem_public_key(block.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise AuditKeyError("A checkpoint public key is not an Ed25519 key.")
        keys[public_key_id(key)] = key
    return keys


def trusted_public_keys(text: str | None = None) -> dict[str, Ed25519PublicKey]:
    """The public keys a checkpoint may be signed with: those given (a PEM bundle), else those of
    ``AUDIT_CHECKPOINT_PUBLIC_KEYS``, else the public half of the configured signing key."""
    bundle = text if text is not None else getattr(settings, "AUDIT_CHECKPOINT_PUBLIC_KEYS", "")
    if bundle:
        return parse_public_keys(bundle)
    private = signing_key()
    if private is None:
        return {}
    public = private.public_key()
    return {public_key_id(public): public}


def new_signing_key_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
        .decode("ascii")
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m openprobation.audit.keys PRIVATE_KEY_PATH", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if path.exists():
        print(f"{path} exists; not overwritten.", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = new_signing_key_pem()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(pem)
    private = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(private, Ed25519PrivateKey):  # pragma: no cover - generated just above
        raise AuditKeyError("not an Ed25519 key")
    print(public_pem(private.public_key()), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
