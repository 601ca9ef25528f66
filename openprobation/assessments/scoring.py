"""Scoring: one pure, vectorised function turns answers into scores, levels and a breakdown.

``score_batch`` takes one array per item (numbers as float64 with NaN where missing, choices as
text with "" where missing) and scores every row at once, with no Python loop per row: the case
page's single assessment and ``assess-batch`` over a million historical records call the same
function, so they cannot disagree. ``score_answers`` is that function on one row, returning the
breakdown an officer, the person and the court can read: which term gave how much.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from openprobation.assessments.instrument import InstrumentSpec, Item, Term, pick
from openprobation.core.exceptions import DomainError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


class AnswersInvalid(DomainError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()), code="invalid_answers")
        self.errors = errors


@dataclass(frozen=True)
class BatchScores:
    contributions: dict[str, FloatArray]  # per term; NaN where the row is unusable
    linear: FloatArray  # intercept + the terms' sum
    score: FloatArray  # the probability (logistic) or the points (sum)
    level: np.ndarray[Any, np.dtype[np.int64]]  # index into spec.levels; -1 where unusable
    usable: np.ndarray[Any, np.dtype[np.bool_]]
    reason_codes: np.ndarray[Any, np.dtype[np.int16]]  # 0, or 1 + index into reason_messages
    reason_messages: tuple[str, ...]
    domains: dict[str, FloatArray]  # need domain -> sum of its items' points

    def reason(self, row: int) -> str:
        """Why a row could not be scored ("" when it was)."""
        code = int(self.reason_codes[row])
        return self.reason_messages[code - 1] if code else ""

    def reasons(self) -> np.ndarray[Any, np.dtype[np.object_]]:
        """The reason of every row as text ("" where scored)."""
        return np.array(("", *self.reason_messages), dtype=object)[self.reason_codes]


class _Reasons:
    """The first reason each row cannot be scored, kept as a small code per row."""

    def __init__(self, n: int) -> None:
        self.codes = np.zeros(n, dtype=np.int16)
        self.messages: list[str] = []

    def note(self, mask: np.ndarray[Any, Any], message: str) -> None:
        fresh = mask & (self.codes == 0)
        if fresh.any():
            if message not in self.messages:
                self.messages.append(message)
            self.codes[fresh] = self.messages.index(message) + 1

    @property
    def ok(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        return self.codes == 0


def _encoded(
    values: np.ndarray[Any, Any], options: tuple[str, ...]
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.bool_]]]:
    """Option indexes of a text column and which of its cells are empty."""
    if values.dtype.kind in "iu":
        codes = values.astype(np.int64, copy=False)
        return codes, codes < 0
    codes_u, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    position = {code: i for i, code in enumerate(options)}
    table = np.array([position.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)
    blank = np.array([str(u).strip() == "" for u in uniques] + [True], dtype=bool)
    return table[codes_u], blank[codes_u]


def _choice_codes(values: np.ndarray[Any, Any], options: tuple[str, ...]) -> np.ndarray[Any, np.dtype[np.int64]]:
    return _encoded(values, options)[0]


def _lookup(codes: np.ndarray[Any, Any], table: list[float]) -> FloatArray:
    extended = np.append(np.asarray(table, dtype=np.float64), np.nan)  # code -1 -> NaN
    return extended[codes]


def _banded(x: FloatArray, bands: tuple[tuple[float, float], ...]) -> FloatArray:
    starts = np.array([s for s, _c in bands], dtype=np.float64)
    coefs = np.append(np.array([c for _s, c in bands], dtype=np.float64), np.nan)
    idx = np.searchsorted(starts, x, side="right") - 1  # -1 below the first band -> NaN
    idx = np.where(np.isnan(x), -1, idx)
    return coefs[idx]


def term_values(term: Term, spec: InstrumentSpec, cols: Mapping[str, np.ndarray[Any, Any]]) -> FloatArray:
    """One term's contribution for every row (NaN where it cannot be computed)."""
    if term.kind in ("lookup", "points"):
        item = spec.item(term.item)
        codes = _choice_codes(cols[term.item], item.option_codes)
        if term.kind == "points":
            return _lookup(codes, [o.points for o in item.options])
        return _lookup(codes, [term.values[o] for o in item.option_codes])
    if term.kind == "bands":
        return _banded(cols[term.item], term.bands)
    if term.kind == "cross":
        item = spec.item(term.item)
        codes = _choice_codes(cols[term.item], item.option_codes)
        out = np.full(len(codes), np.nan)
        x = cols[term.by]
        for i, option in enumerate(item.option_codes):
            rows = codes == i
            if rows.any():
                out[rows] = _banded(x[rows], term.table[option])
        return out
    if term.kind == "log_rate":
        n = cols[term.numerator[0]] + term.numerator[1]
        d = cols[term.denominator[0]] + term.denominator[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = n / d
            value = np.where((n > 0) & (d > 0), np.log(np.where(ratio > 0, ratio, 1.0)), np.nan)
        return np.asarray(term.coefficient * value, dtype=np.float64)
    if term.kind == "linear":
        return np.asarray(term.coefficient * cols[term.item], dtype=np.float64)
    raise ValueError(term.kind)


def prepared_columns(
    spec: InstrumentSpec, columns: Mapping[str, np.ndarray[Any, Any]]
) -> tuple[dict[str, np.ndarray[Any, Any]], _Reasons]:
    """The items checked against the instrument (range, whole numbers, known options) with the
    derived items added; values that fail become missing, and the first reason per row is kept.
    Choice items come back encoded as option indexes (-1 missing)."""
    n = len(next(iter(columns.values()))) if columns else 0
    reasons = _Reasons(n)
    note = reasons.note

    cols: dict[str, np.ndarray[Any, Any]] = {}
    for item in spec.items:
        if item.type == "text" or not item.scored:
            if item.code in columns:
                cols[item.code] = columns[item.code]
            continue
        if item.code not in columns:
            note(np.ones(n, dtype=bool), _("no answer for “%(item)s”") % {"item": item.code})
            cols[item.code] = np.full(n, np.nan) if item.type == "number" else np.full(n, -1, dtype=np.int64)
            continue
        raw = columns[item.code]
        if item.type == "number":
            x = np.array(raw, dtype=np.float64, copy=True)
            note(np.isnan(x), _("no answer for “%(item)s”") % {"item": item.code})
            bad = ~np.isnan(x) & ((x < (item.minimum or 0.0)) | (x > (item.maximum or 0.0)))
            note(
                bad,
                _("“%(item)s” is outside %(min)s–%(max)s")
                % {"item": item.code, "min": _num(item.minimum), "max": _num(item.maximum)},
            )
            if item.integer:
                frac = ~np.isnan(x) & (np.floor(x) != x)
                note(frac, _("“%(item)s” must be a whole number") % {"item": item.code})
                bad |= frac
            x[bad] = np.nan
            cols[item.code] = x
        else:
            codes, empty = _encoded(raw, item.option_codes)
            note(empty, _("no answer for “%(item)s”") % {"item": item.code})
            note(
                (codes < 0) & ~empty,
                _("“%(item)s” is not one of %(options)s")
                % {"item": item.code, "options": ", ".join(item.option_codes)},
            )
            cols[item.code] = codes
    for derived in spec.derived:
        a, b = derived.difference
        diff = cols[a] - cols[b]
        note(diff < 0, _("“%(a)s” is less than “%(b)s”") % {"a": a, "b": b})
        cols[derived.code] = np.where(diff < 0, np.nan, diff)
    return cols, reasons


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def score_batch(spec: InstrumentSpec, columns: Mapping[str, np.ndarray[Any, Any]]) -> BatchScores:
    """Score every row: the terms' contributions, the sum, the probability or points, the level."""
    cols, reasons = prepared_columns(spec, columns)
    n = len(reasons.codes)
    contributions = {term.code: term_values(term, spec, cols) for term in spec.terms}
    linear = np.full(n, spec.intercept, dtype=np.float64)
    for term in spec.terms:
        values = contributions[term.code]
        if spec.combine == "logistic":
            reasons.note(np.isnan(values), _("“%(term)s” cannot be computed from these answers") % {"term": term.code})
        linear = linear + values
    score = 1.0 / (1.0 + np.exp(-linear)) if spec.combine == "logistic" else linear
    usable = ~np.isnan(score) & reasons.ok
    starts = np.array([b.start for b in spec.levels], dtype=np.float64)
    level = np.searchsorted(starts, np.where(usable, score, -np.inf), side="right") - 1
    level = np.where(usable, level, -1).astype(np.int64)
    domains: dict[str, FloatArray] = {}
    for domain in spec.domains:
        total = np.zeros(n, dtype=np.float64)
        for item in spec.items:
            if item.domain == domain.code and item.type == "choice":
                codes = _choice_codes(cols[item.code], item.option_codes)
                total = total + _lookup(codes, [o.points for o in item.options])
        domains[domain.code] = total
    contributions = {code: np.where(usable, values, np.nan) for code, values in contributions.items()}
    return BatchScores(
        contributions=contributions,
        linear=np.where(usable, linear, np.nan),
        score=np.where(usable, score, np.nan),
        level=level,
        usable=usable,
        reason_codes=reasons.codes,
        reason_messages=tuple(reasons.messages),
        domains=domains,
    )


# --- One assessment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    term: str
    label: dict[str, str]
    answer: str  # the answers the term read, as shown
    value: float


@dataclass(frozen=True)
class DomainRating:
    domain: str
    label: dict[str, str]
    points: float
    band: str
    band_label: dict[str, str]


@dataclass(frozen=True)
class ScoreResult:
    score: float
    probability: float | None
    level: str
    level_label: dict[str, str]
    contributions: tuple[Contribution, ...]
    domains: tuple[DomainRating, ...]

    def top_reasons(self, n: int = 3) -> list[Contribution]:
        """The terms that raised the score most (positive contributions, largest first)."""
        ranked = sorted((c for c in self.contributions if c.value > 0), key=lambda c: -c.value)
        return ranked[:n]

    def priority_needs(self, n: int = 3) -> list[DomainRating]:
        """The highest-rated need domains (rated above zero), highest first."""
        return sorted((d for d in self.domains if d.points > 0), key=lambda d: -d.points)[:n]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "probability": self.probability,
            "level": self.level,
            "contributions": [
                {"term": c.term, "label": c.label, "answer": c.answer, "value": c.value} for c in self.contributions
            ],
            "domains": [
                {"domain": d.domain, "label": d.label, "points": d.points, "band": d.band, "band_label": d.band_label}
                for d in self.domains
            ],
        }


def clean_answers(spec: InstrumentSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the instrument takes them (numbers as numbers, option codes, texts), or
    ``AnswersInvalid`` naming each bad item. Unknown keys are refused, not ignored."""
    errors: dict[str, str] = {}
    unknown = sorted(set(answers) - set(spec.item_codes))
    for key in unknown:
        errors[str(key)[:64]] = _("not an item of this instrument")
    out: dict[str, Any] = {}
    for item in spec.items:
        value = answers.get(item.code)
        if value is None or (isinstance(value, str) and not value.strip()):
            if item.required:
                errors[item.code] = _("This answer is required.")
            continue
        problem = _item_problem(item, value)
        if problem:
            errors[item.code] = problem
            continue
        if item.type == "number":
            number = float(value)
            out[item.code] = int(number) if item.integer else number
        else:
            out[item.code] = str(value).strip()
    if errors:
        raise AnswersInvalid(errors)
    return out


def _item_problem(item: Item, value: Any) -> str:
    if item.type == "number":
        if isinstance(value, bool):
            return _("Enter a number.")
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            return _("Enter a number.")
        if not math.isfinite(number):
            return _("Enter a number.")
        if item.integer and not number.is_integer():
            return _("Enter a whole number.")
        if (item.minimum is not None and number < item.minimum) or (item.maximum is not None and number > item.maximum):
            return _("Enter a number from %(min)s to %(max)s.") % {"min": _num(item.minimum), "max": _num(item.maximum)}
        return ""
    if item.type == "choice":
        return "" if str(value).strip() in item.option_codes else _("Choose one of the options.")
    if len(str(value)) > 2000:
        return _("Keep this note under 2,000 characters.")
    return ""


def term_answer(spec: InstrumentSpec, term: Term, answers: Mapping[str, Any]) -> str:
    """The answers a term read, as the reader sees them (option labels in the active language)."""
    shown = []
    for code in term.items:
        if code in spec.item_codes:
            item = spec.item(code)
            value = answers.get(code)
            option = item.option(str(value)) if item.type == "choice" else None
            shown.append(pick(option.label) if option else _num(float(value)) if value is not None else "")
        else:
            derived = next(d for d in spec.derived if d.code == code)
            a, b = derived.difference
            if answers.get(a) is not None and answers.get(b) is not None:
                shown.append(_num(float(answers[a]) - float(answers[b])))
    return " · ".join(shown)


def score_answers(spec: InstrumentSpec, answers: Mapping[str, Any]) -> ScoreResult:
    """Score one assessment (answers already cleaned) with ``score_batch`` on a single row."""
    columns: dict[str, np.ndarray[Any, Any]] = {}
    for item in spec.items:
        value = answers.get(item.code)
        if item.type == "number":
            columns[item.code] = np.array([np.nan if value is None else float(value)])
        else:
            columns[item.code] = np.array(["" if value is None else str(value)], dtype=object)
    batch = score_batch(spec, columns)
    if not batch.usable[0]:
        raise AnswersInvalid({"__all__": batch.reason(0)})
    contributions = [
        Contribution(term.code, term.label, term_answer(spec, term, answers), float(batch.contributions[term.code][0]))
        for term in spec.terms
    ]
    domains = []
    for domain in spec.domains:
        points = float(batch.domains[domain.code][0])
        starts = [b.start for b in spec.domain_bands]
        idx = max(0, int(np.searchsorted(starts, points, side="right")) - 1)
        band = spec.domain_bands[idx]
        domains.append(DomainRating(domain.code, domain.label, points, band.code, band.label))
    level = spec.levels[int(batch.level[0])]
    score = float(batch.score[0])
    return ScoreResult(
        score=score,
        probability=score if spec.combine == "logistic" else None,
        level=level.code,
        level_label=level.label,
        contributions=tuple(contributions),
        domains=tuple(domains),
    )
