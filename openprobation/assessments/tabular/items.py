"""Mapping the table's columns to instrument items: one array per item, and every cell it cannot use."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openprobation.assessments.tabular.base import (
    THREADS,
    BoolArray,
    DateArray,
    FloatArray,
    IndexArray,
    ItemKind,
    MappingError,
    Table,
)
from openprobation.assessments.tabular.cells import dates_of, encode, lengths, numbers_of, parse_numbers, to_arrow
from openprobation.assessments.tabular.mapping import Mapping
from openprobation.assessments.tabular.problems import Mapped, ProblemGroup, RowProblems
from openprobation.core.timeutil import local_today


@dataclass
class _Outcome:
    """One item over all rows: its values, and per row 0 (usable) or 1 + an index into ``reasons``."""

    values: npt.NDArray[Any]
    failure: npt.NDArray[np.int8]
    reasons: list[tuple[str, str]]  # (reason, column whose cell is at fault)


class _Cells:
    """The table's columns as Arrow text and as distinct values, each computed once."""

    def __init__(self, table: Table):
        self.table = table
        self._text: dict[str, pa.Array] = {}
        self._encoded: dict[str, tuple[IndexArray, pa.Array]] = {}
        self._dates: dict[str, npt.NDArray[np.int64]] = {}

    def text(self, column: str) -> pa.Array:
        if column not in self._text:
            self._text[column] = to_arrow(self.table.frame[column])
        return self._text[column]

    def encoded(self, column: str) -> tuple[IndexArray, pa.Array]:
        if column not in self._encoded:
            self._encoded[column] = encode(self.text(column))
        return self._encoded[column]

    def dates(self, column: str, today: dt.date) -> npt.NDArray[np.int64]:
        """The column's dates per row as the numbers yyyymmdd, ``_EMPTY`` for an empty cell and
        ``_NOT_A_DATE`` for anything else; worked out once per distinct value."""
        if column not in self._dates:
            index, distinct = self.encoded(column)
            dates = dates_of(distinct, today)
            valid = ~np.isnat(dates)
            year, month, day = _ymd(np.where(valid, dates, np.datetime64(0, "D")))
            numbers = np.where(valid, year * 10_000 + month * 100 + day, _NOT_A_DATE)
            numbers[lengths(distinct) == 0] = _EMPTY
            self._dates[column] = numbers[index]
        return self._dates[column]


_EMPTY = -1
_NOT_A_DATE = -2


def map_items(
    table: Table,
    mappings: list[Mapping],
    *,
    kinds: dict[str, ItemKind],
    choices: dict[str, set[str]] | None = None,
    required: set[str] | None = None,
    number_range: dict[str, tuple[float, float]] | None = None,
) -> Mapped:
    """Turn the table into one array per mapped item.

    ``kinds`` says which items the instrument has and whether each is a number or a choice;
    ``choices`` the allowed codes of a choice item (matched case-insensitively; without it any
    non-empty value is taken) or the allowed values of a number item; ``number_range`` the lowest and
    highest allowed number (inclusive); ``required`` the items a row must have to be scored (by
    default every mapped item). A mapping that does not fit the file or the instrument raises
    :class:`MappingError`; a cell that does not fit its item is a :class:`RowProblem`."""
    choices = choices or {}
    number_range = number_range or {}
    for item, kind in kinds.items():
        if kind not in ("number", "choice"):
            raise ValueError(f"item {item!r}: kind must be 'number' or 'choice', not {kind!r}")
    by_item: dict[str, Mapping] = {}
    for mapping in mappings:
        if mapping.item not in kinds:
            raise MappingError(
                _(
                    "The mapping “%(spec)s” is for “%(item)s”, which is not an item of this instrument. Its items: %(items)s."
                )
                % {"spec": _spec(mapping), "item": mapping.item, "items": ", ".join(kinds)}
            )
        if mapping.item in by_item:
            raise MappingError(
                _("The item “%(item)s” is mapped twice: “%(first)s” and “%(second)s”.")
                % {"item": mapping.item, "first": _spec(by_item[mapping.item]), "second": _spec(mapping)}
            )
        by_item[mapping.item] = mapping
        for column in mapping.columns:
            if column not in table.columns:
                raise MappingError(_unknown_column(mapping, column, table.columns))
    needed = set(by_item) if required is None else set(required)
    missing = sorted(needed - set(by_item))
    if missing:
        raise MappingError(
            ngettext(
                "No mapping for the required item %(items)s; add --map %(example)s=COLUMN.",
                "No mapping for the required items %(items)s; add --map ITEM=COLUMN for each.",
                len(missing),
            )
            % {"items": ", ".join(f"“{m}”" for m in missing), "example": missing[0]}
        )

    rows = len(table.frame)
    cells = _Cells(table)
    today = local_today()
    read = list(dict.fromkeys(column for mapping in mappings for column in mapping.columns))
    with ThreadPoolExecutor(THREADS) as pool:  # Arrow lets go of the GIL: the columns encode side by side
        list(pool.map(cells.encoded, read))
    outcomes: list[tuple[Mapping, _Outcome]] = []
    for mapping in mappings:
        kind = kinds[mapping.item]
        allowed = choices.get(mapping.item)
        bounds = number_range.get(mapping.item)
        if kind == "number":
            outcome = _number_item(mapping, cells, rows, allowed=allowed, bounds=bounds, today=today)
        else:
            outcome = _choice_item(mapping, cells, rows, allowed)
        outcomes.append((mapping, outcome))

    bad = np.zeros(rows, dtype=bool)
    bad_rows = np.fromiter((r for r in table.bad_rows if r < rows), dtype=np.intp)
    bad[bad_rows] = True
    usable = ~bad
    values: dict[str, npt.NDArray[Any]] = {}
    groups: list[ProblemGroup] = []
    positions: list[int] = []
    row_reasons: dict[str, list[int]] = {}
    for row, reason in table.bad_rows.items():
        if row < rows:
            row_reasons.setdefault(reason, []).append(row)
    for position, (mapping, outcome) in enumerate(outcomes):
        failed = (outcome.failure != 0) | bad
        result = outcome.values
        if failed.any():
            result = result.copy()
            result[failed] = np.nan if result.dtype.kind == "f" else ""
        values[mapping.item] = result
        if mapping.item in needed:
            usable &= ~failed
        outcome.failure[bad] = 0
        for code, (reason, column) in enumerate(outcome.reasons, start=1):
            at = np.flatnonzero(outcome.failure == code)
            if at.size:
                groups.append(ProblemGroup(mapping.item, column, reason, at, cells.text(column).take(pa.array(at))))
                positions.append(position)
        for reason, at_list in row_reasons.items():
            column = mapping.columns[0] if mapping.columns else ""
            groups.append(ProblemGroup(mapping.item, column, reason, np.array(at_list, dtype=np.intp), None, True))
            positions.append(position)
    return Mapped(
        values=values,
        usable=usable,
        problems=RowProblems(groups, positions),
        row_reasons=frozenset(row_reasons),
    )


def _spec(mapping: Mapping) -> str:
    return mapping.spec or f"{mapping.item}={','.join(mapping.columns) or mapping.value}"


def _unknown_column(mapping: Mapping, column: str, columns: list[str]) -> str:
    folded = {c.casefold(): c for c in columns}
    guess = folded.get(column.casefold())
    if guess is None:
        close = difflib.get_close_matches(column.casefold(), list(folded), n=1, cutoff=0.6)
        guess = folded[close[0]] if close else None
    listing = ", ".join(f"“{c}”" for c in columns)
    if guess is not None:
        return _(
            "The mapping “%(spec)s” reads the column “%(column)s”, which is not in the file. "
            "Did you mean “%(guess)s”? The file's columns: %(columns)s."
        ) % {"spec": _spec(mapping), "column": column, "guess": guess, "columns": listing}
    return _(
        "The mapping “%(spec)s” reads the column “%(column)s”, which is not in the file. The file's columns: %(columns)s."
    ) % {"spec": _spec(mapping), "column": column, "columns": listing}


def _codes_text(codes: set[str] | Sequence[str]) -> str:
    return ", ".join(sorted(codes, key=str.casefold))


def _fmt(number: float) -> str:
    return f"{number:g}"


def _number_item(
    mapping: Mapping,
    cells: _Cells,
    rows: int,
    *,
    allowed: set[str] | None,
    bounds: tuple[float, float] | None,
    today: dt.date,
) -> _Outcome:
    allowed_numbers = _allowed_numbers(mapping, allowed)
    limited = bounds is not None or allowed_numbers is not None

    def misfit(numbers: FloatArray) -> BoolArray:
        """Numbers outside the range or not among the allowed values (NaN is not a misfit)."""
        known = ~np.isnan(numbers)
        out = np.zeros(numbers.shape, dtype=bool)
        if bounds is not None:
            out |= known & ((numbers < bounds[0]) | (numbers > bounds[1]))
        if allowed_numbers is not None:
            out |= known & ~np.isin(numbers, list(allowed_numbers))
        return out

    def misfit_reason() -> str:
        if allowed_numbers is not None:
            return _("not among the allowed values: %(values)s") % {"values": _codes_text(allowed or set())}
        assert bounds is not None  # noqa: S101 - only called when a bound exists
        return _("outside the allowed range %(low)s to %(high)s") % {"low": _fmt(bounds[0]), "high": _fmt(bounds[1])}

    def check_value(number: float, what: str) -> None:
        if misfit(np.array([number]))[0]:
            raise MappingError(
                _("The mapping “%(spec)s” gives “%(value)s” to “%(item)s”: %(why)s.")
                % {"spec": _spec(mapping), "value": what, "item": mapping.item, "why": misfit_reason()}
            )

    if mapping.kind == "constant":
        number = float(parse_numbers(np.array([mapping.value], dtype=object))[0])
        if np.isnan(number):
            raise MappingError(
                _("The mapping “%(spec)s” gives “%(value)s” to the number item “%(item)s”; that is not a number.")
                % {"spec": _spec(mapping), "value": mapping.value, "item": mapping.item}
            )
        check_value(number, mapping.value)
        return _Outcome(np.full(rows, number), np.zeros(rows, dtype=np.int8), [])

    if mapping.kind in ("age", "years"):
        first, second = mapping.columns
        start, end = cells.dates(first, today), cells.dates(second, today)
        years = _full_years(start, end)
        failure = np.zeros(rows, dtype=np.int8)
        reasons: list[tuple[str, str]] = []
        checks: list[tuple[BoolArray, str, str]] = []
        for column, dates in ((first, start), (second, end)):
            checks.append((dates == _EMPTY, _("empty cell"), column))
            checks.append((dates == _NOT_A_DATE, _("not a date"), column))
        after = _("the date is after the reference date in “%(column)s”") % {"column": second}
        checks.append((start > end, after, first))
        if limited:
            checks.append((misfit(years), misfit_reason(), first))
        for mask, reason, column in checks:
            fresh = mask & (failure == 0)
            if fresh.any():
                reasons.append((reason, column))
                failure[fresh] = len(reasons)
        return _Outcome(years, failure, reasons)

    (column,) = mapping.columns
    index, distinct = cells.encoded(column)
    empty = lengths(distinct) == 0
    if mapping.kind == "recode":
        targets: dict[str, float] = {}
        for raw, code in mapping.recode.items():
            number = float(parse_numbers(np.array([code], dtype=object))[0])
            if np.isnan(number):
                raise MappingError(
                    _("The mapping “%(spec)s” recodes to “%(value)s”, but “%(item)s” takes a number.")
                    % {"spec": _spec(mapping), "value": code, "item": mapping.item}
                )
            check_value(number, code)
            targets[raw.casefold()] = number
        keys = [s.casefold() for s in distinct.to_pylist()]
        numbers = np.array([targets.get(k, np.nan) for k in keys], dtype=np.float64)
        unlisted = np.isnan(numbers) & ~empty
        if "" in targets:
            empty = np.zeros_like(empty)
        failure_d = np.where(empty, 1, np.where(unlisted, 2, 0)).astype(np.int8)
        reasons = [(_("empty cell"), column), (_("not listed in the recode of the mapping"), column)]
        return _Outcome(numbers[index], failure_d[index], reasons)

    numbers = numbers_of(distinct)
    failure_d = np.where(empty, 1, np.where(np.isnan(numbers), 2, 0)).astype(np.int8)
    reasons = [(_("empty cell"), column), (_("not a number"), column)]
    if limited:
        failure_d[(failure_d == 0) & misfit(numbers)] = 3
        reasons.append((misfit_reason(), column))
    return _Outcome(numbers[index], failure_d[index], reasons)


def _allowed_numbers(mapping: Mapping, allowed: set[str] | None) -> set[float] | None:
    if allowed is None:
        return None
    numbers = parse_numbers(np.array(sorted(allowed), dtype=object))
    if np.isnan(numbers).any():
        raise ValueError(f"item {mapping.item!r}: the allowed values of a number item must be numbers")
    return {float(x) for x in numbers}


def _choice_item(mapping: Mapping, cells: _Cells, rows: int, allowed: set[str] | None) -> _Outcome:
    canonical = {code.strip().casefold(): code for code in allowed} if allowed is not None else None

    def code_for(value: str, what: str) -> str:
        if canonical is None:
            return value
        found = canonical.get(value.strip().casefold())
        if found is None:
            raise MappingError(
                _("The mapping “%(spec)s” gives “%(value)s” to “%(item)s”, which is not one of its codes: %(codes)s.")
                % {"spec": _spec(mapping), "value": what, "item": mapping.item, "codes": _codes_text(allowed or set())}
            )
        return found

    if mapping.kind in ("age", "years"):
        raise MappingError(
            _("The mapping “%(spec)s” gives a number of years, but “%(item)s” takes a code.")
            % {"spec": _spec(mapping), "item": mapping.item}
        )
    if mapping.kind == "constant":
        code = code_for(mapping.value, mapping.value)
        return _Outcome(np.full(rows, code, dtype=object), np.zeros(rows, dtype=np.int8), [])

    (column,) = mapping.columns
    index, distinct = cells.encoded(column)
    texts: list[str] = distinct.to_pylist()
    out = np.empty(len(texts), dtype=object)
    failure_d = np.zeros(len(texts), dtype=np.int8)
    if mapping.kind == "recode":
        targets = {raw.casefold(): code_for(code, code) for raw, code in mapping.recode.items()}
        reasons = [(_("empty cell"), column), (_("not listed in the recode of the mapping"), column)]
        for i, value in enumerate(texts):
            target = targets.get(value.casefold())
            out[i] = target if target is not None else ""
            if target is None:
                failure_d[i] = 1 if value == "" else 2
    else:
        reasons = [(_("empty cell"), column)]
        if canonical is not None:
            reasons.append(
                (_("not among the allowed codes: %(codes)s") % {"codes": _codes_text(allowed or set())}, column)
            )
        for i, value in enumerate(texts):
            found = value if canonical is None else canonical.get(value.casefold())
            out[i] = found if found is not None and value else ""
            if value == "":
                failure_d[i] = 1
            elif found is None:
                failure_d[i] = 2
    return _Outcome(out[index], failure_d[index], reasons)


def _full_years(start: npt.NDArray[np.int64], end: npt.NDArray[np.int64]) -> FloatArray:
    """Full years from ``start`` to ``end`` (dates as yyyymmdd): the difference with its last four
    digits dropped, so a person born on 29 February ages on 1 March, as
    :func:`openprobation.core.timeutil.age_on` has it. NaN where either is not a date or ``start``
    is after ``end``."""
    ok = (start > 0) & (end > 0) & (start <= end)
    return np.where(ok, (end - start) // 10_000, np.nan)


def _ymd(dates: DateArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day
