"""What labour asks of the apps below it whose parts of this release are built alongside it:
conditions (is the duty to work in force?) and enforcement (record a violation candidate).

They are looked up when called, by the names the apps agreed on, so this app stays importable
while they are built; tests replace these two functions.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from typing import Any

WORK_OR_STUDY = "work_or_study"
WORK_REFUSAL = "work_refusal"
EMPLOYMENT_SOURCE = "employment"


CONDITIONS = "openprobation.conditions.selectors"


def conditions_installed() -> bool:
    return importlib.util.find_spec(CONDITIONS) is not None


def case_has_condition(*, case: Any, code: str, on: dt.date) -> bool:
    """``conditions.selectors.case_has_condition``: the court ordered the duty and it is in force.
    Without the conditions catalogue no court duty is recorded, so none is in force."""
    if not conditions_installed():
        return False
    selectors = importlib.import_module(CONDITIONS)
    return bool(selectors.case_has_condition(case=case, code=code, on=on))


def violation_candidate(
    *, actor: Any, case: Any, kind: str, occurred_on: dt.date, description: str, source_ref: str
) -> Any:
    """``enforcement.services.violation_record(candidate=True)`` from the employment source;
    idempotent on (case, source, source_ref)."""
    services = importlib.import_module("openprobation.enforcement.services")
    return services.violation_record(
        actor=actor,
        case=case,
        kind=kind,
        source=EMPLOYMENT_SOURCE,
        occurred_on=occurred_on,
        description=description,
        source_ref=source_ref,
        candidate=True,
    )
