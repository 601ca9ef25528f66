"""How long an alert may wait: minutes to acknowledge and to resolve it per severity, from the
rulebook (``monitoring.alert_response``), and the timer the console shows against them.

The clock runs from when the alert was raised (the centre could not know of it before): a new
alert is due to be acknowledged, an acknowledged or escalated one to be resolved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from openprobation.monitoring.alerting import AlertStatus
from openprobation.monitoring.catalogue import Severity
from openprobation.rules.rulebook import rule
from openprobation.rules.schemas import SCHEMAS, Int, Obj, Params, register_schema

ALERT_RESPONSE = "monitoring.alert_response"
_MINUTES = Obj({s: Int(min=1, max=10_080) for s in Severity.values})


def register() -> None:
    """Called from ``MonitoringConfig.ready`` (idempotent)."""
    if ALERT_RESPONSE not in SCHEMAS:
        register_schema(ALERT_RESPONSE, Params({"acknowledge_minutes": _MINUTES, "resolve_minutes": _MINUTES}))


@dataclass(frozen=True)
class ResponseTimes:
    """Minutes per severity, as read from the rulebook on a day."""

    acknowledge: dict[str, int]
    resolve: dict[str, int]

    def limit(self, severity: str, status: str) -> dt.timedelta:
        table = self.acknowledge if status == AlertStatus.NEW else self.resolve
        return dt.timedelta(minutes=int(table.get(severity, max(table.values()))))

    def overdue_q(self, now: dt.datetime) -> Q:
        """Unresolved alerts past their limit at ``now`` (for counting in the database)."""
        q = Q(pk__in=[])
        for severity in Severity.values:
            q |= Q(severity=severity, status=AlertStatus.NEW, raised_at__lt=now - self.limit(severity, AlertStatus.NEW))
            q |= Q(
                severity=severity,
                status__in=[AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED],
                raised_at__lt=now - self.limit(severity, AlertStatus.ACKNOWLEDGED),
            )
        return q


def response_times(*, on: dt.date) -> ResponseTimes:
    params = rule(ALERT_RESPONSE, on=on).params
    return ResponseTimes(acknowledge=dict(params["acknowledge_minutes"]), resolve=dict(params["resolve_minutes"]))


@dataclass(frozen=True)
class Timer:
    """An unresolved alert's clock: how long it has waited, against which limit, due when."""

    stage: str  # "acknowledge" or "resolve"
    waited: dt.timedelta
    limit: dt.timedelta
    due_at: dt.datetime

    @property
    def overdue(self) -> bool:
        return self.waited > self.limit

    @property
    def waited_minutes(self) -> int:
        return max(0, int(self.waited.total_seconds() // 60))

    @property
    def limit_minutes(self) -> int:
        return int(self.limit.total_seconds() // 60)

    @property
    def waited_hm(self) -> str:
        """The wait as hours:minutes (the same in every language)."""
        return _hm(self.waited_minutes)

    @property
    def limit_hm(self) -> str:
        return _hm(self.limit_minutes)


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def alert_timer(alert: Any, *, now: dt.datetime, times: ResponseTimes) -> Timer | None:
    """The timer of an unresolved alert (None once resolved)."""
    if alert.status == AlertStatus.RESOLVED:
        return None
    start = alert.raised_at or alert.opened_at
    limit = times.limit(alert.severity, alert.status)
    return Timer(
        stage="acknowledge" if alert.status == AlertStatus.NEW else "resolve",
        waited=max(now - start, dt.timedelta(0)),
        limit=limit,
        due_at=start + limit,
    )
