"""The embedded worker runs the same scheduled tasks as Celery beat would."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.cases.models import CaseStatus
from openprobation.core.scheduler import _run_due
from openprobation.testing.factories import CaseFactory


@pytest.mark.django_db
def test_embedded_worker_runs_every_scheduled_task_once_per_interval() -> None:
    CaseFactory(status=CaseStatus.AWAITING_REGISTRATION, registration_due=dt.date(2020, 1, 1))
    last_run: dict[str, float] = {}
    results = _run_due(last_run, now=1000.0, manage_connections=False)
    # Electronic monitoring: the days ahead get their position partitions (PostgreSQL only; none on
    # SQLite), nothing is past retention.
    positions = results.pop("em-positions")
    assert positions["dropped"] == positions["log_entries"] == positions["rejected"] == 0
    assert 0 <= positions["created"] <= 5
    # The sealer finds nothing left: each commit sealed its own events already.
    assert results == {
        "registration-deadlines": 1,
        "audit-chain-verify": True,
        "audit-checkpoint": True,
        "audit-seal": 0,
        # The officer's-day jobs: nothing is due in this database.
        "supervision-appointments": 0,
        "supervision-reminders": 0,
        "employment-deadlines": {"candidates": 0, "duties_started": 0},
        "enforcement-search-tasks": 0,
        "notifications": {"dead": 0, "recovered": 0, "retry": 0, "sent": 0},
        # The case gets its assessment state (a first assessment due); no analyst's file waits.
        "reassessments": {"states": 1, "triggers": 0},
        "analysis-jobs": {"purged": 0, "run": 0},
        # Social and legal assistance: nothing is due in this database either.
        "programme-reviews": {"reviews_due": 0, "reviews_overdue": 0, "measures_overdue": 0, "drafts": 0},
        "referral-deadlines": {"reminded": 0, "escalated": 0},
        "release-planning": {"opened": 0, "dates_changed": 0, "notified": 0, "handed_over": 0, "blocked": 0},
        "volunteer-checks": {"expiring": 0, "expired_with_assignments": 0},
        # Electronic monitoring: no resolution's period is over.
        "em-resolutions": {"ended": 0, "carried_over": 0, "still_fitted": 0},
    }
    # Ten seconds later only the analysts' queue (every 5 s) is due; the sealer every 30 s.
    assert set(_run_due(last_run, now=1010.0, manage_connections=False)) == {"analysis-jobs"}
    assert set(_run_due(last_run, now=1040.0, manage_connections=False)) == {"audit-seal", "analysis-jobs"}
    hourly = {
        "registration-deadlines",
        "audit-checkpoint",
        "audit-seal",
        "notifications",  # every minute
        "supervision-reminders",  # every 15 minutes
        "supervision-appointments",
        "enforcement-search-tasks",
        "reassessments",
        "analysis-jobs",
        "referral-deadlines",
        "release-planning",
        "em-positions",
        "em-resolutions",
    }
    assert set(_run_due(last_run, now=1000.0 + 3600, manage_connections=False)) == hourly
