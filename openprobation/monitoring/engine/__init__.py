"""The electronic-monitoring rules engine: pure, vectorised, no Django.

``Engine`` keeps the compiled assignments and the per-device state; ``evaluate(batch, now)`` judges
a batch of fixes in NumPy (no Python loop per fix), ``tick(now)`` judges the clock rules,
``export_state``/``load_state`` carry the state (open alerts included) across restarts.

The per-fix loops run in compiled kernels (``kernels``, Numba; ``Engine.compiled``), with the NumPy
code kept as the reference that gives the same results. The kernels are compiled on first use and
cached on disk; ``warm_up()`` compiles or loads them all, for a worker to call at start.
``update_assignments(specs, removed=...)`` compiles only the changed assignments and splices them
into the tables (``splice``), judging exactly as a compile of all of them would.

Semantics
- Assignment in force at a fix: installed_at ≤ t < removed_at; a fix with none is flagged
  FLAG_NO_ASSIGNMENT and raises nothing. Zone version in force: valid_from ≤ t < valid_to.
- Order and the bounded window: a batch is sorted by (device, fix time, seq). A repeat of the same
  (device, seq), or of (device, fix time) when seq is absent, is FLAG_DUPLICATE and evaluated once.
  A fix whose time is not after the device's last evaluated fix (from the state) is FLAG_LATE: the
  evaluator stores it, the engine neither changes state nor raises for it. So the reordering window
  is the batch: a trace shuffled or repeated within a batch gives exactly the same alerts.
- Edge policy: a fix exactly on a zone's edge (vertex or edge, within a micrometre) is INSIDE, for
  every zone kind.
- Jitter: the zone's buffer widens it; the accuracy gives the benefit of the doubt — outside an
  inclusion or home zone only when farther than the accuracy outside it, inside an exclusion or
  victim zone only when inside by at least the accuracy (NaN accuracy = 0). A fix with fix ≠ valid
  or accuracy > max_accuracy_m has no position for the zone rules (its zones keep their side).
- Debounce: a side change of a zone is confirmed after debounce_fixes consecutive valid fixes on
  the new side or once the new side has held debounce_seconds (latest − first fix of the run),
  carried across batches; membership is kept per (device, zone id), across versions and recompiles.
- Rules (one open alert per rule and assignment; an alert closes when its condition clears; ``at``
  is the fix time that confirmed it, or the clock instant for clock rules):
  inclusion_exit — confirmed outside an inclusion zone during its windows (none = always);
  exclusion_entry — confirmed inside an exclusion zone during its windows, or the straight path
  between two consecutive valid fixes, both outside, crosses or touches the zone (an open and a
  close at the second fix, details {"path_crossing": true});
  curfew — during a home zone's window (local time of the assignment's IANA zone), not suspended by
  an exception: confirmed outside (at = max(window start, confirmation)), or no valid fix for
  no_fix_s since the window started or since the last valid fix (details {"reason": "no_fix"}),
  judged by fixes and by ``tick``; clears when confirmed inside or when the window ends (at = end);
  strap — opened or cut in a fix, immediately; clears on a fix with the strap intact;
  low_battery — below low_battery_pct and not charging; clears at ≥ battery_clear_pct or charging;
  lost_communication — by the clock: no message received for lost_communication_s (or since the
  installation), at = last receipt + threshold; or the MQTT last will (``device_event``); clears on
  the next message;
  no_fix — no valid fix for no_fix_s (by fixes and by the clock); clears on a valid fix;
  victim_proximity — inside a victim zone (its radius, or the proximity distance around a point
  without one, or a polygon buffered by it), debounced; or within the proximity distance of the
  victim device's latest valid position at most five minutes older than the person's fix.
  Only the rules in AssignmentSpec.rules are judged (empty = all). When an assignment ends, ``tick``
  closes its open alerts at removed_at.
- Severity: ``details["severity"]`` of an opening change, from Params.severity.
"""

from .core import Engine
from .geometry import ZoneGeometryError, validate_zone_geometry
from .types import (
    FLAG_DUPLICATE,
    FLAG_IN_CURFEW,
    FLAG_INSIDE_EXCLUSION,
    FLAG_LATE,
    FLAG_NO_ASSIGNMENT,
    FLAG_OUTSIDE_HOME,
    FLAG_OUTSIDE_INCLUSION,
    AlertChange,
    AssignmentSpec,
    EvaluationResult,
    FixBatch,
    Params,
    ZoneVersionSpec,
)

__all__ = [
    "FLAG_DUPLICATE",
    "FLAG_INSIDE_EXCLUSION",
    "FLAG_IN_CURFEW",
    "FLAG_LATE",
    "FLAG_NO_ASSIGNMENT",
    "FLAG_OUTSIDE_HOME",
    "FLAG_OUTSIDE_INCLUSION",
    "AlertChange",
    "AssignmentSpec",
    "Engine",
    "EvaluationResult",
    "FixBatch",
    "Params",
    "ZoneGeometryError",
    "ZoneVersionSpec",
    "validate_zone_geometry",
    "warm_up",
]

from .warmup import warm_up  # noqa: E402  (after the engine it drives)
