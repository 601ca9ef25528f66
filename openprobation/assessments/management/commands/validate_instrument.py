"""`openprobation validate-instrument FILE.csv --score COLUMN --outcome COLUMN [--group COLUMN] ...`

Validity and fairness of a risk instrument on the service's own outcomes: ROC-AUC with DeLong's
interval, calibration by decile with the Brier score, and the confusion table at each threshold,
for all rows and for each value of the group column. A table on stdout, and on request a JSON file
and a self-contained HTML report.
"""

from __future__ import annotations

import csv
import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.assessments.reporting import ReportInfo, as_dict, as_html, as_text, exclusion_text
from openprobation.assessments.validation import Exclusion, validate

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


def _read_frame(path: Path) -> pd.DataFrame:
    """The file as text columns, names and cells trimmed (to be replaced by the shared tabular reader).

    `index_col=False`: a row with more fields than the header is an error, instead of pandas quietly
    taking the first columns as the index and shifting the others; a short row's missing cells are
    empty text."""
    frame = pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python", index_col=False
    )
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    for column in frame.columns:
        frame[column] = frame[column].fillna("").str.strip()
    return frame


def _number(text: str) -> float | None:
    """A number in a filter or a threshold (decimal comma allowed), else None."""
    if not _NUMBER.fullmatch(text.strip()):
        return None
    return float(text.strip().replace(",", "."))


def _numbers(cells: pd.Series[str]) -> npt.NDArray[np.float64]:
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
            raise CommandError(
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
        values = _numbers(cells)
        with np.errstate(invalid="ignore"):
            as_number = np.asarray(compare(values, number), dtype=bool)
        return np.where(np.isnan(values), as_text, as_number)


def _require(frame: pd.DataFrame, column: str, source: str) -> None:
    if column not in frame.columns:
        raise CommandError(
            _("There is no column “%(column)s” in %(file)s. Its columns: %(columns)s.")
            % {"column": column, "file": source, "columns": ", ".join(f"“{c}”" for c in frame.columns)}
        )


def _threshold(text: str) -> float:
    value = _number(text)
    if value is None:
        raise CommandError(_("The threshold “%(value)s” is not a number.") % {"value": text})
    return value


@dataclass(frozen=True)
class Rows:
    """The rows to validate, and how many of the file's rows were left out, by reason."""

    outcome: npt.NDArray[np.bool_]
    score: npt.NDArray[np.float64]
    group: npt.NDArray[Any] | None
    excluded: dict[Exclusion, int]


def _rows(frame: pd.DataFrame, score: str, outcome: str, group: str | None, filters: list[Filter]) -> Rows:
    """Apply the filters, read scores and outcomes, and count every row left out by its first reason."""
    kept = np.ones(len(frame), dtype=bool)
    for f in filters:
        kept &= f.mask(frame)
    excluded = {Exclusion.FILTERED: int(np.count_nonzero(~kept))}

    score_cells = frame[score]
    score_empty = (score_cells == "").to_numpy(dtype=bool)
    values = _numbers(score_cells)
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


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(
            _("Cannot write %(file)s: %(error)s") % {"file": path, "error": exc.strerror or exc}
        ) from exc


class Command(BaseCommand):
    # Lazy, so that `help` shows it in the language of the moment; it behaves as a str.
    help = cast(
        str,
        gettext_lazy(
            "Validity and fairness of a risk instrument on recorded outcomes: ROC-AUC with a 95% DeLong interval, "
            "calibration by decile and Brier score, and at each threshold the confusion table with error rates, "
            "for all rows and for each group."
        ),
    )
    requires_system_checks: list[str] = []  # reads a file; the database is not used

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv", help=_("CSV file, one row per person (UTF-8)"))
        parser.add_argument("--score", required=True, metavar="COLUMN", help=_("column of the instrument's score"))
        parser.add_argument(
            "--outcome",
            required=True,
            metavar="COLUMN",
            help=_("column of the outcome: 1/0, true/false, yes/no, y/n, да/нет, иә/жоқ"),
        )
        parser.add_argument("--group", metavar="COLUMN", help=_("column whose values are compared (fairness)"))
        parser.add_argument(
            "--threshold",
            dest="thresholds",
            action="extend",
            nargs="+",
            default=[],
            metavar="VALUE",
            help=_("score at or above which reoffending is predicted (several allowed)"),
        )
        parser.add_argument(
            "--filter",
            dest="filters",
            action="extend",
            nargs="+",
            default=[],
            metavar="EXPR",
            help=_(
                "keep only rows where COLUMN OP VALUE holds, OP one of == != >= <= > < "
                "(as numbers when both sides are numbers, else as text); several are combined with AND"
            ),
        )
        parser.add_argument("--json", metavar="OUT.json", help=_("also write the report as JSON"))
        parser.add_argument("--html", metavar="OUT.html", help=_("also write the report as a self-contained HTML file"))
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], help=_("language of the report")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        source = options["file"]
        filters = [Filter.parse(text) for text in options["filters"]]
        thresholds = [_threshold(text) for text in options["thresholds"]]
        try:
            frame = _read_frame(Path(source))
        except FileNotFoundError as exc:
            raise CommandError(_("There is no file %(file)s.") % {"file": source}) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": source}) from exc
        except (OSError, ValueError, csv.Error) as exc:
            raise CommandError(_("Cannot read %(file)s as CSV: %(error)s") % {"file": source, "error": exc}) from exc

        score, outcome, group = options["score"], options["outcome"], options["group"]
        for column in [score, outcome, *([group] if group else []), *(f.column for f in filters)]:
            _require(frame, column, source)
        rows = _rows(frame, score, outcome, group, filters)
        if rows.score.size == 0:
            reasons = "; ".join(f"{exclusion_text(r)}: {n}" for r, n in rows.excluded.items() if n)
            raise CommandError(
                _("No rows left to validate in %(file)s (%(count)s read). %(reasons)s")
                % {"file": source, "count": len(frame), "reasons": reasons}
            )
        result = validate(rows.outcome, rows.score, groups=rows.group, thresholds=thresholds, excluded=rows.excluded)
        info = ReportInfo(
            source=source,
            score_column=score,
            outcome_column=outcome,
            group_column=group,
            filters=tuple(f.text for f in filters),
            rows_read=len(frame),
            generated_at=timezone.now(),
        )
        self.stdout.write(as_text(result, info), ending="")
        if options["json"]:
            _write(options["json"], json.dumps(as_dict(result, info), ensure_ascii=False, indent=2) + "\n")
            self.stdout.write(_("JSON report written to %(file)s") % {"file": options["json"]})
        if options["html"]:
            _write(options["html"], as_html(result, info))
            self.stdout.write(_("HTML report written to %(file)s") % {"file": options["html"]})
