"""Reads of assessments, always for a case found through the scoped case selectors
(``assessment_case`` finds one and records the read); the level supervision follows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import office_in_jurisdiction
from openprobation.assessments.instrument import InstrumentSpec, pick
from openprobation.assessments.instruments import spec_of
from openprobation.assessments.models import (
    Assessment,
    CaseAssessmentState,
    InstrumentKind,
    LevelOverride,
    OverrideStatus,
    ReassessmentTrigger,
)
from openprobation.assessments.rules import LevelConsequence, level_consequence
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_qs_for_user


def assessment_case(*, user: Any, pk: int) -> Case:
    """The case if the user may see it, recorded as a view of its assessments (404 otherwise)."""
    return case_detail(user=user, pk=pk, part="assessments")


def case_state(case: Case) -> CaseAssessmentState | None:
    return (
        CaseAssessmentState.objects.select_related("risk__instrument", "needs__instrument", "override")
        .filter(case=case)
        .first()
    )


def supervision_level(case: Case, *, on: dt.date) -> str:
    """The supervision level (low / medium / high) the case's current level maps to, or ""
    before any risk assessment. Supervision's default reporting frequency follows it."""
    consequence = level_consequences(case, on=on)
    return consequence.supervision_level if consequence else ""


def level_consequences(case: Case, *, on: dt.date) -> LevelConsequence | None:
    state = CaseAssessmentState.objects.filter(case=case).only("level").first()
    if state is None or not state.level:
        return None
    return level_consequence(state.level, on=on)


def history(case: Case, kind: str | None = None) -> QuerySet[Assessment]:
    qs = (
        Assessment.objects.filter(case=case).select_related("instrument", "assessed_by").order_by("-assessed_on", "-id")
    )
    return qs.filter(kind=kind) if kind else qs


def assessment_of(*, user: Any, case: Case, pk: int) -> Assessment:
    """One assessment of a case the caller already holds (404 if it belongs to another)."""
    return Assessment.objects.select_related("instrument", "assessed_by").get(case=case, pk=pk)


def open_triggers(case: Case) -> list[ReassessmentTrigger]:
    return list(ReassessmentTrigger.objects.filter(case=case, resolved_by__isnull=True))


def pending_overrides(case: Case) -> list[LevelOverride]:
    return list(
        LevelOverride.objects.filter(assessment__case=case, status=OverrideStatus.PENDING).select_related(
            "requested_by", "assessment"
        )
    )


def overrides_to_countersign(*, user: Any) -> QuerySet[LevelOverride]:
    """Pending overrides the user may countersign: in their jurisdiction, asked by someone else."""
    if not has_cap(user, Cap.LEVEL_COUNTERSIGN):
        return LevelOverride.objects.none()
    return (
        LevelOverride.objects.filter(status=OverrideStatus.PENDING, assessment__case__in=case_qs_for_user(user))
        .exclude(requested_by=user)
        .select_related("assessment__case__person", "requested_by")
    )


def override_for_decision(*, user: Any, case_pk: int, pk: int) -> LevelOverride:
    """An override of the case that the user may decide (404 otherwise, whatever the reason)."""
    override = LevelOverride.objects.select_related("assessment__case__office", "assessment__case__person").get(
        pk=pk, assessment__case_id=case_pk
    )
    if not has_cap(user, Cap.LEVEL_COUNTERSIGN) or not office_in_jurisdiction(user, override.assessment.case.office):
        raise LevelOverride.DoesNotExist
    audit_record(actor=user, action="case.view", subject=override.assessment.case, details={"part": "override"})
    return override


@dataclass(frozen=True)
class Change:
    code: str
    label: str
    before: str
    after: str
    delta: float | None = None


def compare(older: Assessment, newer: Assessment) -> list[Change]:
    """What changed between two assessments of the same kind: each answer that differs (by the
    newer version's items), then each term's contribution, then the level."""
    spec: InstrumentSpec = spec_of(newer.instrument)
    changes: list[Change] = []
    for item in spec.items:
        a, b = older.answers.get(item.code), newer.answers.get(item.code)
        if a != b:
            changes.append(Change(item.code, pick(item.title), _shown(item, a), _shown(item, b)))
    old_terms = {c["term"]: c["value"] for c in older.result.get("contributions", [])}
    for c in newer.result.get("contributions", []):
        before = old_terms.get(c["term"])
        if before is None or abs(before - c["value"]) > 1e-9:
            changes.append(
                Change(
                    "term:" + c["term"],
                    pick(c["label"]),
                    _fmt(before),
                    _fmt(c["value"]),
                    None if before is None else c["value"] - before,
                )
            )
    if older.level != newer.level:
        old_band = spec_of(older.instrument).level(older.level)
        new_band = spec.level(newer.level)
        changes.append(
            Change(
                "level",
                "",
                pick(old_band.label) if old_band else older.level,
                pick(new_band.label) if new_band else newer.level,
            )
        )
    return changes


def _shown(item: Any, value: Any) -> str:
    if value is None:
        return "—"
    if item.type == "choice":
        option = item.option(str(value))
        return pick(option.label) if option else str(value)
    return str(value)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:+.3f}"


def instrument_kinds() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in InstrumentKind]
