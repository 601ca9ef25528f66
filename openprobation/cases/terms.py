"""What a case's terms are now, computed once for the page, the API, the work queues and the
worker: the control period derived from the original legal basis and the court decisions in force,
the registration deadline state (PEC art. 163) and forced labour (CC art. 44(1)).

Each function here is the only place its answer is computed; the case page and the API both call
it (a test compares them), and the list filters use the query form defined next to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from openprobation.cases import legal
from openprobation.cases.models import Case, CaseStatus, CourtDecision, DecisionKind, SentenceKind
from openprobation.rules.rulebook import RuleMissing

# --- Registration (PEC art. 163; the office deadline) ---------------------------------------------


@dataclass(frozen=True)
class RegistrationState:
    due: dt.date | None
    overdue: bool
    # Released on deferral and not yet appeared: the last day to appear, and whether search measures
    # and sending the materials to court are due (PEC art. 163).
    appear_by: dt.date | None
    search_due: bool
    source: str


def registration_overdue(case: Case, *, today: dt.date) -> bool:
    """Awaiting registration past the deadline (the same test as ``registration_overdue_q``)."""
    return bool(
        case.status == CaseStatus.AWAITING_REGISTRATION
        and case.registration_due is not None
        and case.registration_due < today
    )


def registration_overdue_q(*, today: dt.date) -> Q:
    """``registration_overdue`` as a query filter, for lists, counts and the worker."""
    return Q(status=CaseStatus.AWAITING_REGISTRATION, registration_due__lt=today)


def registration_state(case: Case, *, today: dt.date) -> RegistrationState:
    appear_by: dt.date | None = None
    search_due = False
    awaiting = case.status == CaseStatus.AWAITING_REGISTRATION
    if case.release_date is not None and case.registration_rule_key == "registration.deferral_release":
        deadline = legal.registration_deadline(
            sentence_kind=case.sentence_kind,
            received_on=case.received_on,
            release_date=case.release_date,
            appeared_on=case.appeared_on,
        )
        appear_by = deadline.appear_by
        search_due = bool(
            awaiting and case.appeared_on is None and deadline.search_from and today >= deadline.search_from
        )
    return RegistrationState(
        due=case.registration_due,
        overdue=registration_overdue(case, today=today),
        appear_by=appear_by,
        search_due=search_due,
        source=legal.citation(case.registration_rule_key, case.registration_rule_version),
    )


# --- Forced labour ----------------------------------------------------------------------------------


def forced_labour_judged_on(case: Case, *, today: dt.date) -> dt.date:
    """The one date forced labour is judged on: today while the control period runs, its first day
    before it starts and its last day after it ends (the person's circumstances are those recorded
    now, so a change of work, study, pregnancy or children re-judges it on the next read)."""
    if case.control_start and today < case.control_start:
        return case.control_start
    if case.control_end and today > case.control_end:
        return case.control_end
    return today


def case_forced_labour(case: Case, *, today: dt.date) -> legal.ForcedLabour | None:
    """Forced labour for a restriction-of-liberty case (CC art. 44(1)), or None for other kinds."""
    if current_sentence_kind(case) != SentenceKind.RESTRICTION_OF_LIBERTY:
        return None
    replaced = int(case.term_months or 0) if case.replaces_punishment else None
    try:
        return legal.forced_labour(
            person=case.person, on=forced_labour_judged_on(case, today=today), replaced_months=replaced
        )
    except RuleMissing:
        return None


# --- Court decisions and the current terms ----------------------------------------------------------


@dataclass(frozen=True)
class CaseTerms:
    """The case's terms now: the original period and what later decisions made of it."""

    sentence_kind: str
    control_start: dt.date | None
    control_end: dt.date | None
    original_end: dt.date | None
    source: str
    decisions: list[CourtDecision] = field(default_factory=list)

    @property
    def sentence_kind_label(self) -> str:
        return str(SentenceKind(self.sentence_kind).label) if self.sentence_kind in SentenceKind.values else ""

    def days_left(self, *, today: dt.date) -> int | None:
        """Whole days from today to the last day of control, while control runs (0 on the last day)."""
        if self.control_start is None or self.control_end is None:
            return None
        if not self.control_start <= today <= self.control_end:
            return None
        return (self.control_end - today).days


def apply_decisions(
    *, sentence_kind: str, start: dt.date | None, end: dt.date | None, decisions: Iterable[CourtDecision]
) -> tuple[str, dt.date | None, dt.date | None]:
    """Fold the later decisions, in the order they took effect, over the original terms."""
    kind = sentence_kind
    for d in sorted(decisions, key=lambda d: (d.effective_date, d.pk or 0)):
        if d.kind == DecisionKind.EXTENSION and end is not None and d.extension_months:
            end = end + relativedelta(months=d.extension_months)
        elif d.kind == DecisionKind.SHORTENED and d.new_control_end is not None:
            end = d.new_control_end
        elif d.kind == DecisionKind.CONDITIONAL_CANCELLED:
            end = min(end, d.effective_date) if end else d.effective_date
        elif d.kind == DecisionKind.SENTENCE_REPLACED:
            kind = d.new_sentence_kind or kind
            if d.new_sentence_kind == SentenceKind.IMPRISONMENT or not d.new_term_months:
                end = min(end, d.effective_date) if end else d.effective_date
            else:
                start = d.effective_date
                end = d.effective_date + relativedelta(months=d.new_term_months) - dt.timedelta(days=1)
    return kind, start, end


def current_terms(case: Case, *, decisions: list[CourtDecision] | None = None) -> CaseTerms:
    """The control period as the original decision ordered it, then changed by each later court
    decision in force, in the order they took effect."""
    found = list(case.decisions.all()) if decisions is None else decisions
    kind, start, end = apply_decisions(
        sentence_kind=case.sentence_kind,
        start=case.ordered_control_start,
        end=case.ordered_control_end,
        decisions=found,
    )
    return CaseTerms(
        sentence_kind=kind,
        control_start=start,
        control_end=end,
        original_end=case.ordered_control_end,
        source=legal.citation(case.control_rule_key, case.control_rule_version),
        decisions=found,
    )


def current_sentence_kind(case: Case) -> str:
    if not case.pk:
        return case.sentence_kind
    replaced = [d for d in case.decisions.all() if d.kind == DecisionKind.SENTENCE_REPLACED and d.new_sentence_kind]
    return replaced[-1].new_sentence_kind if replaced else case.sentence_kind


# --- Days of control left (the case page's overview, the API) ----------------------------------------

# Fewer days left than this and the overview warns: time to prepare the end-of-control papers.
CONTROL_ENDING_DAYS = 30


@dataclass(frozen=True)
class ControlClock:
    """Where the case stands in its control period on ``today``.

    ``state`` is "none" (no control period: pre-trial or not yet set), "not_started" (before the
    first day), "running" (first day to last day inclusive) or "ended" (after the last day).
    ``days_left`` counts whole days from today to the last day while control runs: 0 on the last
    day, None outside the period."""

    state: str
    start: dt.date | None
    end: dt.date | None
    days_left: int | None

    @property
    def tone(self) -> str:
        if self.state == "running" and self.days_left is not None and self.days_left < CONTROL_ENDING_DAYS:
            return "warning"
        return "info" if self.state == "running" else ""


def control_days_left(case: Case, *, today: dt.date, terms: CaseTerms | None = None) -> ControlClock:
    """The one place the days of control left are counted (the page and the API call it)."""
    terms = terms or current_terms(case)
    start, end = terms.control_start, terms.control_end
    if start is None or end is None:
        return ControlClock("none", start, end, None)
    if today < start:
        return ControlClock("not_started", start, end, None)
    if today > end:
        return ControlClock("ended", start, end, None)
    return ControlClock("running", start, end, (end - today).days)


# --- Status families (one colour each on the case page and in the caseload) --------------------------

STATUS_FAMILY = {
    CaseStatus.AWAITING_REGISTRATION: "awaiting",
    CaseStatus.REGISTERED: "active",
    CaseStatus.ACTIVE: "active",
    CaseStatus.SUSPENDED: "suspended",
    CaseStatus.WANTED: "suspended",
    CaseStatus.COMPLETED: "closed",
    CaseStatus.REVOKED: "closed",
    CaseStatus.TRANSFERRED: "closed",
    CaseStatus.CLOSED: "closed",
}


def status_family(status: str) -> str:
    """ "awaiting", "active", "suspended" (suspended or wanted) or "closed" (any end)."""
    return STATUS_FAMILY.get(status, "closed")  # type: ignore[call-overload]
