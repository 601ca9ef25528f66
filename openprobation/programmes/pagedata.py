"""What the programme page, its printable copy and the case page's section show, read once (the
case is one the user may see, found by the caller through the scoped selector)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openprobation.cases.models import Case
from openprobation.programmes import selectors
from openprobation.programmes.catalogue import measure_label
from openprobation.programmes.content import described
from openprobation.programmes.lifecycle import PROGRAMME_LIFECYCLE
from openprobation.programmes.models import MeasureStatus, Programme, ProgrammeMeasure, Referral
from openprobation.programmes.participants import missing_participants

OPEN_MEASURE = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


@dataclass
class MeasureLine:
    measure: ProgrammeMeasure
    label: str
    overdue: bool
    referrals: list[Referral]


def measure_lines(programme: Programme, today: dt.date) -> list[MeasureLine]:
    referrals = selectors.referrals_by_measure(programme)
    return [
        MeasureLine(
            measure=m,
            label=str(measure_label(m.measure)),
            overdue=m.status in OPEN_MEASURE and m.due_on < today,
            referrals=referrals.get(m.pk, []),
        )
        for m in programme.measures.select_related("organisation", "goal").order_by("due_on", "id")
    ]


def counts(programme: Programme, today: dt.date) -> dict[str, int]:
    qs = programme.measures.filter(status__in=OPEN_MEASURE)
    return {"open": qs.count(), "overdue": qs.filter(due_on__lt=today).count()}


def programme_page_context(*, user: Any, case: Case, today: dt.date) -> dict[str, Any]:
    programme = selectors.case_programme(case)
    minor = selectors.is_minor(case.person, on=today)
    context: dict[str, Any] = {
        "case": case,
        "programme": programme,
        "today": today,
        "minor": minor,
    }
    if programme is None:
        context["proposal"] = selectors.needs_proposal(case)
        return context
    lines = measure_lines(programme, today)
    context.update(
        goals=list(programme.goals.filter(removed=False).order_by("id")),
        lines=lines,
        open_measures=sum(1 for line in lines if line.measure.status in OPEN_MEASURE),
        overdue_measures=sum(1 for line in lines if line.overdue),
        participants=list(programme.participants.select_related("organisation", "family_member")),
        missing=missing_participants(programme, on=today),
        versions=selectors.versions(programme),
        current_version=selectors.current_version(programme),
        pending=described(selectors.pending_changes(programme)),
        history=[
            {
                "effective_on": h.effective_on,
                "from_label": PROGRAMME_LIFECYCLE.label(h.from_status) if h.from_status else "",
                "to_label": PROGRAMME_LIFECYCLE.label(h.to_status),
                "reason": h.reason,
            }
            for h in programme.status_changes.all()
        ],
        review_due=programme.next_review_on is not None and programme.next_review_on <= today,
    )
    return context
