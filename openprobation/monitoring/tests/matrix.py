"""What the access matrix (``web/tests/test_access_matrix.py``) needs for these monitoring routes: the
records they name (``RECORDS``) and a valid payload for each write (``PAYLOADS``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {}
PAYLOADS: dict[tuple[str, str], Callable[..., Any]] = {}
