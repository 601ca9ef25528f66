"""What the volunteers app adds to the case page (a fact, the "Volunteer / mentor" section, the
action) and to the work queue (volunteers whose checks lapse), registered from ``VolunteersConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.cases.selectors import case_qs_for_user
from openprobation.core.casepage import CaseActionLink, CaseFact, CaseSection
from openprobation.core.timeline import TimelineEntry
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.volunteers import selectors
from openprobation.volunteers.case_views import may_change
from openprobation.volunteers.models import VolunteerAssignment


def volunteer_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    active = list(VolunteerAssignment.objects.filter(case=case, ended_on__isnull=True).select_related("volunteer"))
    if not active:
        return []
    names = ", ".join(f"{a.volunteer.full_name} ({a.volunteer.get_kind_display()})" for a in active)
    return [
        CaseFact(
            key="volunteer",
            order=70,
            label=_("Volunteer / mentor"),
            value=names,
            url=reverse("cases:detail", args=[case.pk]) + "#volunteers",
            data=[a.volunteer_id for a in active],
        )
    ]


def volunteer_section(*, user: Any, case: Any, today: dt.date) -> CaseSection | None:
    assignments = selectors.case_assignments(case)
    changeable = may_change(user, case)
    if not assignments and not changeable:
        return None
    rows = [(a, selectors.volunteer_eligibility(a.volunteer, today) if a.active else None) for a in assignments]
    return CaseSection(
        key="volunteers",
        order=75,
        template="volunteers/_case_section.html",
        context={"case": case, "rows": rows, "may_change": changeable, "today": today},
    )


def volunteer_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if not may_change(user, case):
        return []
    return [
        CaseActionLink("assign_volunteer", 75, _("Assign a volunteer"), reverse("volunteers:assign", args=[case.pk]))
    ]


def volunteer_checks(scope: WorkScope) -> WorkBatch:
    """Active assignments in the scope's cases whose volunteer's required checks lapse within the
    warning period or have lapsed (or who is no longer active): one count and one limited query."""
    base = selectors.attention_assignments(scope.cases, scope.today)
    counts = base.aggregate(n=Count("id"), late=Count("id", filter=Q(lapse__lt=scope.today)))
    rows = base.select_related("volunteer", "case__person", "case__officer").order_by("lapse", "pk")[: scope.limit]
    items = []
    for a in rows:
        lapse = a.lapse or scope.today
        if a.volunteer.status != "active":
            detail = _("The volunteer is %(status)s.") % {"status": a.volunteer.get_status_display().lower()}
        elif lapse < scope.today:
            detail = _("A required check lapsed on %(date)s.") % {"date": lapse.strftime("%d.%m.%Y")}
        else:
            detail = _("A required check lapses on %(date)s.") % {"date": lapse.strftime("%d.%m.%Y")}
        items.append(
            WorkItem(
                kind="deadline",
                key=f"volunteer:{a.pk}",
                due=lapse,
                overdue=lapse < scope.today,
                case_id=a.case_id,
                case_number=a.case.number,
                person_name=a.case.person.full_name,
                title=_("Volunteer's checks: %(name)s") % {"name": a.volunteer.full_name},
                url=reverse("cases:detail", args=[a.case_id]) + "#volunteers",
                action_label=_("Open"),
                officer_name=a.case.officer.display_name if a.case.officer else "",
                detail=detail,
            )
        )
    return WorkBatch(kind="deadline", count=counts["n"], overdue=counts["late"], items=items)


def volunteer_timeline_entries(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    """A volunteer assigned and an assignment ended, newest first (sessions stay in the section)."""
    if case is not None:
        cases = {case.pk: case.number}
    else:
        cases = dict(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    if not cases:
        return []
    rows = (
        VolunteerAssignment.objects.filter(case_id__in=list(cases))
        .select_related("volunteer", "assigned_by", "ended_by")
        .order_by("-created_at", "-id")[:limit]
    )
    entries = []
    for a in rows:
        url = reverse("cases:detail", args=[a.case_id]) + "#volunteers"
        kind = a.volunteer.get_kind_display()
        entries.append(
            TimelineEntry(
                at=a.created_at,
                kind="volunteer",
                title=_("%(kind)s assigned: %(name)s") % {"kind": kind, "name": a.volunteer.full_name},
                detail=_("Consent given on %(date)s") % {"date": a.consent_on.strftime("%d.%m.%Y")},
                by=a.assigned_by.get_full_name() or a.assigned_by.username,
                ref=f"volunteer:{a.pk}",
                case_id=a.case_id,
                case_number=cases[a.case_id],
                effective_on=a.started_on,
                url=url,
            )
        )
        if a.ended_on is not None:
            entries.append(
                TimelineEntry(
                    at=a.updated_at,
                    kind="volunteer",
                    title=_("Assignment ended: %(name)s (%(kind)s)") % {"kind": kind, "name": a.volunteer.full_name},
                    detail=a.end_reason,
                    by=(a.ended_by.get_full_name() or a.ended_by.username) if a.ended_by else "",
                    ref=f"volunteer-end:{a.pk}",
                    case_id=a.case_id,
                    case_number=cases[a.case_id],
                    effective_on=a.ended_on,
                    url=url,
                )
            )
    entries.sort(key=lambda e: (e.at, e.ref), reverse=True)
    return entries[:limit]
