"""The payload of a log entry: validated messages of one partition, compact (orjson).

An entry is ``{"v": 1, "r": received, "c": channel, "f": [[device, t, seq, lat, lon, accuracy,
battery, speed, course, strap, fix, charging], ...], "e": [[device, kind, at], ...]}`` — fixes in
columns order of ``FIX_FIELDS`` (None for "not reported"), and device events (``EVENT_*``: the MQTT
last will). Receivers build entries with ``encode``; evaluators turn entries back into one
``FixBatch`` with ``decode``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import orjson

from openprobation.monitoring.engine.types import FixBatch

FIX_FIELDS = ("device", "t", "seq", "lat", "lon", "accuracy", "battery", "speed", "course", "strap", "fix", "charging")
Fix = tuple[
    int, float, int, float, float, float | None, int | None, float | None, int | None, int | None, int, int | None
]

EVENT_DISCONNECTED = "disconnected"  # MQTT last will: the device lost its connection
EVENT_CONNECTED = "connected"


@dataclass(frozen=True)
class DeviceEvent:
    device: int
    kind: str
    at: float


def encode(*, received: float, channel: int, fixes: Sequence[Fix], events: Sequence[DeviceEvent] = ()) -> bytes:
    # orjson writes a tuple as an array: the fixes go in as they are.
    body: dict[str, object] = {"v": 1, "r": received, "c": channel, "f": list(fixes)}
    if events:
        body["e"] = [[e.device, e.kind, e.at] for e in events]
    return orjson.dumps(body)


_MISSING = {"seq": -1, "accuracy": np.nan, "battery": -1, "speed": np.nan, "course": -1, "strap": -1, "charging": -1}


def decode(payloads: Iterable[bytes]) -> tuple[FixBatch, list[DeviceEvent]]:
    """All fixes of the payloads as one batch (in payload order), and their device events."""
    rows: list[list[object]] = []
    received: list[float] = []
    channel: list[int] = []
    events: list[DeviceEvent] = []
    for payload in payloads:
        body = orjson.loads(payload)
        fixes = body.get("f") or []
        rows.extend(fixes)
        received.extend([body["r"]] * len(fixes))
        channel.extend([body["c"]] * len(fixes))
        events.extend(DeviceEvent(int(d), str(k), float(a)) for d, k, a in body.get("e") or [])
    if not rows:
        return FixBatch.empty(), events
    columns: dict[str, object] = {}
    for index, name in enumerate(FIX_FIELDS):
        values = [row[index] for row in rows]
        missing = _MISSING.get(name)
        if missing is not None:
            values = [missing if v is None else v for v in values]
        columns[name] = values
    columns["received"] = received
    columns["channel"] = channel
    return FixBatch.from_columns(columns), events
