"""Validating an instrument on a file of scores and outcomes: reading the columns, filters
without eval, the rows left out by reason, and the figures (``validation.validate``). The command
``validate-instrument`` and the analyst's background jobs both call ``validate_file``."""

from __future__ import annotations

import operator
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.assessments.reporting import ReportInfo, exclusion_text
from openprobation.assessments.tabular import read_table
from openprobation.assessments.validation import Exclusion, ValidationResult, validate
from openprobation.core.exceptions import DomainError


class ValidationInputError(DomainError):
    """A filter, a threshold or a column that does not fit the file."""

    def __init__(self, message: str):
        super().__init__(message, code="validation_input")


#: Outcome values, compared trimmed and in lower case.
REOFFENDED = frozenset({"1", "true", "yes", "y", "да", "иә"})
DID_NOT = frozenset({"0", "false", "no", "n", "нет", "жоқ"})

#: A number as written in the files: optional sign, decimal point or comma, optional exponent.
NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(NUMBER)
_FILTER = re.compile(r"\s*(?P<column>.*?[^\s=!<>])\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<value>.*?)\s*", re.DOTALL)
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def _number(text: str) -> float | None:
    """A number in a filter or a threshold (decimal comma allowed), else None."""
    if not _NUMBER.fullmatch(text.strip()):
        return None
    return float(text.strip().replace(",", "."))


def numbers(cells: pd.Series[str]) -> npt.NDArray[np.float64]:
    """Each cell as a number (decimal comma allowed), NaN where it is not one."""
    readable = cells.str.fullmatch(NUMBER).to_numpy(dtype=bool, na_value=False)
    values = np.full(len(cells), np.nan)
    if readable.any():
        # Every cell that matches NUMBER converts (a cast is four times faster than to_numeric).
        values[readable] = cells[readable].str.replace(",", ".", regex=False).astype("float64").to_numpy()
    values[~np.isfinite(values)] = np.nan
    return values


@dataclass(frozen=True)
class Filter:
    text: str
    column: str
    op: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Filter:
        match = _FILTER.fullmatch(text)
        if match is None:
            raise ValidationInputError(
                _("The filter “%(filter)s” is not COLUMN OP VALUE with OP one of == != >= <= > <.") % {"filter": text}
            )
        value = match["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        return cls(text=text.strip(), column=match["column"], op=match["op"], value=value)

    def mask(self, frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
        """The rows kept: compared as numbers where the cell and the value are both numbers, else as text."""
        cells = frame[self.column]
        compare = _OPS[self.op]
        as_text = np.asarray(compare(cells, self.value), dtype=bool)
        number = _number(self.value)
        if number is None:
            return as_text
        values = numbers(cells)
        with np.errstate(invalid="ignore"):
            as_number = np.asarray(compare(values, number), dtype=bool)
        return np.where(np.isnan(values), as_text, as_number)


def require_column(frame: pd.DataFrame, column: str, source: str) -> None:
    if column not in frame.columns:
        raise ValidationInputError(
            _("There is no column “%(column)s” in %(file)s. Its columns: %(columns)s.")
            % {"column": column, "file": source, "columns": ", ".join(f"“{c}”" for c in frame.columns)}
        )


def parse_threshold(text: str) -> float:
    value = _number(text)
    if value is None:
        raise ValidationInputError(_("The threshold “%(value)s” is not a number.") % {"value": text})
    return value


@dataclass(frozen=True)
class Rows:
    """The rows to validate, and how many of the file's rows were left out, by reason."""

    outcome: npt.NDArray[np.bool_]
    score: npt.NDArray[np.float64]
    group: npt.NDArray[Any] | None
    excluded: dict[Exclusion, int]


def select_rows(
    frame: pd.DataFrame,
    score: str,
    outcome: str,
    group: str | None,
    filters: list[Filter],
    *,
    bad_rows: Any = (),
) -> Rows:
    """Leave out the rows the reader could not use, apply the filters, read scores and outcomes, and
    count every row left out by its first reason."""
    kept = np.ones(len(frame), dtype=bool)
    unreadable = np.zeros(len(frame), dtype=bool)
    unreadable[list(bad_rows)] = True
    kept &= ~unreadable
    excluded = {Exclusion.ROW_UNREADABLE: int(np.count_nonzero(unreadable))}
    filtered = np.ones(len(frame), dtype=bool)
    for f in filters:
        filtered &= f.mask(frame)
    excluded[Exclusion.FILTERED] = int(np.count_nonzero(kept & ~filtered))
    kept &= filtered

    score_cells = frame[score]
    score_empty = (score_cells == "").to_numpy(dtype=bool)
    values = numbers(score_cells)
    score_invalid = ~score_empty & np.isnan(values)

    outcome_cells = frame[outcome].str.lower()
    outcome_empty = (outcome_cells == "").to_numpy(dtype=bool)
    yes = outcome_cells.isin(REOFFENDED).to_numpy(dtype=bool)
    no = outcome_cells.isin(DID_NOT).to_numpy(dtype=bool)
    outcome_invalid = ~outcome_empty & ~yes & ~no

    for reason, rows in (
        (Exclusion.SCORE_EMPTY, score_empty),
        (Exclusion.SCORE_INVALID, score_invalid),
        (Exclusion.OUTCOME_EMPTY, outcome_empty),
        (Exclusion.OUTCOME_INVALID, outcome_invalid),
    ):
        hit = kept & rows
        excluded[reason] = int(np.count_nonzero(hit))
        kept &= ~hit
    return Rows(
        outcome=yes[kept],
        score=values[kept],
        group=None if group is None else frame[group].to_numpy(dtype=object)[kept],
        excluded=excluded,
    )


def validate_file(
    *,
    source: str | os.PathLike[str] | BinaryIO,
    score: str,
    outcome: str,
    group: str | None = None,
    thresholds: list[str] | None = None,
    filters: list[str] | None = None,
    encoding: str | None = None,
    name: str = "",
) -> tuple[ValidationResult, ReportInfo]:
    """Read the file, apply the filters, and validate the score against the outcome (overall and
    per group). Bad filters, thresholds or columns raise ``ValidationInputError``; an unreadable
    file the reader's ``TableError``."""
    parsed_filters = [Filter.parse(text) for text in filters or []]
    parsed_thresholds = [parse_threshold(text) for text in thresholds or []]
    table = read_table(source, encoding=encoding)
    frame = table.frame
    label = name or str(source if isinstance(source, str | os.PathLike) else "")
    for column in [score, outcome, *([group] if group else []), *(f.column for f in parsed_filters)]:
        require_column(frame, column, label)
    rows = select_rows(frame, score, outcome, group, parsed_filters, bad_rows=table.bad_rows)
    if rows.score.size == 0:
        reasons = "; ".join(f"{exclusion_text(r)}: {n}" for r, n in rows.excluded.items() if n)
        raise ValidationInputError(
            _("No rows left to validate in %(file)s (%(count)s read). %(reasons)s")
            % {"file": label, "count": table.rows, "reasons": reasons}
        )
    result = validate(rows.outcome, rows.score, groups=rows.group, thresholds=parsed_thresholds, excluded=rows.excluded)
    info = ReportInfo(
        source=label,
        score_column=score,
        outcome_column=outcome,
        group_column=group,
        filters=tuple(f.text for f in parsed_filters),
        rows_read=table.rows,
        generated_at=timezone.now(),
    )
    return result, info
