from __future__ import annotations

from celery import shared_task


@shared_task
def maintain_positions() -> dict[str, int]:
    """Hourly: create the coming days' position partitions, drop those past the retention, prune raw payloads."""
    from openprobation.monitoring.partitions import maintain  # noqa: PLC0415

    return maintain()


@shared_task
def end_expired_resolutions() -> dict[str, int]:
    """Hourly: EM resolutions whose period is over end by themselves (a fitted device moves to the
    case's next resolution, or the resolution waits for its removal)."""
    from openprobation.monitoring.services import resolution_expiry_scan  # noqa: PLC0415

    result = resolution_expiry_scan()
    return {"ended": result.ended, "carried_over": result.carried_over, "still_fitted": result.still_fitted}
