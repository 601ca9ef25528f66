"""Shapes of the rulebook in the API (read-only; the rulebook holds no personal data)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.rules.models import Rule


class RuleSerializer(serializers.ModelSerializer[Rule]):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Rule
        fields = [
            "key",
            "version",
            "title",
            "effective_from",
            "effective_to",
            "params",
            "source",
            "status",
            "status_label",
            "notes",
        ]
        read_only_fields = fields


class RuleQuerySerializer(serializers.Serializer[dict[str, Any]]):
    on = serializers.DateField(required=False, help_text="Only the versions in force on this day (YYYY-MM-DD).")


class RuleDetailQuerySerializer(serializers.Serializer[dict[str, Any]]):
    on = serializers.DateField(required=False, help_text="The day the version must be in force; default today.")
