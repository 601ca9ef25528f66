"""The monitoring operator's relationship scope (``accounts.scoping``): an operator is tied to the
cases (and their people) that carry a device assignment — open, or removed within
``RECENTLY_REMOVED`` — held by an office of a region the operator monitors
(``User.monitored_regions``).

The tie feeds the monitoring selectors; the case and person pages stay closed to operators, who
hold no ``Cap.CASE_VIEW``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from openprobation.accounts.scoping import monitored_region_ids
from openprobation.monitoring.models import Assignment

# An operator still reads the track and alerts of an assignment ended this recently (the follow-up
# of a last alert, a device handed back).
RECENTLY_REMOVED = dt.timedelta(days=30)


def monitored_assignments(user: Any) -> QuerySet[Assignment]:
    """The assignments an operator watches (none for anyone else)."""
    regions = monitored_region_ids(user)
    if not regions:
        return Assignment.objects.none()
    since = timezone.now() - RECENTLY_REMOVED
    return Assignment.objects.filter(
        Q(removed_at__isnull=True) | Q(removed_at__gte=since), case__office__region_id__in=regions
    ).order_by()


class MonitoredCases:
    """``accounts.scoping.Relationship`` of ``Role.MONITORING_OPERATOR``."""

    def case_ids(self, user: Any) -> QuerySet[Any]:
        return monitored_assignments(user).values("case_id")

    def person_ids(self, user: Any) -> QuerySet[Any]:
        return monitored_assignments(user).values("case__person_id")


MONITORING_RELATIONSHIP = MonitoredCases()
