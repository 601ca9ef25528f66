"""What the table modules share: the table, the errors, the array types and the thread count."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from openprobation.core.exceptions import DomainError

ItemKind = Literal["number", "choice"]
MappingKind = Literal["column", "recode", "age", "years", "constant"]

THREADS = max(1, min(4, os.cpu_count() or 1))

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
