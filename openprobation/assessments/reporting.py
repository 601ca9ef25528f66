"""The validation report of a risk instrument: an aligned text table, a JSON-able dict, and HTML.

The HTML body (`assessments/validation/_body.html`) uses classes and SVG presentation attributes
only, so that a page under a strict Content-Security-Policy can include it; the standalone file
(`assessments/validation/report.html`) wraps it and adds the one <style> element. The plots are
inline SVG built here (`roc_plot`, `calibration_plot`) and drawn by `_plot.html`. Words go through
translation: render inside `translation.override(...)` for a given language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from openprobation.assessments.validation import (
    CalibrationBin,
    Confusion,
    Exclusion,
    Note,
    SubsetResult,
    ValidationResult,
)

#: The plots' coordinate system: a square viewBox, the plot area inside its margins.
VIEW = 320.0
LEFT, RIGHT, TOP, BOTTOM = 48.0, 12.0, 28.0, 44.0
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Series colours (all rows first) and dash patterns, so the lines differ without colour as well.
PALETTE = ("#1b1b1b", "#005ea2", "#d83933", "#00a91c", "#8168b3", "#e66f0e", "#1a4480", "#936f38")
DASHES = ("", "6 3", "2 2")
DASH = "\N{EN DASH}"
NONE = "\N{EM DASH}"


@dataclass(frozen=True)
class ReportInfo:
    """What was validated: the file, its columns, the filters applied."""

    source: str
    score_column: str
    outcome_column: str
    group_column: str | None = None
    filters: tuple[str, ...] = ()
    rows_read: int | None = None
    generated_at: dt.datetime | None = None


# Words ----------------------------------------------------------------------------------------


def note_text(note: Note, subset: SubsetResult | None = None) -> str:
    if note is Note.NO_ROWS:
        return _("No rows to validate.")
    if note is Note.NOT_PROBABILITIES:
        return _(
            "Some scores lie outside [0, 1]: they are not probabilities, so calibration and the Brier score "
            "are not given. The ROC curve and the thresholds are."
        )
    if note is Note.ONE_CLASS:
        return _(
            "Only one outcome among these rows (%(positives)s reoffended, %(negatives)s did not): "
            "the AUC needs both, so only the counts are given."
        ) % {"positives": subset.positives if subset else 0, "negatives": subset.negatives if subset else 0}
    return _("Fewer than two rows of one outcome: the AUC is given without a confidence interval.")


def exclusion_text(reason: Exclusion) -> str:
    return {
        Exclusion.ROW_UNREADABLE: _("Row unreadable (more cells than the header, or empty)"),
        Exclusion.FILTERED: _("Left out by the filters"),
        Exclusion.SCORE_EMPTY: _("Score empty"),
        Exclusion.SCORE_INVALID: _("Score not a number"),
        Exclusion.OUTCOME_EMPTY: _("Outcome empty"),
        Exclusion.OUTCOME_INVALID: _("Outcome not recognised"),
    }[reason]


def subset_name(subset: SubsetResult) -> str:
    if subset.label is None:
        return _("All rows")
    return subset.label or _("(empty)")


def _num(value: float | None, places: int = 3) -> str:
    return NONE if value is None else f"{value:.{places}f}"


def _threshold(value: float) -> str:
    return f"{value:g}"


def _ci(subset: SubsetResult) -> str:
    if subset.ci_low is None or subset.ci_high is None:
        return NONE
    return f"{subset.ci_low:.3f}{DASH}{subset.ci_high:.3f}"


def _level(result: ValidationResult) -> str:
    return f"{result.level * 100:g}%"


def _generated(info: ReportInfo) -> str:
    if info.generated_at is None:
        return ""
    return formats.date_format(timezone.localtime(info.generated_at), "DATETIME_FORMAT")


def _subsets(result: ValidationResult) -> list[SubsetResult]:
    return [result.overall, *result.groups]


# Text -----------------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Columns padded to their widest cell: the first `left` columns to the left, numbers to the right."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def _calibration_rows(bins: Sequence[CalibrationBin]) -> list[list[str]]:
    return [
        [
            str(b.index),
            str(b.n),
            f"{b.lower:.3f}{DASH}{b.upper:.3f}",
            _num(b.mean_predicted),
            _num(b.observed),
            f"{b.observed - b.mean_predicted:+.3f}",
        ]
        for b in bins
    ]


def _confusion_cells(c: Confusion) -> list[str]:
    return [str(c.tp), str(c.fp), str(c.tn), str(c.fn), _num(c.fpr), _num(c.fnr), _num(c.ppv), _num(c.accuracy)]


def as_text(result: ValidationResult, info: ReportInfo) -> str:
    """The report as plain text with aligned tables (for the terminal)."""
    out: list[str] = [_("Validation of a risk instrument"), ""]
    out.append(_("File: %(source)s") % {"source": info.source})
    out.append(_("Score column: %(column)s") % {"column": info.score_column})
    out.append(_("Outcome column: %(column)s") % {"column": info.outcome_column})
    if info.group_column:
        out.append(_("Group column: %(column)s") % {"column": info.group_column})
    for expr in info.filters:
        out.append(_("Filter: %(filter)s") % {"filter": expr})
    if info.generated_at is not None:
        out.append(_("Generated: %(when)s") % {"when": _generated(info)})
    out.append("")
    if info.rows_read is not None:
        out.append(_("Rows read: %(count)s") % {"count": info.rows_read})
    out.append(_("Rows used: %(count)s") % {"count": result.overall.n})
    out.append(_("Rows not used: %(count)s") % {"count": result.excluded_total})
    for reason, count in result.excluded.items():
        if count:
            out.append(f"  {exclusion_text(reason)}: {count}")
    for note in result.notes:
        out += ["", note_text(note)]

    out += ["", _("Discrimination and calibration"), ""]
    header = [
        _("Group"),
        _("Rows"),
        _("Reoffended"),
        _("Did not"),
        _("AUC"),
        _("%(level)s CI (DeLong)") % {"level": _level(result)},
        _("Brier score"),
    ]
    rows = [
        [subset_name(s), str(s.n), str(s.positives), str(s.negatives), _num(s.auc), _ci(s), _num(s.brier)]
        for s in _subsets(result)
    ]
    out += _table(header, rows)
    for s in _subsets(result):
        for note in s.notes:
            if note is not Note.NO_ROWS or s.label is not None:
                out.append(f"{subset_name(s)}: {note_text(note, s)}")

    if result.probabilities:
        for s in _subsets(result):
            if not s.calibration:
                continue
            out += ["", _("Calibration by decile: %(group)s") % {"group": subset_name(s)}, ""]
            out += _table(
                [_("Bin"), _("Rows"), _("Score range"), _("Mean predicted"), _("Observed"), _("Difference")],
                _calibration_rows(s.calibration),
                left=0,
            )

    out += ["", _("Thresholds (a score at or above the threshold predicts reoffending)"), ""]
    if not result.thresholds:
        out.append(_("No threshold given (--threshold VALUE)."))
    else:
        header = [_("Threshold"), _("Group"), "TP", "FP", "TN", "FN", _("FPR"), _("FNR"), _("PPV"), _("Accuracy")]
        rows = []
        for i, t in enumerate(result.thresholds):
            for s in _subsets(result):
                if s.n:
                    rows.append([_threshold(t), subset_name(s), *_confusion_cells(s.confusions[i])])
        out += _table(header, rows, left=2)
        out += [
            "",
            _(
                "FPR: false-positive rate, FP / (FP + TN). FNR: false-negative rate, FN / (FN + TP). "
                "PPV: positive predictive value, TP / (TP + FP). Accuracy: (TP + TN) / rows."
            ),
        ]
    return "\n".join(out) + "\n"


# JSON -----------------------------------------------------------------------------------------


def _subset_dict(s: SubsetResult) -> dict[str, Any]:
    return {
        "group": s.label,
        "n": s.n,
        "positives": s.positives,
        "negatives": s.negatives,
        "auc": s.auc,
        "auc_ci": None if s.ci_low is None else [s.ci_low, s.ci_high],
        "brier": s.brier,
        "calibration": None
        if s.calibration is None
        else [
            {
                "bin": b.index,
                "lower": b.lower,
                "upper": b.upper,
                "n": b.n,
                "mean_predicted": b.mean_predicted,
                "observed": b.observed,
            }
            for b in s.calibration
        ],
        "thresholds": [
            {
                "threshold": c.threshold,
                "tp": c.tp,
                "fp": c.fp,
                "tn": c.tn,
                "fn": c.fn,
                "fpr": c.fpr,
                "fnr": c.fnr,
                "ppv": c.ppv,
                "accuracy": c.accuracy,
            }
            for c in s.confusions
        ],
        "roc": [[x, y] for x, y in zip(s.roc_fpr, s.roc_tpr, strict=True)],
        "notes": [{"code": str(n), "text": note_text(n, s)} for n in s.notes],
    }


def as_dict(result: ValidationResult, info: ReportInfo) -> dict[str, Any]:
    """The report as a JSON-able dict (None where a figure is undefined)."""
    return {
        "source": {
            "file": info.source,
            "score_column": info.score_column,
            "outcome_column": info.outcome_column,
            "group_column": info.group_column,
            "filters": list(info.filters),
            "generated_at": info.generated_at.isoformat() if info.generated_at else None,
        },
        "rows": {
            "read": info.rows_read,
            "used": result.overall.n,
            "excluded": {str(reason): count for reason, count in result.excluded.items()},
        },
        "probabilities": result.probabilities,
        "confidence_level": result.level,
        "calibration_bins": "quantile",
        "thresholds": list(result.thresholds),
        "notes": [{"code": str(n), "text": note_text(n)} for n in result.notes],
        "overall": _subset_dict(result.overall),
        "groups": [_subset_dict(g) for g in result.groups],
    }


# Plots ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlotSeries:
    label: str
    points: str  # "x,y x,y ..." in viewBox units, for <polyline points=...>
    stroke: str
    dash: str
    css: str  # class of the series
    markers: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class PlotTick:
    at: float  # position along its axis, in viewBox units
    text: str


@dataclass(frozen=True)
class Plot:
    """A square plot of [0, 1] x [0, 1] in a 320 x 320 viewBox, with the diagonal."""

    id: str
    title: str
    x_label: str
    y_label: str
    series: tuple[PlotSeries, ...]
    size: float = VIEW
    left: float = LEFT
    right: float = VIEW - RIGHT
    top: float = TOP
    bottom: float = VIEW - BOTTOM
    x_ticks: tuple[PlotTick, ...] = field(default_factory=tuple)
    y_ticks: tuple[PlotTick, ...] = field(default_factory=tuple)

    @property
    def x_label_at(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, self.size - 8)

    @property
    def y_label_at(self) -> tuple[float, float]:
        return (14.0, (self.top + self.bottom) / 2)


def scale(x: float, y: float) -> tuple[float, float]:
    """A point of [0, 1] x [0, 1] in viewBox units (y grows upwards)."""
    width, height = VIEW - LEFT - RIGHT, VIEW - TOP - BOTTOM
    return round(LEFT + x * width, 2), round(VIEW - BOTTOM - y * height, 2)


def _points(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join("{:g},{:g}".format(*scale(x, y)) for x, y in zip(xs, ys, strict=True))


def _plot(plot_id: str, title: str, x_label: str, y_label: str, series: list[PlotSeries]) -> Plot:
    return Plot(
        id=plot_id,
        title=title,
        x_label=x_label,
        y_label=y_label,
        series=tuple(series),
        x_ticks=tuple(PlotTick(scale(t, 0)[0], f"{t:g}") for t in TICKS),
        y_ticks=tuple(PlotTick(scale(0, t)[1], f"{t:g}") for t in TICKS),
    )


def _style(i: int) -> tuple[str, str]:
    return PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]


def roc_plot(result: ValidationResult) -> Plot:
    """ROC curves of all rows and of each group with both outcomes."""
    series = []
    for i, s in enumerate(_subsets(result)):
        if s.auc is None:
            continue
        stroke, dash = _style(i)
        label = f"{subset_name(s)} (AUC {formats.number_format(s.auc, 3)})"
        series.append(PlotSeries(label, _points(s.roc_fpr, s.roc_tpr), stroke, dash, f"op-series op-series-{i}"))
    return _plot("roc", _("ROC curve"), _("False-positive rate"), _("True-positive rate"), series)


def calibration_plot(result: ValidationResult) -> Plot:
    """Observed rate against mean predicted probability per decile, for all rows and each group."""
    series = []
    for i, s in enumerate(_subsets(result)):
        if not s.calibration:
            continue
        stroke, dash = _style(i)
        xs = [b.mean_predicted for b in s.calibration]
        ys = [b.observed for b in s.calibration]
        markers = tuple(scale(x, y) for x, y in zip(xs, ys, strict=True))
        series.append(
            PlotSeries(subset_name(s), _points(xs, ys), stroke, dash, f"op-series op-series-{i}", markers=markers)
        )
    return _plot("calibration", _("Calibration"), _("Mean predicted probability"), _("Observed rate"), series)


# HTML -----------------------------------------------------------------------------------------


def report_context(result: ValidationResult, info: ReportInfo) -> dict[str, Any]:
    """The context of `assessments/validation/_body.html` (for a page that includes the body)."""
    subsets = _subsets(result)
    return {
        "info": info,
        "generated": _generated(info),
        "result": result,
        "level": _level(result),
        "notes": [note_text(n) for n in result.notes],
        "excluded": [(exclusion_text(r), c) for r, c in result.excluded.items() if c],
        "subsets": [
            {
                "name": subset_name(s),
                "subset": s,
                "notes": [note_text(n, s) for n in s.notes if n is not Note.NO_ROWS or s.label is not None],
                "calibration": [{"bin": b, "difference": b.observed - b.mean_predicted} for b in (s.calibration or ())],
            }
            for s in subsets
        ],
        "threshold_rows": [
            {
                "threshold": _threshold(t),
                "rows": [(subset_name(s), s.confusions[i]) for s in subsets if s.n],
            }
            for i, t in enumerate(result.thresholds)
        ],
        "roc_plot": roc_plot(result) if result.overall.auc is not None else None,
        "calibration_plot": calibration_plot(result) if result.probabilities else None,
    }


def as_html(result: ValidationResult, info: ReportInfo) -> str:
    """A self-contained HTML file: the body, its <style>, inline SVG plots; no script, no external file."""
    return render_to_string("assessments/validation/report.html", report_context(result, info))


def as_html_body(result: ValidationResult, info: ReportInfo) -> str:
    """The body alone (classes and SVG presentation attributes only: fit for a strict CSP)."""
    return render_to_string("assessments/validation/_body.html", report_context(result, info))
