"""The in-process evaluator of the embedded default: `openprobation run` evaluates, in a thread, every
partition of the log the HTTP receiver appends to (the table log on SQLite), so the demo's devices
raise alerts with no other process. Production runs `openprobation em-evaluate` workers instead
(``EM_EVALUATE_IN_PROCESS`` false, the default with ``EM_NATS_URL``)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from django.conf import settings

from openprobation.core.background import Stop, register_background

if TYPE_CHECKING:
    from openprobation.monitoring.pipeline.evaluator import Evaluator
    from openprobation.monitoring.pipeline.log import Log

log = logging.getLogger("openprobation.monitoring.evaluator")


def in_process_evaluator(em_log: Log) -> Evaluator:
    """The evaluator of the embedded default (not started): every partition of ``em_log``."""
    from openprobation.monitoring.pipeline.evaluator import Evaluator, default_partitions  # noqa: PLC0415

    # Short fetch waits keep the SQLite write lock free for the web requests between batches.
    return Evaluator(em_log, default_partitions(), max_entries=500, fetch_wait_s=0.2, advisory_locks=False)


def start_evaluator() -> Stop | None:
    """Start an evaluator thread for every partition; returns the callable that stops it."""
    from django.db import connection  # noqa: PLC0415

    from openprobation.monitoring import partitions  # noqa: PLC0415
    from openprobation.monitoring.pipeline.logs import get_log  # noqa: PLC0415

    em_log = get_log()
    evaluator = in_process_evaluator(em_log)

    def work() -> None:
        try:
            partitions.maintain()
            evaluator.run()
        except Exception:
            log.exception("the in-process evaluator stopped")
        finally:
            connection.close()

    thread = threading.Thread(target=work, name="em-evaluator", daemon=True)
    thread.start()

    def stop() -> None:
        evaluator.stop()
        thread.join(timeout=10)
        em_log.close()

    return stop


def register() -> None:
    """Called from ``MonitoringConfig.ready``: register the evaluator when evaluating in-process."""
    if settings.EM_EVALUATE_IN_PROCESS:
        register_background("em-evaluator", start_evaluator)
