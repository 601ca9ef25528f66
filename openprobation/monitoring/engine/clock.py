"""The clock rules (``Engine.tick``): lost communication, no valid fix, curfew windows starting and
ending, assignments ending — judged for every known assignment at an instant, without fixes."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .compiled import HOME, R_CURFEW, R_LOST, R_NOFIX, RULES
from .schedule import offsets, seconds_of_week
from .types import AlertChange

if TYPE_CHECKING:
    from .core import Engine


def tick(engine: Engine, now: float) -> list[AlertChange]:  # noqa: C901
    """Clock rules for every known assignment: lost communication, no valid fix, a curfew whose
    window has started (person confirmed outside, or no valid fix), a curfew window that has
    ended, an assignment that has ended (its open alerts close at its end)."""
    p = engine.params
    tb = engine._t
    out: list[AlertChange] = []
    if not len(tb.a_id):
        return out
    dc = engine._devs.cols
    dev = tb.a_dev
    in_force = (tb.a_start <= now) & (now < tb.a_end)
    om = engine._open_m
    # the assignments in their compiled order (device, start, id): the same changes in the same
    # order whether the tables were compiled at once or patched (``splice``)
    live = tb.a_order
    rank = np.zeros(len(tb.a_id), dtype=np.int64)
    rank[live] = np.arange(len(live))

    def rows_where(mask: NDArray[np.bool_]) -> list[int]:
        return live[mask[live]].tolist()

    def emit(
        row: int,
        r: int,
        action: str,
        when: float,
        *,
        zone_row: int = -1,
        details: dict[str, Any] | None = None,
        until: float | None = None,
    ) -> None:
        assignment_id = int(tb.a_id[row])
        device_id = engine._dev_ids[int(dev[row])]
        rule = RULES[r]
        alerts = engine._open.setdefault(device_id, {})
        zone_id = int(tb.v_zone[zone_row]) if zone_row >= 0 else None
        version_id = int(tb.v_id[zone_row]) if zone_row >= 0 else None
        if action == "open":
            det = {"severity": p.severity.get(rule, "high"), **(details or {})}
            info: dict[str, Any] = {"at": when, "zone_id": zone_id, "version_id": version_id}
            if until is not None and math.isfinite(until):
                info["until"] = until
            alerts[(assignment_id, rule)] = info
            om[row, r] = True
            out.append(
                AlertChange(assignment_id, device_id, rule, "open", when, None, zone_id, version_id, None, None, det)
            )
        else:
            info = alerts.pop((assignment_id, rule), {})
            om[row, r] = False
            out.append(
                AlertChange(
                    assignment_id,
                    device_id,
                    rule,
                    "close",
                    when,
                    None,
                    info.get("zone_id"),
                    info.get("version_id"),
                    None,
                    None,
                    details or {},
                )
            )

    lost_base = np.fmax(dc["last_received"][dev], tb.a_start)
    for row in rows_where(
        in_force & tb.a_rules[:, R_LOST] & ~om[:, R_LOST] & (now - lost_base > p.lost_communication_s)
    ):
        emit(row, R_LOST, "open", float(lost_base[row] + p.lost_communication_s))
    fix_base = np.fmax(dc["last_valid"][dev], tb.a_start)
    for row in rows_where(in_force & tb.a_rules[:, R_NOFIX] & ~om[:, R_NOFIX] & (now - fix_base >= p.no_fix_s)):
        emit(row, R_NOFIX, "open", float(fix_base[row] + p.no_fix_s))

    # curfews
    curfew_on = np.zeros(len(tb.a_id), dtype=bool)
    if len(tb.s_asg):
        sa = tb.s_asg
        cand = np.nonzero(in_force[sa] & tb.a_rules[sa, R_CURFEW])[0]
        key = rank[sa[cand]]
        if len(key) and not (key[1:] >= key[:-1]).all():
            cand = cand[np.argsort(key, kind="stable")]  # by assignment, each one's slots in order
        for v in range(tb.max_versions):
            sel = cand[tb.s_ver_count[cand] > v]
            ver = tb.s_ver_first[sel] + v
            ok = (tb.v_kind[ver] == HOME) & tb.v_haswin[ver] & (tb.v_from[ver] <= now) & (now < tb.v_to[ver])
            sel, ver = sel[ok], ver[ok]
            if not len(sel):
                continue
            rows = sa[sel]
            nowv = np.full(len(sel), now)
            sow = np.zeros(len(sel))
            for z, name in enumerate(tb.tzs):
                zi = np.nonzero(tb.a_tz[rows] == z)[0]
                if len(zi):
                    sow[zi] = seconds_of_week(nowv[zi], offsets(name, nowv[zi]))
            inside_w = (tb.v_win[ver, :, 0] <= sow[:, None]) & (sow[:, None] < tb.v_win[ver, :, 1])
            anyw = inside_w.any(axis=1)
            which = inside_w.argmax(axis=1)
            wstart = now - sow + tb.v_wstart[ver, which]
            wend = now - sow + tb.v_wend[ver, which]
            for j in np.nonzero(anyw)[0].tolist():
                row = int(rows[j])
                if excepted(engine, row, now, int(tb.v_zone[ver[j]])):
                    continue
                curfew_on[row] = True
                if om[row, R_CURFEW]:
                    continue
                zs = int(tb.s_zs[sel[j]])
                conf = int(engine._zones.cols["conf"][zs])
                if conf == 0:
                    since = float(engine._zones.cols["since"][zs])
                    emit(
                        row,
                        R_CURFEW,
                        "open",
                        max(since, float(wstart[j])) if math.isfinite(since) else float(wstart[j]),
                        zone_row=int(ver[j]),
                        until=float(wend[j]),
                    )
                    continue
                base = float(np.fmax(dc["last_valid"][dev[row]], wstart[j]))
                if now - base >= p.no_fix_s:
                    emit(
                        row,
                        R_CURFEW,
                        "open",
                        base + p.no_fix_s,
                        zone_row=int(ver[j]),
                        details={"reason": "no_fix"},
                        until=float(wend[j]),
                    )
    for row in rows_where(om[:, R_CURFEW] & ~curfew_on & in_force):
        info = engine._open.get(engine._dev_ids[int(dev[row])], {}).get((int(tb.a_id[row]), "curfew"), {})
        emit(row, R_CURFEW, "close", min(now, float(info.get("until", now))))
    # assignments that have ended: their open alerts close at the end
    for row in rows_where(~in_force & (now >= tb.a_end) & om.any(axis=1)):
        for r in np.nonzero(om[row])[0].tolist():
            emit(row, r, "close", float(tb.a_end[row]), details={"reason": "assignment_ended"})
    out.sort(key=lambda c: c.at)
    return out


def excepted(engine: Engine, row: int, at: float, zone_id: int) -> bool:
    tb = engine._t
    first, count = int(tb.a_exc_first[row]), int(tb.a_exc_count[row])
    for e in range(first, first + count):
        if tb.e_start[e] <= at < tb.e_end[e] and (tb.e_zone[e] < 0 or tb.e_zone[e] == zone_id):
            return True
    return False
