"""What the referrals side registers when the app starts: the partner staff's relationship scope,
work sources and timeline entries. Filled in by the referral pages."""

from __future__ import annotations


def register() -> None:
    """Called from ``ProgrammesConfig.ready``."""
