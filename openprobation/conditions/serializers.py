from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.conditions.casepage import officer_language
from openprobation.conditions.models import CaseCondition, ConditionDefinition
from openprobation.conditions.rendering import person_language, render_condition

MAX_ID = 2**63 - 1


class ConditionDefinitionSerializer(serializers.ModelSerializer[ConditionDefinition]):
    class Meta:
        model = ConditionDefinition
        fields = [
            "code",
            "version",
            "category",
            "name_kk",
            "name_ru",
            "name_en",
            "text_kk",
            "text_ru",
            "text_en",
            "params_schema",
            "source",
            "source_kk",
            "source_ru",
            "em_checkable",
            "effective_from",
            "effective_to",
            "status",
        ]


class CaseConditionSerializer(serializers.ModelSerializer[CaseCondition]):
    code = serializers.CharField(source="definition.code", read_only=True)
    version = serializers.IntegerField(source="definition.version", read_only=True)
    category = serializers.CharField(source="definition.category", read_only=True)
    em_checkable = serializers.BooleanField(source="definition.em_checkable", read_only=True)
    name = serializers.SerializerMethodField(help_text="The duty's name in the caller's language.")
    text = serializers.SerializerMethodField(help_text="The full legal text in the caller's language.")
    person_language = serializers.SerializerMethodField(help_text="kk, ru or en: the language the person reads.")
    person_text = serializers.SerializerMethodField(help_text="The full legal text in the person's language.")
    entered_by = serializers.CharField(source="entered_by.username", read_only=True, default="")

    class Meta:
        model = CaseCondition
        fields = [
            "id",
            "code",
            "version",
            "category",
            "em_checkable",
            "name",
            "params",
            "text",
            "person_language",
            "person_text",
            "decision",
            "in_force_from",
            "ended_on",
            "ended_by_decision",
            "end_reason",
            "entered_by",
            "entered_at",
        ]
        read_only_fields = fields

    def get_name(self, obj: CaseCondition) -> str:
        return obj.definition.name_in(officer_language())

    def get_text(self, obj: CaseCondition) -> str:
        return render_condition(obj, officer_language())

    def get_person_language(self, obj: CaseCondition) -> str:
        return person_language(obj.case.person)

    def get_person_text(self, obj: CaseCondition) -> str:
        return render_condition(obj, person_language(obj.case.person))


class ConditionInputSerializer(serializers.Serializer[dict[str, Any]]):
    """What ``case_condition_add`` takes; ``params`` follow the duty's ``params_schema``."""

    code = serializers.CharField(max_length=64)
    params = serializers.JSONField(required=False, default=dict, help_text="The typed inputs of the duty.")
    decision = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_ID,
        help_text="A later decision of the case that changed the duties; empty for the original decision.",
    )
    in_force_from = serializers.DateField()


class ConditionEndSerializer(serializers.Serializer[dict[str, Any]]):
    decision = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The decision of the case that ends it."
    )
    ended_on = serializers.DateField(help_text="The first day the duty no longer applies.")
    reason = serializers.CharField(max_length=2000)
