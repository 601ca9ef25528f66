"""Assignments updated in place — only the changed ones compiled and spliced into the tables — judge
exactly as an engine compiled afresh from the same assignments (pure: no database)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from openprobation.monitoring.engine import AssignmentSpec, Engine, FixBatch, Params, ZoneVersionSpec
from openprobation.monitoring.engine import splice as splice_module
from openprobation.monitoring.tests.test_engine_kernels import KX, KY, LAT0, LON0, START, _changes, point, specs, star

TZS = ("Asia/Almaty", "Asia/Aqtobe", "Europe/Moscow")


class Edits:
    """Random edits of a set of assignments, with fresh ids for the versions they add."""

    def __init__(self, rng: np.random.Generator, current: dict[int, AssignmentSpec]) -> None:
        self.rng = rng
        self.current = current
        self.next_id = 10_000_000

    def fresh(self) -> int:
        self.next_id += 1
        return self.next_id

    def zone(self, zone_id: int | None = None) -> ZoneVersionSpec:
        rng = self.rng
        x, y = rng.uniform(-1500, 1500, 2)
        kind: Any = str(rng.choice(["inclusion", "home", "exclusion", "victim"]))
        if rng.random() < 0.5:
            geometry, radius = star(rng, x, y, float(rng.uniform(80, 900)), int(rng.integers(5, 60))), None
        else:
            geometry, radius = point(x, y), float(rng.uniform(30, 400))
        windows: tuple[tuple[int, int], ...] = ()
        if kind == "home" or rng.random() < 0.2:
            start = int(rng.integers(0, 7)) * 1440 + int(rng.integers(0, 1440))
            windows = ((start, min(start + int(rng.integers(30, 600)), 10080)),)
        version = self.fresh()
        valid_from = 0.0 if rng.random() < 0.7 else START + float(rng.uniform(0, 6000))
        return ZoneVersionSpec(
            zone_id or version, version, kind, geometry, radius, float(rng.uniform(0, 20)), valid_from, windows=windows
        )

    def edit(self, spec: AssignmentSpec) -> AssignmentSpec:  # noqa: C901
        rng = self.rng
        change = int(rng.integers(0, 9))
        zones = list(spec.zones)
        if change == 0 and zones:  # a zone's new version (buffer widened) from now on
            i = int(rng.integers(len(zones)))
            zones[i] = dataclasses.replace(zones[i], version_id=self.fresh(), buffer_m=zones[i].buffer_m + 15)
        elif change == 1 and zones:  # a zone dropped
            zones.pop(int(rng.integers(len(zones))))
        elif change == 2:  # a zone added, or a second version of one
            same = zones[int(rng.integers(len(zones)))].zone_id if zones and rng.random() < 0.3 else None
            zones.append(self.zone(same))
        elif change == 3:
            return dataclasses.replace(spec, tz=str(rng.choice(TZS)))
        elif change == 4:  # starts later or ends during the trace
            installed = START + float(rng.uniform(-600, 3000))
            removed = START + float(rng.uniform(4000, 8000)) if rng.random() < 0.5 else math.inf
            return dataclasses.replace(spec, installed_at=installed, removed_at=removed)
        elif change == 5:
            rules = rng.choice(["inclusion_exit", "curfew", "strap", "no_fix", "exclusion_entry"], 3, replace=False)
            return dataclasses.replace(
                spec, rules=frozenset(str(r) for r in rules) if rng.random() < 0.7 else frozenset()
            )
        elif change == 6:
            exceptions = ((START + float(rng.uniform(0, 5000)), START + float(rng.uniform(5000, 9000)), None),)
            return dataclasses.replace(spec, exceptions=exceptions if rng.random() < 0.7 else ())
        elif change == 7:  # another device: a new one, or one that has an assignment already (overlap)
            others = [s.device_id for s in self.current.values()]
            device = int(rng.choice(others)) if others and rng.random() < 0.4 else 900 + int(rng.integers(0, 20))
            return dataclasses.replace(spec, device_id=device)
        else:
            victim = 500 + int(rng.integers(0, 12)) if rng.random() < 0.6 else None
            return dataclasses.replace(spec, victim_device_id=victim, proximity_m=float(rng.uniform(50, 800)))
        return dataclasses.replace(spec, zones=tuple(zones))

    def step(self) -> tuple[list[AssignmentSpec], list[int]]:
        """One update: a few assignments edited, added or re-added, a few removed."""
        rng = self.rng
        changed: list[AssignmentSpec] = []
        removed: list[int] = []
        for _ in range(int(rng.integers(1, 4))):
            ids = list(self.current)
            action = rng.random()
            if ids and action < 0.55:
                spec = self.edit(self.current[int(rng.choice(ids))])
            elif ids and action < 0.75:
                removed.append(int(rng.choice(ids)))
                self.current.pop(removed[-1])
                continue
            elif action < 0.9:
                aid = int(rng.integers(1, 40))  # a new assignment, or one removed before
                if aid in removed:  # removals come after the changes in one update
                    continue
                spec = AssignmentSpec(aid, 100 + aid, "Asia/Almaty", START - 600, zones=(self.zone(), self.zone()))
            elif ids:
                spec = self.current[int(rng.choice(ids))]  # unchanged: nothing to do
            else:
                continue
            self.current[spec.assignment_id] = spec
            changed.append(spec)
        return changed, removed


def fixes(rng: np.random.Generator, devices: list[int], n: int, t0: float, t1: float) -> FixBatch:
    dev = rng.choice(np.array(devices), n)
    t = np.sort(rng.uniform(t0, t1, n))
    r = rng.exponential(500, n)
    a = rng.uniform(0, 2 * math.pi, n)
    return FixBatch.from_columns(
        {
            "device": dev,
            "t": t,
            "seq": np.arange(n),
            "lon": LON0 + r * np.cos(a) / KX,
            "lat": LAT0 + r * np.sin(a) / KY,
            "accuracy": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0, 60, n)),
            "battery": np.where(rng.random(n) < 0.2, -1, rng.integers(5, 100, n)),
            "strap": rng.choice(np.array([-1, 0, 0, 0, 0, 1, 2]), n),
            "fix": rng.choice(np.array([0, 0, 0, 0, 0, 0, 1]), n),
            "received": t + 1.0,
            "channel": rng.choice(np.array([0, 3]), n),
        }
    )


def _devices(engines: list[Engine], current: dict[int, AssignmentSpec]) -> list[int]:
    known = {s.device_id for s in current.values()} | {500 + k for k in range(12)} | {900, 901}
    for engine in engines:
        known |= set(engine.devices())
    return sorted(known)


def _same_result(a: Any, b: Any) -> None:
    assert _changes(a) == _changes(b)
    assert np.array_equal(a.flags, b.flags)
    assert np.array_equal(a.assignment_id, b.assignment_id)
    assert np.array_equal(a.changed_devices, b.changed_devices)


def _tick(engine: Engine, now: float) -> list[tuple[Any, ...]]:
    return sorted(
        (c.at, c.assignment_id, c.rule, c.action, c.zone_id, c.version_id, sorted(c.details.items()))
        for c in engine.tick(now)
    )


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "numpy"])
@pytest.mark.parametrize("seed", range(5))
def test_updated_engine_judges_as_one_compiled_afresh(seed: int, compiled: bool) -> None:
    """A random sequence of edits, additions and removals spliced into an engine; then a batch
    judged by it and by an engine compiled from the final assignments: the same changes, flags,
    assignments, state and clock rules."""
    rng = np.random.default_rng(300 + seed)
    current = {s.assignment_id: s for s in specs(rng, 16)}
    params = Params(debounce_fixes=int(rng.integers(1, 4)), debounce_seconds=120.0)
    updated = Engine(params, current.values())
    edits = Edits(rng, current)
    for _ in range(25):
        changed, removed = edits.step()
        updated.update_assignments(changed, removed=removed)
    fresh = Engine(params, current.values())
    engines = [updated, fresh]
    for engine in engines:
        engine.compiled = compiled
    devices = _devices(engines, current)
    for k in range(3):
        batch = fixes(rng, devices, 1500, START + 3000 * k, START + 3000 * (k + 1))
        now = float(batch.t.max())
        _same_result(*(e.evaluate(batch, now=now) for e in engines))
        assert _tick(updated, now + 1200) == _tick(fresh, now + 1200)
    assert updated.export_state(devices) == fresh.export_state(devices)
    assert {a: updated.assignment_at(s.device_id, START + 5000) for a, s in current.items()} == {
        a: fresh.assignment_at(s.device_id, START + 5000) for a, s in current.items()
    }


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "numpy"])
@pytest.mark.parametrize("seed", range(4))
def test_updates_between_batches_equal_a_full_compile_each_time(
    seed: int, compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Updates between batches, with state and open alerts carried: spliced, and compiled in full
    after each update, give the same changes (in the same order) and the same clock rules; the
    versions left behind are compacted now and then."""
    monkeypatch.setattr(splice_module, "COMPACT_MIN", 6)
    rng = np.random.default_rng(400 + seed)
    current = {s.assignment_id: s for s in specs(rng, 12)}
    params = Params(debounce_fixes=2, debounce_seconds=90.0)
    engines = [Engine(params, current.values()), Engine(params, current.values())]
    spliced, full = engines
    for engine in engines:
        engine.compiled = compiled
    edits = Edits(rng, current)
    compactions = 0
    for k in range(14):
        batch = fixes(rng, _devices(engines, current), 400, START + 600 * k, START + 600 * (k + 1))
        now = float(batch.t.max())
        _same_result(*(e.evaluate(batch, now=now) for e in engines))
        ticks = [e.tick(now + 900) for e in engines]
        assert ticks[0] == ticks[1]
        changed, removed = edits.step()
        store = spliced._store
        for engine in engines:
            engine.update_assignments(changed, removed=removed)
        full._compile()
        compactions += spliced._store is not store and len(changed) + len(removed) <= 64
        devices = _devices(engines, current)
        assert spliced.export_state(devices) == full.export_state(devices)
        assert {d: spliced.open_alerts(d) for d in devices} == {d: full.open_alerts(d) for d in devices}
    assert compactions


def test_one_changed_assignment_is_compiled_alone() -> None:
    """A zone edit of one assignment among many: the others keep their rows, their slots and
    versions stay where they were; only the edited assignment's versions are added."""
    rng = np.random.default_rng(5)
    assignments = specs(rng, 30)
    engine = Engine(Params(), assignments)
    before = engine._t
    rows = dict(engine._store.row_of)
    slot_first = before.a_slot_first.copy()
    versions = len(before.v_id)
    target = assignments[17]
    zones = list(target.zones)
    zones[1] = dataclasses.replace(zones[1], version_id=99_999, buffer_m=40.0)
    engine.update_assignments([dataclasses.replace(target, zones=tuple(zones))])
    after = engine._t
    assert engine._store.row_of == rows
    others = np.array([r for a, r in rows.items() if a != target.assignment_id])
    assert np.array_equal(after.a_slot_first[others], slot_first[others])
    assert len(after.v_id) == versions + len(zones)
    assert after.v_id[-len(zones) :].tolist().count(99_999) == 1
    row = rows[target.assignment_id]
    first, count = int(after.a_slot_first[row]), int(after.a_slot_count[row])
    assert first >= len(before.s_asg) and count == len({z.zone_id for z in zones})


def _strap_batch(device: int, t: float, strap: int) -> FixBatch:
    return FixBatch.from_columns(
        {"device": [device], "t": [t], "seq": [int(t)], "lon": [LON0], "lat": [LAT0], "strap": [strap]}
    )


def test_a_changed_proximity_resizes_a_victim_point() -> None:
    """A victim's point without a radius is a circle of the assignment's proximity distance: an
    update of that distance alone judges by the new circle."""
    victim = ZoneVersionSpec(5, 5, "victim", point(300, 0), None, 0.0, 0.0)
    spec = AssignmentSpec(1, 7, "Asia/Almaty", 0.0, zones=(victim,), proximity_m=500.0)
    engine = Engine(Params(debounce_fixes=1), [spec])
    engine.update_assignments([dataclasses.replace(spec, proximity_m=100.0)])
    result = engine.evaluate(_strap_batch(7, 100.0, 0), now=200.0)
    assert [c.rule for c in result.changes] == []
    wide = Engine(Params(debounce_fixes=1), [spec]).evaluate(_strap_batch(7, 100.0, 0), now=200.0)
    assert [c.rule for c in wide.changes] == ["victim_proximity"]


def test_open_alerts_follow_an_assignment_to_another_device() -> None:
    spec = AssignmentSpec(1, 7, "Asia/Almaty", 0.0, rules=frozenset({"strap"}))
    engine = Engine(Params(), [spec])
    assert [c.action for c in engine.evaluate(_strap_batch(7, 100.0, 1), now=200.0).changes] == ["open"]
    engine.update_assignments([dataclasses.replace(spec, device_id=8)])
    assert engine.open_alerts(7) == {}
    assert list(engine.open_alerts(8)) == [(1, "strap")]
    closed = engine.evaluate(_strap_batch(8, 300.0, 0), now=400.0).changes
    assert [(c.device_id, c.rule, c.action) for c in closed] == [(8, "strap", "close")]
    assert engine.assignment_at(8, 300.0) == 1 and engine.assignment_at(7, 300.0) is None
