"""The rulebook keys the assessments app introduces, and the pure rules that read them: when a
reassessment falls due and what a level means for supervision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from openprobation.rules.rulebook import rule
from openprobation.rules.schemas import SCHEMAS, Bool, Choice, Int, Obj, Params, register_schema

REASSESSMENT_INTERVAL = "assessment.reassessment_interval"
LEVEL_MAPPING = "assessment.level_mapping"
RISK_LEVELS = ("low", "medium", "high", "very_high")
SUPERVISION_LEVELS = ("low", "medium", "high")

_CONSEQUENCE = Obj({"supervision": Choice(frozenset(SUPERVISION_LEVELS)), "em_proposed": Bool()})


def register() -> None:
    """Called from ``AssessmentsConfig.ready`` (idempotent)."""
    if REASSESSMENT_INTERVAL not in SCHEMAS:
        # A risk assessment is repeated this many months after the last one.
        register_schema(REASSESSMENT_INTERVAL, Params({"months": Int(min=1, max=36)}))
    if LEVEL_MAPPING not in SCHEMAS:
        # Each assessed level: the supervision level (which sets the reporting frequency) and
        # whether electronic monitoring is proposed.
        register_schema(LEVEL_MAPPING, Params({"levels": Obj(dict.fromkeys(RISK_LEVELS, _CONSEQUENCE))}))


@dataclass(frozen=True)
class ReassessmentDue:
    due_on: dt.date
    rule_key: str
    rule_version: int


def scheduled_reassessment(*, assessed_on: dt.date) -> ReassessmentDue:
    """The day a risk assessment made on ``assessed_on`` is due to be repeated (the rule in force
    on that day; a 31st falls back to the month's last day)."""
    version = rule(REASSESSMENT_INTERVAL, on=assessed_on)
    return ReassessmentDue(assessed_on + relativedelta(months=int(version["months"])), version.key, version.version)


@dataclass(frozen=True)
class LevelConsequence:
    supervision_level: str
    em_proposed: bool
    rule_key: str
    rule_version: int


def level_consequence(level: str, *, on: dt.date) -> LevelConsequence | None:
    """What an assessed level means for supervision on a date; None for a level the table does
    not know (an instrument with its own bands), which then sets nothing."""
    version = rule(LEVEL_MAPPING, on=on)
    entry = version["levels"].get(level)
    if entry is None:
        return None
    return LevelConsequence(str(entry["supervision"]), bool(entry["em_proposed"]), version.key, version.version)
