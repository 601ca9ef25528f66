"""Validation of a risk instrument: every figure equals scikit-learn's on the same rows (several seeds,
ties, unbalanced outcomes, per group), DeLong's fast variance equals the direct one, and the report
(text, JSON, HTML with inline SVG) carries the figures without inline styles or scripts."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest
from django.utils import translation
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, confusion_matrix, roc_auc_score, roc_curve

from openprobation.assessments import reporting
from openprobation.assessments.validation import (
    Exclusion,
    Note,
    ValidationResult,
    brier,
    calibration_deciles,
    confusion_at,
    delong_ci,
    delong_components,
    roc_auc,
    roc_points,
    thin_curve,
    validate,
)

SEEDS = [0, 1, 2, 3, 4]


def _data(seed: int, kind: str, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes and probabilities of several shapes: smooth, heavily tied, unbalanced, tiny."""
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 5, n)
    if kind == "ties":
        p = np.round(p, 1)  # a handful of distinct values: tied quantile edges, empty bins
    elif kind == "unbalanced":
        p = p / 8  # about 3% reoffend
    elif kind == "small":
        p = np.round(p[:40], 2)
    y = (rng.random(p.size) < p).astype(int)
    if y.sum() == 0:
        y[0] = 1
    if y.sum() == y.size:
        y[0] = 0
    return y, p


KINDS = ["smooth", "ties", "unbalanced", "small"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_auc_brier_and_roc_equal_sklearn(seed: int, kind: str) -> None:
    y, p = _data(seed, kind)
    assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    fpr, tpr, thresholds = roc_points(y, p)
    sk_fpr, sk_tpr, sk_thresholds = roc_curve(y, p, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr, atol=1e-12)
    np.testing.assert_allclose(tpr, sk_tpr, atol=1e-12)
    np.testing.assert_array_equal(thresholds, sk_thresholds)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_calibration_deciles_equal_sklearn_quantile_bins(seed: int, kind: str) -> None:
    y, p = _data(seed, kind)
    bins = calibration_deciles(y, p, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="quantile")
    assert len(bins) == len(prob_true)
    np.testing.assert_allclose([b.observed for b in bins], prob_true, atol=1e-12)
    np.testing.assert_allclose([b.mean_predicted for b in bins], prob_pred, atol=1e-12)
    assert sum(b.n for b in bins) == y.size
    if kind == "ties":
        assert len(bins) < 10  # tied edges leave bins empty, and they are left out as by sklearn


def test_calibration_value_on_an_inner_edge_falls_in_the_lower_bin() -> None:
    # Quartile edges of 0..1 in steps of 0.125 fall exactly on data values.
    p = np.linspace(0, 1, 9)
    y = np.array([0, 0, 1, 0, 1, 0, 1, 1, 1])
    bins = calibration_deciles(y, p, n_bins=4)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=4, strategy="quantile")
    assert [b.n for b in bins] == [3, 2, 2, 2]  # 0.25 joins the first bin, 0.5 the second ...
    np.testing.assert_allclose([b.observed for b in bins], prob_true)
    np.testing.assert_allclose([b.mean_predicted for b in bins], prob_pred)
    assert bins[0].lower == 0.0 and bins[0].upper == 0.25 and bins[-1].upper == 1.0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_confusion_equals_sklearn_at_thresholds(seed: int, kind: str) -> None:
    y, p = _data(seed, kind)
    for threshold in [0.0, 0.1, 0.2, float(np.median(p)), 0.3, 0.5, 1.0]:
        c = confusion_at(y, p, threshold)
        tn, fp, fn, tp = confusion_matrix(y, (p >= threshold).astype(int), labels=[0, 1]).ravel()
        assert (c.tp, c.fp, c.tn, c.fn) == (tp, fp, tn, fn)
        assert c.fpr == (fp / (fp + tn) if fp + tn else None)
        assert c.fnr == (fn / (fn + tp) if fn + tp else None)
        assert c.ppv == (tp / (tp + fp) if tp + fp else None)
        assert c.accuracy == pytest.approx((tp + tn) / y.size)


def test_confusion_rates_are_none_when_undefined() -> None:
    y = np.array([0, 0, 0])
    c = confusion_at(y, np.array([0.1, 0.2, 0.3]), 0.9)  # nobody predicted, nobody reoffended
    assert (c.tp, c.fp, c.tn, c.fn) == (0, 0, 3, 0)
    assert c.fnr is None and c.ppv is None
    assert c.fpr == 0.0 and c.accuracy == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_validate_per_group_equals_sklearn_on_each_group(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    groups = rng.choice(np.array(["жен", "муж", "x"], dtype=object), n, p=[0.45, 0.5, 0.05])
    p = np.round(rng.beta(2, 4, n) * np.where(groups == "муж", 1.0, 0.8), 2)  # ties, a worse-calibrated group
    y = (rng.random(n) < p).astype(int)
    thresholds = [0.5, 0.2, 0.35]
    result = validate(y, p, groups=groups, thresholds=thresholds)
    assert result.thresholds == (0.2, 0.35, 0.5)
    assert [g.label for g in result.groups] == ["x", "жен", "муж"]  # sorted
    assert sum(g.n for g in result.groups) == result.overall.n == n
    for subset in [result.overall, *result.groups]:
        rows = np.ones(n, bool) if subset.label is None else groups == subset.label
        ys, ps = y[rows], p[rows]
        assert (subset.n, subset.positives, subset.negatives) == (rows.sum(), ys.sum(), (1 - ys).sum())
        assert subset.auc == pytest.approx(roc_auc_score(ys, ps), abs=1e-12)
        assert subset.brier == pytest.approx(brier_score_loss(ys, ps), abs=1e-12)
        prob_true, prob_pred = calibration_curve(ys, ps, n_bins=10, strategy="quantile")
        assert subset.calibration is not None
        np.testing.assert_allclose([b.observed for b in subset.calibration], prob_true, atol=1e-12)
        np.testing.assert_allclose([b.mean_predicted for b in subset.calibration], prob_pred, atol=1e-12)
        for c, t in zip(subset.confusions, result.thresholds, strict=True):
            tn, fp, fn, tp = confusion_matrix(ys, (ps >= t).astype(int), labels=[0, 1]).ravel()
            assert (c.threshold, c.tp, c.fp, c.tn, c.fn) == (t, tp, fp, tn, fn)
        assert subset.auc is not None and subset.ci_low is not None and subset.ci_high is not None
        assert subset.ci_low < subset.auc < subset.ci_high


# DeLong --------------------------------------------------------------------------------------


def _direct_components(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components by their definition, comparing every positive with every negative."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]).astype(float) + 0.5 * (pos[:, None] == neg[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["smooth", "ties", "small"])
def test_fast_delong_equals_the_direct_computation(seed: int, kind: str) -> None:
    y, p = _data(seed, kind, n=300)
    v10, v01 = delong_components(y, p)
    d10, d01 = _direct_components(y, p)
    np.testing.assert_allclose(v10, d10, atol=1e-12)
    np.testing.assert_allclose(v01, d01, atol=1e-12)
    m, n = d10.size, d01.size
    variance = d10.var(ddof=1) / m + d01.var(ddof=1) / n
    auc, low, high = delong_ci(y, p)
    assert auc == pytest.approx(d10.mean(), abs=1e-12) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    half = 1.959963984540054 * np.sqrt(variance)
    assert low == pytest.approx(max(0.0, auc - half), abs=1e-12)
    assert high == pytest.approx(min(1.0, auc + half), abs=1e-12)


def test_delong_interval_brackets_the_auc_and_shrinks_with_n() -> None:
    widths = []
    for n in [200, 2000, 20000]:
        y, p = _data(7, "smooth", n=n)
        auc, low, high = delong_ci(y, p)
        assert 0.0 <= low < auc < high <= 1.0
        widths.append(high - low)
        # a wider level gives a wider interval around the same AUC
        auc99, low99, high99 = delong_ci(y, p, level=0.99)
        assert auc99 == auc and low99 < low and high99 > high
    assert widths[0] > widths[1] > widths[2]
    assert widths[0] / widths[2] == pytest.approx(10, rel=0.35)  # about 1 / sqrt(n)


def test_delong_interval_is_clipped_to_zero_and_one() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    auc, low, high = delong_ci(y, np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9]))
    assert auc == 1.0 and high == 1.0 and low == 1.0  # perfectly separated: the components do not vary


def test_delong_needs_two_of_each_outcome() -> None:
    with pytest.raises(ValueError, match="two rows"):
        delong_ci(np.array([0, 0, 1]), np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match="both outcomes"):
        roc_auc(np.array([1, 1]), np.array([0.1, 0.2]))


# Edge cases ----------------------------------------------------------------------------------


def test_scores_outside_zero_one_give_roc_and_thresholds_only() -> None:
    rng = np.random.default_rng(3)
    score = rng.integers(0, 11, 500).astype(float)  # a 0-10 points scale
    y = (rng.random(500) < score / 12).astype(int)
    result = validate(y, score, groups=np.where(score > 5, "a", "b"), thresholds=[5])
    assert not result.probabilities
    assert result.notes == (Note.NOT_PROBABILITIES,)
    for subset in [result.overall, *result.groups]:
        assert subset.calibration is None and subset.brier is None
        assert subset.confusions[0].threshold == 5.0
    assert result.overall.auc == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    with pytest.raises(ValueError, match="within"):
        calibration_deciles(y, score)


def test_group_with_one_outcome_gets_counts_and_a_note_instead_of_an_auc() -> None:
    y = np.array([1, 0, 1, 0, 1, 1, 1])
    p = np.array([0.9, 0.1, 0.8, 0.3, 0.6, 0.7, 0.4])
    groups = np.array(["a", "a", "a", "a", "b", "b", "c"])
    result = validate(y, p, groups=groups, thresholds=[0.5])
    a, b, c = result.groups
    assert a.auc == 1.0 and a.notes == ()
    assert (b.n, b.positives, b.negatives, b.auc, b.ci_low) == (2, 2, 0, None, None)
    assert b.notes == (Note.ONE_CLASS,) and b.roc_fpr == ()
    assert b.confusions[0].fpr is None and b.confusions[0].tp == 2
    assert b.brier == pytest.approx(brier_score_loss([1, 1], [0.6, 0.7], labels=[0, 1]))
    assert c.notes == (Note.ONE_CLASS,)
    assert result.overall.notes == ()  # 5 reoffended, 2 did not: AUC with interval


def test_one_row_of_an_outcome_gives_an_auc_without_interval() -> None:
    result = validate([0, 1, 1, 1], [0.2, 0.1, 0.5, 0.9])
    assert result.overall.auc == pytest.approx(roc_auc_score([0, 1, 1, 1], [0.2, 0.1, 0.5, 0.9]))
    assert result.overall.ci_low is None and result.overall.notes == (Note.TOO_FEW_FOR_CI,)


def test_no_rows() -> None:
    result = validate(np.array([], dtype=int), np.array([]), groups=np.array([]), thresholds=[0.5])
    assert result.overall.n == 0 and result.notes == (Note.NO_ROWS,) and result.groups == ()


def test_bad_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="0 or 1"):
        validate([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="finite"):
        validate([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="same length"):
        validate([0, 1], [0.1])
    with pytest.raises(ValueError, match="one value per row"):
        validate([0, 1], [0.1, 0.2], groups=["a"])


def test_thin_curve_keeps_the_ends() -> None:
    x = np.linspace(0, 1, 10_001)
    tx, ty = thin_curve(x, x**2, max_points=50)
    assert tx.size == 50 and tx[0] == 0.0 and tx[-1] == 1.0 and ty[-1] == 1.0
    assert np.all(np.diff(tx) > 0)
    same_x, _ = thin_curve(x[:10], x[:10], max_points=50)
    assert same_x.size == 10


def test_a_million_rows_in_a_few_seconds() -> None:
    rng = np.random.default_rng(11)
    n = 1_000_000
    p = rng.random(n)
    y = rng.random(n) < p
    groups = rng.choice(np.array(["a", "b", "c"], dtype=object), n)
    started = time.perf_counter()
    result = validate(y, p, groups=groups, thresholds=[0.3, 0.5, 0.7])
    elapsed = time.perf_counter() - started
    assert elapsed < 8.0, f"{elapsed:.1f} s"
    assert result.overall.n == n and len(result.overall.roc_fpr) <= 200
    assert result.overall.auc == pytest.approx(roc_auc_score(y, p), abs=1e-9)


# Report --------------------------------------------------------------------------------------


def _result() -> tuple[ValidationResult, reporting.ReportInfo]:
    y, p = _data(5, "ties", n=800)
    groups = np.where(np.arange(y.size) % 3 == 0, "жен", "муж")
    groups[:3] = ""
    y[:3] = 1  # the empty group has one outcome only
    excluded = {Exclusion.FILTERED: 4, Exclusion.SCORE_EMPTY: 2, Exclusion.OUTCOME_INVALID: 1}
    result = validate(y, p, groups=groups, thresholds=[0.2, 0.4], excluded=excluded)
    info = reporting.ReportInfo(
        source="outcomes.csv", score_column="p", outcome_column="y", group_column="sex", filters=("region == A",)
    )
    return result, info


def test_text_report_has_aligned_tables_with_the_figures() -> None:
    result, info = _result()
    text = reporting.as_text(result, info)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Group ") and "AUC" in line)
    rule = lines[header + 1]
    assert set(rule) <= {"-", " "}
    body = lines[header + 2 : header + 2 + 1 + len(result.groups)]
    # every row of the summary table ends in the same column: numbers are right-aligned
    assert {len(line) for line in body} == {len(rule)}
    assert body[0].startswith("All rows")
    assert f"{result.overall.auc:.3f}" in body[0]
    assert "(empty)" in text and "Only one outcome among these rows (3 reoffended, 0 did not)" in text
    assert "Left out by the filters: 4" in text and "Score empty: 2" in text and "Outcome not recognised: 1" in text
    assert "Rows not used: 7" in text
    assert text.count("Calibration by decile:") == 4  # all rows and each group


def test_json_report_is_strict_json_with_the_figures() -> None:
    result, info = _result()
    data = json.loads(json.dumps(reporting.as_dict(result, info), allow_nan=False))
    assert data["rows"] == {
        "read": None,
        "used": 800,
        "excluded": {"filtered": 4, "score_empty": 2, "outcome_invalid": 1},
    }
    assert data["overall"]["auc"] == result.overall.auc
    assert data["overall"]["auc_ci"] == [result.overall.ci_low, result.overall.ci_high]
    assert [g["group"] for g in data["groups"]] == ["", "жен", "муж"]
    empty = data["groups"][0]
    assert empty["auc"] is None and empty["notes"][0]["code"] == "one_class"
    assert empty["thresholds"][0]["fpr"] is None
    assert data["overall"]["roc"][0] == [0.0, 0.0] and data["overall"]["roc"][-1] == [1.0, 1.0]
    assert len(data["overall"]["calibration"]) == len(result.overall.calibration or ())


def test_html_body_has_no_style_or_script_and_svg_uses_presentation_attributes() -> None:
    result, info = _result()
    body = reporting.as_html_body(result, info)
    assert "style" not in body.lower()  # no style attribute, no <style> element
    assert "<script" not in body.lower() and "javascript:" not in body.lower()
    assert body.count('viewBox="0 0 320.0 320.0"') == 2  # the ROC plot and the calibration plot
    assert "<polyline" in body and 'stroke="#1b1b1b"' in body and 'fill="none"' in body
    assert 'stroke-dasharray="4 4"' in body  # the diagonal
    assert "ROC curve" in body and "False-positive rate" in body and "Mean predicted probability" in body


def test_standalone_html_is_self_contained() -> None:
    result, info = _result()
    with translation.override("ru"):
        page = reporting.as_html(result, info)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ru">' in page
    assert page.count("<style>") == 1 and "<script" not in page.lower()
    assert not re.search(r"""\b(src|href)\s*=""", page)  # nothing loaded from elsewhere
    assert " style=" not in page
    # numbers are localised in the tables (decimal comma in Russian) but never inside the SVG
    assert f"{result.overall.auc:.3f}".replace(".", ",") in page
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL):
        for name, value in re.findall(r'\s(x|y|x1|y1|x2|y2|cx|cy|width|height)="([^"]*)"', svg):
            assert 0.0 <= float(value) <= 320.0, (name, value)
        for points in re.findall(r'points="([^"]*)"', svg):
            for pair in points.split():
                x, y = (float(v) for v in pair.split(","))
                assert 0.0 <= x <= 320.0 and 0.0 <= y <= 320.0


def test_html_without_probabilities_has_no_calibration_plot() -> None:
    score = np.arange(20, dtype=float)
    y = (score > 8).astype(int)
    y[3] = 1
    html = reporting.as_html_body(validate(y, score, thresholds=[10]), reporting.ReportInfo("f.csv", "s", "o"))
    assert html.count("<svg") == 1 + 1  # the ROC plot and its one legend swatch
    assert "Calibration by decile" not in html
    assert "not probabilities" in html


def test_svg_scale_maps_the_unit_square_into_the_plot_area() -> None:
    assert reporting.scale(0, 0) == (reporting.LEFT, reporting.VIEW - reporting.BOTTOM)
    assert reporting.scale(1, 1) == (reporting.VIEW - reporting.RIGHT, reporting.TOP)
    plot = reporting.roc_plot(_result()[0])
    assert [s.label.split(" (")[0] for s in plot.series] == ["All rows", "жен", "муж"]  # not the one-outcome group
    assert plot.series[0].points.startswith("48,276 ") and plot.series[0].points.endswith(" 308,28")
    assert len({(s.stroke, s.dash) for s in plot.series}) == 3
