"""Demo violations at every rung of the enforcement ladder, a wanted case with its search tasks
and dismissed candidates. Written in bulk inside ``seed_demo``'s transaction (not audited row by
row: the run's one ``demo.seed`` event summarises it); the court's extension is a real later
decision of the case, its control period derived from it as the service derives it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from openprobation.accounts.models import User
from openprobation.cases.models import Case, CaseStatus, CaseTask, CourtDecision, DecisionKind
from openprobation.cases.terms import apply_decisions
from openprobation.demo.people import stream
from openprobation.enforcement.models import (
    EnforcementStep,
    Step,
    Violation,
    ViolationKind,
    ViolationSource,
    ViolationStatus,
    ViolationStatusChange,
)

BATCH = 2000
DESCRIPTIONS: dict[str, str] = {
    ViolationKind.MISSED_REPORT: "Не явился на регистрацию в назначенный день без уважительной причины.",
    ViolationKind.CURFEW_BREACH: "Отсутствовал по месту жительства в ночное время (проверка в 23:10).",
    ViolationKind.LEFT_LOCALITY: "Выехал за пределы района без разрешения службы пробации.",
    ViolationKind.FORBIDDEN_PLACE: "Находился в развлекательном заведении, посещение которого запрещено судом.",
    ViolationKind.ADMINISTRATIVE_OFFENCE: "Привлечён к административной ответственности за мелкое хулиганство.",
    ViolationKind.WORK_REFUSAL: "Отказался от направления центра занятости без уважительной причины.",
}


@dataclass
class _Plan:
    violations: list[Violation] = field(default_factory=list)
    history: list[tuple[Violation, str, str, str, dt.date]] = field(default_factory=list)
    steps: list[tuple[EnforcementStep, list[Violation]]] = field(default_factory=list)


def _day(case: Case, today: dt.date, days_ago: int) -> dt.date:
    start = case.control_start or case.received_on
    return max(start, today - dt.timedelta(days=days_ago))


def _add(
    plan: _Plan,
    case: Case,
    *,
    kind: str,
    on: dt.date,
    status: str,
    source: str = ViolationSource.OFFICER,
    malicious: bool = False,
    ref: str = "",
) -> Violation:
    v = Violation(
        case=case,
        kind=kind,
        source=source,
        source_ref=ref,
        occurred_on=on,
        description=DESCRIPTIONS.get(kind, "Нарушение условий пробационного контроля."),
        malicious=malicious,
        status=status,
        recorded_by_id=case.officer_id,
    )
    plan.violations.append(v)
    first = ViolationStatus.CANDIDATE if source == ViolationSource.MONITORING_ALERT else ViolationStatus.CONFIRMED
    plan.history.append((v, "", first, "Нарушение зафиксировано", on))
    if status == ViolationStatus.DISMISSED:
        plan.history.append((v, first, status, "Уважительная причина подтверждена документами", on))
    elif status != first:
        if first == ViolationStatus.CANDIDATE:
            plan.history.append((v, first, ViolationStatus.CONFIRMED, "Сигнал проверен, нарушение подтверждено", on))
        if status == ViolationStatus.RESPONDED:
            plan.history.append((v, ViolationStatus.CONFIRMED, status, "Принята мера реагирования", on))
    return v


def _step(
    plan: _Plan, case: Case, step: str, on: dt.date, violations: list[Violation], **extra: Any
) -> EnforcementStep:
    reasons: dict[str, str] = {
        Step.WARNING: "Разъяснены последствия нарушения, вынесено предупреждение.",
        Step.WRITTEN_WARNING: "Вынесено письменное предупреждение о замене наказания.",
        Step.SUBMISSION: "Направлено представление в суд в связи с систематическими нарушениями.",
        Step.COURT_OUTCOME: "Суд удовлетворил представление.",
    }
    s = EnforcementStep(
        case=case, step=step, taken_on=on, reason=reasons[step], recorded_by_id=case.officer_id, **extra
    )
    plan.steps.append((s, violations))
    return s


def seed_enforcement(*, seed: int, today: dt.date) -> dict[str, int]:
    """Violations on the demo cases: every ladder step on the demo officer's own cases, a wanted
    case with its tasks, and bulk violations (some dismissed candidates) across the country."""
    rng = stream(seed, "enforcement")
    officer = User.objects.filter(username="officer").first()
    active = Case.objects.filter(status=CaseStatus.ACTIVE, officer__isnull=False, control_start__lte=today).order_by(
        "id"
    )
    # The demo officer's own cases first (what the demo login shows), then the office's, then any.
    near = active.filter(office_id=officer.office_id) if officer and officer.office_id else active
    mine = (list(active.filter(officer=officer)) if officer else []) + list(near[:40]) + list(active[:40])

    def of_kind(kind: str) -> list[Case]:
        own = [c for c in mine if c.sentence_kind == kind]
        return own + list(near.filter(sentence_kind=kind)[:10]) + list(active.filter(sentence_kind=kind)[:10])

    conditional = of_kind("conditional")
    restriction = of_kind("restriction_of_liberty")
    plan = _Plan()
    used: set[int] = set()
    decisions: list[tuple[Case, CourtDecision]] = []

    def take(pool: list[Case]) -> Case | None:
        for c in pool:
            if c.pk not in used:
                used.add(c.pk)
                return c
        return None

    K = ViolationKind
    S = ViolationStatus
    # A warning answered one missed report.
    if case := take(conditional or mine):
        v = _add(plan, case, kind=K.MISSED_REPORT, on=_day(case, today, 40), status=S.RESPONDED)
        _step(plan, case, Step.WARNING, _day(case, today, 38), [v])
    # Restriction of liberty: a warning, then a written warning of replacement (Order 511 para. 140).
    if case := take(restriction):
        a = _add(plan, case, kind=K.CURFEW_BREACH, on=_day(case, today, 60), status=S.RESPONDED)
        _step(plan, case, Step.WARNING, _day(case, today, 58), [a])
        b = _add(plan, case, kind=K.LEFT_LOCALITY, on=_day(case, today, 20), status=S.RESPONDED)
        _step(plan, case, Step.WRITTEN_WARNING, _day(case, today, 18), [b], document_number="ПП-12/2026")
    # Two confirmed violations not yet put before a court: the case page prompts a submission.
    if case := take(conditional or mine):
        _add(plan, case, kind=K.MISSED_REPORT, on=_day(case, today, 30), status=S.CONFIRMED)
        _add(plan, case, kind=K.FORBIDDEN_PLACE, on=_day(case, today, 6), status=S.CONFIRMED)
    # A submission waiting for the court.
    if case := take(conditional or mine):
        a = _add(plan, case, kind=K.MISSED_REPORT, on=_day(case, today, 70), status=S.RESPONDED)
        b = _add(plan, case, kind=K.ADMINISTRATIVE_OFFENCE, on=_day(case, today, 25), status=S.RESPONDED)
        _step(plan, case, Step.WARNING, _day(case, today, 68), [a])
        _step(
            plan,
            case,
            Step.SUBMISSION,
            _day(case, today, 10),
            [a, b],
            requested_outcome="extend_control",
            document_number="П-31/2026",
        )
    # The court extended control on a submission: a later decision of the case.
    if case := take(conditional):
        a = _add(plan, case, kind=K.CURFEW_BREACH, on=_day(case, today, 120), status=S.RESPONDED)
        b = _add(plan, case, kind=K.MISSED_REPORT, on=_day(case, today, 100), status=S.RESPONDED)
        submitted = _day(case, today, 90)
        submission = _step(
            plan,
            case,
            Step.SUBMISSION,
            submitted,
            [a, b],
            requested_outcome="extend_control",
            document_number="П-7/2026",
        )
        decided = min(today, submitted + dt.timedelta(days=21))
        decision = CourtDecision(
            case=case,
            kind=DecisionKind.EXTENSION,
            court=case.court or "Районный суд",
            number="4-118/2026",
            decision_date=decided,
            effective_date=decided,
            extension_months=3,
            note="По представлению службы пробации",
            recorded_by_id=case.officer_id,
            recorded_at=timezone.now(),
        )
        decisions.append((case, decision))
        _step(
            plan,
            case,
            Step.COURT_OUTCOME,
            decided,
            [a, b],
            submission=submission,
            result="granted",
            requested_outcome="extend_control",
            court_decision=decision,
            document_number=decision.number,
        )
    # A monitoring alert to confirm or dismiss.
    if case := take(mine):
        _add(
            plan,
            case,
            kind=K.CURFEW_BREACH,
            on=_day(case, today, 1),
            status=S.CANDIDATE,
            source=ViolationSource.MONITORING_ALERT,
            ref="demo-alert-1",
        )
    # Across the country: a few violations per hundred active cases, some dismissed candidates.
    others = list(active.exclude(pk__in=used).only("id", "control_start", "received_on", "officer_id"))
    for case in rng.sample(others, min(len(others), max(len(others) // 12, 0))):
        roll = rng.random()
        kind = rng.choice(list(DESCRIPTIONS))
        on = _day(case, today, rng.randint(2, 200))
        if roll < 0.35:
            _add(
                plan,
                case,
                kind=kind,
                on=on,
                status=S.DISMISSED,
                source=ViolationSource.MONITORING_ALERT,
                ref=f"demo-{case.pk}",
            )
        elif roll < 0.7:
            v = _add(plan, case, kind=kind, on=on, status=S.RESPONDED)
            _step(plan, case, Step.WARNING, min(today, on + dt.timedelta(days=2)), [v])
        else:
            _add(plan, case, kind=kind, on=on, status=S.CONFIRMED)
    # The decisions first (the steps name them), then the control periods derived from them.
    CourtDecision.objects.bulk_create([d for _c, d in decisions])
    for case, decision in decisions:
        _kind, start, end = apply_decisions(
            sentence_kind=case.sentence_kind,
            start=case.ordered_control_start,
            end=case.ordered_control_end,
            decisions=[decision],
        )
        Case.objects.filter(pk=case.pk).update(control_start=start, control_end=end)
    Violation.objects.bulk_create(plan.violations, batch_size=BATCH)
    ViolationStatusChange.objects.bulk_create(
        [
            ViolationStatusChange(
                violation=v, from_status=f, to_status=t, reason=r, effective_on=on, by_id=v.recorded_by_id
            )
            for v, f, t, r, on in plan.history
        ],
        batch_size=BATCH,
    )
    EnforcementStep.objects.bulk_create([s for s, _v in plan.steps if s.submission is None], batch_size=BATCH)
    for s, _v in plan.steps:
        if s.submission is not None:
            s.submission_id = s.submission.pk
    EnforcementStep.objects.bulk_create([s for s, _v in plan.steps if s.pk is None], batch_size=BATCH)
    Through = EnforcementStep.violations.through
    Through.objects.bulk_create(
        [Through(enforcementstep_id=s.pk, violation_id=v.pk) for s, vs in plan.steps for v in vs], batch_size=BATCH
    )
    # The wanted case (one the generator already made wanted) with its search tasks.
    tasks = 0
    wanted = Case.objects.filter(status=CaseStatus.WANTED, officer__isnull=False).order_by("id")
    chosen = (wanted.filter(officer=officer).first() if officer else None) or wanted.first()
    if chosen is not None:
        due = today - dt.timedelta(days=2)
        CaseTask.objects.bulk_create(
            [
                CaseTask(
                    case=chosen,
                    kind=kind,
                    title_code=kind,
                    due_on=due,
                    assignee=chosen.officer,
                    source_ref="demo",
                )
                for kind in ("search_measures", "materials_to_court")
            ]
        )
        tasks = 2
    return {"violations": len(plan.violations), "enforcement_steps": len(plan.steps), "tasks": tasks}
