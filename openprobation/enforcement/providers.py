"""What enforcement adds to the platform's extension points: the case page's facts, section and
actions, the work queue's "violations" and "tasks" sources, and the caseload's "open violations"
column. Registered from ``EnforcementConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL, can_move
from openprobation.cases.models import Case, CaseStatus, CaseTask, TaskStatus
from openprobation.cases.selectors import case_qs_for_user
from openprobation.core.caseload import CaseloadColumn
from openprobation.core.casepage import CaseActionLink, CaseFact, CaseSection
from openprobation.core.timeline import TimelineEntry
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope
from openprobation.enforcement import ladder
from openprobation.enforcement.models import (
    AWAITING,
    ESTABLISHED,
    EnforcementStep,
    Step,
    Violation,
    ViolationStatus,
    ViolationStatusChange,
)
from openprobation.enforcement.rules import LADDER
from openprobation.enforcement.selectors import case_open_violations, case_steps, case_tasks
from openprobation.rules.rulebook import rule


def _dates(violations: list[Violation]) -> str:
    return ", ".join(v.occurred_on.strftime("%d.%m.%Y") for v in violations)


def enforcement_state(*, case: Case, today: dt.date) -> dict[str, Any]:
    """What the case page, its section and the API's overview show (a few queries per case, read
    once per case object: the facts and the section of one page share them)."""
    cached = getattr(case, "_enforcement_state", None)
    if cached is not None and cached[0] == today:
        return dict(cached[1])
    open_violations = list(case_open_violations(case=case))
    steps = list(case_steps(case=case))
    grounds = ladder.submission_due(case, today)
    established = Violation.objects.filter(case=case, status__in=ESTABLISHED).count()
    state = {
        "open_violations": open_violations,
        "steps": steps,
        "current_step": ladder.current_step(steps),
        "grounds": grounds,
        "early": ladder.early_cancellation(case, today, established=established),
        "pending": ladder.pending_submission(case),
        "tasks": list(case_tasks(case=case, open_only=True)),
    }
    case._enforcement_state = (today, state)  # type: ignore[attr-defined]
    return dict(state)


def case_facts(*, user: Any, case: Case, today: dt.date) -> list[CaseFact]:
    state = enforcement_state(case=case, today=today)
    facts: list[CaseFact] = []
    count = len(state["open_violations"])
    step = state["current_step"]
    step_label = step.get_step_display() if step else _("none yet")
    grounds = state["grounds"]
    url = reverse("enforcement:violations", kwargs={"pk": case.pk})
    if count or step:
        facts.append(
            CaseFact(
                key="open_violations",
                order=40,
                label=_("Open violations"),
                value=_("%(count)s — ladder step: %(step)s") % {"count": count, "step": step_label},
                tone="danger" if grounds.due else ("warning" if count else ""),
                url=url,
                data={"count": count, "step": step.step if step else None},
            )
        )
    if grounds.due:
        facts.append(
            CaseFact(
                key="submission_due",
                order=41,
                label=_("Prepare a submission to court"),
                value=_("Violations of %(dates)s (%(source)s)")
                % {"dates": _dates(grounds.violations), "source": grounds.source},
                tone="danger",
                url=reverse("enforcement:submission", kwargs={"pk": case.pk}),
                data={"violations": [v.pk for v in grounds.violations]},
            )
        )
    early = state["early"]
    if early.possible:
        facts.append(
            CaseFact(
                key="early_cancellation",
                order=42,
                label=_("Early cancellation may be proposed"),
                value=_("Served without violations since %(date)s (%(source)s)")
                % {"date": early.from_date.strftime("%d.%m.%Y"), "source": early.source},
                tone="info",
                data={"from": early.from_date.isoformat()},
            )
        )
    tasks = state["tasks"]
    if tasks:
        overdue = sum(1 for t in tasks if t.due_on < today)
        facts.append(
            CaseFact(
                key="open_tasks",
                order=43,
                label=_("Open tasks"),
                value=", ".join(f"{t.title} ({t.due_on.strftime('%d.%m.%Y')})" for t in tasks[:3]),
                tone="danger" if overdue else "warning",
                url=f"{url}#tasks",
                data={"count": len(tasks), "overdue": overdue},
            )
        )
    return facts


def case_section(*, user: Any, case: Case, today: dt.date) -> CaseSection | None:
    state = enforcement_state(case=case, today=today)
    can_edit = may(user, CaseAction.EDIT, case) and case.status not in TERMINAL
    return CaseSection(
        key="enforcement",
        order=40,
        template="enforcement/case_section.html",
        context={"case": case, "today": today, "can_edit": can_edit, **state},
    )


def case_actions(*, user: Any, case: Case) -> list[CaseActionLink]:
    if not may(user, CaseAction.EDIT, case) or case.status in TERMINAL:
        return []
    kw = {"pk": case.pk}
    links = [
        CaseActionLink(
            key="add_violation", order=40, label=_("Record a violation"), url=reverse("enforcement:record", kwargs=kw)
        ),
    ]
    today = local_today()
    allowed = ladder.steps_allowed(case, on=today)
    has_open = Violation.objects.filter(
        case=case, status__in=(ViolationStatus.CONFIRMED, ViolationStatus.EXPLAINED)
    ).exists()
    if has_open:
        links.append(
            CaseActionLink(
                key="warning", order=41, label=_("Issue a warning"), url=reverse("enforcement:warning", kwargs=kw)
            )
        )
        if allowed[Step.WRITTEN_WARNING]:
            links.append(
                CaseActionLink(
                    key="written_warning",
                    order=42,
                    label=_("Issue a written warning"),
                    url=reverse("enforcement:written_warning", kwargs=kw),
                )
            )
    if allowed[Step.SUBMISSION]:
        due = ladder.submission_due(case, today).due
        if due:
            links.append(
                CaseActionLink(
                    key="submission",
                    order=43,
                    label=_("Prepare a submission to court"),
                    url=reverse("enforcement:submission", kwargs=kw),
                    primary=True,
                )
            )
    if allowed[Step.COURT_OUTCOME]:
        links.append(
            CaseActionLink(
                key="court_outcome",
                order=44,
                label=_("Record the court's outcome"),
                url=reverse("enforcement:court_outcome", kwargs=kw),
                primary=True,
            )
        )
    if may(user, CaseAction.TRANSITION, case):
        if can_move(case.status, CaseStatus.WANTED):
            links.append(
                CaseActionLink(
                    key="wanted", order=45, label=_("Declare wanted"), url=reverse("enforcement:wanted", kwargs=kw)
                )
            )
        if case.status == CaseStatus.WANTED:
            links.append(
                CaseActionLink(
                    key="found",
                    order=45,
                    label=_("Person found: resume control"),
                    url=reverse("enforcement:found", kwargs=kw),
                    primary=True,
                )
            )
    return links


# --- Work queue -------------------------------------------------------------------------------------


def violations_source(scope: WorkScope) -> WorkBatch:
    """Violations awaiting a response (candidates to confirm or dismiss, confirmed ones still to be
    answered), due a rulebook number of days after they occurred. Two queries."""
    days = int(rule(LADDER, on=scope.today)["respond_within_days"])
    cutoff = scope.today - dt.timedelta(days=days)
    qs = Violation.objects.filter(case__in=scope.cases.values("pk"), status__in=AWAITING)
    totals = qs.aggregate(count=Count("pk"), overdue=Count("pk", filter=Q(occurred_on__lt=cutoff)))
    items = []
    for v in qs.select_related("case", "case__person", "case__officer").order_by("occurred_on", "id")[: scope.limit]:
        due = v.occurred_on + dt.timedelta(days=days)
        items.append(
            WorkItem(
                kind="violation",
                key=f"violation:{v.pk}",
                due=due,
                overdue=due < scope.today,
                case_id=v.case_id,
                case_number=v.case.number,
                person_name=v.case.person.full_name,
                title=str(v.get_kind_display()),
                url=reverse("enforcement:violation", kwargs={"pk": v.case_id, "record": v.pk}),
                action_label=_("Confirm or dismiss") if v.status == ViolationStatus.CANDIDATE else _("Respond"),
                officer_name=v.case.officer.display_name if v.case.officer else "",
                detail=str(v.get_status_display()),
            )
        )
    return WorkBatch(kind="violation", count=totals["count"], overdue=totals["overdue"], items=items)


def tasks_source(scope: WorkScope) -> WorkBatch:
    """Open case tasks due by the horizon (search measures, materials to court, …). Two queries."""
    qs = CaseTask.objects.filter(case__in=scope.cases.values("pk"), status=TaskStatus.OPEN, due_on__lte=scope.until)
    totals = qs.aggregate(count=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=scope.today)))
    items = [
        WorkItem(
            kind="task",
            key=f"task:{t.pk}",
            due=t.due_on,
            overdue=t.due_on < scope.today,
            case_id=t.case_id,
            case_number=t.case.number,
            person_name=t.case.person.full_name,
            title=t.title,
            url=reverse("enforcement:violations", kwargs={"pk": t.case_id}) + "#tasks",
            action_label=_("Open"),
            officer_name=t.assignee.display_name if t.assignee else "",
        )
        for t in qs.select_related("case", "case__person", "assignee").order_by("due_on", "id")[: scope.limit]
    ]
    return WorkBatch(kind="task", count=totals["count"], overdue=totals["overdue"], items=items)


# --- Caseload column --------------------------------------------------------------------------------


def annotate_open_violations(qs: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    counted = (
        Violation.objects.filter(case=OuterRef("pk"), status__in=AWAITING)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(open_violations=Coalesce(Subquery(counted, output_field=IntegerField()), 0))


OPEN_VIOLATIONS_COLUMN = CaseloadColumn(
    name="open_violations",
    order=40,
    label=gettext_lazy("Open violations"),
    annotate=annotate_open_violations,
    kind="count",
)


# --- Timeline ---------------------------------------------------------------------------------------


def timeline_entries(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    """Violations as they were recorded and decided, and the ladder's steps, newest first."""
    if case is not None:
        numbers = {case.pk: case.number}
    else:
        numbers = dict(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    if not numbers:
        return []
    ids = list(numbers)
    entries: list[TimelineEntry] = []
    changes = (
        ViolationStatusChange.objects.filter(violation__case_id__in=ids)
        .select_related("violation", "by")
        .order_by("-at", "-id")[:limit]
    )
    for ch in changes:
        v = ch.violation
        entries.append(
            TimelineEntry(
                at=ch.at,
                kind="violation",
                title=_("Violation: %(kind)s — %(status)s")
                % {"kind": v.get_kind_display(), "status": ch.get_to_status_display()},
                detail=ch.reason,
                by=str(ch.by) if ch.by else "",
                ref=f"violation:{ch.pk}",
                case_id=v.case_id,
                case_number=numbers[v.case_id],
                effective_on=ch.effective_on,
                url=reverse("enforcement:violation", kwargs={"pk": v.case_id, "record": v.pk}),
            )
        )
    steps = (
        EnforcementStep.objects.filter(case_id__in=ids).select_related("recorded_by").order_by("-recorded_at", "-id")
    )
    for s in steps[:limit]:
        detail = s.reason if not s.document_number else f"№ {s.document_number} · {s.reason}"
        entries.append(
            TimelineEntry(
                at=s.recorded_at,
                kind="enforcement",
                title=str(s.get_step_display())
                + (f": {s.get_requested_outcome_display()}" if s.requested_outcome and not s.result else "")
                + (f": {s.get_result_display()}" if s.result else ""),
                detail=detail,
                by=str(s.recorded_by) if s.recorded_by else "",
                ref=f"step:{s.pk}",
                case_id=s.case_id,
                case_number=numbers[s.case_id],
                effective_on=s.taken_on,
                url=reverse("enforcement:violations", kwargs={"pk": s.case_id}),
            )
        )
    return entries
