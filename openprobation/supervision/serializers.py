"""Shapes of schedules and appointments in the API. Input serializers check types and choices only;
the rules belong to ``supervision.services``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.accounts.serializers import StaffRefSerializer
from openprobation.supervision.models import (
    RECORDABLE_OUTCOMES,
    AbsenceReason,
    Appointment,
    AppointmentKind,
    Pattern,
    ReportingSchedule,
    RescheduledBy,
)


class ScheduleSerializer(serializers.ModelSerializer[ReportingSchedule]):
    summary = serializers.CharField(read_only=True)
    time_of_day = serializers.TimeField(format="%H:%M")

    class Meta:
        model = ReportingSchedule
        fields = [
            "id",
            "pattern",
            "weekdays",
            "month_days",
            "interval_weeks",
            "time_of_day",
            "kind",
            "place",
            "valid_from",
            "valid_until",
            "origin",
            "override_reason",
            "rule_key",
            "rule_version",
            "summary",
        ]
        read_only_fields = fields


class ScheduleStateSerializer(serializers.Serializer[dict[str, Any]]):
    schedule = ScheduleSerializer(allow_null=True)
    default = serializers.DictField(help_text="The rulebook's default frequency for this case.")


class ScheduleInputSerializer(serializers.Serializer[dict[str, Any]]):
    pattern = serializers.ChoiceField(choices=Pattern.choices)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, default=list, max_length=7
    )
    month_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=31), required=False, default=list, max_length=31
    )
    interval_weeks = serializers.IntegerField(min_value=1, max_value=52, required=False, default=1)
    time_of_day = serializers.TimeField()
    kind = serializers.ChoiceField(
        choices=AppointmentKind.choices, required=False, default=AppointmentKind.OFFICE_REPORT
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AppointmentSerializer(serializers.ModelSerializer[Appointment]):
    officer = StaffRefSerializer(read_only=True, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    rescheduled_to = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "kind",
            "kind_label",
            "starts_at",
            "place",
            "officer",
            "schedule",
            "rescheduled_from",
            "rescheduled_to",
            "outcome",
            "outcome_label",
            "reason_code",
            "rescheduled_by",
            "outcome_note",
            "evidence",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_rescheduled_to(self, obj: Appointment) -> int | None:
        found = getattr(obj, "rescheduled_to", None)
        return found.pk if found is not None else None


class AppointmentInputSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=AppointmentKind.choices)
    starts_at = serializers.DateTimeField(help_text="With its offset, e.g. 2026-12-04T10:00:00+05:00.")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OutcomeInputSerializer(serializers.Serializer[dict[str, Any]]):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in RECORDABLE_OUTCOMES])
    reason_code = serializers.ChoiceField(choices=AbsenceReason.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    evidence = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    rescheduled_by = serializers.ChoiceField(
        choices=RescheduledBy.choices, required=False, allow_blank=True, default=""
    )
    rescheduled_to = serializers.DateTimeField(required=False, allow_null=True, default=None)
    correction_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="To correct an outcome already recorded: the reason for the correction.",
    )
