"""Shapes of violations, ladder steps and tasks in the API. Input serializers check types and
choices; the rules (the lifecycle, the threshold, what the rulebook allows) are the services'."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.cases.models import CaseTask, TaskStatus
from openprobation.enforcement.models import (
    CourtResult,
    EnforcementStep,
    RequestedOutcome,
    Step,
    Violation,
    ViolationKind,
    ViolationSource,
    ViolationStatus,
    ViolationStatusChange,
)

MAX_ID = 2**63 - 1


class DateField(serializers.DateField):
    """An ISO date written in ASCII digits: "２０２６-03-05" is refused, not read as 2026."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and not value.isascii():
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class ViolationHistorySerializer(serializers.ModelSerializer[ViolationStatusChange]):
    by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True, allow_null=True)
    from_status = serializers.CharField(read_only=True)

    class Meta:
        model = ViolationStatusChange
        fields = ["from_status", "to_status", "reason", "effective_on", "at", "by"]


class ViolationSerializer(serializers.ModelSerializer[Violation]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    recorded_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True, allow_null=True)
    explanation_received_on = DateField(read_only=True, allow_null=True)

    class Meta:
        model = Violation
        fields = [
            "id",
            "kind",
            "kind_label",
            "source",
            "source_label",
            "source_ref",
            "occurred_on",
            "description",
            "evidence",
            "malicious",
            "status",
            "status_label",
            "explanation",
            "explanation_received_on",
            "recorded_by",
            "created_at",
        ]


class ViolationDetailSerializer(ViolationSerializer):
    history = ViolationHistorySerializer(many=True, read_only=True)

    class Meta(ViolationSerializer.Meta):
        fields = [*ViolationSerializer.Meta.fields, "history"]


class ViolationInputSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=ViolationKind.choices)
    source = serializers.ChoiceField(choices=ViolationSource.choices, default=ViolationSource.OFFICER)  # type: ignore[assignment]
    source_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    occurred_on = DateField()
    description = serializers.CharField(max_length=10_000)
    evidence = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    malicious = serializers.BooleanField(required=False, default=False)
    candidate = serializers.BooleanField(
        required=False, default=False, help_text="True records a candidate an officer must confirm or dismiss."
    )


class ViolationTransitionSerializer(serializers.Serializer[dict[str, Any]]):
    to_status = serializers.ChoiceField(
        choices=ViolationStatus.choices, help_text="confirmed or dismissed (the other statuses follow other acts)."
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    malicious = serializers.BooleanField(required=False, allow_null=True, default=None)


class ExplanationSerializer(serializers.Serializer[dict[str, Any]]):
    explanation = serializers.CharField(max_length=10_000)
    received_on = DateField()


class StepSerializer(serializers.ModelSerializer[EnforcementStep]):
    step_label = serializers.CharField(source="get_step_display", read_only=True)
    violations: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    requested_outcome = serializers.ChoiceField(choices=RequestedOutcome.choices, allow_blank=True, read_only=True)
    result = serializers.ChoiceField(choices=CourtResult.choices, allow_blank=True, read_only=True)
    submission = serializers.IntegerField(source="submission_id", read_only=True, allow_null=True)
    court_decision = serializers.IntegerField(source="court_decision_id", read_only=True, allow_null=True)
    recorded_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = EnforcementStep
        fields = [
            "id",
            "step",
            "step_label",
            "violations",
            "taken_on",
            "reason",
            "document_number",
            "requested_outcome",
            "submission",
            "result",
            "court_decision",
            "recorded_by",
            "recorded_at",
        ]


class LadderSerializer(serializers.Serializer[dict[str, Any]]):
    steps = StepSerializer(many=True)
    current_step = serializers.CharField(allow_null=True)
    submission_due = serializers.BooleanField()
    submission_violations = serializers.ListField(child=serializers.IntegerField())
    pending_submission = serializers.IntegerField(allow_null=True)
    early_cancellation = serializers.BooleanField()
    allowed = serializers.DictField(child=serializers.BooleanField())


class StepInputSerializer(serializers.Serializer[dict[str, Any]]):
    """What ``enforcement_step`` takes (a ``StepInput``); the fields used follow the step."""

    step = serializers.ChoiceField(choices=Step.choices)
    violations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=100
    )
    taken_on = DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    document_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    requested_outcome = serializers.ChoiceField(
        choices=RequestedOutcome.choices, required=False, allow_blank=True, default=""
    )
    result = serializers.ChoiceField(choices=CourtResult.choices, required=False, allow_blank=True, default="")
    court = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    decision_date = DateField(required=False, allow_null=True, default=None)
    effective_date = DateField(required=False, allow_null=True, default=None)
    extension_months = serializers.IntegerField(
        min_value=1, max_value=120, required=False, allow_null=True, default=None
    )
    new_term_months = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True, default=None
    )


class StatusChangeSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    effective_on = DateField(required=False, allow_null=True, default=None)


class CaseTaskSerializer(serializers.ModelSerializer[CaseTask]):
    title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    assignee: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True, allow_null=True)
    done_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = CaseTask
        fields = ["id", "kind", "title_code", "title", "due_on", "assignee", "status", "done_at", "done_by", "note"]


class TaskCompleteSerializer(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    cancel = serializers.BooleanField(required=False, default=False)
