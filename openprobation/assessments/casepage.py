"""What assessments add to the case page (the level and its reasons, due dates, a section and
actions), the caseload (a level column) and the work queue (reassessments due, overrides to
countersign); registered from ``AssessmentsConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as SqlCase
from django.db.models import Count, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import CaseAction, may
from openprobation.assessments import selectors
from openprobation.assessments.instrument import pick
from openprobation.assessments.instruments import spec_of
from openprobation.assessments.models import (
    Assessment,
    CaseAssessmentState,
    DueReason,
    InstrumentKind,
    LevelOverride,
    OverrideStatus,
)
from openprobation.assessments.rules import RISK_LEVELS
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.selectors import case_qs_for_user
from openprobation.core.caseload import CaseloadColumn, register_caseload_column
from openprobation.core.casepage import (
    CaseActionLink,
    CaseFact,
    CaseSection,
    register_case_actions,
    register_case_facts,
    register_case_section,
)
from openprobation.core.timeline import TimelineEntry, register_timeline_provider
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope, register_work_source

# A reassessment enters the work queue this many days before it falls due.
DUE_AHEAD_DAYS = 14


def level_label(code: str) -> str:
    labels = {"low": _("Low"), "medium": _("Medium"), "high": _("High"), "very_high": _("Very high")}
    return labels.get(code, code)


def due_text(state: CaseAssessmentState) -> str:
    if state.due_reason == DueReason.INITIAL:
        return _("First assessment")
    if state.due_reason == DueReason.EVENT:
        return _("Reassess: an event since the last assessment")
    return _("Scheduled reassessment")


def assessment_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    state = selectors.case_state(case)
    url = reverse("assessments:case", args=[case.pk])
    facts: list[CaseFact] = []
    if state is not None and state.risk is not None:
        reasons = [c for c in state.risk.result.get("contributions", []) if c["value"] > 0]
        reasons.sort(key=lambda c: -c["value"])
        top = ", ".join(pick(c["label"]) for c in reasons[:3])
        value = level_label(state.level)
        if state.override_id:
            value += " " + _("(overridden)")
        consequence = selectors.level_consequences(case, on=today)
        facts.append(
            CaseFact(
                key="supervision_level",
                order=5,
                label=_("Supervision level"),
                value=value + (f" — {top}" if top else ""),
                tone="danger" if state.level in ("high", "very_high") else "",
                url=url,
                data={
                    "level": state.level,
                    "assessed_level": state.assessed_level,
                    "overridden": bool(state.override_id),
                    "top_reasons": [c["term"] for c in reasons[:3]],
                    "em_proposed": bool(consequence and consequence.em_proposed),
                },
            )
        )
    if case.status not in TERMINAL and (
        state is None or (state.due_on and state.due_on <= today + dt.timedelta(days=DUE_AHEAD_DAYS))
    ):
        due_on = state.due_on if state is not None else None
        facts.append(
            CaseFact(
                key="assessment_due",
                order=6,
                label=_("Assessment due"),
                value=(due_text(state) + (f" · {due_on.strftime('%d.%m.%Y')}" if due_on else ""))
                if state
                else _("First assessment"),
                tone="danger" if due_on is None or due_on <= today else "warning",
                url=url,
                data=due_on.isoformat() if due_on else None,
            )
        )
    if state is not None and state.needs is not None:
        needs = sorted(
            (d for d in state.needs.result.get("domains", []) if d["points"] > 0), key=lambda d: -d["points"]
        )
        if needs:
            facts.append(
                CaseFact(
                    key="priority_needs",
                    order=7,
                    label=_("Highest needs"),
                    value=", ".join(pick(d["label"]) for d in needs[:3]),
                    url=url + "#needs",
                    data=[d["domain"] for d in needs[:3]],
                )
            )
    return facts


def assessment_section(*, user: Any, case: Any, today: dt.date) -> CaseSection | None:
    state = selectors.case_state(case)
    risk = state.risk if state else None
    needs = state.needs if state else None
    return CaseSection(
        key="assessments",
        order=30,
        template="assessments/_case_section.html",
        context={
            "case": case,
            "state": state,
            "risk": risk,
            "risk_spec": spec_of(risk.instrument) if risk else None,
            "needs": needs,
            "level_label": level_label(state.level) if state and state.level else "",
            "pending": selectors.pending_overrides(case),
            "triggers": selectors.open_triggers(case),
            "may_change": may(user, CaseAction.EDIT, case) and case.status not in TERMINAL,
            "in_case_page": True,
        },
    )


def assessment_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if not may(user, CaseAction.EDIT, case) or case.status in TERMINAL:
        return []
    state = CaseAssessmentState.objects.filter(case=case).only("due_on", "risk_id").first()
    due = state is None or state.due_on is None or state.due_on <= local_today() + dt.timedelta(days=DUE_AHEAD_DAYS)
    return [
        CaseActionLink(
            "assess_risk",
            30,
            _("Assess risk"),
            reverse("assessments:new_risk", args=[case.pk]),
            primary=due,
        ),
        CaseActionLink("assess_needs", 31, _("Assess needs"), reverse("assessments:new_needs", args=[case.pk])),
    ]


def _annotate_level(qs: Any, today: dt.date) -> Any:
    """The case's level as a translated word (the code stays available as ``supervision_level_code``)."""
    level = Subquery(CaseAssessmentState.objects.filter(case=OuterRef("pk")).values("level")[:1])
    return qs.annotate(supervision_level_code=level).annotate(
        supervision_level=SqlCase(
            *[When(supervision_level_code=code, then=Value(level_label(code))) for code in RISK_LEVELS],
            default=Value(""),
        )
    )


def reassessments_work(scope: WorkScope) -> WorkBatch:
    """Open cases in scope whose assessment is due within two weeks (or overdue): one count and
    one limited, ordered select."""
    until = max(scope.until, scope.today + dt.timedelta(days=DUE_AHEAD_DAYS))
    rows = CaseAssessmentState.objects.filter(case__in=scope.cases.values("pk"), due_on__lte=until)
    counts = rows.aggregate(count=Count("case_id"), overdue=Count("case_id", filter=Q(due_on__lt=scope.today)))
    found = (
        rows.select_related("case", "case__person", "case__officer")
        .only(
            "case_id",
            "due_on",
            "due_reason",
            "case__id",
            "case__number",
            "case__person__surname",
            "case__person__first_name",
            "case__person__patronymic",
            "case__officer__username",
            "case__officer__first_name",
            "case__officer__last_name",
        )
        .order_by("due_on", "case_id")[: scope.limit]
    )
    items = []
    for state in found:
        case = state.case
        due_on = state.due_on or scope.today
        items.append(
            WorkItem(
                kind="assessment",
                key=f"assessment:{case.pk}",
                due=due_on,
                overdue=due_on < scope.today,
                case_id=case.pk,
                case_number=case.number,
                person_name=case.person.full_name,
                title=due_text(state),
                url=reverse("assessments:new_risk", args=[case.pk]),
                action_label=_("Assess"),
                officer_name=case.officer.display_name if case.officer else "",
            )
        )
    return WorkBatch(kind="assessment", count=counts["count"] or 0, overdue=counts["overdue"] or 0, items=items)


def countersign_work(scope: WorkScope) -> WorkBatch:
    """Level overrides awaiting the user's countersignature, in scope."""
    if not has_cap(scope.user, Cap.LEVEL_COUNTERSIGN):
        return WorkBatch(kind="countersign", count=0, overdue=0, items=[])
    rows = LevelOverride.objects.filter(
        status=OverrideStatus.PENDING, assessment__case__in=scope.cases.values("pk")
    ).exclude(requested_by=scope.user)
    count = rows.count()
    items = []
    for override in rows.select_related(
        "assessment__case__person", "assessment__case__officer", "requested_by"
    ).order_by("requested_at", "id")[: scope.limit]:
        case = override.assessment.case
        asked = override.requested_at.date()
        items.append(
            WorkItem(
                kind="countersign",
                key=f"override:{override.pk}",
                due=asked,
                overdue=False,
                case_id=case.pk,
                case_number=case.number,
                person_name=case.person.full_name,
                title=_("Countersign a level override: %(from)s → %(to)s")
                % {"from": level_label(override.computed_level), "to": level_label(override.level)},
                url=reverse("assessments:override_decide", args=[case.pk, override.pk]) + "?next=today",
                action_label=_("Decide"),
                officer_name=override.requested_by.display_name,
                detail=override.reason[:120],
            )
        )
    return WorkBatch(kind="countersign", count=count, overdue=0, items=items)


def assessment_timeline_entries(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    """Each assessment (its level) and each decided override, newest first, for the case's and the
    person's story."""
    if case is not None:
        cases = {case.pk: case.number}
    else:
        cases = dict(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    if not cases:
        return []
    entries = []
    rows = (
        Assessment.objects.filter(case_id__in=list(cases))
        .select_related("assessed_by")
        .only(
            "id",
            "case_id",
            "kind",
            "level",
            "probability",
            "score",
            "assessed_on",
            "created_at",
            "reason",
            "assessed_by__username",
            "assessed_by__first_name",
            "assessed_by__last_name",
        )
        .order_by("-created_at", "-id")[:limit]
    )
    for a in rows:
        result = level_label(a.level) if a.kind == InstrumentKind.RISK else str(round(a.score))
        entries.append(
            TimelineEntry(
                at=a.created_at,
                kind="assessment",
                title=_("%(kind)s: %(result)s") % {"kind": a.get_kind_display(), "result": result},
                detail=a.get_reason_display(),
                by=a.assessed_by.get_full_name() or a.assessed_by.username,
                ref=f"assessment:{a.pk}",
                case_id=a.case_id,
                case_number=cases[a.case_id],
                effective_on=a.assessed_on,
                url=reverse("assessments:detail", args=[a.case_id, a.pk]),
            )
        )
    decided = (
        LevelOverride.objects.filter(
            assessment__case_id__in=list(cases), decided_at__isnull=False, decided_by__isnull=False
        )
        .select_related("decided_by", "assessment")
        .order_by("-decided_at", "-id")[:limit]
    )
    for o in decided:
        if o.decided_at is None or o.decided_by is None:
            continue
        entries.append(
            TimelineEntry(
                at=o.decided_at,
                kind="level_override",
                title=_("Level override %(from)s → %(to)s: %(status)s")
                % {"from": level_label(o.computed_level), "to": level_label(o.level), "status": o.get_status_display()},
                detail=o.reason,
                by=o.decided_by.get_full_name() or o.decided_by.username,
                ref=f"override:{o.pk}",
                case_id=o.assessment.case_id,
                case_number=cases[o.assessment.case_id],
                url=reverse("assessments:detail", args=[o.assessment.case_id, o.assessment_id]),
            )
        )
    return entries


def register() -> None:
    register_case_facts("assessments", assessment_facts)
    register_case_section("assessments", assessment_section)
    register_case_actions("assessments", assessment_actions)
    register_caseload_column(
        CaseloadColumn(name="supervision_level", order=5, label=gettext_lazy("Level"), annotate=_annotate_level)
    )
    register_work_source("reassessments", reassessments_work)
    register_work_source("overrides", countersign_work)
    register_timeline_provider("assessments", assessment_timeline_entries)
