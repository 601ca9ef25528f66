from __future__ import annotations

from celery import shared_task


@shared_task
def maintain_positions() -> dict[str, int]:
    """Hourly: create the coming days' position partitions, drop those past the retention, prune raw payloads."""
    from openprobation.monitoring.partitions import maintain  # noqa: PLC0415

    return maintain()
