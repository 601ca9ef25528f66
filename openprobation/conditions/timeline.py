"""What the conditions app adds to the case and person timelines: a duty entered, a duty ended.
Registered in ``ConditionsConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.cases.selectors import case_qs_for_user
from openprobation.conditions.casepage import officer_language
from openprobation.conditions.models import CaseCondition
from openprobation.conditions.rendering import render_condition
from openprobation.core.timeline import TimelineEntry


def conditions_timeline(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    if case is not None:
        cases = {case.pk: case.number}
    else:
        cases = dict(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    if not cases:
        return []
    rows = CaseCondition.objects.filter(case_id__in=list(cases)).select_related("definition", "entered_by", "ended_by")
    lang = officer_language()
    entries = []
    for row in rows.order_by("-entered_at", "-id")[:limit]:
        entries.append(_entry(row, lang, cases, ended=False))
    for row in rows.filter(ended_at__isnull=False).order_by("-ended_at", "-id")[:limit]:
        entries.append(_entry(row, lang, cases, ended=True))
    return entries


def _entry(row: CaseCondition, lang: str, cases: dict[int, str], *, ended: bool) -> TimelineEntry:
    name = row.definition.name_in(lang)
    by = row.ended_by if ended else row.entered_by
    at = row.ended_at if ended and row.ended_at else row.entered_at
    return TimelineEntry(
        at=at,
        kind="condition",
        title=(_("Duty ended: %(name)s") if ended else _("Duty entered: %(name)s")) % {"name": name},
        detail=row.end_reason if ended else render_condition(row, lang),
        by=by.get_username() if by else "",
        ref=f"{'end' if ended else 'add'}:{row.pk}",
        case_id=row.case_id,
        case_number=cases.get(row.case_id, ""),
        effective_on=row.ended_on if ended else row.in_force_from,
        url=reverse("cases:detail", args=[row.case_id]) + "#conditions",
    )
