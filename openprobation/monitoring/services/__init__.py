"""Writes of electronic monitoring: each service is atomic, checks permission (``selectors``) and its
invariants, and records exactly one audit event of its own."""

from openprobation.monitoring.services.alerts import (
    alert_acknowledge,
    alert_call_record,
    alert_escalate,
    alert_resolve,
)
from openprobation.monitoring.services.assignments import assignment_create, assignment_end
from openprobation.monitoring.services.devices import (
    DeviceInput,
    device_register,
    device_rotate_credential,
    device_set_status,
    device_update,
)
from openprobation.monitoring.services.zones import (
    ZoneShape,
    exception_cancel,
    exception_create,
    zone_change,
    zone_create,
    zone_retire,
    zone_set_schedule,
)

__all__ = [
    "DeviceInput",
    "ZoneShape",
    "alert_acknowledge",
    "alert_call_record",
    "alert_escalate",
    "alert_resolve",
    "assignment_create",
    "assignment_end",
    "device_register",
    "device_rotate_credential",
    "device_set_status",
    "device_update",
    "exception_cancel",
    "exception_create",
    "zone_change",
    "zone_create",
    "zone_retire",
    "zone_set_schedule",
]
