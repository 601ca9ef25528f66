"""What the case file already says, offered as the answers of an instrument's items (the officer
confirms or corrects each one; the assessment keeps both the offer and the answer)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from openprobation.assessments.instrument import InstrumentSpec, Item
from openprobation.cases.models import Case, CaseType, SentenceKind

ADULT_AGE = 18
_ARTICLE = re.compile(r"\d{2,3}")

SENTENCE_OPTIONS = {
    SentenceKind.RESTRICTION_OF_LIBERTY: "restriction_of_liberty",
    SentenceKind.CONDITIONAL: "conditional",
    SentenceKind.PAROLE: "parole",
}


def full_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _conviction_date(case: Case) -> dt.date | None:
    if case.case_type == CaseType.PRE_TRIAL:
        return None  # not a conviction
    return case.decision_date or case.effective_date or case.received_on


def case_facts(case: Case, *, on: dt.date) -> dict[str, Any]:
    """Every fact the instruments know how to fill, from the person and their cases in the file."""
    person = case.person
    facts: dict[str, Any] = {}
    if person.birth_date:
        facts["age_at_assessment"] = full_years(person.birth_date, on)
    if person.sex:
        facts["sex"] = person.sex
    current = _conviction_date(case)
    earlier = []
    for other in (
        Case.objects.filter(person_id=person.pk)
        .exclude(pk=case.pk)
        .only("case_type", "decision_date", "effective_date", "received_on", "offence_date")
    ):
        when = _conviction_date(other)
        if when is not None and (current is None or when < current):
            earlier.append((when, other))
    facts["previous_convictions"] = len(earlier)
    first = min([w for w, _c in earlier] + ([current] if current else []), default=None)
    if first is not None and person.birth_date:
        facts["age_first_conviction"] = full_years(person.birth_date, first)
    if person.birth_date:
        juvenile = any(full_years(person.birth_date, c.offence_date or w) < ADULT_AGE for w, c in earlier)
        facts["juvenile_record"] = "yes" if juvenile else "no"
    facts["articles"] = [int(a) for a in _ARTICLE.findall(case.cc_articles or "")]
    if case.case_type == CaseType.PRE_TRIAL:
        facts["sentence_kind"] = "other"
    elif case.case_type == CaseType.POST_PENITENTIARY or case.sentence_kind == SentenceKind.IMPRISONMENT:
        facts["sentence_kind"] = "custody_release"
    else:
        facts["sentence_kind"] = (
            SENTENCE_OPTIONS.get(SentenceKind(case.sentence_kind), "other") if case.sentence_kind else "other"
        )
    return facts


def _item_value(item: Item, facts: dict[str, Any]) -> Any:
    if item.prefill == "offence_category":
        for article in facts.get("articles", []):
            for first, last, option in item.article_map:
                if first <= article <= last:
                    return option
        return "other" if "other" in item.option_codes and facts.get("articles") else None
    value = facts.get(item.prefill)
    if item.type == "choice" and value is not None and str(value) not in item.option_codes:
        return None
    out_of_range = value is not None and (
        (item.minimum is not None and value < item.minimum) or (item.maximum is not None and value > item.maximum)
    )
    if item.type == "number" and out_of_range:
        return None
    return value


def prefill(spec: InstrumentSpec, case: Case, *, on: dt.date) -> dict[str, Any]:
    """The answers the case file offers for ``spec``'s items (only the items it can fill)."""
    facts = case_facts(case, on=on)
    out = {}
    for item in spec.items:
        if item.prefill:
            value = _item_value(item, facts)
            if value is not None:
                out[item.code] = value
    return out
