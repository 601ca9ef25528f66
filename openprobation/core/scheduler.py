"""The embedded worker: runs the Celery beat schedule in-process when no broker is configured,
calling the very same task functions that Celery workers run in production."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger("openprobation.worker")


def _run_due(last_run: dict[str, float], now: float, *, manage_connections: bool = True) -> dict[str, Any]:
    """Run the tasks whose interval has passed; returns their results by schedule name.

    The worker thread drops stale database connections around each task (as Celery workers do);
    a caller inside a transaction (a test) passes ``manage_connections=False``."""
    results: dict[str, Any] = {}
    current_app.loader.import_default_modules()  # registers the apps' tasks (autodiscovery)
    schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    for name, entry in schedule.items():
        interval = float(entry["schedule"])
        if name in last_run and now - last_run[name] < interval:
            continue
        last_run[name] = now
        task: Any = current_app.tasks[entry["task"]]
        if manage_connections:
            close_old_connections()
        try:
            results[name] = task.apply().get()
            log.info("task %s done: %s", name, results[name])
        except Exception:
            log.exception("task %s failed", name)
        finally:
            if manage_connections:
                close_old_connections()
    return results


def run_forever(stop: threading.Event, tick: float = 30.0) -> None:
    last_run: dict[str, float] = {}
    log.info("embedded worker started (%s scheduled tasks)", len(settings.CELERY_BEAT_SCHEDULE))
    while not stop.is_set():
        _run_due(last_run, time.monotonic())
        stop.wait(tick)


def start_in_thread() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="openprobation-worker", daemon=True).start()
    return stop
