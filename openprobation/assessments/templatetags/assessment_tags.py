from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from openprobation.assessments.casepage import level_label
from openprobation.assessments.instrument import pick as pick_text
from openprobation.assessments.instruments import spec_of
from openprobation.assessments.scoring import term_answer

register = template.Library()


@register.filter
def pick(value: Any) -> str:
    """A {"en", "kk", "ru"} text in the reader's language."""
    return pick_text(value) if isinstance(value, dict | str) else ""


@register.filter
def level_word(code: str) -> str:
    return level_label(str(code or "")) if code else ""


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else _("%(p)s%%") % {"p": f"{100 * float(value):.0f}"}


@register.filter
def signed(value: float, kind: str = "") -> str:
    return f"{float(value):+.2f}" if kind != "needs" else f"{float(value):.0f}"


@register.filter
def top_reasons(assessment: Any, n: int = 3) -> list[dict[str, Any]]:
    rows = [c for c in breakdown(assessment) if c["value"] > 0]
    return sorted(rows, key=lambda c: -c["value"])[:n]


@register.filter
def needs_ranked(assessment: Any, n: int = 3) -> list[dict[str, Any]]:
    rows = [d for d in assessment.result.get("domains", []) if d["points"] > 0]
    return sorted(rows, key=lambda d: -d["points"])[:n]


@register.filter
def breakdown(assessment: Any) -> list[dict[str, Any]]:
    """The stored contributions, each answer shown again in the reader's language."""
    spec = spec_of(assessment.instrument)
    terms = {t.code: t for t in spec.terms}
    rows = []
    for c in assessment.result.get("contributions", []):
        term = terms.get(c["term"])
        answer = term_answer(spec, term, assessment.answers) if term is not None else c.get("answer", "")
        rows.append({**c, "answer": answer})
    return rows
