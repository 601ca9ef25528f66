"""Fitting a logistic instrument's coefficients to the service's own records.

Each term becomes columns of a design matrix (a choice: one column per option but the first, its
reference; bands: one per band but the first; a cross table: one per cell but the first; a log
rate or a linear term: one column), a regularised logistic regression is fitted with k-fold
cross-validation, and the coefficients are written back into the same terms. The new version keeps
the instrument's structure, so its scores stay explainable term by term.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from openprobation.assessments.instrument import InstrumentSpec, Term
from openprobation.assessments.scoring import _choice_codes, prepared_columns, score_batch
from openprobation.core.exceptions import DomainError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
MIN_ROWS = 50


class CalibrationError(DomainError):
    pass


@dataclass(frozen=True)
class Calibration:
    spec: InstrumentSpec  # the fitted version (same structure, new coefficients)
    rows: int
    positives: int
    folds: int
    c: float  # the chosen inverse regularisation strength
    cv_auc: float  # cross-validated ROC-AUC of the refitted model (out-of-fold predictions)
    current_auc: float  # the current version's ROC-AUC on the same rows
    unusable: int  # rows left out because they could not be scored (reasons reported by the reader)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "positives": self.positives,
            "folds": self.folds,
            "C": self.c,
            "cv_auc": round(self.cv_auc, 6),
            "current_auc": round(self.current_auc, 6),
            "unusable": self.unusable,
        }


def _term_columns(term: Term, spec: InstrumentSpec, cols: dict[str, np.ndarray[Any, Any]]) -> list[FloatArray]:
    if term.kind == "lookup":
        codes = _choice_codes(cols[term.item], spec.item(term.item).option_codes)
        return [(codes == i).astype(np.float64) for i in range(1, len(spec.item(term.item).option_codes))]
    if term.kind == "bands":
        idx = np.searchsorted([s for s, _c in term.bands], cols[term.item], side="right") - 1
        return [(idx == i).astype(np.float64) for i in range(1, len(term.bands))]
    if term.kind == "cross":
        options = spec.item(term.item).option_codes
        codes = _choice_codes(cols[term.item], options)
        out = []
        for oi, option in enumerate(options):
            bands = term.table[option]
            idx = np.searchsorted([s for s, _c in bands], cols[term.by], side="right") - 1
            for bi in range(len(bands)):
                if oi == 0 and bi == 0:
                    continue
                out.append(((codes == oi) & (idx == bi)).astype(np.float64))
        return out
    if term.kind == "log_rate":
        n_ = cols[term.numerator[0]] + term.numerator[1]
        d_ = cols[term.denominator[0]] + term.denominator[1]
        return [np.log(n_ / d_)]
    if term.kind == "linear":
        return [np.asarray(cols[term.item], dtype=np.float64)]
    raise CalibrationError(_("Only a logistic instrument can be calibrated."))


def design_matrix(
    spec: InstrumentSpec, columns: dict[str, np.ndarray[Any, Any]]
) -> tuple[FloatArray, np.ndarray[Any, np.dtype[np.bool_]]]:
    """The design matrix of the usable rows and which rows were usable."""
    batch = score_batch(spec, columns)
    cols, _reasons = prepared_columns(spec, columns)
    usable = batch.usable
    kept = {k: v[usable] for k, v in cols.items()}
    parts: list[FloatArray] = []
    for term in spec.terms:
        parts.extend(_term_columns(term, spec, kept))
    return np.column_stack(parts) if parts else np.zeros((int(usable.sum()), 0)), usable


def _with_coefficients(spec: InstrumentSpec, intercept: float, coefs: FloatArray) -> InstrumentSpec:
    i = 0
    terms = []
    for term in spec.terms:
        if term.kind == "lookup":
            options = spec.item(term.item).option_codes
            values = {options[0]: 0.0}
            for option in options[1:]:
                values[option] = float(coefs[i])
                i += 1
            terms.append(replace(term, values=values))
        elif term.kind == "bands":
            bands = [(term.bands[0][0], 0.0)]
            for start, _c in term.bands[1:]:
                bands.append((start, float(coefs[i])))
                i += 1
            terms.append(replace(term, bands=tuple(bands)))
        elif term.kind == "cross":
            table = {}
            for oi, option in enumerate(spec.item(term.item).option_codes):
                bands = []
                for bi, (start, _c) in enumerate(term.table[option]):
                    if oi == 0 and bi == 0:
                        bands.append((start, 0.0))
                    else:
                        bands.append((start, float(coefs[i])))
                        i += 1
                table[option] = tuple(bands)
            terms.append(replace(term, table=table))
        else:
            terms.append(replace(term, coefficient=float(coefs[i])))
            i += 1
    return spec.with_coefficients(intercept, tuple(terms))


def calibrate(
    spec: InstrumentSpec,
    columns: dict[str, np.ndarray[Any, Any]],
    outcome: np.ndarray[Any, Any],
    *,
    folds: int = 5,
    seed: int = 0,
    c_grid: tuple[float, ...] = C_GRID,
) -> Calibration:
    """Fit ``spec``'s coefficients to the rows (outcome 1 = reoffended within the horizon), choosing
    the L2 strength by cross-validated ROC-AUC; report that AUC beside the current version's."""
    if spec.combine != "logistic":
        raise CalibrationError(_("Only a logistic instrument can be calibrated."))
    y_all = np.asarray(outcome, dtype=np.float64)
    usable = score_batch(spec, columns).usable & ~np.isnan(y_all)
    x, _all_usable = design_matrix(spec, {k: v[usable] for k, v in columns.items()})
    y = y_all[usable].astype(int)
    positives = int(y.sum())
    if len(y) < MIN_ROWS or positives < folds or len(y) - positives < folds:
        raise CalibrationError(
            _(
                "Too few usable rows to calibrate: %(rows)s rows, %(pos)s with the outcome. At least %(min)s rows and %(folds)s of each outcome are needed."
            )
            % {"rows": len(y), "pos": positives, "min": MIN_ROWS, "folds": folds}
        )
    current = score_batch(spec, {k: v[usable] for k, v in columns.items()}).score
    current_auc = float(roc_auc_score(y, current))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    best: tuple[float, float, FloatArray] | None = None
    for c in c_grid:
        oof = np.zeros(len(y))
        for train, test in splitter.split(x, y):
            model = LogisticRegression(C=c, max_iter=2000)
            model.fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        auc = float(roc_auc_score(y, oof))
        if best is None or auc > best[1] + 1e-9:
            best = (c, auc, oof)
    assert best is not None  # noqa: S101 - the grid is never empty
    c, cv_auc, _oof = best
    final = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    fitted = _with_coefficients(spec, float(final.intercept_[0]), final.coef_[0])
    return Calibration(
        spec=fitted,
        rows=len(y),
        positives=positives,
        folds=folds,
        c=c,
        cv_auc=cv_auc,
        current_auc=current_auc,
        unusable=int((~usable).sum()),
    )
