"""Writes of electronic monitoring: each service is atomic, checks permission (``selectors``) and its
invariants, and records exactly one audit event of its own."""

from openprobation.monitoring.services.alerts import (
    alert_acknowledge,
    alert_call_record,
    alert_escalate,
    alert_resolve,
)
from openprobation.monitoring.services.assignments import assignment_create, assignment_end, assignment_replace
from openprobation.monitoring.services.devices import (
    DeviceInput,
    device_register,
    device_rotate_credential,
    device_set_status,
    device_transfer,
    device_update,
)
from openprobation.monitoring.services.resolutions import (
    ResolutionInput,
    resolution_acknowledge_memo,
    resolution_close,
    resolution_decide,
    resolution_end,
    resolution_expiry_scan,
    resolution_inform_co_residents,
    resolution_revoke,
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
    "ResolutionInput",
    "ZoneShape",
    "alert_acknowledge",
    "alert_call_record",
    "alert_escalate",
    "alert_resolve",
    "assignment_create",
    "assignment_end",
    "assignment_replace",
    "device_register",
    "device_rotate_credential",
    "device_set_status",
    "device_transfer",
    "device_update",
    "exception_cancel",
    "exception_create",
    "resolution_acknowledge_memo",
    "resolution_close",
    "resolution_decide",
    "resolution_end",
    "resolution_expiry_scan",
    "resolution_inform_co_residents",
    "resolution_revoke",
    "zone_change",
    "zone_create",
    "zone_retire",
    "zone_set_schedule",
]
