"""Cells as Arrow text, and the numbers and dates people write in them, each distinct value read once."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from openprobation.assessments.tabular.base import DateArray, FloatArray, IndexArray
from openprobation.core.timeutil import local_today

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
    index, distinct = encode(to_arrow(values))
    return numbers_of(distinct)[index]


def parse_dates(
    values: npt.NDArray[Any] | pd.Series[Any] | Sequence[str], *, today: dt.date | None = None
) -> DateArray:
    """Dates, day first: 2024-05-31, 31.05.2024, 31/05/2024, 31-05-2024, 2024/05/31, 2024.05.31,
    31.05.24 (years 00 up to this year's two digits are 2000s, later ones 1900s), each optionally
    with a time of day (which is dropped). A date that does not exist (31.02.2024), a number (an
    Excel serial day is ambiguous) and anything else is NaT. Each distinct string is read once."""
    index, distinct = encode(to_arrow(values))
    return dates_of(distinct, today or local_today())[index]


def to_arrow(values: Any) -> pa.Array:
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


def encode(array: pa.Array) -> tuple[IndexArray, pa.Array]:
    encoded = array.dictionary_encode()
    return encoded.indices.to_numpy(), encoded.dictionary


def lengths(array: pa.Array) -> npt.NDArray[np.int64]:
    return pc.binary_length(array).to_numpy(zero_copy_only=False)


def offsets_and_data(cells: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """The value offsets of a text array (this slice of it) and the whole data buffer they index."""
    width = np.int64 if pa.types.is_large_string(cells.type) else np.int32
    _validity, offset_buffer, data_buffer = cells.buffers()
    if offset_buffer is None:  # an empty array may have no buffers
        return np.zeros(len(cells) + 1, dtype=np.int64), np.empty(0, dtype=np.uint8)
    offsets = np.frombuffer(offset_buffer, dtype=width)[cells.offset : cells.offset + len(cells) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, dtype=np.uint8)
    return offsets.astype(np.int64, copy=False), data


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


def numbers_of(distinct: pa.Array) -> FloatArray:
    text = _normalised(distinct)
    ok = pc.and_(pc.match_substring_regex(text, _NUMBER), pc.match_substring_regex(text, _HAS_DIGIT))
    cleaned = pc.replace_substring(pc.replace_substring(text, " ", ""), ",", ".")
    cleaned = pc.if_else(ok, cleaned, pa.scalar(None, type=cleaned.type))
    numbers: FloatArray = pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False)
    return numbers


def dates_of(distinct: pa.Array, today: dt.date) -> DateArray:
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
        short = lengths(year_text) == 2  # noqa: PLR2004 - a two-digit year
        year = np.where(short, np.where(year <= pivot, 2000 + year, 1900 + year), year)
        month = pc.cast(pc.struct_field(parts, "m"), pa.int64()).to_numpy()
        day = pc.cast(pc.struct_field(parts, "d"), pa.int64()).to_numpy()
        valid = same_separator & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)  # noqa: PLR2004
        first_of_month = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
        dates = first_of_month.astype("datetime64[D]") + (day - 1)
        valid &= dates.astype("datetime64[M]") == first_of_month  # 31.02 rolls into March: not a date
        out[where[valid]] = dates[valid]
    return out
