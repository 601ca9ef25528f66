"""Device authentication for the receivers, and counting what they refuse.

A device proves itself with its serial and its credential (``credentials.credential_matches``): HTTP
Basic auth for OwnTracks (username = serial, password = credential), ``id`` + ``key`` (or Basic auth)
for OsmAnd; over MQTT the broker authenticates and the subscriber checks the serial.

Who may report: a device whose status is *assigned* and that has an open assignment (installed, not
removed). A device in stock, in repair, lost or retired is refused, like an unknown serial or a wrong
secret, with the same answer (no hint of which).

The hot path makes no query: what a serial names (device id, credential hash, may it report) is
cached in this process for ``CACHE_TTL_S`` seconds. Devices that may report are held as one snapshot
of them all, read in one query and read again once it is ``CACHE_TTL_S`` old (a fleet reports
device by device, each rarely, so a per-serial cache alone would miss on nearly every request); a
serial outside the snapshot (unknown, not assigned, or assigned since it was read) is looked up on
its own and that answer cached for the same time. A rotated credential, a new assignment or a
removed device therefore takes effect within that time in every receiver (no cross-process
invalidation: the TTL is the bound). A fleet larger than ``SNAPSHOT_MAX`` devices is not
snapshotted (each serial is then looked up and cached on its own).

Refused input of a known device is stored as ``RejectedMessage`` rows (the count per device is what
the console shows), at most ``REJECT_RATE_PER_MIN`` rows per device and minute so a broken device
cannot fill the disk; beyond that, or while the database cannot be written, it is only counted in
memory (``dropped_rejections``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef

from openprobation.monitoring.catalogue import DeviceStatus
from openprobation.monitoring.credentials import credential_matches
from openprobation.monitoring.models import Assignment, Device, RejectedMessage

logger = logging.getLogger(__name__)
CACHE_TTL_S = 30.0
SNAPSHOT_MAX = 200_000
REJECT_RATE_PER_MIN = 100
PAYLOAD_KEEP_BYTES = 4096


@dataclass(frozen=True)
class Known:
    """What a serial names, as cached: the device, its credential hash, may it report now."""

    device_id: int
    credential_hash: str
    may_report: bool


_lock = threading.Lock()
_cache: dict[str, tuple[float, Known | None]] = {}
_refresh_lock = threading.Lock()
# Every device that may report, by serial, and until when it may be used (monotonic clock).
_snapshot: dict[str, Known] = {}
_snapshot_until = [0.0]
_reject_window: dict[int, tuple[int, int]] = {}  # device → (minute, rows stored in it)
dropped_rejections: dict[int, int] = {}


def clear_cache() -> None:
    with _refresh_lock, _lock:
        _cache.clear()
        _snapshot.clear()
        _snapshot_until[0] = 0.0
        _reject_window.clear()
        dropped_rejections.clear()


def _open_assignment() -> Exists:
    return Exists(Assignment.objects.filter(device=OuterRef("pk"), removed_at__isnull=True))


def _load(serials: Iterable[str]) -> dict[str, Known]:
    rows = (
        Device.objects.filter(serial__in=list(serials))
        .annotate(assigned=_open_assignment())
        .order_by()
        .values_list("id", "serial", "credential_hash", "status", "assigned")
    )
    return {
        serial: Known(pk, digest, status == DeviceStatus.ASSIGNED and bool(assigned))
        for pk, serial, digest, status, assigned in rows
    }


def _load_reporting() -> dict[str, Known] | None:
    """Every device that may report now (one query), or None when there are over ``SNAPSHOT_MAX``."""
    rows = list(
        Device.objects.filter(_open_assignment(), status=DeviceStatus.ASSIGNED)
        .order_by()
        .values_list("id", "serial", "credential_hash")[: SNAPSHOT_MAX + 1]
    )
    if len(rows) > SNAPSHOT_MAX:
        return None
    return {serial: Known(pk, digest, True) for pk, serial, digest in rows}


def _fresh_snapshot(now: float) -> dict[str, Known]:
    """The snapshot of reporting devices, read again when it is ``CACHE_TTL_S`` old."""
    if _snapshot_until[0] > now:
        return _snapshot
    with _refresh_lock:
        if _snapshot_until[0] <= now:  # another thread may have read it meanwhile
            loaded = _load_reporting()
            with _lock:
                _snapshot.clear()
                _snapshot.update(loaded or {})
                _snapshot_until[0] = now + CACHE_TTL_S
    return _snapshot


def lookup_many(serials: Iterable[str]) -> dict[str, Known | None]:
    """What each serial names (None: no such device), from the snapshot of reporting devices, the
    cache, or one query for the serials in neither."""
    now = time.monotonic()
    snapshot = _fresh_snapshot(now)
    answer: dict[str, Known | None] = {}
    missing: list[str] = []
    with _lock:
        for serial in serials:
            known = snapshot.get(serial)
            if known is not None:
                answer[serial] = known
                continue
            hit = _cache.get(serial)
            if hit is not None and hit[0] > now:
                answer[serial] = hit[1]
            else:
                missing.append(serial)
    if missing:
        loaded = _load(missing)
        expires = now + CACHE_TTL_S
        with _lock:
            if len(_cache) > 200_000:  # bounded: unknown serials are cached too
                _cache.clear()
            for serial in missing:
                known = loaded.get(serial)
                _cache[serial] = (expires, known)
                answer[serial] = known
    return answer


def lookup(serial: str) -> Known | None:
    if not serial or len(serial) > 64:
        return None
    return lookup_many([serial])[serial]


def authenticate(serial: str, secret: str) -> int | None:
    """The id of the device if ``secret`` is its credential and it may report now; else None."""
    known = lookup(serial)
    if known is None or not known.may_report:
        return None
    if not credential_matches(secret, known.credential_hash):
        return None
    return known.device_id


def reporting_device(serial: str) -> int | None:
    """The device a serial names if it may report (MQTT: the broker checked the credential)."""
    known = lookup(serial)
    return known.device_id if known is not None and known.may_report else None


def record_rejections(device_id: int | None, channel: int, refusals: Iterable[tuple[str, str]], payload: bytes) -> int:
    """Store refused input of a device (code, message pairs), rate-limited per device; returns how
    many rows were stored. Unauthenticated input is not stored (it names no device we trust)."""
    items = list(refusals)
    if device_id is None or not items:
        return 0
    minute = int(time.time() // 60)
    with _lock:
        window_minute, stored = _reject_window.get(device_id, (minute, 0))
        if window_minute != minute:
            stored = 0
        room = max(0, REJECT_RATE_PER_MIN - stored)
        keep = items[:room]
        _reject_window[device_id] = (minute, stored + len(keep))
        if len(items) > len(keep):
            dropped_rejections[device_id] = dropped_rejections.get(device_id, 0) + len(items) - len(keep)
    if not keep:
        return 0
    # Text columns (PostgreSQL) take no NUL character.
    text = payload[:PAYLOAD_KEEP_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")
    try:
        with transaction.atomic():
            RejectedMessage.objects.bulk_create(
                RejectedMessage(device_id=device_id, channel=channel, code=code[:64], message=message, payload=text)
                for code, message in keep
            )
    except DatabaseError:
        # The database is away: the good fixes of the same request still go to the log.
        logger.warning("refused input of device %s could not be stored; only counted", device_id, exc_info=True)
        with _lock:
            dropped_rejections[device_id] = dropped_rejections.get(device_id, 0) + len(keep)
        return 0
    return len(keep)
