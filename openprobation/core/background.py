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
# Where this process's web server listens (``openprobation run ADDR``), for services that talk to it.
_server_url = "http://127.0.0.1:8000"


def register_background(name: str, starter: Starter) -> None:
    """Register (or replace) a background service by name; started in name order by ``start_all``."""
    _starters[name] = starter


def server_url() -> str:
    """The address of the web server ``start_all`` was started beside (``http://host:port``)."""
    return _server_url


def start_all(*, addrport: str = "") -> list[Stop]:
    """Start every registered service; a starter that fails is logged and skipped, never stopping the
    rest. ``addrport`` is where the web server listens ("8001", "127.0.0.1:8001", "[::1]:8001")."""
    global _server_url  # noqa: PLW0603 (one per process, set before the services start)
    if addrport:
        host, _sep, port = addrport.rpartition(":")
        _server_url = f"http://{host or '127.0.0.1'}:{port}"
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
