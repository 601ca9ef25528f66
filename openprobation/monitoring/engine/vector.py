"""Small vectorised helpers over arrays sorted into groups (a group = a device, or a zone slot)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import kernels

B = NDArray[np.bool_]
I64 = NDArray[np.int64]


def group_starts(*keys: NDArray[Any]) -> B:
    """True where a new group begins (any key differs from the previous element)."""
    n = len(keys[0])
    start = np.zeros(n, dtype=bool)
    if n:
        start[0] = True
        for key in keys:
            start[1:] |= key[1:] != key[:-1]
    return start


def group_ends(start: B) -> B:
    end = np.zeros(len(start), dtype=bool)
    if len(start):
        end[:-1] = start[1:]
        end[-1] = True
    return end


def first_of_group(start: B) -> I64:
    """For each element, the index where its group starts."""
    idx = np.where(start, np.arange(len(start)), 0)
    return np.maximum.accumulate(idx) if len(idx) else idx.astype(np.int64)


def last_index(mask: B, start: B, *, compiled: bool = False) -> I64:
    """For each element, the index of the latest element at or before it in its group where
    ``mask`` holds; -1 when none."""
    if compiled:
        return kernels.last_index(np.ascontiguousarray(mask, dtype=np.bool_), start)
    n = len(mask)
    idx = np.where(mask, np.arange(n), -1)
    if n:
        idx = np.maximum.accumulate(idx)
        idx[idx < first_of_group(start)] = -1
    return idx.astype(np.int64)


def previous(values: NDArray[Any], start: B, initial: NDArray[Any]) -> NDArray[Any]:
    """The previous element's value within the group; ``initial`` (per element) at a group start."""
    out = np.empty_like(values)
    if len(values):
        out[1:] = values[:-1]
        out[start] = initial[start]
    return out


def fill(values: NDArray[Any], mask: B, start: B, initial: NDArray[Any], *, compiled: bool = False) -> NDArray[Any]:
    """Forward fill: the value of the latest element at or before, in the group, where ``mask``
    holds; ``initial`` (per element) when none."""
    idx = last_index(mask, start, compiled=compiled)
    return np.where(idx >= 0, values[np.maximum(idx, 0)], initial)
