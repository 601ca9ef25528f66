from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task
def run_release_planning() -> dict[str, Any]:
    """Hourly: open release plans as release approaches, tell receiving offices in advance, and hand
    plans over on the release date (each once)."""
    from openprobation.releases.handover import release_planning_scan  # noqa: PLC0415

    return dict(release_planning_scan())
