"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the releases routes: the
records they name (``RECORDS``: URL name -> a function making one on the case, returning its pk) and
a valid payload for each write (``PAYLOADS``: (URL name, method) -> a function of world and side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {}
PAYLOADS: dict[tuple[str, str], Callable[[dict[str, Any], Any], Any]] = {}
