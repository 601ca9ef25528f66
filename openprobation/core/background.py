"""Services that `openprobation run` starts beside the web server in the embedded default (no broker,
no separate workers): each app registers a starter from its ``AppConfig.ready`` (the in-process
electronic-monitoring evaluator, the demo's simulated devices), and ``start_all`` runs them once the
server is about to serve. A starter returns a callable that stops what it started."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("openprobation.background")

Stop = Callable[[], None]
Starter = Callable[[], Stop | None]

_starters: dict[str, Starter] = {}


def register_background(name: str, starter: Starter) -> None:
    """Register (or replace) a background service by name; started in name order by ``start_all``."""
    _starters[name] = starter


def start_all() -> list[Stop]:
    """Start every registered service; a starter that fails is logged and skipped, never stopping the rest."""
    stops: list[Stop] = []
    for name in sorted(_starters):
        try:
            stop = _starters[name]()
        except Exception:
            log.exception("background service %s failed to start", name)
            continue
        if stop is not None:
            stops.append(stop)
            log.info("background service %s started", name)
    return stops
