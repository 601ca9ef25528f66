"""How ready a person is for release: the one domain function the plan page, the office list, the
case page, the API and the work queue all call.

The thresholds below are service practice (how early the office wants things settled), not legal
numbers, so they live here and not in the rulebook:

- **ready** — every needed item is done (items marked "not needed" are left out of the count);
- **not ready** — something is still open on the release date or after it, or within
  ``NOT_READY_WITHIN_DAYS`` days of it; or fewer than ``HALF_DONE_PERCENT`` per cent of the needed
  items are done within ``AT_RISK_WITHIN_DAYS`` days;
- **at risk** — something is still open within ``AT_RISK_WITHIN_DAYS`` days of release, or an
  item is past its own due date;
- **on track** — otherwise (items are open, but there is time and nothing is late).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from openprobation.releases.models import ItemStatus

# Within two weeks of release, anything still open means the person is not ready.
NOT_READY_WITHIN_DAYS = 14
# Within two months of release, anything still open puts the plan at risk...
AT_RISK_WITHIN_DAYS = 60
# ...and under half done by then means it is not ready.
HALF_DONE_PERCENT = 50

READY = "ready"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
NOT_READY = "not_ready"

LEVEL_LABELS = {
    READY: _("Ready"),
    ON_TRACK: _("On track"),
    AT_RISK: _("At risk"),
    NOT_READY: _("Not ready"),
}
# How the pages mark each level (always with its text, never by colour alone).
LEVEL_TONES = {READY: "success", ON_TRACK: "info", AT_RISK: "warning", NOT_READY: "error"}


@dataclass(frozen=True)
class OpenItem:
    item_id: int
    area: str
    area_label: str
    status: str
    status_label: str
    owner: str
    due_on: dt.date | None
    late: bool


@dataclass(frozen=True)
class Readiness:
    on: dt.date
    done: int
    needed: int
    percent: int
    days_to_release: int
    level: str
    open_items: list[OpenItem] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def tone(self) -> str:
        return LEVEL_TONES[self.level]

    @property
    def ready(self) -> bool:
        return self.level == READY

    def as_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "done": self.done,
            "needed": self.needed,
            "percent": self.percent,
            "days_to_release": self.days_to_release,
            "level": self.level,
            "level_label": self.level_label,
            "open_items": [
                {
                    "id": i.item_id,
                    "area": i.area,
                    "status": i.status,
                    "owner": i.owner,
                    "due_on": i.due_on.isoformat() if i.due_on else None,
                    "late": i.late,
                }
                for i in self.open_items
            ],
        }


def readiness_level(*, done: int, needed: int, days_to_release: int, late: int) -> str:
    """The level from what is open against the days left (the thresholds are documented above)."""
    open_count = needed - done
    if open_count <= 0:
        return READY
    percent = 100 * done // needed
    if days_to_release <= NOT_READY_WITHIN_DAYS:
        return NOT_READY
    if days_to_release <= AT_RISK_WITHIN_DAYS:
        return NOT_READY if percent < HALF_DONE_PERCENT else AT_RISK
    return AT_RISK if late else ON_TRACK


def plan_readiness(plan: Any, *, on: dt.date, items: list[Any] | None = None) -> Readiness:
    """Items done / needed (not-needed items left out), the percentage, the open items with their
    owners, the days to release and the level, for ``plan`` on ``on``. ``items`` may be passed when
    the caller has them already (a list of plans prefetches them)."""
    rows = list(plan.items.all()) if items is None else items
    needed_rows = [i for i in rows if i.status != ItemStatus.NOT_NEEDED]
    done = sum(1 for i in needed_rows if i.status == ItemStatus.DONE)
    needed = len(needed_rows)
    days = (plan.release_date - on).days
    open_items = [
        OpenItem(
            item_id=i.pk,
            area=i.area,
            area_label=i.get_area_display(),
            status=i.status,
            status_label=i.get_status_display(),
            owner=i.owner_text,
            due_on=i.due_on,
            late=i.due_on is not None and i.due_on < on,
        )
        for i in needed_rows
        if i.status != ItemStatus.DONE
    ]
    late = sum(1 for i in open_items if i.late)
    return Readiness(
        on=on,
        done=done,
        needed=needed,
        percent=100 * done // needed if needed else 100,
        days_to_release=days,
        level=readiness_level(done=done, needed=needed, days_to_release=days, late=late),
        open_items=open_items,
    )
