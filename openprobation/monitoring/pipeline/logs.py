"""The process-wide log: ``NatsLog`` when ``EM_NATS_URL`` is set, else ``SqlLog``."""

from __future__ import annotations

import threading

from django.conf import settings

from openprobation.monitoring.pipeline.log import Log
from openprobation.monitoring.pipeline.natslog import NatsLog
from openprobation.monitoring.pipeline.sqllog import SqlLog

_lock = threading.Lock()
_opened: dict[str, Log] = {}


def get_log() -> Log:
    with _lock:
        log = _opened.get("log")
        if log is None:
            if settings.EM_NATS_URL:
                log = NatsLog(
                    settings.EM_NATS_URL,
                    stream=settings.EM_NATS_STREAM,
                    partitions=settings.EM_PARTITIONS,
                    retention_days=settings.EM_RAW_RETENTION_DAYS,
                )
            else:
                log = SqlLog(settings.EM_PARTITIONS)
            _opened["log"] = log
        return log


def close_log() -> None:
    """Close the process's log (the next ``get_log`` opens a new one, e.g. after settings change)."""
    with _lock:
        log = _opened.pop("log", None)
    if log is not None:
        log.close()
