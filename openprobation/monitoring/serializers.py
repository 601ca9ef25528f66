"""API shapes of the monitoring endpoints (explicit fields). Numbers of a zone's shape are taken as
sent (``NumberField``) and checked by ``zones``: text, booleans, Unicode digits, NaN and infinity are
refused with a translated message rather than quietly converted."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from openprobation.monitoring.catalogue import STRAP_CODES, DeviceKind, DeviceStatus, Rule, Severity, ZoneKind
from openprobation.monitoring.models import (
    Alert,
    Assignment,
    Device,
    DeviceState,
    EmResolution,
    EmResolutionStatusChange,
    Position,
    ResolutionGrounds,
    ResolutionStatus,
    ScheduleException,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.services.assignments import END_STATUSES

MAX_ID = 2**63 - 1
ASCII_DIGITS = _("Enter a whole number with the digits 0–9.")


class IntegerField(serializers.IntegerField):
    """A whole number as JSON number or text of the digits 0–9 only ("١٢" and true are refused)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or (
            isinstance(data, str) and not (data.strip().isascii() and data.strip().isdigit())
        ):
            raise serializers.ValidationError(str(ASCII_DIGITS), code="invalid")
        return int(super().to_internal_value(data))


def Id(**kwargs: Any) -> IntegerField:  # noqa: N802 - reads like a field class
    return IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "number", "nullable": True})
class NumberField(serializers.Field):
    """A JSON number, finite; nothing else."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise serializers.ValidationError(str(_("Enter a number.")), code="invalid")
        if not math.isfinite(float(data)):
            raise serializers.ValidationError(str(_("Enter a finite number.")), code="invalid")
        return float(data)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(
    {
        "type": "object",
        "description": 'GeoJSON in lon/lat: {"type": "Polygon", "coordinates": [[[lon, lat], ...]]} or '
        '{"type": "Point", "coordinates": [lon, lat]} with radius_m (a circle).',
    }
)
class GeometryField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "day": {"type": "integer", "minimum": 0, "maximum": 6},
                "start": {"type": "string", "example": "22:00"},
                "end": {"type": "string", "example": "06:00"},
            },
        },
    }
)
class WindowsField(serializers.JSONField):
    pass


# --- Devices ---------------------------------------------------------------------------------------------


class DeviceSerializer(serializers.ModelSerializer[Device]):
    office_code = serializers.CharField(source="office.code", read_only=True)

    class Meta:
        model = Device
        fields = [
            "id",
            "kind",
            "serial",
            "supplier",
            "leased",
            "firmware",
            "status",
            "office",
            "office_code",
            "notes",
            "credential_set_at",
            "created_at",
            "updated_at",
        ]


class DeviceCreatedSerializer(DeviceSerializer):
    credential = serializers.SerializerMethodField(help_text="The device's secret: shown this once, never again.")

    class Meta(DeviceSerializer.Meta):
        fields = [*DeviceSerializer.Meta.fields, "credential"]

    def get_credential(self, obj: Device) -> str:
        return str(self.context["credential"])


class DeviceInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DeviceKind.choices)
    serial = serializers.CharField(max_length=64)
    office = Id()
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    leased = serializers.BooleanField(required=False, default=False)
    firmware = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DevicePatchSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DeviceKind.choices, required=False)
    serial = serializers.CharField(max_length=64, required=False)
    office = Id(required=False)
    supplier = serializers.CharField(max_length=200, required=False, allow_blank=True)
    leased = serializers.BooleanField(required=False)
    firmware = serializers.CharField(max_length=64, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DeviceListQuerySerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DeviceKind.choices, required=False, default="")
    status = serializers.ChoiceField(choices=DeviceStatus.choices, required=False, default="")
    office = Id(required=False, allow_null=True, default=None)
    q = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class DeviceStatusInputSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=DeviceStatus.choices)
    reason = serializers.CharField(max_length=2000)


class DeviceStateSerializer(serializers.ModelSerializer[DeviceState]):
    class Meta:
        model = DeviceState
        fields = [
            "last_message_at",
            "last_fix_at",
            "last_valid_fix_at",
            "lat",
            "lon",
            "accuracy_m",
            "battery",
            "charging",
            "strap",
            "connected",
            "rejected_count",
            "late_count",
            "updated_at",
        ]


class DeviceHealthSerializer(serializers.Serializer[Any]):
    device = DeviceSerializer()
    state = DeviceStateSerializer(allow_null=True)


class DeviceHealthQuerySerializer(serializers.Serializer[Any]):
    sort = serializers.ChoiceField(
        choices=["serial", "office", "battery", "message", "fix", "strap", "firmware", "connected"],
        required=False,
        default="message",
        help_text="message/fix/battery/connected: missing and oldest or lowest first; strap: opened or cut first.",
    )
    only = serializers.ChoiceField(
        choices=["silent", "low_battery"],
        required=False,
        allow_blank=True,
        default="",
        help_text="silent: no message for longer than the rulebook's lost-communication threshold, or never; "
        "low_battery: below the rulebook's low-battery threshold.",
    )


STRAP_NAMES = {code: name for name, code in STRAP_CODES.items()}


class DeviceHealthRowSerializer(serializers.Serializer[Any]):
    """A device in use and its health (``selectors.DeviceHealth``); no position."""

    device = serializers.IntegerField(source="device.pk")
    serial = serializers.CharField(source="device.serial")
    kind = serializers.CharField(source="device.kind")
    office_code = serializers.CharField(source="device.office.code")
    firmware = serializers.CharField(source="device.firmware")
    case = serializers.SerializerMethodField()
    case_number = serializers.SerializerMethodField()
    battery = serializers.IntegerField(allow_null=True)
    charging = serializers.BooleanField(allow_null=True)
    last_message_at = serializers.DateTimeField(allow_null=True)
    last_valid_fix_at = serializers.DateTimeField(allow_null=True)
    strap = serializers.SerializerMethodField()
    connected = serializers.BooleanField(allow_null=True)
    silent = serializers.BooleanField()
    low_battery = serializers.BooleanField()

    def get_case(self, obj: Any) -> int | None:
        return obj.case.pk if obj.case is not None else None

    def get_case_number(self, obj: Any) -> str | None:
        return obj.case.number if obj.case is not None else None

    @extend_schema_field({"type": "string", "enum": ["intact", "opened", "cut"], "nullable": True})
    def get_strap(self, obj: Any) -> str | None:
        return STRAP_NAMES.get(obj.strap) if obj.strap is not None else None


# --- Zones -----------------------------------------------------------------------------------------------


class ZoneVersionSerializer(serializers.ModelSerializer[ZoneVersion]):
    changed_by = serializers.CharField(source="changed_by.username", read_only=True)

    class Meta:
        model = ZoneVersion
        fields = [
            "id",
            "number",
            "geometry",
            "radius_m",
            "buffer_m",
            "windows",
            "valid_from",
            "valid_to",
            "reason",
            "changed_by",
        ]


class ZoneSerializer(serializers.ModelSerializer[Zone]):
    versions = ZoneVersionSerializer(many=True, read_only=True)
    assignment = serializers.IntegerField(source="assignment_id", read_only=True)

    class Meta:
        model = Zone
        fields = ["id", "assignment", "kind", "name", "retired_at", "created_at", "versions"]


class ZoneInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ZoneKind.choices)
    name = serializers.CharField(max_length=200)
    geometry = GeometryField()
    radius_m = NumberField(required=False, allow_null=True, default=None)
    buffer_m = NumberField(required=False, allow_null=True, default=0)
    windows = WindowsField(required=False, allow_null=True, default=None)
    valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ZonePatchSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False)
    geometry = GeometryField(required=False)
    radius_m = NumberField(required=False, allow_null=True)
    buffer_m = NumberField(required=False, allow_null=True)
    windows = WindowsField(required=False)
    valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ZoneScheduleInputSerializer(serializers.Serializer[Any]):
    windows = WindowsField()
    valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RetireInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --- Assignments and permissions -------------------------------------------------------------------------


class ExceptionSerializer(serializers.ModelSerializer[ScheduleException]):
    class Meta:
        model = ScheduleException
        fields = ["id", "assignment", "zone", "starts_at", "ends_at", "reason", "cancelled_at", "created_at"]


class ExceptionInputSerializer(serializers.Serializer[Any]):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000)
    zone = Id(required=False, allow_null=True, default=None)


class CancelInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DeviceBriefSerializer(serializers.ModelSerializer[Device]):
    class Meta:
        model = Device
        fields = ["id", "kind", "serial", "status"]


class DeviceAssignmentSerializer(serializers.ModelSerializer[Assignment]):
    device = DeviceBriefSerializer(read_only=True)
    victim_device = DeviceBriefSerializer(read_only=True, allow_null=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    office = serializers.IntegerField(source="case.office_id", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "device",
            "case",
            "case_number",
            "office",
            "installed_at",
            "removed_at",
            "removal_reason",
            "time_zone",
            "rules",
            "victim_device",
            "proximity_m",
            "resolution",
        ]


class DeviceAssignmentDetailSerializer(DeviceAssignmentSerializer):
    zones = ZoneSerializer(many=True, read_only=True)

    class Meta(DeviceAssignmentSerializer.Meta):
        fields = [*DeviceAssignmentSerializer.Meta.fields, "zones"]


class DeviceAssignmentInputSerializer(serializers.Serializer[Any]):
    device = Id()
    installed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    rules = serializers.ListField(
        child=serializers.ChoiceField(choices=Rule.choices), required=False, default=list, max_length=len(Rule)
    )
    victim_device = Id(required=False, allow_null=True, default=None)
    proximity_m = IntegerField(required=False, allow_null=True, default=None, min_value=50, max_value=50_000)


class AssignmentEndInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)
    removed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    device_status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in END_STATUSES], required=False, default=DeviceStatus.IN_STOCK
    )


# --- Alerts and tracks -----------------------------------------------------------------------------------


class PositionSerializer(serializers.ModelSerializer[Position]):
    class Meta:
        model = Position
        fields = [
            "fix_time",
            "seq",
            "received_at",
            "lat",
            "lon",
            "accuracy_m",
            "battery",
            "speed",
            "course",
            "strap",
            "fix",
            "charging",
            "flags",
        ]


class AlertSerializer(serializers.ModelSerializer[Alert]):
    case_number = serializers.CharField(source="case.number", read_only=True)
    office = serializers.IntegerField(source="case.office_id", read_only=True)
    device_serial = serializers.CharField(source="device.serial", read_only=True)
    open = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "severity",
            "open",
            "assignment",
            "case",
            "case_number",
            "office",
            "device",
            "device_serial",
            "zone",
            "zone_version",
            "opened_at",
            "received_at",
            "raised_at",
            "cleared_at",
            "lat",
            "lon",
            "details",
            "status",
            "resolution",
            "resolution_note",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "escalated_at",
            "escalated_by",
            "escalated_to",
            "violation",
            "changed_at",
        ]

    def get_open(self, obj: Alert) -> bool:
        return obj.cleared_at is None


class AlertDetailSerializer(serializers.Serializer[Any]):
    alert = AlertSerializer()
    assignment = DeviceAssignmentSerializer()
    zone_version = ZoneVersionSerializer(allow_null=True)
    fixes = PositionSerializer(many=True)


class AlertListQuerySerializer(serializers.Serializer[Any]):
    rule = serializers.ChoiceField(choices=Rule.choices, required=False, default="")
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default="")
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    since = serializers.DateTimeField(required=False, allow_null=True, default=None)
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    office = Id(required=False, allow_null=True, default=None)
    region = Id(required=False, allow_null=True, default=None)
    case = Id(required=False, allow_null=True, default=None)
    device = Id(required=False, allow_null=True, default=None)


class TrackSerializer(serializers.Serializer[Any]):
    assignment = serializers.IntegerField(source="assignment.pk")
    start = serializers.DateTimeField(help_text="from (inclusive)")
    end = serializers.DateTimeField(help_text="to (exclusive)")
    truncated = serializers.BooleanField(help_text="More positions than the limit: narrow the period.")
    positions = PositionSerializer(many=True)


# --- EM resolutions --------------------------------------------------------------------------------------


class ResolutionStatusChangeSerializer(serializers.ModelSerializer[EmResolutionStatusChange]):
    class Meta:
        model = EmResolutionStatusChange
        fields = ["from_status", "to_status", "reason", "effective_on", "changed_by", "changed_at"]


class ResolutionSerializer(serializers.ModelSerializer[EmResolution]):
    case_number = serializers.CharField(source="case.number", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.display_name", read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = EmResolution
        fields = [
            "id",
            "case",
            "case_number",
            "number",
            "decided_on",
            "decided_by",
            "decided_by_name",
            "acting_head",
            "grounds",
            "grounds_text",
            "court_decision",
            "starts_on",
            "ends_on",
            "rule_key",
            "rule_version",
            "memo_acknowledged_on",
            "co_residents_informed_on",
            "co_residents_note",
            "status",
            "status_reason",
            "in_force",
        ]

    def get_in_force(self, obj: EmResolution) -> bool:
        return obj.status == ResolutionStatus.IN_FORCE


class ResolutionDetailSerializer(ResolutionSerializer):
    history = ResolutionStatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(ResolutionSerializer.Meta):
        fields = [*ResolutionSerializer.Meta.fields, "history"]


class ResolutionInputSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=64)
    decided_on = serializers.DateField()
    grounds = serializers.ChoiceField(choices=ResolutionGrounds.choices)
    grounds_text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    acting_head = serializers.BooleanField(required=False, default=False)


class MemoInputSerializer(serializers.Serializer[Any]):
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)


class CoResidentsInputSerializer(serializers.Serializer[Any]):
    informed_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ResolutionCloseInputSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(
        choices=[
            (ResolutionStatus.ENDED, ResolutionStatus.ENDED.label),
            (ResolutionStatus.REVOKED, ResolutionStatus.REVOKED.label),
        ]
    )
    reason = serializers.CharField(max_length=2000)
    acting_head = serializers.BooleanField(required=False, default=False)


class AssignmentReplaceInputSerializer(serializers.Serializer[Any]):
    device = Id()
    reason = serializers.CharField(max_length=2000)
    replaced_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    device_status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in END_STATUSES], required=False, default=DeviceStatus.IN_REPAIR
    )
