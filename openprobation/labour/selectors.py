"""Reads of labour duties, always for a case found through the scoped case selectors (the caller
holds a case the user may see; ``labour_case`` finds one and records the read)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Sum

from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail
from openprobation.cases.terms import case_forced_labour
from openprobation.labour.domain import (
    ForcedLabourFigures,
    SentenceYear,
    forced_labour_figures,
    sentence_year,
    shortfall_tolerance,
)
from openprobation.labour.models import EmploymentDuty, ForcedLabourDecision, LabourHours

HOURS_PAGE_SIZE = 20


def labour_case(*, user: Any, pk: int) -> Case:
    """The case if the user may see it, recorded as a view of its labour duties (404 otherwise)."""
    return case_detail(user=user, pk=pk, part="labour")


@dataclass(frozen=True)
class ForcedLabourStatus:
    year: SentenceYear
    figures: ForcedLabourFigures
    applies: bool
    exemptions: list[str]
    hours_per_year: int
    max_hours_per_day: int
    source: str
    # The last recorded decision, and whether the circumstances now judge differently.
    decision: ForcedLabourDecision | None = None
    rejudge_due: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    # The four numbers the brief names, as a tuple (owed, done, expected, shortfall).
    def as_tuple(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        f = self.figures
        return f.owed_this_year, f.done_this_year, f.expected_pro_rata, f.shortfall


def hours_done(*, case: Case, start: dt.date, end: dt.date) -> Decimal:
    total = LabourHours.objects.filter(case=case, worked_on__range=(start, end)).aggregate(s=Sum("hours"))["s"]
    return Decimal(total or 0)


def forced_labour_status(case: Case, on: dt.date) -> ForcedLabourStatus | None:
    """Forced labour this sentence year on ``on``: owed, done, expected pro rata and the shortfall
    (``domain.forced_labour_figures``), with the exemptions as judged now
    (``cases.terms.case_forced_labour``). None for a case without forced labour or control start."""
    labour = case_forced_labour(case, today=on)
    if labour is None or case.control_start is None:
        return None
    year = sentence_year(control_start=case.control_start, control_end=case.control_end, on=on)
    done = hours_done(case=case, start=year.start, end=year.end)
    figures = forced_labour_figures(
        year=year,
        hours_per_year=labour.hours_per_year,
        done=done,
        on=on,
        tolerance=shortfall_tolerance(on=on),
        applies=labour.applies,
    )
    decision = ForcedLabourDecision.objects.filter(case=case).first()
    return ForcedLabourStatus(
        year=year,
        figures=figures,
        applies=labour.applies,
        exemptions=[str(e) for e in labour.exemptions],
        hours_per_year=labour.hours_per_year,
        max_hours_per_day=labour.max_hours_per_day,
        source=labour.source,
        decision=decision,
        rejudge_due=decision is not None and decision.applies != labour.applies,
    )


def hours_log(*, case: Case) -> QuerySet[LabourHours]:
    return LabourHours.objects.filter(case=case).select_related("recorded_by").order_by("-worked_on", "-id")


def hours_page(*, case: Case, page: Any) -> Page[LabourHours]:
    return Paginator(hours_log(case=case), HOURS_PAGE_SIZE).get_page(page)


def employment_duty(*, case: Case) -> EmploymentDuty | None:
    return (
        EmploymentDuty.objects.filter(case=case)
        .prefetch_related("referrals__issued_by", "offers__referral", "offers__recorded_by")
        .first()
    )


def decisions(*, case: Case) -> list[ForcedLabourDecision]:
    return list(ForcedLabourDecision.objects.filter(case=case).select_related("decided_by"))
