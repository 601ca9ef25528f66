"""The enforcement ladder's rule keys and their typed parameters (registered when the app starts,
before the rulebook loader checks the shipped versions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from openprobation.rules.schemas import (
    SENTENCE_KINDS,
    Choice,
    Int,
    ListOf,
    Optional,
    ParamError,
    Params,
    Shape,
    register_schema,
    rule_schema,
)

LADDER = "enforcement.ladder"
WRITTEN_WARNING = "enforcement.written_warning"
EARLY_CANCELLATION = "enforcement.early_cancellation"

OUTCOMES = frozenset({"extend_control", "replace_with_imprisonment", "cancel_conditional"})


@dataclass(frozen=True)
class Share(Shape):
    """A share of a whole, strictly between 0 and 1 (0.5 = half)."""

    def check(self, value: Any, path: str) -> list[ParamError]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [ParamError(path, _("expected a number"))]
        if not 0 < value < 1:
            return [ParamError(path, _("must be more than 0 and less than 1"))]
        return []


SCHEMAS = {
    LADDER: Params(
        {
            # Established violations not yet answered by a submission that make one due.
            "submission_threshold": Int(min=1, max=20),
            # Malicious violations that make a submission due on their own.
            "malicious_threshold": Int(min=1, max=20),
            # The work queue shows a violation as due this many days after it occurred.
            "respond_within_days": Int(min=0, max=90),
            # What the service may ask the court for, per sentence kind (a kind not listed: nothing).
            "submission_outcomes": Params(
                {kind: Optional(ListOf(Choice(OUTCOMES), unique=True)) for kind in sorted(SENTENCE_KINDS)}
            ),
        }
    ),
    WRITTEN_WARNING: Params({"sentence_kinds": ListOf(Choice(SENTENCE_KINDS), min_items=1, unique=True)}),
    EARLY_CANCELLATION: Params(
        {"share_of_control": Share(), "sentence_kinds": ListOf(Choice(SENTENCE_KINDS), min_items=1, unique=True)}
    ),
}


def register() -> None:
    for key, schema in SCHEMAS.items():
        if rule_schema(key) is None:
            register_schema(key, schema)
