"""What devices send, parsed and validated: OwnTracks location JSON (one object, an array, or a
``{"_type": "batch", "locations": [...]}`` of them) and OsmAnd / Traccar Client query parameters.

Pure functions on the hot path (tens of thousands of fixes a second): no database, no Django model.
A valid location becomes a ``messages.Fix`` tuple with the device left at 0 (the receiver knows the
device from its authentication and fills it in with ``with_device``); each invalid element of a batch
is refused on its own (``Refusal``: its index, field, code and a translated message) while the valid
ones go on.

Policy:
- ``lat``/``lon`` must be JSON numbers in range (booleans are not numbers; JSON has no NaN or
  Infinity, and a number too large for a double is refused by the decoder with the body);
- ``tst`` is the fix time, an epoch in seconds, within [now − 7 days, now + 5 minutes];
- ``acc`` 0..100,000 m, ``batt`` 0..100 %, ``vel`` 0..1,000 km/h, ``cog`` 0..360°, ``seq`` 0..2^53;
- ``strap`` intact/opened/cut, ``fix`` valid/none/last_known (default valid), ``charging`` a boolean
  (or 0/1); unknown keys are ignored (OwnTracks sends many);
- OsmAnd values are ASCII text: digits of other scripts ("١٢") are refused, never read as numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from django.utils.translation import gettext_lazy as _

from openprobation.monitoring.catalogue import FIX_CODES, STRAP_CODES, FixQuality
from openprobation.monitoring.pipeline.messages import Fix

MAX_BODY_BYTES = 1_000_000
MAX_BATCH = 1_000
MAX_AGE_S = 7 * 24 * 3600
MAX_AHEAD_S = 5 * 60
MAX_SEQ = 2**53
KNOTS_TO_KMH = 1.852

# (field, low, high) for the optional numeric fields of a location.
RANGES = {
    "acc": (0.0, 100_000.0),
    "batt": (0.0, 100.0),
    "vel": (0.0, 1_000.0),
    "cog": (0.0, 360.0),
}

MESSAGES: dict[str, Any] = {
    "invalid_json": _("The body is not valid JSON (or a number in it is too large)."),
    "too_large": _("The body is larger than 1 MB."),
    "too_many": _("A batch may carry at most 1,000 locations."),
    "empty": _("The body carries no location."),
    "not_a_location": _("An element is not a location object."),
    "missing": _("This field is required."),
    "wrong_type": _("This field must be a number."),
    "not_a_boolean": _("This field must be true or false."),
    "not_an_integer": _("This field must be a whole number."),
    "out_of_range": _("This value is out of range."),
    "too_old": _("The fix time is more than 7 days old."),
    "in_future": _("The fix time is in the future."),
    "unknown_value": _("This value is not one of the allowed ones."),
    "not_a_number": _("This value is not a number written in ASCII digits."),
    "bad_time": _("The timestamp is neither an epoch in seconds nor an ISO 8601 date and time."),
}


@dataclass(frozen=True)
class Refusal:
    """One refused element: its index in the batch (0 for a single message or the whole body), the
    field at fault ("" for the element or the body), a stable code and a translated message."""

    index: int
    field: str
    code: str

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "code": self.code, "message": self.message}


@dataclass
class ParseResult:
    fixes: list[Fix] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    # The whole body was refused (unreadable, too large, too many): nothing in it was looked at.
    body_refused: bool = False
    # Messages that are not locations but are understood (OwnTracks "lwt": the device's last will).
    last_will: bool = False
    # OsmAnd: the device serial named by the request (``id``).
    serial: str = ""
    # The device the fixes carry (0: left for the receiver to fill in with ``with_device``).
    device: int = 0

    @property
    def accepted(self) -> int:
        return len(self.fixes)


class _Invalid(Exception):  # noqa: N818 - internal control flow, never leaves this module
    def __init__(self, field_name: str, code: str):
        self.field = field_name
        self.code = code


def with_device(fixes: list[Fix], device_id: int) -> list[Fix]:
    """The fixes with their device set (parsing leaves it 0)."""
    return [(device_id, *f[1:]) for f in fixes]


def _number(value: Any, name: str) -> float:
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):  # not reachable from JSON, but from other callers
            raise _Invalid(name, "wrong_type")
        return float(value)
    if kind is int:
        return float(value)
    raise _Invalid(name, "wrong_type")


def _optional(loc: dict[str, Any], name: str) -> float | None:
    value = loc.get(name)
    if value is None:
        return None
    number = _number(value, name)
    low, high = RANGES[name]
    if not low <= number <= high:
        raise _Invalid(name, "out_of_range")
    return number


def _time(value: float, name: str, now: float) -> float:
    if value < now - MAX_AGE_S:
        raise _Invalid(name, "too_old")
    if value > now + MAX_AHEAD_S:
        raise _Invalid(name, "in_future")
    return value


def _seq(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int:
        if type(value) is float and value.is_integer():
            value = int(value)
        else:
            raise _Invalid("seq", "not_an_integer")
    if not 0 <= value <= MAX_SEQ:
        raise _Invalid("seq", "out_of_range")
    return int(value)


def _charging(value: Any) -> int | None:
    if value is None:
        return None
    if value is True or value is False:
        return int(value)
    if type(value) is int and value in (0, 1):
        return int(value)
    raise _Invalid("charging", "not_a_boolean")


def _code(value: Any, name: str, vocabulary: Mapping[str, int]) -> int | None:
    if value is None:
        return None
    code = vocabulary.get(value) if type(value) is str else None
    if code is None:
        raise _Invalid(name, "unknown_value")
    return int(code)


def _location(loc: Any, now: float) -> Fix:
    if type(loc) is not dict:
        raise _Invalid("", "not_a_location")
    lat = loc.get("lat")
    lon = loc.get("lon")
    tst = loc.get("tst")
    if lat is None:
        raise _Invalid("lat", "missing")
    if lon is None:
        raise _Invalid("lon", "missing")
    if tst is None:
        raise _Invalid("tst", "missing")
    lat_f = _number(lat, "lat")
    if not -90.0 <= lat_f <= 90.0:
        raise _Invalid("lat", "out_of_range")
    lon_f = _number(lon, "lon")
    if not -180.0 <= lon_f <= 180.0:
        raise _Invalid("lon", "out_of_range")
    t = _time(_number(tst, "tst"), "tst", now)
    acc = _optional(loc, "acc")
    batt = _optional(loc, "batt")
    vel = _optional(loc, "vel")
    cog = _optional(loc, "cog")
    fix = _code(loc.get("fix"), "fix", FIX_CODES)
    fields = (
        0,
        t,
        _seq(loc.get("seq")),  # None = not reported (messages._MISSING)
        lat_f,
        lon_f,
        acc,
        None if batt is None else int(round(batt)),
        vel,
        None if cog is None else int(round(cog)) % 360,
        _code(loc.get("strap"), "strap", STRAP_CODES),
        int(FixQuality.VALID) if fix is None else fix,
        _charging(loc.get("charging")),
    )
    return cast(Fix, fields)


_STRAPS = {name: int(code) for name, code in STRAP_CODES.items()}
_FIXES = {name: int(code) for name, code in FIX_CODES.items()}
_VALID = int(FixQuality.VALID)
_NUMBERS = frozenset((float, int))  # not bool: JSON's true is no number here


def _plain_location(loc: dict[str, Any], earliest: float, latest: float, device: int = 0) -> Fix | None:
    """The fix of a location that passes every check, in one pass (the common case, tens of thousands
    a second); None when anything is missing, odd or out of range — ``_location`` then finds the
    fault and names it. Accepts exactly what ``_location`` accepts, with the same result."""
    get: Callable[[str], Any] = loc.get
    lat, lon, t = get("lat"), get("lon"), get("tst")
    acc, batt, vel, cog = get("acc"), get("batt"), get("vel"), get("cog")
    seq, strap, fix, charging = get("seq"), get("strap"), get("fix"), get("charging")
    numbers = _NUMBERS
    if not (
        type(lat) in numbers
        and type(lon) in numbers
        and type(t) in numbers
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
        and earliest <= t <= latest
        and (acc is None or (type(acc) in numbers and 0.0 <= acc <= 100_000.0))
        and (batt is None or (type(batt) in numbers and 0.0 <= batt <= 100.0))
        and (vel is None or (type(vel) in numbers and 0.0 <= vel <= 1_000.0))
        and (cog is None or (type(cog) in numbers and 0.0 <= cog <= 360.0))
        and (seq is None or (type(seq) is int and 0 <= seq <= MAX_SEQ))
        and (
            charging is None or charging is True or charging is False or (type(charging) is int and 0 <= charging <= 1)
        )
    ):
        return None
    strap_code = None
    if strap is not None:
        strap_code = _STRAPS.get(strap) if type(strap) is str else None
        if strap_code is None:
            return None
    fix_code: int | None = _VALID
    if fix is not None:
        fix_code = _FIXES.get(fix) if type(fix) is str else None
        if fix_code is None:
            return None
    # NaN and the infinities (not from JSON, but from other callers) failed the range checks above.
    fields = (
        device,
        float(t),
        seq,
        float(lat),
        float(lon),
        None if acc is None else float(acc),
        None if batt is None else int(round(batt)),
        None if vel is None else float(vel),
        None if cog is None else int(round(cog)) % 360,
        strap_code,
        fix_code,
        None if charging is None else int(charging),
    )
    return cast(Fix, fields)


def _elements(doc: Any) -> list[Any] | None:
    """The location elements of a decoded body: a list, a batch object's list, or one object."""
    if type(doc) is list:
        return doc
    if type(doc) is dict:
        if doc.get("_type") == "batch":
            locations = doc.get("locations")
            return locations if type(locations) is list else None
        return [doc]
    return None


def parse_owntracks(body: bytes, *, now: float | None = None, device: int = 0) -> ParseResult:
    """Parse an OwnTracks body: one location, an array of them, or ``{"_type": "batch", ...}``; the
    fixes carry ``device`` (when the receiver knows it already)."""
    result = ParseResult(device=device)
    if len(body) > MAX_BODY_BYTES:
        result.body_refused = True
        result.refusals.append(Refusal(0, "", "too_large"))
        return result
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        result.body_refused = True
        result.refusals.append(Refusal(0, "", "invalid_json"))
        return result
    elements = _elements(doc)
    if elements is None:
        result.body_refused = True
        result.refusals.append(Refusal(0, "", "not_a_location"))
        return result
    if len(elements) > MAX_BATCH:
        result.body_refused = True
        result.refusals.append(Refusal(0, "", "too_many"))
        return result
    if not elements:
        result.body_refused = True
        result.refusals.append(Refusal(0, "", "empty"))
        return result
    clock = time.time() if now is None else now
    earliest, latest = clock - MAX_AGE_S, clock + MAX_AHEAD_S
    fixes = result.fixes
    for index, loc in enumerate(elements):
        if type(loc) is dict:
            kind = loc.get("_type", "location")
            if kind == "lwt":
                result.last_will = True
                continue
            if kind != "location":
                continue  # other OwnTracks messages (transition, waypoint, card, ...) carry no fix
            fix = _plain_location(loc, earliest, latest, device)
            if fix is not None:
                fixes.append(fix)
                continue
        try:
            fix = _location(loc, clock)
            fixes.append((device, *fix[1:]) if device else fix)
        except _Invalid as bad:
            result.refusals.append(Refusal(index, bad.field, bad.code))
    return result


# --- OsmAnd / Traccar Client ------------------------------------------------------------------------

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)
_INTEGER = re.compile(r"[0-9]{1,16}", re.ASCII)
_BOOLEANS = {"true": 1, "1": 1, "false": 0, "0": 0}
OSMAND_ALIASES = {"battery": "batt", "heading": "bearing"}


def _ascii_number(text: str, name: str) -> float:
    text = text.strip()
    if len(text) > 40 or not _DECIMAL.fullmatch(text):
        raise _Invalid(name, "not_a_number")
    value = float(text)
    if not math.isfinite(value):
        raise _Invalid(name, "out_of_range")
    return value


def _osmand_time(text: str, now: float) -> float:
    text = text.strip()
    if _DECIMAL.fullmatch(text) and len(text) <= 40:
        value = float(text)
        if value > 1e11:  # milliseconds (Traccar Client sends them in some versions)
            value /= 1000.0
        if not math.isfinite(value):
            raise _Invalid("timestamp", "out_of_range")
        return _time(value, "timestamp", now)
    if len(text) > 40 or not text.isascii():
        raise _Invalid("timestamp", "bad_time")
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "+") if "T" in text else text)
    except ValueError:
        raise _Invalid("timestamp", "bad_time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return _time(moment.timestamp(), "timestamp", now)


def _osmand_optional(params: Mapping[str, str], name: str, key: str) -> float | None:
    text = params.get(key)
    if text is None or text == "":
        return None
    value = _ascii_number(text, key)
    low, high = RANGES[name]
    if not low <= value <= high:
        raise _Invalid(key, "out_of_range")
    return value


def parse_osmand(params: Mapping[str, str], *, now: float | None = None) -> ParseResult:
    """Parse OsmAnd / Traccar Client query parameters (one fix per request). ``speed`` is in knots
    (Traccar's protocol) and becomes km/h; ``altitude`` and other parameters are ignored."""
    result = ParseResult(serial=str(params.get("id") or params.get("deviceid") or ""))
    clock = time.time() if now is None else now
    try:
        for name in ("lat", "lon", "timestamp"):
            if not params.get(name):
                raise _Invalid(name, "missing")
        lat = _ascii_number(params["lat"], "lat")
        if not -90.0 <= lat <= 90.0:
            raise _Invalid("lat", "out_of_range")
        lon = _ascii_number(params["lon"], "lon")
        if not -180.0 <= lon <= 180.0:
            raise _Invalid("lon", "out_of_range")
        t = _osmand_time(params["timestamp"], clock)
        acc = _osmand_optional(params, "acc", "accuracy")
        batt_key = "batt" if params.get("batt") else "battery"
        batt = _osmand_optional(params, "batt", batt_key)
        knots = params.get("speed")
        speed = None
        if knots:
            speed = _ascii_number(knots, "speed") * KNOTS_TO_KMH
            if not 0.0 <= speed <= RANGES["vel"][1]:
                raise _Invalid("speed", "out_of_range")
        bearing_key = "bearing" if params.get("bearing") else "heading"
        cog = _osmand_optional(params, "cog", bearing_key)
        seq_text = params.get("seq")
        seq = None
        if seq_text:
            if not _INTEGER.fullmatch(seq_text.strip()):
                raise _Invalid("seq", "not_an_integer")
            seq = _seq(int(seq_text.strip()))
        charging_text = params.get("charging")
        charging = None
        if charging_text:
            if charging_text.lower() not in _BOOLEANS:
                raise _Invalid("charging", "not_a_boolean")
            charging = _BOOLEANS[charging_text.lower()]
        strap = _code(params.get("strap") or None, "strap", STRAP_CODES)
        fix = _code(params.get("fix") or None, "fix", FIX_CODES)
        if fix is None and params.get("valid", "").lower() == "false":
            fix = int(FixQuality.NONE)
    except _Invalid as bad:
        result.refusals.append(Refusal(0, bad.field, bad.code))
        return result
    result.fixes.append(
        cast(
            Fix,
            (
                0,
                t,
                seq,
                lat,
                lon,
                acc,
                None if batt is None else int(round(batt)),
                speed,
                None if cog is None else int(round(cog)) % 360,
                strap,
                int(FixQuality.VALID) if fix is None else fix,
                charging,
            ),
        )
    )
    return result
