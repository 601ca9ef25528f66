"""Validity and fairness of a risk instrument on the service's own outcomes.

Pure functions over numpy arrays (no Django, no I/O): `y` holds the observed outcome (1 = reoffended,
0 = did not), `score` the instrument's score for the same rows. Every figure equals what scikit-learn
computes on the same rows (`roc_auc_score`, `calibration_curve(strategy="quantile")`,
`brier_score_loss`, `confusion_matrix`); the confidence interval of the AUC is DeLong's, computed with
the fast algorithm of Sun and Xu (2014).

Notes and exclusion reasons are codes (`Note`, `Exclusion`); the report translates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: The most points kept of a ROC curve for the plot and the JSON (the AUC uses every row).
ROC_POINTS = 200


class Note(StrEnum):
    """Why part of a result is missing; the report explains each in words."""

    NO_ROWS = "no_rows"
    NOT_PROBABILITIES = "not_probabilities"  # some score outside [0, 1]: no calibration, no Brier score
    ONE_CLASS = "one_class"  # only one outcome among the rows: no AUC
    TOO_FEW_FOR_CI = "too_few_for_ci"  # fewer than two rows of an outcome: AUC without interval


class Exclusion(StrEnum):
    """Why a row of the file was not used (counted in the report, in this order of precedence)."""

    ROW_UNREADABLE = "row_unreadable"
    FILTERED = "filtered"
    SCORE_EMPTY = "score_empty"
    SCORE_INVALID = "score_invalid"
    OUTCOME_EMPTY = "outcome_empty"
    OUTCOME_INVALID = "outcome_invalid"


@dataclass(frozen=True)
class CalibrationBin:
    """One non-empty quantile bin: its edges, its rows, the mean predicted and the observed rate."""

    index: int  # 1-based position among all n_bins bins (empty bins are left out, as by scikit-learn)
    lower: float
    upper: float
    n: int
    mean_predicted: float
    observed: float


@dataclass(frozen=True)
class Confusion:
    """The confusion table at one threshold (score >= threshold is "predicted to reoffend").

    A rate whose denominator is zero is None (no negatives: no false-positive rate, and so on)."""

    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int
    fpr: float | None
    fnr: float | None
    ppv: float | None
    accuracy: float | None

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn


@dataclass(frozen=True)
class SubsetResult:
    """Everything measured on one set of rows: all of them, or one group."""

    label: str | None  # None for all rows, else the group's value
    n: int
    positives: int
    negatives: int
    auc: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    brier: float | None = None
    calibration: tuple[CalibrationBin, ...] | None = None
    confusions: tuple[Confusion, ...] = ()
    roc_fpr: tuple[float, ...] = ()  # thinned ROC curve, at most ROC_POINTS points, from (0, 0) to (1, 1)
    roc_tpr: tuple[float, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class ValidationResult:
    overall: SubsetResult
    groups: tuple[SubsetResult, ...]
    thresholds: tuple[float, ...]
    probabilities: bool  # every score within [0, 1]: calibration and Brier score were computed
    level: float  # of the confidence interval
    excluded: Mapping[Exclusion, int] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


def _binary(y: npt.ArrayLike) -> BoolArray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError("outcomes must be one-dimensional")
    if arr.dtype == np.bool_:
        return arr
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError("outcomes must be 0 or 1")
    return arr == 1


def _scores(score: npt.ArrayLike, n: int) -> FloatArray:
    """The scores as finite floats, one per outcome."""
    arr = np.asarray(score, dtype=np.float64)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError("scores and outcomes must be one-dimensional and of the same length")
    if not np.isfinite(arr).all():
        raise ValueError("scores must be finite numbers")
    return arr


@dataclass(frozen=True)
class _Ties:
    """The rows sorted once and cut into blocks of equal score: all the ranks, the ROC curve and the
    confusion tables follow from the counts of each outcome per block."""

    values: FloatArray  # the distinct scores, ascending
    pos: npt.NDArray[np.int64]  # positives per block
    neg: npt.NDArray[np.int64]  # negatives per block
    block: npt.NDArray[np.intp]  # each row's block

    @property
    def positives(self) -> int:
        return int(self.pos.sum())

    @property
    def negatives(self) -> int:
        return int(self.neg.sum())


def _ties(y: BoolArray, s: FloatArray) -> _Ties:
    order = np.argsort(s)
    sorted_s = s[order]
    new_value = np.empty(s.size, dtype=np.bool_)
    new_value[:1] = True
    np.not_equal(sorted_s[1:], sorted_s[:-1], out=new_value[1:])
    starts = np.flatnonzero(new_value)
    block_sorted = np.cumsum(new_value, dtype=np.intp) - 1
    block = np.empty(s.size, dtype=np.intp)
    block[order] = block_sorted
    size = np.diff(np.append(starts, s.size)).astype(np.int64)
    pos = np.bincount(block_sorted, weights=y[order], minlength=starts.size).astype(np.int64)
    return _Ties(values=sorted_s[starts], pos=pos, neg=size - pos, block=block)


def _components(t: _Ties) -> tuple[FloatArray, FloatArray]:
    """DeLong's structural components per block of equal score, by midranks (Sun and Xu 2014).

    With the pooled midrank tz, the midrank tx among the positives and ty among the negatives,
    V10 = (tz - tx) / n reduces to (negatives below + half the tied negatives) / n, and
    V01 = 1 - (tz - ty) / m to (positives above + half the tied positives) / m."""
    m, n = t.positives, t.negatives
    neg_below = np.cumsum(t.neg) - t.neg
    pos_above = m - np.cumsum(t.pos)
    return (neg_below + t.neg / 2.0) / n, (pos_above + t.pos / 2.0) / m


def _prepare(y: npt.ArrayLike, score: npt.ArrayLike) -> tuple[BoolArray, FloatArray, _Ties]:
    yb = _binary(y)
    s = _scores(score, yb.shape[0])
    t = _ties(yb, s)
    if t.positives == 0 or t.negatives == 0:
        raise ValueError("the AUC needs both outcomes among the rows")
    return yb, s, t


def delong_components(y: npt.ArrayLike, score: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """DeLong's structural components, in O(N log N) by midranks (Sun and Xu 2014).

    V10[i] is the share of negatives that positive i outranks (ties count one half), V01[j] the share
    of positives that outrank negative j (positives and negatives in the order of the rows); the AUC
    is the mean of either."""
    yb, _, t = _prepare(y, score)
    v10, v01 = _components(t)
    return v10[t.block[yb]], v01[t.block[~yb]]


def _auc_variance(t: _Ties) -> tuple[float, float]:
    """The AUC and DeLong's variance S10 / m + S01 / n (sample variances of the components)."""
    m, n = t.positives, t.negatives
    v10, v01 = _components(t)
    auc = float(np.dot(t.pos, v10)) / m
    if m < 2 or n < 2:
        return auc, float("nan")
    s10 = float(np.dot(t.pos, (v10 - auc) ** 2)) / (m - 1)
    s01 = float(np.dot(t.neg, (v01 - float(np.dot(t.neg, v01)) / n) ** 2)) / (n - 1)
    return auc, s10 / m + s01 / n


def roc_auc(y: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Area under the ROC curve, ties as midranks (as `roc_auc_score`)."""
    return _auc_variance(_prepare(y, score)[2])[0]


def _interval(auc: float, variance: float, level: float) -> tuple[float, float]:
    half = float(ndtri(0.5 + level / 2.0)) * float(np.sqrt(max(variance, 0.0)))
    return max(0.0, auc - half), min(1.0, auc + half)


def delong_ci(y: npt.ArrayLike, score: npt.ArrayLike, level: float = 0.95) -> tuple[float, float, float]:
    """The AUC and its confidence interval by DeLong's variance (normal, clipped to [0, 1]).

    Needs at least two rows of each outcome (the variance of the components is a sample variance)."""
    if not 0.0 < level < 1.0:
        raise ValueError("the level must lie between 0 and 1")
    t = _prepare(y, score)[2]
    if t.positives < 2 or t.negatives < 2:
        raise ValueError("the DeLong interval needs at least two rows of each outcome")
    auc, variance = _auc_variance(t)
    return (auc, *_interval(auc, variance, level))


def _roc(t: _Ties) -> tuple[FloatArray, FloatArray, FloatArray]:
    tps = np.concatenate([[0], np.cumsum(t.pos[::-1])])
    fps = np.concatenate([[0], np.cumsum(t.neg[::-1])])
    m, n = t.positives, t.negatives
    tpr = tps / m if m else np.full(tps.size, np.nan)
    fpr = fps / n if n else np.full(fps.size, np.nan)
    return fpr, tpr, np.concatenate([[np.inf], t.values[::-1]])


def roc_points(y: npt.ArrayLike, score: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The ROC curve at every distinct score, from (0, 0): false-positive rates, true-positive rates and
    the thresholds (the first is +inf), as `roc_curve(..., drop_intermediate=False)`."""
    yb = _binary(y)
    return _roc(_ties(yb, _scores(score, yb.shape[0])))


def thin_curve(x: FloatArray, y: FloatArray, max_points: int = ROC_POINTS) -> tuple[FloatArray, FloatArray]:
    """At most `max_points` points of a curve, evenly along it, always with its first and last point."""
    if x.size <= max_points:
        return x, y
    keep = np.unique(np.linspace(0, x.size - 1, max_points).round().astype(np.intp))
    return x[keep], y[keep]


def calibration_deciles(y: npt.ArrayLike, p: npt.ArrayLike, n_bins: int = 10) -> list[CalibrationBin]:
    """Observed rate against mean predicted probability in quantile bins.

    The rules are those of `calibration_curve(strategy="quantile")`: the edges are the linear
    percentiles of the probabilities; a probability equal to an inner edge falls in the lower bin
    (`searchsorted` on the inner edges, side "left"); empty bins (tied edges) are left out."""
    if n_bins < 1:
        raise ValueError("at least one bin")
    yb = _binary(y)
    prob = _scores(p, yb.shape[0])
    if prob.size == 0:
        return []
    if prob.min() < 0.0 or prob.max() > 1.0:
        raise ValueError("probabilities must lie within [0, 1]")
    edges = np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)
    ids = np.searchsorted(edges[1:-1], prob)
    sums = np.bincount(ids, weights=prob, minlength=n_bins)
    trues = np.bincount(ids, weights=yb, minlength=n_bins)
    totals = np.bincount(ids, minlength=n_bins)
    return [
        CalibrationBin(
            index=i + 1,
            lower=float(edges[i]),
            upper=float(edges[i + 1]),
            n=int(totals[i]),
            mean_predicted=float(sums[i] / totals[i]),
            observed=float(trues[i] / totals[i]),
        )
        for i in range(n_bins)
        if totals[i]
    ]


def brier(y: npt.ArrayLike, p: npt.ArrayLike) -> float:
    """Mean squared difference between the probability and the outcome (as `brier_score_loss`)."""
    yb = _binary(y)
    prob = _scores(p, yb.shape[0])
    if prob.size == 0:
        raise ValueError("no rows")
    if prob.min() < 0.0 or prob.max() > 1.0:
        raise ValueError("probabilities must lie within [0, 1]")
    return float(np.mean((yb - prob) ** 2))


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _confusion(threshold: float, tp: int, fp: int, tn: int, fn: int) -> Confusion:
    return Confusion(
        threshold=threshold,
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        fpr=_ratio(fp, fp + tn),
        fnr=_ratio(fn, fn + tp),
        ppv=_ratio(tp, tp + fp),
        accuracy=_ratio(tp + tn, tp + fp + tn + fn),
    )


def confusion_at(y: npt.ArrayLike, score: npt.ArrayLike, threshold: float) -> Confusion:
    """The confusion table when score >= threshold predicts reoffending (as `confusion_matrix`)."""
    yb = _binary(y)
    s = _scores(score, yb.shape[0])
    predicted = s >= threshold
    tp = int(np.count_nonzero(predicted & yb))
    fp = int(np.count_nonzero(predicted)) - tp
    positives = int(np.count_nonzero(yb))
    return _confusion(float(threshold), tp, fp, yb.size - positives - fp, positives - tp)


def _confusions(t: _Ties, thresholds: Sequence[float]) -> tuple[Confusion, ...]:
    """Confusion tables at many thresholds by a binary search in the sorted distinct scores."""
    pos_from = np.concatenate([np.cumsum(t.pos[::-1])[::-1], [0]])  # positives with score >= values[k]
    neg_from = np.concatenate([np.cumsum(t.neg[::-1])[::-1], [0]])
    m, n = t.positives, t.negatives
    result = []
    for threshold in thresholds:
        k = int(np.searchsorted(t.values, threshold, side="left"))
        tp, fp = int(pos_from[k]), int(neg_from[k])
        result.append(_confusion(float(threshold), tp, fp, n - fp, m - tp))
    return tuple(result)


def _subset(
    label: str | None,
    y: BoolArray,
    s: FloatArray,
    thresholds: Sequence[float],
    *,
    probabilities: bool,
    level: float,
    n_bins: int,
) -> SubsetResult:
    if y.size == 0:
        return SubsetResult(label=label, n=0, positives=0, negatives=0, notes=(Note.NO_ROWS,))
    t = _ties(y, s)
    positives, negatives = t.positives, t.negatives
    notes: list[Note] = []
    auc = low = high = None
    fpr: FloatArray = np.empty(0)
    tpr: FloatArray = np.empty(0)
    if positives and negatives:
        auc, variance = _auc_variance(t)
        if positives >= 2 and negatives >= 2:
            low, high = _interval(auc, variance, level)
        else:
            notes.append(Note.TOO_FEW_FOR_CI)
        fpr, tpr = thin_curve(*_roc(t)[:2])
    else:
        notes.append(Note.ONE_CLASS)
    calibration = None
    brier_score = None
    if probabilities:
        calibration = tuple(calibration_deciles(y, s, n_bins))
        brier_score = brier(y, s)
    return SubsetResult(
        label=label,
        n=int(y.size),
        positives=positives,
        negatives=negatives,
        auc=auc,
        ci_low=low,
        ci_high=high,
        brier=brier_score,
        calibration=calibration,
        confusions=_confusions(t, thresholds),
        roc_fpr=tuple(float(v) for v in fpr),
        roc_tpr=tuple(float(v) for v in tpr),
        notes=tuple(notes),
    )


def validate(
    y: npt.ArrayLike,
    score: npt.ArrayLike,
    *,
    groups: npt.ArrayLike | None = None,
    thresholds: Sequence[float] = (),
    level: float = 0.95,
    n_bins: int = 10,
    excluded: Mapping[Exclusion, int] | None = None,
) -> ValidationResult:
    """Discrimination (AUC with DeLong interval), calibration (quantile bins, Brier score) and the
    confusion tables at each threshold, for all rows and for each value of `groups` (sorted).

    Calibration and the Brier score need probabilities: if any score lies outside [0, 1] they are
    left out everywhere and the result carries `Note.NOT_PROBABILITIES`. `excluded` (rows of the
    source not used, by reason) is carried into the result for the report."""
    yb = _binary(y)
    s = _scores(score, yb.shape[0])
    ts = tuple(sorted({float(t) for t in thresholds}))
    if not all(np.isfinite(ts)):
        raise ValueError("thresholds must be finite numbers")
    probabilities = bool(s.size) and bool(s.min() >= 0.0 and s.max() <= 1.0)
    notes: list[Note] = []
    if s.size == 0:
        notes.append(Note.NO_ROWS)
    elif not probabilities:
        notes.append(Note.NOT_PROBABILITIES)
    overall = _subset(None, yb, s, ts, probabilities=probabilities, level=level, n_bins=n_bins)
    group_results: list[SubsetResult] = []
    if groups is not None:
        g = np.asarray(groups)
        if g.shape != yb.shape:
            raise ValueError("groups must have one value per row")
        labels, inverse = np.unique(g.astype(str), return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(labels.size + 1))
        for i, label in enumerate(labels):
            rows = order[bounds[i] : bounds[i + 1]]
            group_results.append(
                _subset(str(label), yb[rows], s[rows], ts, probabilities=probabilities, level=level, n_bins=n_bins)
            )
    return ValidationResult(
        overall=overall,
        groups=tuple(group_results),
        thresholds=ts,
        probabilities=probabilities,
        level=level,
        excluded=dict(excluded or {}),
        notes=tuple(notes),
    )
