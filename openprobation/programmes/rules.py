"""The rulebook keys of social and legal assistance (their schemas are in ``rules.schemas``)."""

from __future__ import annotations

REVIEW_INTERVAL = "programmes.review_interval"
REFERRAL_DEADLINES = "programmes.referral_deadlines"
MINORS = "programmes.minors"


def register() -> None:
    """Nothing to register: the keys' schemas ship with the rules app (``rules.schemas.SCHEMAS``)."""
