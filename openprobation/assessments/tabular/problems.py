"""What :func:`~openprobation.assessments.tabular.map_items` gives back: the item arrays, the usable
rows, and the cells that give an item no usable value, kept as groups of rows and summarised for a person."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openprobation.assessments.tabular.base import BoolArray, IndexArray


@dataclass(frozen=True)
class RowProblem:
    """A cell that gives an item no usable value. ``row`` is 1 for the first data row."""

    row: int
    item: str
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class ProblemGroup:
    """The rows (0-based, ascending) where one item has one problem."""

    item: str
    column: str
    reason: str
    rows: IndexArray
    cells: pa.Array | None  # the cell of ``column`` on each of those rows (None: nothing to show)
    whole_row: bool = False  # the reason concerns the row, not the cell (an empty row, a ragged row)

    def values(self) -> list[str]:
        return self.cells.to_pylist() if self.cells is not None else [""] * self.rows.size


class RowProblems(Sequence[RowProblem]):
    """The problems found by :func:`map_items`, in row order and, within a row, in the order of the
    mappings: a read-only list.

    They are kept as one group of rows per item and reason, and a :class:`RowProblem` is made when
    it is asked for: a million empty optional cells cost a few arrays, not a million objects, until
    someone goes through them."""

    def __init__(self, groups: Sequence[ProblemGroup], positions: Sequence[int]):
        self._groups = list(groups)
        sizes = [g.rows.size for g in self._groups]
        if self._groups:
            rows = np.concatenate([g.rows for g in self._groups])
            position = np.repeat(np.asarray(positions, dtype=np.intp), sizes)
            order = np.lexsort((position, rows))
            self._group_of = np.repeat(np.arange(len(sizes)), sizes)[order]
            self._within = np.concatenate([np.arange(n) for n in sizes])[order]
        else:
            self._group_of = self._within = np.empty(0, dtype=np.intp)
        self._made: list[RowProblem] | None = None

    def groups(self) -> list[ProblemGroup]:
        return list(self._groups)

    def __len__(self) -> int:
        return int(self._group_of.size)

    @overload
    def __getitem__(self, index: int) -> RowProblem: ...

    @overload
    def __getitem__(self, index: slice) -> list[RowProblem]: ...

    def __getitem__(self, index: int | slice) -> RowProblem | list[RowProblem]:
        if self._made is not None:
            return self._made[index]
        if isinstance(index, slice):
            return [self._make(i) for i in range(*index.indices(len(self)))]
        position = operator.index(index)
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError("problem index out of range")
        return self._make(position)

    def _make(self, position: int) -> RowProblem:
        group = self._groups[int(self._group_of[position])]
        k = int(self._within[position])
        value = group.cells[k].as_py() if group.cells is not None else ""
        return RowProblem(
            row=int(group.rows[k]) + 1, item=group.item, column=group.column, value=value, reason=group.reason
        )

    def __iter__(self) -> Iterator[RowProblem]:
        if self._made is None:
            values = [g.values() for g in self._groups]
            rows = [g.rows.tolist() for g in self._groups]
            self._made = [
                RowProblem(
                    row=rows[g][k] + 1, item=group.item, column=group.column, value=values[g][k], reason=group.reason
                )
                for g, k, group in (
                    (g, k, self._groups[g]) for g, k in zip(self._group_of.tolist(), self._within.tolist(), strict=True)
                )
            ]
        return iter(self._made)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<RowProblems: {len(self)}>"


@dataclass(frozen=True)
class Mapped:
    """One array per mapped item (number items: float64, NaN where unusable; choice items: object
    array of codes, ``""`` where unusable), which rows have every required item, and why the others
    do not (:class:`RowProblems` from :func:`map_items`; any sequence of :class:`RowProblem` will do)."""

    values: dict[str, npt.NDArray[Any]]
    usable: BoolArray
    problems: Sequence[RowProblem]
    # Reasons that concern a whole row (an empty row, a row of the wrong width): summarised per row,
    # not per item.
    row_reasons: frozenset[str] = field(default=frozenset(), repr=False)

    def problem_summary(self, limit: int = 20) -> list[str]:
        """Lines for a person: how many rows cannot be scored, then per item and reason (or per
        whole-row reason) how many rows and the first few of them, the most frequent first (at most
        ``limit`` such lines)."""
        total = int(self.usable.size)
        unusable = total - int(np.count_nonzero(self.usable))
        lines: list[str] = []
        if unusable:
            lines.append(
                ngettext(
                    "%(count)s of %(total)s rows cannot be scored: a required item has no usable value.",
                    "%(count)s of %(total)s rows cannot be scored: a required item has no usable value.",
                    unusable,
                )
                % {"count": unusable, "total": total}
            )
        summary = _summary_groups(self.problems, self.row_reasons)
        summary.sort(key=lambda g: (-g.rows.size, int(g.rows[0])))
        for group in summary[:limit]:
            shown = ", ".join(
                _("row %(row)s “%(value)s”") % {"row": row + 1, "value": value}
                if value
                else _("row %(row)s") % {"row": row + 1}
                for row, value in zip(group.rows[:3].tolist(), group.values()[:3], strict=True)
            )
            count = int(group.rows.size)
            values = {"item": group.item, "column": group.column, "reason": group.reason, "count": count}
            values["examples"] = shown
            if group.whole_row:
                line = ngettext(
                    "Whole row: %(reason)s — %(count)s row, e.g. %(examples)s.",
                    "Whole row: %(reason)s — %(count)s rows, e.g. %(examples)s.",
                    count,
                )
            elif group.column:
                line = ngettext(
                    "%(item)s, column “%(column)s”: %(reason)s — %(count)s row, e.g. %(examples)s.",
                    "%(item)s, column “%(column)s”: %(reason)s — %(count)s rows, e.g. %(examples)s.",
                    count,
                )
            else:
                line = ngettext(
                    "%(item)s: %(reason)s — %(count)s row, e.g. %(examples)s.",
                    "%(item)s: %(reason)s — %(count)s rows, e.g. %(examples)s.",
                    count,
                )
            lines.append(line % values)
        if len(summary) > limit:
            more = len(summary) - limit
            lines.append(
                ngettext("… and %(count)s more kind of problem.", "… and %(count)s more kinds of problem.", more)
                % {"count": more}
            )
        return lines


def _summary_groups(problems: Sequence[RowProblem], row_reasons: frozenset[str]) -> list[ProblemGroup]:
    """Problems grouped by item, column and reason; whole-row reasons grouped once per row."""
    if isinstance(problems, RowProblems):
        groups = problems.groups()
    else:
        collected: dict[tuple[str, str, str], tuple[list[int], list[str]]] = {}
        for p in problems:
            rows, values = collected.setdefault((p.item, p.column, p.reason), ([], []))
            rows.append(p.row - 1)
            values.append(p.value)
        groups = [
            ProblemGroup(
                item,
                column,
                reason,
                np.array(rows, dtype=np.intp),
                pa.array(values, type=pa.string()),
                whole_row=reason in row_reasons,
            )
            for (item, column, reason), (rows, values) in collected.items()
        ]
    merged: dict[str, list[IndexArray]] = {}
    out: list[ProblemGroup] = []
    for group in groups:
        if group.whole_row:
            merged.setdefault(group.reason, []).append(group.rows)
        elif group.rows.size:
            out.append(group)
    for reason, parts in merged.items():
        out.append(ProblemGroup("", "", reason, np.unique(np.concatenate(parts)), None, whole_row=True))
    return out
