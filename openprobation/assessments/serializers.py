from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.assessments.models import (
    AnalysisKind,
    Assessment,
    AssessmentReason,
    Instrument,
    InstrumentKind,
    LevelOverride,
)


class InstrumentSerializer(serializers.ModelSerializer[Instrument]):
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "id",
            "key",
            "version",
            "kind",
            "title",
            "status",
            "effective_from",
            "effective_to",
            "source",
            "rule_status",
            "definition",
        ]


class OverrideSerializer(serializers.ModelSerializer[LevelOverride]):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)

    class Meta:
        model = LevelOverride
        fields = [
            "id",
            "assessment",
            "computed_level",
            "level",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    instrument = serializers.CharField(source="instrument.__str__", read_only=True)
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "case",
            "kind",
            "instrument",
            "assessed_on",
            "assessed_by",
            "reason",
            "answers",
            "prefilled",
            "score",
            "probability",
            "level",
            "result",
            "note",
        ]


class AssessmentInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=InstrumentKind.choices)
    answers = serializers.DictField(child=serializers.JSONField(), allow_empty=False)
    reason = serializers.ChoiceField(choices=AssessmentReason.choices, required=False, allow_blank=True, default="")
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate_answers(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 200:
            raise serializers.ValidationError("Too many answers.")
        for key, answer in value.items():
            if isinstance(answer, dict | list):
                raise serializers.ValidationError({key: "A number or a text, not a list or an object."})
        return value


class StateSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    assessed_level = serializers.CharField()
    overridden = serializers.BooleanField()
    supervision_level = serializers.CharField()
    em_proposed = serializers.BooleanField()
    due_on = serializers.DateField(allow_null=True)
    due_reason = serializers.CharField()
    risk = AssessmentSerializer(allow_null=True)
    needs = AssessmentSerializer(allow_null=True)
    pending_overrides = OverrideSerializer(many=True)
    open_triggers = serializers.ListField(child=serializers.DictField())


class PrefillSerializer(serializers.Serializer[Any]):
    instrument = InstrumentSerializer()
    prefilled = serializers.DictField()


class OverrideInputSerializer(serializers.Serializer[Any]):
    level = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=2000)


class OverrideDecisionInputSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ChangeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.CharField()
    after = serializers.CharField()
    delta = serializers.FloatField(allow_null=True)


class CompareSerializer(serializers.Serializer[Any]):
    older = serializers.IntegerField()
    newer = serializers.IntegerField()
    changes = ChangeSerializer(many=True)


class AnalysisJobSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    file_name = serializers.CharField()
    file_size = serializers.IntegerField()
    params = serializers.DictField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    stage = serializers.CharField()
    error = serializers.CharField()
    result = serializers.DictField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()


class AnalysisInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=AnalysisKind.choices)
    file = serializers.FileField()
    score = serializers.CharField(required=False, allow_blank=True, max_length=200)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=200)
    group = serializers.CharField(required=False, allow_blank=True, max_length=200)
    thresholds = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)
    filters = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)
    instrument = serializers.CharField(required=False, allow_blank=True, max_length=64)
    mappings = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)
