"""What the programmes app adds to a case's pages (overview facts, a section, actions) and to the
work queue (programme reviews due, measures overdue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.selectors import case_qs_for_user
from openprobation.core.casepage import CaseActionLink, CaseFact, CaseSection
from openprobation.core.timeline import TimelineEntry
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.programmes import selectors
from openprobation.programmes.catalogue import measure_label
from openprobation.programmes.models import (
    MeasureStatus,
    Programme,
    ProgrammeMeasure,
    ProgrammeStatus,
    ProgrammeStatusChange,
)
from openprobation.programmes.pagedata import counts

# Reviews enter the work queue this many days before they fall due.
REVIEW_AHEAD_DAYS = 7
OPEN_MEASURE = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


def _may_change(user: Any, case: Any) -> bool:
    return may(user, CaseAction.EDIT, case) and case.status not in TERMINAL


def programme_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    programme = selectors.case_programme(case)
    if programme is None:
        return []
    url = reverse("programmes:programme", args=[case.pk])
    facts = [
        CaseFact(
            key="programme",
            order=50,
            label=_("Individual programme"),
            value=_("%(status)s, version %(version)s")
            % {"status": programme.get_status_display(), "version": programme.version},
            tone="warning" if programme.status in (ProgrammeStatus.DRAFT, ProgrammeStatus.REFUSED) else "",
            url=url,
            data={"status": programme.status, "version": programme.version},
        )
    ]
    if programme.status == ProgrammeStatus.CLOSED:
        return facts
    if programme.next_review_on is not None:
        facts.append(
            CaseFact(
                key="programme_review",
                order=51,
                label=_("Programme review"),
                value=programme.next_review_on.strftime("%d.%m.%Y"),
                tone="danger"
                if programme.next_review_on < today
                else ("warning" if programme.next_review_on <= today else ""),
                url=url + "#programme-summary",
                data=programme.next_review_on.isoformat(),
            )
        )
    n = counts(programme, today)
    facts.append(
        CaseFact(
            key="programme_measures",
            order=52,
            label=_("Programme measures"),
            value=_("%(open)s open, %(overdue)s overdue") % n,
            tone="danger" if n["overdue"] else "",
            url=url + "#programme-measures",
            data=n,
        )
    )
    return facts


def programme_section(*, user: Any, case: Any, today: dt.date) -> CaseSection | None:
    programme = selectors.case_programme(case)
    return CaseSection(
        key="programme",
        order=65,
        template="programmes/_programme_section.html",
        context={
            "case": case,
            "programme": programme,
            "counts": counts(programme, today) if programme else None,
            "minor": selectors.is_minor(case.person, on=today),
            "may_change": _may_change(user, case),
            "today": today,
        },
    )


def programme_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if not _may_change(user, case):
        return []
    programme = selectors.case_programme(case)
    if programme is None or programme.status == ProgrammeStatus.CLOSED:
        return [
            CaseActionLink(
                "programme_open", 50, _("Open a programme"), reverse("programmes:programme_new", args=[case.pk])
            )
        ]
    actions = [CaseActionLink("programme", 50, _("Programme"), reverse("programmes:programme", args=[case.pk]))]
    if programme.status != ProgrammeStatus.AGREED:
        actions.append(
            CaseActionLink(
                "programme_agreement",
                51,
                _("Record the answer to the programme"),
                reverse("programmes:agreement", args=[case.pk]),
                primary=programme.status == ProgrammeStatus.DRAFT,
            )
        )
    return actions


def reviews_work(scope: WorkScope) -> WorkBatch:
    """Agreed programmes whose review falls within the coming week or has passed."""
    until = max(scope.until, scope.today + dt.timedelta(days=REVIEW_AHEAD_DAYS))
    base = Programme.objects.filter(case__in=scope.cases, status=ProgrammeStatus.AGREED, next_review_on__lte=until)
    n = base.aggregate(n=Count("id"), late=Count("id", filter=Q(next_review_on__lt=scope.today)))
    rows = base.select_related("case__person", "case__officer").order_by("next_review_on", "pk")[: scope.limit]
    items = [
        WorkItem(
            kind="deadline",
            key=f"programme_review:{p.pk}",
            due=p.next_review_on,  # type: ignore[arg-type]
            overdue=p.next_review_on is not None and p.next_review_on < scope.today,
            case_id=p.case_id,
            case_number=p.case.number,
            person_name=p.case.person.full_name,
            title=_("Review the individual programme"),
            url=reverse("programmes:review", args=[p.case_id]),
            action_label=_("Record a review"),
            officer_name=p.case.officer.display_name if p.case.officer else "",
        )
        for p in rows
    ]
    return WorkBatch(kind="deadline", count=n["n"], overdue=n["late"], items=items)


def overdue_measures_work(scope: WorkScope) -> WorkBatch:
    """Measures of agreed programmes past their due date, still planned or in progress."""
    base = ProgrammeMeasure.objects.filter(
        programme__case__in=scope.cases,
        programme__status=ProgrammeStatus.AGREED,
        status__in=OPEN_MEASURE,
        due_on__lt=scope.today,
    )
    count = base.count()
    rows = base.select_related("programme__case__person", "programme__case__officer").order_by("due_on", "pk")[
        : scope.limit
    ]
    items = [
        WorkItem(
            kind="deadline",
            key=f"programme_measure:{m.pk}",
            due=m.due_on,
            overdue=True,
            case_id=m.programme.case_id,
            case_number=m.programme.case.number,
            person_name=m.programme.case.person.full_name,
            title=_("Programme measure overdue: %(measure)s") % {"measure": measure_label(m.measure)},
            url=reverse("programmes:measure_progress", args=[m.programme.case_id, m.pk]),
            action_label=_("Record progress"),
            officer_name=m.programme.case.officer.display_name if m.programme.case.officer else "",
        )
        for m in rows
    ]
    return WorkBatch(kind="deadline", count=count, overdue=count, items=items)


def timeline_entries(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    """The programme's moves (opened, agreed, refused, a new version, closed), newest first."""
    if case is not None:
        numbers = {case.pk: case.number}
    else:
        numbers = dict(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    if not numbers:
        return []
    rows = (
        ProgrammeStatusChange.objects.filter(programme__case_id__in=list(numbers))
        .select_related("programme", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )
    labels = dict(ProgrammeStatus.choices)
    return [
        TimelineEntry(
            at=ch.changed_at,
            kind="programme",
            title=_("Individual programme: %(status)s") % {"status": labels.get(ch.to_status, ch.to_status)},
            detail=ch.reason,
            by=str(ch.changed_by),
            ref=f"programme:{ch.pk}",
            case_id=ch.programme.case_id,
            case_number=numbers[ch.programme.case_id],
            effective_on=ch.effective_on,
            url=reverse("programmes:programme", args=[ch.programme.case_id]),
        )
        for ch in rows
    ]


def register() -> None:
    """Called from ``ProgrammesConfig.ready``."""
    from openprobation.core.casepage import (  # noqa: PLC0415
        register_case_actions,
        register_case_facts,
        register_case_section,
    )
    from openprobation.core.timeline import register_timeline_provider  # noqa: PLC0415
    from openprobation.core.workqueue import register_work_source  # noqa: PLC0415

    register_case_facts("programmes", programme_facts)
    register_case_section("programmes", programme_section)
    register_case_actions("programmes", programme_actions)
    register_work_source("programme_reviews", reviews_work)
    register_work_source("programme_measures", overdue_measures_work)
    register_timeline_provider("programmes", timeline_entries)
