"""The demo's live devices: while ``openprobation run`` serves, the monitored demo devices
(``DEMO-…``, about thirty) report over HTTP to the local server every 15 seconds from the simulator,
so the monitoring pages have something moving. Their credentials are rotated when the stream starts
and kept in memory only. On only with demo data loaded and ``settings.EM_DEMO_STREAM``; the
stream stops cleanly with the server."""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections

from openprobation.core.background import Stop
from openprobation.demo.monitoring import STREAM_PREFIX
from openprobation.monitoring.models import Device
from openprobation.monitoring.simulator.fleet import fleet_load
from openprobation.monitoring.simulator.run import MAX_DURATION_S, Plan, run, simulation_for
from openprobation.monitoring.simulator.senders import HttpSender

log = logging.getLogger("openprobation.demo.stream")

INTERVAL_S = 15.0
MAX_DEVICES = 60
SERVER_URL = "http://127.0.0.1:8000"
WAIT_FOR_SERVER_S = 120.0


def _server_up(url: str, stop: threading.Event) -> bool:
    parts = urlsplit(url)
    deadline = time.monotonic() + WAIT_FOR_SERVER_S
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=1):
                return True
        except OSError:
            stop.wait(1.0)
    return False


def _stream(stop: threading.Event, url: str) -> None:
    try:
        if not _server_up(url, stop):
            return
        fleet = fleet_load(prefix=STREAM_PREFIX, limit=MAX_DEVICES, seed=7)
        close_old_connections()
        if not fleet.devices:
            return
        log.info("demo stream: %d devices every %g s to %s", len(fleet.devices), INTERVAL_S, url)
        sender = HttpSender(url, threads=2)
        try:
            while not stop.is_set():  # runs of at most a day each, for as long as the server runs
                plan = Plan(interval=INTERVAL_S, duration=MAX_DURATION_S, tick=INTERVAL_S / 3)
                simulation = simulation_for(fleet, seed=7, start=time.time(), plan=plan, violations=0.03)
                run(fleet=fleet, simulation=simulation, sender=sender, plan=plan, stop=stop)
        finally:
            sender.close()
            log.info("demo stream stopped: %s", sender.tally.as_dict())
    except Exception:
        log.exception("demo stream failed")
    finally:
        close_old_connections()


def start_demo_stream(url: str = SERVER_URL) -> Stop | None:
    """The ``core.background`` starter: nothing unless the setting is on and demo devices exist."""
    if not getattr(settings, "EM_DEMO_STREAM", False):
        return None
    if not Device.objects.filter(serial__startswith=f"{STREAM_PREFIX}-").exists():
        return None
    stop = threading.Event()
    thread = threading.Thread(target=_stream, args=(stop, url), name="em-demo-stream", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=10)

    return halt
