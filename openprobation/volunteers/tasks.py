from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task
def check_volunteer_checks() -> dict[str, Any]:
    """Daily: volunteers whose checks or training lapse, flagged before their next session."""
    from openprobation.volunteers.services import volunteer_check_scan  # noqa: PLC0415

    return dict(volunteer_check_scan())
