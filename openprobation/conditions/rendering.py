"""The full legal text of a case's duties, in the person's language or any of the three."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openprobation.conditions.models import CaseCondition
from openprobation.conditions.params import LANGUAGES, fill

FALLBACK_LANGUAGE = "ru"


def render_condition(condition: CaseCondition, language: str) -> str:
    """The duty's legal text in ``language`` (kk, ru or en; another falls back to Russian) with
    its parameters filled in: times as HH:MM, weekdays named in that language, dates dd.mm.yyyy."""
    lang = language if language in LANGUAGES else FALLBACK_LANGUAGE
    definition = condition.definition
    return fill(definition.text_in(lang), definition.params_schema or {}, condition.params or {}, lang)


def person_language(person: Any) -> str:
    """The language to give the person their duties in: the native language when it is one of
    the service's three, else the first of them the person understands, else Russian."""
    native = getattr(person, "native_language", "") or ""
    if native in LANGUAGES:
        return native
    for lang in getattr(person, "languages", None) or []:
        if lang in LANGUAGES:
            return str(lang)
    return FALLBACK_LANGUAGE


def person_duties_text(*, case: Any, on: dt.date, language: str | None = None) -> list[str]:
    """The duties in force on ``on``, each as its full text, in ``language`` (the person's own
    when not given)."""
    from openprobation.conditions.selectors import conditions_in_force  # noqa: PLC0415

    lang = language or person_language(case.person)
    return [render_condition(c, lang) for c in conditions_in_force(case=case, on=on)]
