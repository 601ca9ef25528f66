"""A device's credential: a random secret handed out once (on creation or rotation), kept only as its
SHA-256 hash. The secret has 256 bits of entropy, so a fast hash is as safe as a slow one and lets a
receiver check thousands of messages a second; comparison is constant-time."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_credential() -> tuple[str, str]:
    """A fresh secret and the hash to store."""
    secret = secrets.token_urlsafe(32)
    return secret, credential_hash(secret)


def credential_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def credential_matches(secret: str, stored_hash: str) -> bool:
    """Does ``secret`` match the stored hash? False for an empty stored hash (no credential set)."""
    if not stored_hash or not secret:
        return False
    return hmac.compare_digest(credential_hash(secret), stored_hash)
