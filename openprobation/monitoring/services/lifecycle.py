"""A device's status, declared once (``core.lifecycle``): in stock → assigned (only by an assignment)
→ back in stock (or in repair, or lost) when the assignment ends; in stock ⇄ in repair; any → lost;
lost → in stock (found); in stock, in repair or lost → retired (final)."""

from __future__ import annotations

from openprobation.audit.services import audit_record
from openprobation.core.lifecycle import Lifecycle, status_history
from openprobation.monitoring.catalogue import DeviceStatus
from openprobation.monitoring.models import Device, DeviceStatusChange

S = DeviceStatus

MOVES: dict[str, frozenset[str]] = {
    S.IN_STOCK: frozenset({S.ASSIGNED, S.IN_REPAIR, S.LOST, S.RETIRED}),
    S.ASSIGNED: frozenset({S.IN_STOCK, S.IN_REPAIR, S.LOST}),
    S.IN_REPAIR: frozenset({S.IN_STOCK, S.LOST, S.RETIRED}),
    S.LOST: frozenset({S.IN_STOCK, S.RETIRED}),
    S.RETIRED: frozenset(),
}

# Moves only an assignment makes (fitting the device, or ending its assignment).
BY_ASSIGNMENT_ONLY: frozenset[tuple[str, str]] = frozenset(
    {(S.IN_STOCK, S.ASSIGNED), (S.ASSIGNED, S.IN_STOCK), (S.ASSIGNED, S.IN_REPAIR), (S.ASSIGNED, S.LOST)}
)

DEVICE_LIFECYCLE: Lifecycle[Device] = Lifecycle(
    name="monitoring.device",
    model=Device,
    moves=MOVES,
    labels=dict(S.choices),
    write_history=status_history(DeviceStatusChange, "device"),
    audit=audit_record,
    audited_fields=("status",),
)
