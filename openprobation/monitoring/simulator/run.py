"""Driving a fleet in (simulated) real time: every tick, the fixes whose time has come are computed
in bulk and handed to a sender — each device's fix alone, or, when the device comes back from a
signal gap, the fixes it held during the gap with the new one (store and forward)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from openprobation.monitoring.simulator.fleet import Fleet
from openprobation.monitoring.simulator.senders import Batch, Sender
from openprobation.monitoring.simulator.traces import DAY, Fixes, Simulation, owntracks

MAX_DURATION_S = 24 * 3600.0
MIN_INTERVAL_S = 1.0
MAX_REPLAY_S = 6 * 86_400.0


@dataclass(frozen=True)
class Plan:
    interval: float
    duration: float
    speedup: float = 1.0
    tick: float = 1.0

    def __post_init__(self) -> None:
        if not MIN_INTERVAL_S <= self.interval <= 3600:
            raise ValueError("the interval must be between 1 second and 1 hour")
        if not 0 < self.duration <= MAX_DURATION_S:
            raise ValueError("the duration must be more than 0 and at most 24 hours")
        if not 1 <= self.speedup <= 3600:
            raise ValueError("the speed-up must be between 1 and 3600")
        if self.duration * (self.speedup - 1) > MAX_REPLAY_S:
            raise ValueError("a sped-up run may replay at most the last 6 days (duration × speed-up)")

    def origin(self, wall0: float) -> float:
        """Where simulated time starts: now, or — sped up — far enough back that the simulated
        clock reaches the wall clock when the run ends (receivers refuse fixes from the future)."""
        return wall0 - self.duration * (self.speedup - 1)


def simulation_for(fleet: Fleet, *, seed: int, start: float, plan: Plan, violations: float) -> Simulation:
    """The simulated days a run starting at wall time ``start`` goes through."""
    days = math.ceil((plan.duration * plan.speedup) / DAY) + 2
    return Simulation(fleet.people, seed=seed, start=plan.origin(start), days=days, violations=violations)


def batches_of(fleet: Fleet, fixes: Fixes, held: dict[int, list[dict[str, object]]]) -> list[Batch]:
    """One message per live fix (in time order); fixes held in a signal gap wait in ``held`` and go
    with the device's next live fix as one batch (store and forward)."""
    messages = owntracks(fixes)
    out: list[Batch] = []
    for index, message, is_held in zip(fixes.device.tolist(), messages, fixes.held.tolist(), strict=True):
        if is_held:
            held.setdefault(index, []).append(message)
            continue
        waiting = held.pop(index, None)
        if waiting:
            stamp = int(time.time())
            for m in waiting:
                m["created_at"] = stamp
            out.append((fleet.devices[index], [*waiting, message]))
        else:
            out.append((fleet.devices[index], [message]))
    return out


def run(
    *,
    fleet: Fleet,
    simulation: Simulation,
    sender: Sender,
    plan: Plan,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.time,
    on_tick: Callable[[float], object] | None = None,
) -> float:
    """Send until ``plan.duration`` wall seconds have passed (or ``stop`` is set); returns the
    elapsed wall time. Simulated time runs ``plan.speedup`` times faster than the wall clock and
    ends at the wall clock (``Plan.origin``); give ``simulation`` the same start (``simulation_for``)."""
    stop = stop or threading.Event()
    wall0 = clock()
    origin = plan.origin(wall0)
    done_until = origin
    held: dict[int, list[dict[str, object]]] = {}
    while not stop.is_set():
        elapsed = clock() - wall0
        final = elapsed >= plan.duration
        upto = origin + min(elapsed, plan.duration) * plan.speedup
        device, t = simulation.schedule(interval=plan.interval, start=done_until, end=upto, origin=origin)
        done_until = upto
        if len(t):
            batches = batches_of(fleet, simulation.fixes(device, t), held)
            if batches:
                sender.send(batches)
        if on_tick is not None:
            on_tick(elapsed)
        if final:
            break
        stop.wait(max(0.0, min(plan.tick, plan.duration - (clock() - wall0))))
    return clock() - wall0
