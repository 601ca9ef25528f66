"""The rulebook keys the labour app introduces (their parameters' typed shapes)."""

from __future__ import annotations

from openprobation.rules.schemas import SCHEMAS, Int, Params, register_schema

EMPLOYMENT_DEADLINE = "labour.employment_deadline"
FORCED_LABOUR_SHORTFALL = "labour.forced_labour_shortfall"


def register() -> None:
    """Called from ``LabourConfig.ready`` (idempotent: a reload finds the keys registered)."""
    if EMPLOYMENT_DEADLINE not in SCHEMAS:
        # The person must find work within this many months of the decision taking effect.
        register_schema(EMPLOYMENT_DEADLINE, Params({"months_after_effect": Int(min=1, max=24)}))
    if FORCED_LABOUR_SHORTFALL not in SCHEMAS:
        # Hours behind the year's pro-rata share tolerated before a shortfall is flagged.
        register_schema(FORCED_LABOUR_SHORTFALL, Params({"tolerance_hours": Int(min=0, max=100)}))
