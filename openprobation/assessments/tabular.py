"""Reading real, messy tables of historical records for batch scoring, and writing the scored table.

Everything between a CSV file and the item arrays an instrument scores:

* :func:`read_table` reads the file whatever it looks like (a BOM, UTF-8 or Windows-1251, ``,``
  ``;`` tab or ``|`` between cells, an Excel ``sep=`` line, repeated or empty headers, stray
  whitespace, blank lines, rows with too few or too many cells) into text columns;
* :func:`parse_mapping` reads one ``--map`` spec (``item=column``, a recode, a derived age, a
  constant);
* :func:`map_items` turns the columns into one array per item and reports every cell it cannot use
  (row number as in the file, 1 = the first data row) with the reason;
* :func:`write_table` writes the table back with the scores beside it.

Nothing here loops over rows in Python: the file is parsed by pyarrow, every column is encoded as
its distinct values once, each distinct value is read once (as a number, a date, a code) and the
result is spread back to the rows with an index. A row with too few or too many cells stops the
parallel reader: pyarrow then reads the file again on one thread and says on which line each such
row is (when the file has no quotes, so that a line is a row), or else Python's csv module reads it,
which is several times slower; either way every row stays where it was.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import operator
import os
import re
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today

__all__ = [
    "ItemKind",
    "Mapped",
    "Mapping",
    "MappingError",
    "RowProblem",
    "RowProblems",
    "Table",
    "TableError",
    "map_items",
    "parse_dates",
    "parse_mapping",
    "parse_numbers",
    "read_table",
    "write_table",
]

ItemKind = Literal["number", "choice"]
MappingKind = Literal["column", "recode", "age", "years", "constant"]

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 1 << 16  # enough of the file to tell the encoding and the delimiter
_WRITE_CHUNK_ROWS = 131_072
_THREADS = max(1, min(4, os.cpu_count() or 1))

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IndexArray = npt.NDArray[np.integer[Any]]
DateArray = npt.NDArray[np.datetime64]


class TableError(DomainError):
    """The file cannot be read (or written) as a table at all."""

    def __init__(self, message: str, *, code: str = "table"):
        super().__init__(message, code=code)


class MappingError(DomainError):
    """A ``--map`` spec is malformed or does not fit the file or the instrument."""

    def __init__(self, message: str, *, code: str = "mapping"):
        super().__init__(message, code=code)


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A file's cells as trimmed text. ``frame`` has one column per header, named by ``columns``
    (repeated headers made unique); an empty cell is ``""``, never missing."""

    header: list[str]
    columns: list[str]
    frame: pd.DataFrame
    warnings: list[str]
    rows: int
    delimiter: str = ","
    encoding: str = "utf-8"
    # Rows that cannot be used at all (0-based row -> why): a row with more cells than the header,
    # a row with every cell empty. They stay in ``frame`` (and in the written file) where they were.
    bad_rows: dict[int, str] = field(default_factory=dict)


def read_table(source: str | os.PathLike[str] | BinaryIO, *, encoding: str | None = None) -> Table:
    """Read a delimited text file of records.

    The encoding is taken from a BOM, else UTF-8 when the file is valid UTF-8, else Windows-1251
    (unless ``encoding`` is given). The delimiter is the one of ``,`` ``;`` tab ``|`` that splits
    the header and the first rows into the same number of cells (or the one an Excel ``sep=`` first
    line names). Raises :class:`TableError` when the file cannot be read as a table."""
    raw = _read_source(source)
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise TableError(_("This is an Excel workbook, not a CSV file. Save it as CSV (UTF-8) and try again."))
    text, used, verified = _to_utf8(raw, encoding)
    text, delimiter = _split_off_sep_line(text.trimmed())
    if text.start == text.end:
        raise TableError(_("The file is empty: it has no header row."))
    if delimiter is None:
        delimiter = _detect_delimiter(text)
    try:
        parsed = _parse(text, delimiter, check_utf8=not verified)
    except _NotUtf8:
        if encoding is not None or used != "utf-8" or raw.startswith(codecs.BOM_UTF8):
            raise TableError(
                _("The file is not valid %(encoding)s text. Give its encoding, e.g. --encoding cp1251.")
                % {"encoding": used}
            ) from None
        text, used = _transcode(raw, "cp1251"), "cp1251"
        text, _sep = _split_off_sep_line(text.trimmed())
        parsed = _parse(text, delimiter, check_utf8=False)
    return _build_table(parsed, delimiter, used)


@dataclass(frozen=True)
class _Span:
    """Part of the file's bytes, without copying them (the file can be large)."""

    data: bytes
    start: int = 0
    end: int = -1

    def __post_init__(self) -> None:
        if self.end < 0:
            object.__setattr__(self, "end", len(self.data))

    def trimmed(self) -> _Span:
        """Without the blank lines at the start and the end."""
        start, end = self.start, self.end
        while start < end and self.data[start] in b"\r\n":
            start += 1
        while end > start and self.data[end - 1] in b"\r\n":
            end -= 1
        return _Span(self.data, start, end)

    def head(self, size: int = _SAMPLE_BYTES) -> bytes:
        return self.data[self.start : min(self.end, self.start + size)]

    def contains(self, needle: bytes) -> bool:
        return self.data.find(needle, self.start, self.end) >= 0

    def buffer(self) -> pa.Buffer:
        return pa.py_buffer(self.data).slice(self.start, self.end - self.start)

    def decode(self) -> str:
        return self.data[self.start : self.end].decode("utf-8")


def _read_source(source: str | os.PathLike[str] | BinaryIO) -> bytes:
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            raise TableError(_("The file “%(name)s” does not exist.") % {"name": os.fspath(source)}) from None
        except IsADirectoryError:
            raise TableError(_("“%(name)s” is a folder, not a file.") % {"name": os.fspath(source)}) from None
        except OSError as exc:
            raise TableError(
                _("The file “%(name)s” cannot be read: %(why)s") % {"name": os.fspath(source), "why": exc.strerror}
            ) from None
    content: Any = source.read()
    if isinstance(content, str):  # a text stream after all: it is already decoded
        return codecs.BOM_UTF8 + content.encode("utf-8")
    return bytes(content)


def _to_utf8(raw: bytes, encoding: str | None) -> tuple[_Span, str, bool]:
    """The file as UTF-8 bytes without a BOM, the encoding it was read as, and whether the bytes
    are known to be valid UTF-8 already (else the parser checks them)."""
    if raw.startswith(codecs.BOM_UTF8) and (encoding is None or _codec(encoding) == "utf-8"):
        return _Span(raw, len(codecs.BOM_UTF8)), "utf-8", False
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and encoding is None:
        return _transcode(raw, "utf-16"), "utf-16", True
    if encoding is not None:
        name = _codec(encoding)
        if name == "utf-8":
            return _Span(raw), "utf-8", False
        return _transcode(raw, name), name, True
    sample = raw[:_SAMPLE_BYTES]
    if b"\x00" in sample:
        raise TableError(_("The file is not a text file (it contains zero bytes). Save it as CSV and try again."))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(raw) <= _SAMPLE_BYTES)
    except UnicodeDecodeError:
        return _transcode(raw, "cp1251"), "cp1251", True
    return _Span(raw), "utf-8", False


def _codec(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise TableError(_("“%(encoding)s” is not a known text encoding.") % {"encoding": encoding}) from None
    return "utf-8" if name in {"utf-8", "utf-8-sig"} else name


def _transcode(raw: bytes, encoding: str) -> _Span:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise TableError(
            _(
                "The file is not valid %(encoding)s text (byte 0x%(byte)s at position %(position)s). "
                "Save it as UTF-8 or give its encoding."
            )
            % {"encoding": encoding, "byte": f"{raw[exc.start]:02X}", "position": exc.start}
        ) from None
    return _Span(text.lstrip("\ufeff").encode("utf-8"))


_SEP_LINE = re.compile(rb"sep=(.)\r?\n", re.IGNORECASE)


def _split_off_sep_line(text: _Span) -> tuple[_Span, str | None]:
    """Excel writes ``sep=;`` as the first line to name the delimiter."""
    match = _SEP_LINE.match(text.data, text.start, text.end)
    if match is None:
        return text, None
    return _Span(text.data, match.end(), text.end), match.group(1).decode("latin-1")


def _detect_delimiter(text: _Span) -> str:
    """The delimiter that gives the header the most cells and the first rows as many as the header."""
    lines = text.head().decode("utf-8", errors="replace").splitlines()
    if text.end - text.start > _SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    best, best_score = "", (-1.0, -1)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in csv.reader(lines, delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        if width < 2:  # noqa: PLR2004 - one cell: this is not the delimiter
            continue
        rest = records[1:]
        consistent = sum(len(r) == width for r in rest) / len(rest) if rest else 1.0
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    if not best:  # one column: a delimiter that splits no line, so a comma in a value stays in it
        sample = "\n".join(lines)
        best = next((d for d in DELIMITERS if d not in sample), ",")
    return best


class _NotUtf8(Exception):
    pass


@dataclass
class _Parsed:
    header: list[str]
    cells: list[pa.Array | pa.ChunkedArray]  # one per header cell, data rows only, not yet trimmed
    bad_rows: dict[int, str]
    warnings: list[str]


def _parse(text: _Span, delimiter: str, *, check_utf8: bool) -> _Parsed:
    """Parse with pyarrow, in parallel. Rows of another width than the header stop that reader:
    a file without quotes (so one line is one row) is then read again by pyarrow on one thread,
    which says on which line each such row is; any other goes through Python's csv module."""
    width = _header_width(text, delimiter)
    quoted = text.contains(b'"')
    try:
        return _parse_fast(text, delimiter, width, check_utf8=check_utf8, quoted=quoted)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower():
            raise _NotUtf8 from None
    if not quoted:
        ragged = _parse_ragged(text, delimiter, width, check_utf8=check_utf8)
        if ragged is not None:
            return ragged
    try:
        decoded = text.decode()
    except UnicodeDecodeError:
        raise _NotUtf8 from None
    return _parse_slowly(decoded, delimiter)


def _arrow_options(
    delimiter: str, width: int, *, check_utf8: bool, quoted: bool, threads: bool = True, handler: Any = None
) -> dict[str, Any]:
    names = [f"f{i}" for i in range(width)]
    return {
        "read_options": pa_csv.ReadOptions(column_names=names, use_threads=threads),
        # A line end inside a value needs a quoted value; the reader is faster when there can be none.
        "parse_options": pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=quoted, ignore_empty_lines=False, invalid_row_handler=handler
        ),
        "convert_options": pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=check_utf8,
        ),
    }


def _parse_fast(text: _Span, delimiter: str, width: int, *, check_utf8: bool, quoted: bool) -> _Parsed:
    parsed = pa_csv.read_csv(text.buffer(), **_arrow_options(delimiter, width, check_utf8=check_utf8, quoted=quoted))
    header = [parsed.column(i)[0].as_py() for i in range(width)]
    body = parsed.slice(1)
    return _Parsed(header, [body.column(i) for i in range(width)], {}, [])


def _parse_ragged(text: _Span, delimiter: str, width: int, *, check_utf8: bool) -> _Parsed | None:
    """A file without quotes some rows of which have another width than the header: the other rows
    from pyarrow, these from the csv module, each put back on its line. None if it cannot be done
    this way (the header itself is the odd one)."""
    odd: list[tuple[int, str]] = []

    def keep_aside(row: Any) -> str:
        odd.append((row.number, row.text))
        return "skip"

    options = _arrow_options(delimiter, width, check_utf8=check_utf8, quoted=False, threads=False, handler=keep_aside)
    try:
        parsed = pa_csv.read_csv(text.buffer(), **options)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower():
            raise _NotUtf8 from None
        return None
    if not odd or any(number is None or number < 2 for number, _text in odd):  # noqa: PLR2004 - line 1 is the header
        return None
    positions = np.array([number - 2 for number, _text in odd], dtype=np.int64)  # line 2 is data row 0
    fixer = _RowFixer(width, delimiter)
    fixed = [
        fixer.fix(int(i), next(csv.reader([line], delimiter=delimiter), []))
        for i, (_n, line) in zip(positions, odd, strict=True)
    ]
    body = parsed.slice(1)
    total = body.num_rows + len(odd)
    is_odd = np.zeros(total, dtype=bool)
    is_odd[positions] = True
    order = np.empty(total, dtype=np.int64)
    order[~is_odd] = np.arange(body.num_rows)
    order[is_odd] = body.num_rows + np.arange(len(odd))
    order_array = pa.array(order)
    columns = [
        pa.concat_arrays([body.column(c).combine_chunks(), pa.array([row[c] for row in fixed], type=pa.string())]).take(
            order_array
        )
        for c in range(width)
    ]
    header = [parsed.column(i)[0].as_py() for i in range(width)]
    return _Parsed(header, columns, fixer.bad, fixer.warnings())


class _RowFixer:
    """Rows of another width than the header made as wide as it: a short row gets empty cells, a
    long one loses trailing empty cells, or else is kept (its extra cells joined into the last one,
    so the written file loses nothing) and marked unusable."""

    def __init__(self, width: int, delimiter: str):
        self.width = width
        self.delimiter = delimiter
        self.bad: dict[int, str] = {}
        self.short: list[int] = []
        self.spare: list[int] = []

    def fix(self, index: int, row: list[str]) -> list[str]:
        width, cells = self.width, len(row)
        if cells < width:
            if cells:  # a blank line is a row of empty cells (reported as an empty row)
                self.short.append(index)
            return row + [""] * (width - cells)
        if cells > width and not any(cell.strip() for cell in row[width:]):
            self.spare.append(index)
            return row[:width]
        if cells > width:
            self.bad[index] = _("the row has %(cells)s cells but the header has %(width)s") % {
                "cells": cells,
                "width": width,
            }
            return [*row[: width - 1], self.delimiter.join(row[width - 1 :])]
        return row

    def warnings(self) -> list[str]:
        warnings: list[str] = []
        if self.short:
            warnings.append(
                ngettext(
                    "%(count)s row has fewer cells than the header (row %(rows)s); the missing cells are read as empty.",
                    "%(count)s rows have fewer cells than the header (rows %(rows)s); the missing cells are read as empty.",
                    len(self.short),
                )
                % {"count": len(self.short), "rows": _row_list(self.short)}
            )
        if self.spare:
            warnings.append(
                ngettext(
                    "%(count)s row has empty cells after the last column (row %(rows)s); they are ignored.",
                    "%(count)s rows have empty cells after the last column (rows %(rows)s); they are ignored.",
                    len(self.spare),
                )
                % {"count": len(self.spare), "rows": _row_list(self.spare)}
            )
        return warnings


def _header_width(text: _Span, delimiter: str) -> int:
    head = text.head().decode("utf-8", errors="replace")
    try:
        first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [""])
    except csv.Error:
        first = [""]
    return max(1, len(first))


def _parse_slowly(text: str, delimiter: str) -> _Parsed:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise TableError(
            _("Line %(line)s of the file cannot be read: %(why)s") % {"line": reader.line_num, "why": str(exc)}
        ) from None
    while records and not records[-1]:
        records.pop()
    header, rows = records[0], records[1:]
    fixer = _RowFixer(len(header), delimiter)
    rows = [row if len(row) == fixer.width else fixer.fix(i, row) for i, row in enumerate(rows)]
    if rows:
        columns = [pa.array(list(col), type=pa.string()) for col in zip(*rows, strict=True)]
    else:
        columns = [pa.array([], type=pa.string()) for _cell in header]
    return _Parsed(header, columns, fixer.bad, fixer.warnings())


def _row_list(rows: Sequence[int], limit: int = 5) -> str:
    """1-based row numbers, the first few of them."""
    shown = ", ".join(str(r + 1) for r in rows[:limit])
    return shown + (" …" if len(rows) > limit else "")


def _build_table(parsed: _Parsed, delimiter: str, encoding: str) -> Table:
    header = [cell.strip() for cell in parsed.header]
    columns, warnings = _unique_columns(header)
    warnings += parsed.warnings
    with ThreadPoolExecutor(_THREADS) as pool:
        trimmed = list(pool.map(_trimmed, parsed.cells))
    rows = len(trimmed[0]) if trimmed else 0
    bad = dict(parsed.bad_rows)
    if rows and trimmed:
        empty = np.logical_and.reduce([_lengths(col) == 0 for col in trimmed])
        for i in np.flatnonzero(empty).tolist():
            bad.setdefault(i, _("the row is empty"))
    frame = pa.table(trimmed, names=columns).to_pandas()
    frame.columns = pd.Index(columns, dtype=object)
    return Table(
        header=header,
        columns=columns,
        frame=frame,
        warnings=warnings,
        rows=rows,
        delimiter=delimiter,
        encoding=encoding,
        bad_rows=dict(sorted(bad.items())),
    )


def _trimmed(cells: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The cells without whitespace around them. A chunk none of whose cells can start or end with
    whitespace is kept as it is, without a copy: that needs a look at a few bytes around each cell
    only (a space or control character, or the first or last bytes of a Unicode space such as the
    no-break space; Cyrillic letters are neither)."""
    if isinstance(cells, pa.ChunkedArray):
        return pa.chunked_array([_trimmed(chunk) for chunk in cells.chunks], type=cells.type)
    offsets, data = _offsets_and_data(cells)
    filled = offsets[1:] > offsets[:-1]
    if not filled.any():
        return cells
    starts, ends = offsets[:-1][filled], offsets[1:][filled]
    first, last = data[starts], data[ends - 1]
    before_last = data[np.maximum(ends - 2, 0)]
    third_last = data[np.maximum(ends - 3, 0)]
    maybe = (
        (first <= ord(" "))
        | (last <= ord(" "))
        | np.isin(first, _SPACE_LEAD_BYTES)
        | ((before_last == 0xC2) & ((last == 0x85) | (last == 0xA0)))  # noqa: PLR2004 - U+0085, U+00A0
        | np.isin(third_last, _SPACE_LEAD_BYTES[1:])
    )
    return pc.utf8_trim_whitespace(cells) if maybe.any() else cells


# The first bytes in UTF-8 of the Unicode spaces beyond ASCII: U+0085 and U+00A0 (C2), U+1680 (E1),
# U+2000-U+200A, U+2028, U+2029, U+202F, U+205F (E2), U+3000 (E3).
_SPACE_LEAD_BYTES = np.array([0xC2, 0xE1, 0xE2, 0xE3], dtype=np.uint8)


def _offsets_and_data(cells: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """The value offsets of a text array (this slice of it) and the whole data buffer they index."""
    width = np.int64 if pa.types.is_large_string(cells.type) else np.int32
    _validity, offset_buffer, data_buffer = cells.buffers()
    if offset_buffer is None:  # an empty array may have no buffers
        return np.zeros(len(cells) + 1, dtype=np.int64), np.empty(0, dtype=np.uint8)
    offsets = np.frombuffer(offset_buffer, dtype=width)[cells.offset : cells.offset + len(cells) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, dtype=np.uint8)
    return offsets.astype(np.int64, copy=False), data


def _unique_columns(header: list[str]) -> tuple[list[str], list[str]]:
    """Names for the columns: the header, an empty header as ``column N``, a repeat as ``name (2)``."""
    taken = set(header)
    columns: list[str] = []
    warnings: list[str] = []
    repeats: dict[str, list[str]] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            new = f"column {position}"
            suffix = 2
            while new in taken:
                new = f"column {position} ({suffix})"
                suffix += 1
            taken.add(new)
            columns.append(new)
            warnings.append(
                _("Column %(position)s has no header; it is called “%(name)s”.") % {"position": position, "name": new}
            )
        elif name in columns or name in repeats:
            suffix = 2
            while f"{name} ({suffix})" in taken:
                suffix += 1
            new = f"{name} ({suffix})"
            taken.add(new)
            columns.append(new)
            repeats.setdefault(name, []).append(new)
        else:
            columns.append(name)
    for name, others in repeats.items():
        if len(others) == 1:
            warnings.append(
                _("Column header “%(name)s” appears 2 times; the second is “%(other)s”.")
                % {"name": name, "other": others[0]}
            )
        else:
            warnings.append(
                _("Column header “%(name)s” appears %(count)s times; the others are %(others)s.")
                % {"name": name, "count": len(others) + 1, "others": ", ".join(f"“{o}”" for o in others)}
            )
    return columns, warnings


# --- mappings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """One ``--map`` spec: where an item's value comes from."""

    item: str
    kind: MappingKind
    columns: tuple[str, ...]
    recode: dict[str, str]
    value: str = ""
    spec: str = ""


_ITEM = re.compile(r"[^\s\"=:(),]+")
_DERIVED = re.compile(r"(age|years)\s*\((.*)\)", re.IGNORECASE | re.DOTALL)


def parse_mapping(spec: str) -> Mapping:
    """Read one ``--map`` spec.

    ``item=column`` takes the column as it is; ``item=column:Raw->code,Other->code`` recodes
    (matching trimmed and case-insensitively; ``""->code`` gives empty cells a code);
    ``item=age(birth_column,reference_column)`` and ``item=years(from_column,to_column)`` are the
    full years between two dates; ``item=const:value`` is the same value for every row. A column
    name or value with spaces, commas, ``:``, ``=`` or ``->`` in it can be put in double quotes."""
    text = spec.strip()
    if "=" not in text:
        raise MappingError(
            _("The mapping “%(spec)s” has no “=”: write item=column, e.g. age=age_years.") % {"spec": spec}
        )
    item, _eq, source = text.partition("=")
    item, source = item.strip(), source.strip()
    if not item:
        raise MappingError(_("The mapping “%(spec)s” does not name an item before “=”.") % {"spec": spec})
    if not _ITEM.fullmatch(item):
        raise MappingError(
            _("The mapping “%(spec)s” has “%(item)s” as the item code; an item code has no spaces, quotes or ( ) , :.")
            % {"spec": spec, "item": item}
        )
    if not source:
        raise MappingError(_("The mapping “%(spec)s” names no column after “=”.") % {"spec": spec})
    if source[:6].lower() == "const:":
        value = _unquote(source[6:], spec)
        if not value:
            raise MappingError(
                _("The mapping “%(spec)s” gives no value after “const:”, e.g. %(item)s=const:theft.")
                % {"spec": spec, "item": item}
            )
        return Mapping(item=item, kind="constant", columns=(), recode={}, value=value, spec=spec)
    derived = _DERIVED.fullmatch(source)
    if derived is not None:
        function = derived.group(1).lower()
        args = _split(derived.group(2), ",", spec)
        if not (len(args) == 1 and args[0].strip().isdigit()):  # "age (2)" is a repeated column "age"
            if len(args) != 2:  # noqa: PLR2004 - two dates
                raise MappingError(
                    _(
                        "The mapping “%(spec)s”: %(function)s() takes two date columns, the earlier date and the "
                        "reference date, e.g. %(function)s(birth_date,assessed_on). A column whose name looks "
                        "like this goes in double quotes."
                    )
                    % {"spec": spec, "function": function}
                )
            first, second = (_unquote(a, spec) for a in args)
            if not first or not second:
                raise MappingError(
                    _("The mapping “%(spec)s”: %(function)s() is missing a column name.")
                    % {"spec": spec, "function": function}
                )
            kind: MappingKind = "age" if function == "age" else "years"
            return Mapping(item=item, kind=kind, columns=(first, second), recode={}, spec=spec)
    parts = _split(source, ":", spec, maxsplit=1)
    column = _unquote(parts[0], spec)
    if not column:
        raise MappingError(_("The mapping “%(spec)s” names no column before “:”.") % {"spec": spec})
    if len(parts) == 1:
        return Mapping(item=item, kind="column", columns=(column,), recode={}, spec=spec)
    return Mapping(item=item, kind="recode", columns=(column,), recode=_parse_recode(parts[1], spec), spec=spec)


def _parse_recode(text: str, spec: str) -> dict[str, str]:
    recode: dict[str, str] = {}
    folded: dict[str, str] = {}
    for pair in _split(text, ",", spec):
        if not pair.strip():
            continue
        sides = _split(pair, "->", spec)
        if len(sides) != 2:  # noqa: PLR2004 - raw and code
            raise MappingError(
                _("The mapping “%(spec)s”: “%(pair)s” is not of the form value->code, e.g. Male->M.")
                % {"spec": spec, "pair": pair.strip()}
            )
        raw, code = _unquote(sides[0], spec), _unquote(sides[1], spec)
        if not code:
            raise MappingError(
                _("The mapping “%(spec)s”: “%(pair)s” gives no code after “->”.") % {"spec": spec, "pair": pair.strip()}
            )
        key = raw.casefold()
        if key in folded and recode[folded[key]] != code:
            raise MappingError(
                _("The mapping “%(spec)s” recodes “%(value)s” twice, to “%(first)s” and to “%(second)s”.")
                % {"spec": spec, "value": raw, "first": recode[folded[key]], "second": code}
            )
        folded.setdefault(key, raw)
        recode.setdefault(folded[key], code)
    if not recode:
        raise MappingError(
            _("The mapping “%(spec)s” has nothing to recode after “:”; write e.g. sex:Male->M,Female->F.")
            % {"spec": spec}
        )
    return recode


def _split(text: str, separator: str, spec: str, *, maxsplit: int = -1) -> list[str]:
    """Split on ``separator`` outside double quotes."""
    parts: list[str] = []
    start = i = 0
    quoted = False
    while i < len(text):
        if text[i] == '"':
            quoted = not quoted
        elif not quoted and text.startswith(separator, i) and (maxsplit < 0 or len(parts) < maxsplit):
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    if quoted:
        raise MappingError(_("The mapping “%(spec)s” has a double quote that is not closed.") % {"spec": spec})
    parts.append(text[start:])
    return parts


def _unquote(text: str, spec: str) -> str:
    """A name or value: trimmed, or the text between double quotes (``""`` inside is one quote)."""
    text = text.strip()
    if not text.startswith('"'):
        if '"' in text:
            raise MappingError(
                _("The mapping “%(spec)s”: “%(text)s” has a double quote inside; quote the whole name.")
                % {"spec": spec, "text": text}
            )
        return text
    inner = text[1:-1] if len(text) > 1 and text.endswith('"') else None
    if inner is None or '"' in inner.replace('""', ""):
        raise MappingError(
            _("The mapping “%(spec)s”: “%(text)s” has text outside its double quotes.") % {"spec": spec, "text": text}
        )
    return inner.replace('""', '"')


# --- mapping the table to items ----------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """A cell that gives an item no usable value. ``row`` is 1 for the first data row."""

    row: int
    item: str
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class _ProblemGroup:
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

    def __init__(self, groups: Sequence[_ProblemGroup], positions: Sequence[int]):
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

    def groups(self) -> list[_ProblemGroup]:
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


def _summary_groups(problems: Sequence[RowProblem], row_reasons: frozenset[str]) -> list[_ProblemGroup]:
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
            _ProblemGroup(
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
    out: list[_ProblemGroup] = []
    for group in groups:
        if group.whole_row:
            merged.setdefault(group.reason, []).append(group.rows)
        elif group.rows.size:
            out.append(group)
    for reason, parts in merged.items():
        out.append(_ProblemGroup("", "", reason, np.unique(np.concatenate(parts)), None, whole_row=True))
    return out


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
            self._text[column] = _to_arrow(self.table.frame[column])
        return self._text[column]

    def encoded(self, column: str) -> tuple[IndexArray, pa.Array]:
        if column not in self._encoded:
            self._encoded[column] = _encode(self.text(column))
        return self._encoded[column]

    def dates(self, column: str, today: dt.date) -> npt.NDArray[np.int64]:
        """The column's dates per row as the numbers yyyymmdd, ``_EMPTY`` for an empty cell and
        ``_NOT_A_DATE`` for anything else; worked out once per distinct value."""
        if column not in self._dates:
            index, distinct = self.encoded(column)
            dates = _dates_of(distinct, today)
            valid = ~np.isnat(dates)
            year, month, day = _ymd(np.where(valid, dates, np.datetime64(0, "D")))
            numbers = np.where(valid, year * 10_000 + month * 100 + day, _NOT_A_DATE)
            numbers[_lengths(distinct) == 0] = _EMPTY
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
    with ThreadPoolExecutor(_THREADS) as pool:  # Arrow lets go of the GIL: the columns encode side by side
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
    groups: list[_ProblemGroup] = []
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
                groups.append(_ProblemGroup(mapping.item, column, reason, at, cells.text(column).take(pa.array(at))))
                positions.append(position)
        for reason, at_list in row_reasons.items():
            column = mapping.columns[0] if mapping.columns else ""
            groups.append(_ProblemGroup(mapping.item, column, reason, np.array(at_list, dtype=np.intp), None, True))
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
    empty = _lengths(distinct) == 0
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

    numbers = _numbers_of(distinct)
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


# --- numbers and dates -------------------------------------------------------------------------

_NUMBER = r"^[+-]?(?:\d+|\d{1,3}(?: \d{3})+)?(?:[.,]\d*)?(?:[eE][+-]?\d+)?$"
_HAS_DIGIT = r"\d"
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
_YMD = r"^(?P<y>\d{4})(?P<s1>[-/.])(?P<m>\d{1,2})(?P<s2>[-/.])(?P<d>\d{1,2})" + _TIME + "$"
_DMY = r"^(?P<d>\d{1,2})(?P<s1>[-/.])(?P<m>\d{1,2})(?P<s2>[-/.])(?P<y>\d{4}|\d{2})" + _TIME + "$"
# Signs and separators of other scripts and full-width forms. Only decimal digits become digits:
# a superscript ² or a circled ① is not a number.
_FOLD = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": " ",  # Arabic thousands separator
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2009": " ",  # thin space
        "\u3000": " ",  # ideographic space
        "\uff0b": "+",
        "\uff0c": ",",
        "\uff0d": "-",
        "\uff0e": ".",
        "\uff0f": "/",
        "\uff1a": ":",
    }
)


def parse_numbers(values: npt.NDArray[Any] | pd.Series[Any] | Sequence[str]) -> FloatArray:
    """Numbers as people write them: ``" 12 "``, ``"12,5"`` (a decimal comma), ``"1 234"`` (space
    between thousands, also non-breaking or thin), a sign, an exponent, digits of other scripts
    (Arabic-Indic, full-width). Anything else, and an empty cell, is NaN. Each distinct string is
    read once."""
    index, distinct = _encode(_to_arrow(values))
    return _numbers_of(distinct)[index]


def parse_dates(
    values: npt.NDArray[Any] | pd.Series[Any] | Sequence[str], *, today: dt.date | None = None
) -> DateArray:
    """Dates, day first: 2024-05-31, 31.05.2024, 31/05/2024, 31-05-2024, 2024/05/31, 2024.05.31,
    31.05.24 (years 00 up to this year's two digits are 2000s, later ones 1900s), each optionally
    with a time of day (which is dropped). A date that does not exist (31.02.2024), a number (an
    Excel serial day is ambiguous) and anything else is NaT. Each distinct string is read once."""
    index, distinct = _encode(_to_arrow(values))
    return _dates_of(distinct, today or local_today())[index]


def _to_arrow(values: Any) -> pa.Array:
    """Cells as one Arrow text array without nulls (a missing cell is ``""``)."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array
    try:
        array = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = pa.array([_cell_text(v) for v in values], type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.null_count:
        array = pc.fill_null(array, "")
    return array


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def _encode(array: pa.Array) -> tuple[IndexArray, pa.Array]:
    encoded = array.dictionary_encode()
    return encoded.indices.to_numpy(), encoded.dictionary


def _lengths(array: pa.Array) -> npt.NDArray[np.int64]:
    return pc.binary_length(array).to_numpy(zero_copy_only=False)


def _normalised(distinct: pa.Array) -> pa.Array:
    """Trimmed, with decimal digits of other scripts as 0-9, full-width signs and separators as
    ASCII and the other spaces as a plain space (only values that are not ASCII need it)."""
    text = pc.utf8_trim_whitespace(distinct)
    ascii_only = pc.string_is_ascii(text).to_numpy(zero_copy_only=False)
    if ascii_only.all():
        return text
    others = np.flatnonzero(~ascii_only)
    fixed = [_fold(s) for s in text.take(pa.array(others)).to_pylist()]
    return pc.replace_with_mask(text, pa.array(~ascii_only), pa.array(fixed, type=text.type))


def _fold(text: str) -> str:
    text = text.translate(_FOLD)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text).strip()


def _numbers_of(distinct: pa.Array) -> FloatArray:
    text = _normalised(distinct)
    ok = pc.and_(pc.match_substring_regex(text, _NUMBER), pc.match_substring_regex(text, _HAS_DIGIT))
    cleaned = pc.replace_substring(pc.replace_substring(text, " ", ""), ",", ".")
    cleaned = pc.if_else(ok, cleaned, pa.scalar(None, type=cleaned.type))
    numbers: FloatArray = pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False)
    return numbers


def _dates_of(distinct: pa.Array, today: dt.date) -> DateArray:
    text = _normalised(distinct)
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[D]")
    pivot = today.year % 100
    for pattern in (_YMD, _DMY):
        parts = pc.extract_regex(text, pattern)
        matched = parts.is_valid().to_numpy(zero_copy_only=False)
        if not matched.any():
            continue
        where = np.flatnonzero(matched)
        parts = parts.filter(pa.array(matched))
        same_separator = pc.equal(pc.struct_field(parts, "s1"), pc.struct_field(parts, "s2")).to_numpy(
            zero_copy_only=False
        )
        year_text = pc.struct_field(parts, "y")
        year = pc.cast(year_text, pa.int64()).to_numpy()
        short = _lengths(year_text) == 2  # noqa: PLR2004 - a two-digit year
        year = np.where(short, np.where(year <= pivot, 2000 + year, 1900 + year), year)
        month = pc.cast(pc.struct_field(parts, "m"), pa.int64()).to_numpy()
        day = pc.cast(pc.struct_field(parts, "d"), pa.int64()).to_numpy()
        valid = same_separator & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)  # noqa: PLR2004
        first_of_month = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
        dates = first_of_month.astype("datetime64[D]") + (day - 1)
        valid &= dates.astype("datetime64[M]") == first_of_month  # 31.02 rolls into March: not a date
        out[where[valid]] = dates[valid]
    return out


# --- writing -----------------------------------------------------------------------------------


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
        with ThreadPoolExecutor(_THREADS) as pool:
            pending: deque[Future[pa.Buffer]] = deque()
            for start in range(0, rows, _WRITE_CHUNK_ROWS):
                pending.append(pool.submit(render, start))
                if len(pending) > _THREADS:
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
        return _to_arrow(column)


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
    return _to_arrow(values)


def _render_rows(columns: list[pa.Array | pa.ChunkedArray], delimiter: str, *, quote_empty: bool) -> pa.Buffer:
    """Rows of cells as the bytes of CSV lines."""
    cells = [_quoted(_as_text(c), delimiter, quote_empty) for c in columns]
    cells[-1] = pc.binary_join_element_wise(cells[-1], _CRLF, _NOTHING)  # the line end, on the shortest copy
    lines = pc.binary_join_element_wise(*cells, pa.scalar(delimiter, type=pa.large_string()))
    if len(lines) == 0:
        return pa.py_buffer(b"")
    offsets, _data = _offsets_and_data(lines)
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
    offsets, data = _offsets_and_data(cells)
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
