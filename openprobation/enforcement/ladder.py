"""The enforcement ladder's domain rules, as functions of the case and the date: which steps the
rulebook allows for the case's sentence, when a submission to court is due (the threshold), and
when early cancellation of a conditional sentence may be proposed."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openprobation.cases.models import Case, CaseStatus
from openprobation.cases.terms import current_terms
from openprobation.enforcement.models import (
    ESTABLISHED,
    EnforcementStep,
    Step,
    Violation,
)
from openprobation.enforcement.rules import EARLY_CANCELLATION, LADDER, WRITTEN_WARNING
from openprobation.rules.rulebook import rule

OPEN_CASE = (CaseStatus.REGISTERED, CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.AWAITING_REGISTRATION)


def sentence_kind_now(case: Case) -> str:
    """The punishment in force now (a later decision may have replaced it)."""
    return current_terms(case).sentence_kind


def written_warning_allowed(sentence_kind: str, *, on: dt.date) -> bool:
    """Order 511 para. 140: the written warning of replacement is for restriction of liberty."""
    return sentence_kind in rule(WRITTEN_WARNING, on=on)["sentence_kinds"]


def submission_outcomes(sentence_kind: str, *, on: dt.date) -> list[str]:
    """What the service may ask the court for, for this sentence kind (the rulebook's list)."""
    return list(rule(LADDER, on=on)["submission_outcomes"].get(sentence_kind, []))


@dataclass(frozen=True)
class Grounds:
    """Whether the established violations not yet put before a court make a submission due."""

    due: bool
    violations: list[Violation] = field(default_factory=list)
    count: int = 0
    malicious: int = 0
    threshold: int = 0
    malicious_threshold: int = 0
    source: str = ""


def grounds_reached(*, count: int, malicious: int, threshold: int, malicious_threshold: int) -> bool:
    """The threshold itself: ``threshold`` established violations, or ``malicious_threshold``
    malicious ones (seeded: two, or one malicious)."""
    return count >= threshold or malicious >= malicious_threshold


def unanswered_established(case: Case, *, on: dt.date) -> list[Violation]:
    """Established violations of the case, up to ``on``, that no submission has put before a court."""
    return list(
        Violation.objects.filter(case=case, status__in=ESTABLISHED, occurred_on__lte=on)
        .exclude(steps__step=Step.SUBMISSION)
        .order_by("occurred_on", "id")
    )


def pending_submission(case: Case) -> EnforcementStep | None:
    """The latest submission still waiting for the court's outcome."""
    return (
        EnforcementStep.objects.filter(case=case, step=Step.SUBMISSION, outcomes__isnull=True)
        .order_by("-taken_on", "-id")
        .first()
    )


def submission_due(case: Case, on: dt.date, *, violations: Iterable[Violation] | None = None) -> Grounds:
    """Is a submission to court due on ``on``? When the established violations that no submission
    has answered reach the rulebook's threshold (or enough of them are malicious), and the case is
    open with no submission already waiting for the court."""
    version = rule(LADDER, on=on)
    threshold = int(version["submission_threshold"])
    malicious_threshold = int(version["malicious_threshold"])
    found = list(violations) if violations is not None else unanswered_established(case, on=on)
    malicious = sum(1 for v in found if v.malicious)
    reached = grounds_reached(
        count=len(found), malicious=malicious, threshold=threshold, malicious_threshold=malicious_threshold
    )
    due = reached and case.status in OPEN_CASE and pending_submission(case) is None
    return Grounds(
        due=due,
        violations=found if reached else [],
        count=len(found),
        malicious=malicious,
        threshold=threshold,
        malicious_threshold=malicious_threshold,
        source=version.source,
    )


@dataclass(frozen=True)
class EarlyCancellation:
    possible: bool
    from_date: dt.date | None = None
    source: str = ""


def early_cancellation_from(*, start: dt.date, end: dt.date, share: float) -> dt.date:
    """The first day on which ``share`` of the control period [start, end] has been served: the
    period has ``end - start + 1`` days; whole days served before the day counted."""
    total = (end - start).days + 1
    return start + dt.timedelta(days=math.ceil(total * share))


def early_cancellation(case: Case, on: dt.date, *, established: int | None = None) -> EarlyCancellation:
    """May the officer propose early cancellation of a conditional sentence? When the rulebook's
    share of the control period has been served with no established violation (historic rule)."""
    version = rule(EARLY_CANCELLATION, on=on)
    terms = current_terms(case)
    if (
        case.status not in (CaseStatus.REGISTERED, CaseStatus.ACTIVE)
        or terms.sentence_kind not in version["sentence_kinds"]
        or terms.control_start is None
        or terms.control_end is None
        or not terms.control_start <= on <= terms.control_end
    ):
        return EarlyCancellation(possible=False)
    start = early_cancellation_from(
        start=terms.control_start, end=terms.control_end, share=float(version["share_of_control"])
    )
    if on < start:
        return EarlyCancellation(possible=False, from_date=start, source=version.source)
    if established is None:
        established = Violation.objects.filter(case=case, status__in=ESTABLISHED).count()
    return EarlyCancellation(possible=established == 0, from_date=start, source=version.source)


def current_step(steps: Iterable[EnforcementStep]) -> EnforcementStep | None:
    ordered = sorted(steps, key=lambda s: (s.taken_on, s.pk or 0))
    return ordered[-1] if ordered else None


def steps_allowed(case: Case, *, on: dt.date) -> dict[str, Any]:
    """Which steps the rulebook and the case's state allow now (the page offers only these)."""
    kind = sentence_kind_now(case)
    return {
        Step.WARNING: True,
        Step.WRITTEN_WARNING: written_warning_allowed(kind, on=on),
        Step.SUBMISSION: bool(submission_outcomes(kind, on=on)) and pending_submission(case) is None,
        Step.COURT_OUTCOME: pending_submission(case) is not None,
    }
