"""What the conditions app adds to the case page: the fact "Duties in force: N", the section
listing the duties, and the action to add one. Registered in ``ConditionsConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import DecisionKind
from openprobation.conditions.params import LANGUAGES
from openprobation.conditions.rendering import person_language, render_condition
from openprobation.conditions.selectors import all_conditions, conditions_in_force
from openprobation.core.casepage import (
    CaseActionLink,
    CaseFact,
    CaseSection,
    register_case_actions,
    register_case_facts,
    register_case_section,
)

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def may_change_duties(user: Any, case: Any) -> bool:
    return case.status not in TERMINAL and may(user, CaseAction.EDIT, case)


def officer_language() -> str:
    lang = (get_language() or "ru")[:2]
    return lang if lang in LANGUAGES else "ru"


def facts(*, user: Any, case: Any, today: Any) -> list[CaseFact]:
    n = len(conditions_in_force(case=case, on=today))
    return [
        CaseFact(
            key="duties",
            order=30,
            label=_("Duties in force"),
            value=str(n),
            tone="" if n else "warning",
            url="#conditions",
            data=n,
        )
    ]


def section(*, user: Any, case: Any, today: Any) -> CaseSection:
    person_lang, own_lang = person_language(case.person), officer_language()
    in_force, ended, later = [], [], []
    conditions = all_conditions(case=case)
    linked = {c.decision_id for c in conditions} | {c.ended_by_decision_id for c in conditions}
    # A later decision that changed the duties and has no duty entered or ended from it yet.
    pending = [d for d in case.decisions.all() if d.kind == DecisionKind.DUTIES_CHANGED and d.pk not in linked]
    for condition in conditions:
        row = {
            "condition": condition,
            "name": condition.definition.name_in(own_lang),
            "text": render_condition(condition, person_lang),
            "own_text": render_condition(condition, own_lang) if own_lang != person_lang else "",
            "source": condition.definition.source_in(own_lang),
        }
        if condition.ended_on is not None and condition.ended_on <= today:
            ended.append(row)
        elif condition.in_force_from > today:
            later.append(row)
        else:
            in_force.append(row)
    return CaseSection(
        key="conditions",
        order=30,
        template="conditions/_case_section.html",
        context={
            # The case page includes the template with the context as ``section`` (or spread out).
            "conditions_section": True,
            "case": case,
            "in_force": in_force,
            "later": later,
            "ended": ended,
            "pending": pending,
            "person_language": LANGUAGE_NAMES[person_lang],
            "may_change": may_change_duties(user, case),
        },
    )


def actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if not may_change_duties(user, case):
        return []
    return [
        CaseActionLink(
            key="add_condition",
            order=30,
            label=_("Add a duty from a court decision"),
            url=reverse("conditions:add", args=[case.pk]),
        )
    ]


def register() -> None:
    register_case_facts("conditions", facts)
    register_case_section("conditions", section)
    register_case_actions("conditions", actions)
