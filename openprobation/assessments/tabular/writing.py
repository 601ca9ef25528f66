"""Writing the table back, with the scores beside it, as CSV."""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _

from openprobation.assessments.tabular.base import THREADS, Table, TableError
from openprobation.assessments.tabular.cells import offsets_and_data, to_arrow

_WRITE_CHUNK_ROWS = 131_072


def write_table(
    table: Table,
    extra: dict[str, npt.NDArray[Any]],
    target: str | os.PathLike[str] | BinaryIO,
    *,
    delimiter: str = ",",
) -> None:
    """Write the table's header and cells (a repeated header as it was) and then the ``extra``
    columns, as UTF-8 without a BOM, quoting only the cells that need it (RFC 4180, CRLF line
    ends). Floats are written with up to 6 decimals and NaN as an empty cell; booleans as 1/0."""
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise ValueError(f"a delimiter is one character other than a quote or a line end, not {delimiter!r}")
    rows = len(table.frame)
    if len(table.header) != len(table.frame.columns):
        raise ValueError(f"the table has {len(table.header)} headers for {len(table.frame.columns)} columns")
    for name, values in extra.items():
        if len(values) != rows:
            raise ValueError(f"extra column {name!r} has {len(values)} values for {rows} rows")
    header = io.StringIO()
    csv.writer(header, delimiter=delimiter, lineterminator="\r\n").writerow([*table.header, *extra])
    columns = [_column_cells(table.frame[c]) for c in table.frame.columns]
    columns += [_extra_cells(np.asarray(values)) for values in extra.values()]
    lone = len(columns) == 1  # one column: an empty cell must be quoted or the row reads as a blank line

    def render(start: int) -> pa.Buffer:
        return _render_rows([c.slice(start, _WRITE_CHUNK_ROWS) for c in columns], delimiter, quote_empty=lone)

    with _opened(target) as fh:
        fh.write(header.getvalue().encode("utf-8"))
        with ThreadPoolExecutor(THREADS) as pool:
            pending: deque[Future[pa.Buffer]] = deque()
            for start in range(0, rows, _WRITE_CHUNK_ROWS):
                pending.append(pool.submit(render, start))
                if len(pending) > THREADS:
                    fh.write(pending.popleft().result())
            while pending:
                fh.write(pending.popleft().result())


@contextmanager
def _opened(target: str | os.PathLike[str] | BinaryIO) -> Iterator[BinaryIO]:
    if not isinstance(target, str | os.PathLike):
        yield target
        return
    try:
        fh = open(target, "wb")  # noqa: SIM115 - closed below, after the OSError translation
    except OSError as exc:
        raise TableError(
            _("The file “%(name)s” cannot be written: %(why)s") % {"name": os.fspath(target), "why": exc.strerror}
        ) from None
    with fh:
        yield fh


def _column_cells(column: pd.Series[Any]) -> pa.Array | pa.ChunkedArray:
    """A frame column as Arrow text; the chunks the reader made are joined per written chunk later,
    in the writing threads."""
    try:
        return pa.array(column.array, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return to_arrow(column)


def _extra_cells(values: npt.NDArray[Any]) -> pa.Array:
    """An extra column ready to be written: text, or numbers and dates that each chunk turns into
    text in its own thread."""
    kind = values.dtype.kind
    if kind == "f":
        rounded = np.round(values.astype(np.float64), 6) + 0.0  # + 0.0 turns -0.0 into 0.0
        return pa.array(rounded, mask=np.isnan(rounded))
    if kind in "iuM":
        return pa.array(values, from_pandas=True)  # NaT is a null
    if kind == "b":
        return pc.if_else(pa.array(values.astype(bool)), _ONE, _ZERO)
    return to_arrow(values)


def _render_rows(columns: list[pa.Array | pa.ChunkedArray], delimiter: str, *, quote_empty: bool) -> pa.Buffer:
    """Rows of cells as the bytes of CSV lines."""
    cells = [_quoted(_as_text(c), delimiter, quote_empty) for c in columns]
    cells[-1] = pc.binary_join_element_wise(cells[-1], _CRLF, _NOTHING)  # the line end, on the shortest copy
    lines = pc.binary_join_element_wise(*cells, pa.scalar(delimiter, type=pa.large_string()))
    if len(lines) == 0:
        return pa.py_buffer(b"")
    offsets, _data = offsets_and_data(lines)
    return lines.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def _as_text(cells: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    if cells.type != pa.large_string():
        cells = pc.cast(cells, pa.large_string())
    return pc.fill_null(cells, "") if cells.null_count else cells


_QUOTE = pa.scalar('"', type=pa.large_string())
_NOTHING = pa.scalar("", type=pa.large_string())
_CRLF = pa.scalar("\r\n", type=pa.large_string())
_ONE = pa.scalar("1", type=pa.large_string())
_ZERO = pa.scalar("0", type=pa.large_string())


def _quoted(cells: pa.Array, delimiter: str, quote_empty: bool) -> pa.Array:
    """The cells with the ones holding a delimiter, a quote or a line end put in quotes."""
    if len(cells) == 0:
        return cells
    offsets, data = offsets_and_data(cells)
    data = data[offsets[0] : offsets[-1]]
    specials = [delimiter.encode(), b'"', b"\n", b"\r"]
    needs = np.zeros(len(cells), dtype=bool)
    text = data.tobytes()
    if any(special in text for special in specials):  # memchr: most columns need no quotes at all
        found = np.zeros(256, dtype=bool)
        found[[ord(special) for special in specials]] = True
        positions = np.flatnonzero(found[data]) + offsets[0]
        needs[np.searchsorted(offsets, positions, side="right") - 1] = True
    if quote_empty:
        needs |= np.diff(offsets) == 0
    if not needs.any():
        return cells
    chosen = cells.filter(pa.array(needs))
    escaped = pc.replace_substring(chosen, '"', '""')
    wrapped = pc.binary_join_element_wise(_QUOTE, escaped, _QUOTE, _NOTHING)
    return pc.replace_with_mask(cells, pa.array(needs), wrapped)
