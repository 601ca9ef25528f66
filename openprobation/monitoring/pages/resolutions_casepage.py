"""What EM resolutions add to the case page (registered from ``MonitoringConfig.ready``): a fact
(monitoring in force, or proposed by the assessment), the "Electronic monitoring" section (the
resolution in force with the memo and the co-residents, the current device, past devices, earlier
resolutions) and the actions this user may take. Reads through the monitoring selectors, and the
supervision level's proposal through the assessments' selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.assessments import selectors as assessments
from openprobation.cases.lifecycle import TERMINAL
from openprobation.core.casepage import CaseActionLink, CaseFact, CaseSection
from openprobation.core.timeutil import local_today
from openprobation.monitoring import resolution_terms, selectors
from openprobation.monitoring.models import ResolutionStatus


def _proposed(case: Any, today: dt.date) -> bool:
    consequence = assessments.level_consequences(case, on=today)
    return bool(consequence and consequence.em_proposed)


def case_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    if not selectors.may_read(user):
        return []
    resolution = selectors.resolution_in_force(case, today)
    url = reverse("cases:detail", args=[case.pk]) + "#case-monitoring"
    if resolution is not None:
        return [
            CaseFact(
                key="em_resolution",
                order=45,
                label=_("Electronic monitoring"),
                value=_("until %(date)s") % {"date": resolution.ends_on.strftime("%d.%m.%Y")},
                tone="info",
                url=url,
                data={"resolution": resolution.pk, "ends_on": resolution.ends_on.isoformat()},
            )
        ]
    if case.status not in TERMINAL and _proposed(case, today):
        return [
            CaseFact(
                key="em_resolution",
                order=45,
                label=_("Electronic monitoring"),
                value=_("proposed by the assessment; the head of office decides"),
                tone="warning",
                url=url,
                data={"proposed": True},
            )
        ]
    return []


def case_section(*, user: Any, case: Any, today: dt.date) -> CaseSection | None:
    if not selectors.may_read(user):
        return None
    resolutions = list(selectors.case_resolutions(user=user, case_id=case.pk).select_related("decided_by"))
    assignments = list(
        selectors.assignment_qs_for_user(user)
        .filter(case_id=case.pk)
        .select_related("created_by", "removed_by")
        .order_by("-installed_at", "-id")
    )
    proposed = case.status not in TERMINAL and _proposed(case, today)
    if not resolutions and not assignments and not proposed:
        return None
    in_force = next((r for r in resolutions if r.covers(today)), None)
    current = next((a for a in assignments if a.removed_at is None), None)
    open_case = case.status not in TERMINAL
    ending = lapsed = None
    if current is not None and open_case:
        # The same test as the work queue (monitoring.workqueue): a device fitted under a resolution
        # whose period is ending or over, with no next resolution decided.
        after = {r.pk for r in resolutions if r.status == ResolutionStatus.IN_FORCE and r.starts_on > today}
        under = next((r for r in resolutions if r.pk == current.resolution_id), None)
        if under is not None and under.status == ResolutionStatus.IN_FORCE and not after:
            if under.ends_on < today:
                lapsed = under
            elif today >= resolution_terms.notice_from(under.ends_on, on=today):
                ending = under
    return CaseSection(
        key="monitoring",
        order=65,
        template="monitoring/resolutions/_section.html",
        context={
            "case": case,
            "resolution": in_force,
            "ending": ending,
            "ending_days": (ending.ends_on - today).days if ending else None,
            "lapsed": lapsed,
            "earlier": [r for r in resolutions if r is not in_force][:10],
            "current": current,
            "past": [a for a in assignments if a.removed_at is not None][:20],
            "proposed": proposed,
            "may_decide": open_case and selectors.may_decide_resolution(user, case, acting_head=True),
            "may_facts": open_case and selectors.may_record_resolution_facts(user, case),
            "may_assign": open_case and selectors.may_assign(user, case),
        },
    )


def case_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if case.status in TERMINAL:
        return []
    actions: list[CaseActionLink] = []
    may_decide = selectors.may_decide_resolution(user, case, acting_head=True)
    if may_decide and selectors.resolution_in_force(case, local_today()) is None:
        actions.append(
            CaseActionLink(
                "em_resolution",
                70,
                _("Decide on electronic monitoring"),
                reverse("monitoring:resolution_decide", args=[case.pk]),
            )
        )
    return actions
