"""The demo's live devices: while ``openprobation run`` serves, the monitored demo devices
(``DEMO-…``, about thirty) report over HTTP to the local server every 15 seconds from the simulator,
so the monitoring pages have something moving. Their credentials are rotated when the stream starts
and kept in memory only. On only with demo data loaded and ``settings.EM_DEMO_STREAM``; the
stream stops cleanly with the server.

As the server starts, before anything else, each device forwards the fixes it held while the demo
was not running (since its newest stored position, at most the last hour), as a device back in
contact does. The web server is not up yet, so these go into the log the way the HTTP receiver puts
them there (parsed and checked by the same code), while the in-process evaluator — started after the
stream, services start in name order — has not yet run: its first round evaluates them before it
runs the clock rules. So a demo started after a pause (or for the first time after seeding) does not
raise, and at once clear, lost communication and no-fix alerts for devices that are reporting: during
the pause the simulated devices were not out of contact, they were not simulated at all.

So that the console has something new to handle whenever the demo starts (however long after it was
seeded), a few streamed devices have their strap opened for a few minutes soon after the start
(``FRESH``): the evaluator raises those alerts live, as it would any other."""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlsplit

import numpy as np
import orjson
from django.conf import settings
from django.db import connections
from django.db.models import Max

from openprobation.core.background import Stop, server_url
from openprobation.demo.monitoring import STREAM_PREFIX
from openprobation.monitoring.catalogue import Channel
from openprobation.monitoring.models import Position
from openprobation.monitoring.simulator.fleet import Fleet, fleet_load
from openprobation.monitoring.simulator.run import MAX_DURATION_S, Plan, run, simulation_for
from openprobation.monitoring.simulator.senders import HttpSender
from openprobation.monitoring.simulator.traces import Simulation, owntracks

log = logging.getLogger("openprobation.demo.stream")

INTERVAL_S = 15.0
MAX_DEVICES = 60
WAIT_FOR_SERVER_S = 120.0
FORWARD_S = 3600.0  # what a device forwards at start: at most its last hour
SEED = 7
VIOLATIONS = 0.03
# Right after the start: (seconds after the start, minutes open) of a strap opened on a streamed device.
FRESH = ((60.0, 4.0), (150.0, 3.0))


def _plan() -> Plan:
    return Plan(interval=INTERVAL_S, duration=MAX_DURATION_S, tick=INTERVAL_S / 3)


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


def _last_positions(fleet: Fleet) -> dict[int, float]:
    """The fix time of each device's newest stored position (epoch seconds)."""
    rows = (
        Position.objects.filter(device_id__in=[d.device_id for d in fleet.devices])
        .values("device_id")
        .annotate(last=Max("fix_time"))
        .values_list("device_id", "last")
    )
    return {int(device_id): last.timestamp() for device_id, last in rows}


def report_at_start(fleet: Fleet, simulation: Simulation, at: float) -> int:
    """Every device forwards the simulated fixes it held — ``INTERVAL_S`` apart up to ``at``, since
    its newest stored position but at most ``FORWARD_S`` — in one message, as a device back in
    contact does (all of them: a device in a simulated signal gap too, it is on). Appended to the log
    as the HTTP receiver appends what a device posts, parsed and checked by the receiver's own code
    (channel HTTP). Returns the number of fixes appended."""
    # The receiver's modules load the rules engine (Numba): imported when the stream starts, not in
    # every process that loads the demo app.
    from openprobation.monitoring.pipeline.log import partition_of  # noqa: PLC0415
    from openprobation.monitoring.pipeline.logs import get_log  # noqa: PLC0415
    from openprobation.monitoring.pipeline.messages import encode  # noqa: PLC0415
    from openprobation.monitoring.pipeline.receive import MAX_BATCH, parse_owntracks, with_device  # noqa: PLC0415

    last = _last_positions(fleet)
    em_log = get_log()
    appended = 0
    received = time.time()
    for index, device in enumerate(fleet.devices):
        since = max(last.get(device.device_id, -np.inf), at - FORWARD_S)
        times = at - INTERVAL_S * np.arange(int((at - since) // INTERVAL_S), -1, -1, dtype=np.float64)
        times = times[times > since]
        if not len(times):
            continue
        messages = owntracks(simulation.fixes(np.full(len(times), index, dtype=np.int64), times))
        for first in range(0, len(messages), MAX_BATCH):  # as many requests as a batch allows
            result = parse_owntracks(orjson.dumps(messages[first : first + MAX_BATCH]), now=received)
            if not result.fixes:
                continue
            fixes = with_device(result.fixes, device.device_id)
            payload = encode(received=received, channel=Channel.HTTP, fixes=fixes)
            em_log.append(partition_of(device.device_id, settings.EM_PARTITIONS), [payload])
            appended += len(fixes)
    return appended


def fresh_events(simulation: Simulation, now: float) -> list[int]:
    """Script the ``FRESH`` strap openings on the first devices free of another event at the time;
    returns their indexes."""
    chosen: list[int] = []
    devices = iter(range(len(simulation.people)))
    for after, minutes in FRESH:
        for index in devices:
            if simulation.script_strap(index, at=now + after, minutes=minutes):
                chosen.append(index)
                break
    return chosen


def _stream(stop: threading.Event, url: str, fleet: Fleet, simulation: Simulation) -> None:
    try:
        if not _server_up(url, stop):
            return
        log.info("demo stream: %d devices every %g s to %s", len(fleet.devices), INTERVAL_S, url)
        sender = HttpSender(url, threads=2)
        try:
            while not stop.is_set():  # runs of at most a day each, for as long as the server runs
                plan = _plan()
                run(fleet=fleet, simulation=simulation, sender=sender, plan=plan, stop=stop)
                simulation = simulation_for(fleet, seed=SEED, start=time.time(), plan=plan, violations=VIOLATIONS)
        finally:
            sender.close()
            log.info("demo stream stopped: %s", sender.tally.as_dict())
    except Exception:
        log.exception("demo stream failed")
    finally:
        connections.close_all()  # this thread's connections (a thread's are never closed for it)


def start_demo_stream(url: str = "") -> Stop | None:
    """The ``core.background`` starter: nothing unless the setting is on and demo devices exist.
    Loads the devices (new credentials), appends what they held, then streams in a thread."""
    if not getattr(settings, "EM_DEMO_STREAM", False):
        return None
    url = url or server_url()
    fleet = fleet_load(prefix=STREAM_PREFIX, limit=MAX_DEVICES, seed=SEED)
    if not fleet.devices:
        return None
    now = time.time()
    # The simulated days from the forwarded hour on (the stream's first run goes on with them).
    simulation = simulation_for(fleet, seed=SEED, start=now - FORWARD_S, plan=_plan(), violations=VIOLATIONS)
    fresh_events(simulation, now)
    # Up to a second before the stream's own schedule begins: no fix of it has the same seq (whole seconds).
    try:
        report_at_start(fleet, simulation, float(np.floor(now)) - 1.0)
    except Exception:
        log.exception("the demo devices' first fixes were not appended")
    stop = threading.Event()
    thread = threading.Thread(target=_stream, args=(stop, url, fleet, simulation), name="em-demo-stream", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=10)

    return halt
