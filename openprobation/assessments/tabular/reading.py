"""Reading a delimited text file, whatever it looks like, into a :class:`Table` of text columns."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openprobation.assessments.tabular.base import THREADS, Table, TableError
from openprobation.assessments.tabular.cells import lengths, offsets_and_data

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 1 << 16  # enough of the file to tell the encoding and the delimiter


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
    with ThreadPoolExecutor(THREADS) as pool:
        trimmed = list(pool.map(_trimmed, parsed.cells))
    rows = len(trimmed[0]) if trimmed else 0
    bad = dict(parsed.bad_rows)
    if rows and trimmed:
        empty = np.logical_and.reduce([lengths(col) == 0 for col in trimmed])
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
    offsets, data = offsets_and_data(cells)
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
