from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task
def check_programme_reviews() -> dict[str, Any]:
    """Daily: programmes whose review is due, and reminders to their officers."""
    from openprobation.programmes.services import programme_review_scan  # noqa: PLC0415

    return dict(programme_review_scan())


@shared_task
def check_referral_deadlines() -> dict[str, Any]:
    """Hourly: remind partners of referral deadlines that are near, escalate overdue referrals to
    the head of office (once each)."""
    from openprobation.programmes.referral_services import referral_deadline_scan  # noqa: PLC0415

    return dict(referral_deadline_scan())
