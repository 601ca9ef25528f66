"""Calibration recovers known coefficients from generated data, and its cross-validated AUC is
what scikit-learn computes on out-of-fold predictions."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openprobation.assessments.calibration import CalibrationError, calibrate
from openprobation.assessments.instrument import parse_definition, spec_to_definition
from openprobation.assessments.scoring import score_batch

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "instruments.json"
DEFINITION = next(
    i["definition"] for i in json.loads(FIXTURE.read_text(encoding="utf-8"))["instruments"] if i["key"] == "static_risk"
)
SPEC = parse_definition(DEFINITION)


def _population(n: int, seed: int) -> dict[str, np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    first = rng.integers(14, 45, n)
    return {
        "age": (first + rng.integers(0, 30, n)).astype(float),
        "sex": rng.choice(["M", "F"], n, p=[0.8, 0.2]).astype(object),
        "age_first_conviction": first.astype(float),
        "previous_convictions": rng.poisson(1.5, n).astype(float),
        "juvenile_record": rng.choice(["no", "yes"], n).astype(object),
        "offence": rng.choice(list(SPEC.item("offence").option_codes), n).astype(object),
        "sentence_kind": rng.choice(list(SPEC.item("sentence_kind").option_codes), n).astype(object),
    }


def _truth() -> Any:
    """A 'true' version: the juvenile term and the conviction rate changed, references at 0."""
    terms = []
    for term in SPEC.terms:
        if term.code == "juvenile":
            terms.append(replace(term, values={"no": 0.0, "yes": 0.6}))
        elif term.code == "conviction_rate":
            terms.append(replace(term, coefficient=0.8))
        else:
            terms.append(term)
    return SPEC.with_coefficients(-0.4, tuple(terms))


def test_calibration_recovers_known_coefficients() -> None:
    truth = _truth()
    cols = _population(120_000, seed=3)
    p = score_batch(truth, cols).score
    y = (np.random.default_rng(4).random(len(p)) < p).astype(float)
    result = calibrate(SPEC, cols, y, folds=3, c_grid=(100.0,))
    fitted = {t.code: t for t in result.spec.terms}
    assert fitted["juvenile"].values["yes"] - fitted["juvenile"].values["no"] == pytest.approx(0.6, abs=0.08)
    assert fitted["conviction_rate"].coefficient == pytest.approx(0.8, abs=0.1)
    # The whole linear predictor is recovered, whatever the reference coding.
    recovered = score_batch(result.spec, cols).linear
    true_linear = score_batch(truth, cols).linear
    assert np.corrcoef(recovered, true_linear)[0, 1] > 0.97
    assert result.cv_auc > 0.5 and result.rows == 120_000
    # The fitted version is written back as a definition that parses to the same scores.
    again = parse_definition(spec_to_definition(result.spec, DEFINITION))
    assert np.allclose(score_batch(again, cols).score[:100], score_batch(result.spec, cols).score[:100], atol=1e-5)


def test_cross_validated_auc_is_sklearns_on_out_of_fold_predictions() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from openprobation.assessments.calibration import design_matrix

    cols = _population(3000, seed=5)
    y = (np.random.default_rng(6).random(3000) < score_batch(_truth(), cols).score).astype(float)
    result = calibrate(SPEC, cols, y, folds=5, seed=1, c_grid=(1.0,))
    x, _usable = design_matrix(SPEC, cols)
    oof = np.zeros(3000)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=1).split(x, y):
        oof[test] = LogisticRegression(C=1.0, max_iter=2000).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    assert result.cv_auc == pytest.approx(roc_auc_score(y, oof), abs=1e-12)
    assert result.current_auc == pytest.approx(roc_auc_score(y, score_batch(SPEC, cols).score), abs=1e-12)


def test_too_few_rows_or_a_points_instrument_are_refused() -> None:
    cols = _population(30, seed=1)
    with pytest.raises(CalibrationError):
        calibrate(SPEC, cols, np.zeros(30))
    needs = next(
        i["definition"] for i in json.loads(FIXTURE.read_text(encoding="utf-8"))["instruments"] if i["key"] == "needs"
    )
    with pytest.raises(CalibrationError):
        calibrate(parse_definition(needs), {}, np.zeros(0))
