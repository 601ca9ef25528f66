"""What the access matrix (``web/tests/test_access_matrix.py``) needs for these monitoring routes: the
records they name (``RECORDS``) and a valid payload for each write (``PAYLOADS``).

No member of staff may post positions (devices authenticate with their own credential), so the
matrix sends each persona a well-formed location and checks it is refused and changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {}


def _location(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"_type": "location", "lat": 43.2383, "lon": 76.9452, "tst": int(time.time()), "acc": 8, "seq": 1}


def _osmand(w: dict[str, Any], s: Any) -> dict[str, Any]:
    return {"id": "EM-MATRIX", "lat": 43.2383, "lon": 76.9452, "timestamp": int(time.time())}


PAYLOADS: dict[tuple[str, str], Callable[..., Any]] = {
    ("api-em-positions", "POST"): _location,
    ("api-em-osmand", "POST"): _osmand,
}
