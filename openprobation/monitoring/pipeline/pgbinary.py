"""PostgreSQL arrays in the binary wire format, built from NumPy columns without a Python loop.

The evaluator writes tens of thousands of positions a second as one ``INSERT ... SELECT FROM
unnest(...)`` per batch. Django's cursor binds parameters on the client (psycopg's ``ClientCursor``):
every element of every array is quoted into the SQL text by Python, which cost more than the rest
of the evaluation together. Here each column becomes the bytes of ``array_send`` at once (a NumPy
record of big-endian length and value per element) and goes to the server as a bound binary
parameter of a server-side-binding cursor on the same connection (so in the same transaction).

Arrays carry no NULLs (a NULL changes an element's size): missing values travel as a sentinel (-1,
NaN) and the statement turns them into NULL (``NULLIF``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
import psycopg
from django.db import connection
from psycopg.adapt import Dumper
from psycopg.pq import Format


class PgArray:
    """The binary form of a one-dimensional array without NULLs; subclasses name the element type."""

    __slots__ = ("data",)
    array_oid: ClassVar[int]
    element_oid: ClassVar[int]
    dtype: ClassVar[str]

    def __init__(self, values: Any) -> None:
        column = np.ascontiguousarray(values).reshape(-1)
        n = int(column.shape[0])
        if n == 0:
            self.data = struct.pack(">iii", 0, 0, self.element_oid)
            return
        cells = np.empty(n, dtype=[("length", ">i4"), ("value", self.dtype)])
        cells["length"] = np.dtype(self.dtype).itemsize
        cells["value"] = column
        self.data = struct.pack(">iiiii", 1, 0, self.element_oid, n, 1) + cells.tobytes()


class Int2Array(PgArray):
    __slots__ = ()
    array_oid, element_oid, dtype = 1005, 21, ">i2"


class Int4Array(PgArray):
    __slots__ = ()
    array_oid, element_oid, dtype = 1007, 23, ">i4"


class Int8Array(PgArray):
    __slots__ = ()
    array_oid, element_oid, dtype = 1016, 20, ">i8"


class Float8Array(PgArray):
    __slots__ = ()
    array_oid, element_oid, dtype = 1022, 701, ">f8"


ARRAY_TYPES: tuple[type[PgArray], ...] = (Int2Array, Int4Array, Int8Array, Float8Array)


def _dumper(kind: type[PgArray]) -> type[Dumper]:
    class ArrayDumper(Dumper):
        format = Format.BINARY
        oid = kind.array_oid

        def dump(self, obj: Any) -> bytes:
            return bytes(obj.data)

    ArrayDumper.__name__ = f"{kind.__name__}Dumper"
    return ArrayDumper


_DUMPERS = {kind: _dumper(kind) for kind in ARRAY_TYPES}


@contextmanager
def cursor() -> Iterator[psycopg.Cursor[Any]]:
    """A server-side-binding cursor on Django's own connection (inside its current transaction),
    which sends ``PgArray`` parameters in binary."""
    connection.ensure_connection()
    raw = connection.connection
    if not getattr(raw, "_op_pg_arrays", False):
        for kind, dumper in _DUMPERS.items():
            raw.adapters.register_dumper(kind, dumper)
        raw._op_pg_arrays = True  # noqa: SLF001 - a marker on the connection object
    with psycopg.Cursor(raw) as cur:
        yield cur
