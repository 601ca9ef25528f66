"""Shapes of the audit trail in the API (read-only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from openprobation.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_username",
            "on_behalf_of",
            "action",
            "subject_type",
            "subject_id",
            "subject_repr",
            "changes",
            "details",
            "request_id",
            "ip",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer[dict[str, Any]]):
    actor = serializers.CharField(max_length=150, required=False, allow_blank=True, help_text="User name.")
    action = serializers.CharField(max_length=64, required=False, allow_blank=True)
    subject_type = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="For example cases.case or people.person."
    )
    subject_id = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "from" and "to" are the query parameter names; "from" cannot be a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="First local day (YYYY-MM-DD).")
        fields["to"] = serializers.DateField(required=False, help_text="Last local day (YYYY-MM-DD).")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and end < start:
            raise serializers.ValidationError({"to": [_("The end date is before the start date.")]})
        return attrs


class AuditVerifySerializer(serializers.Serializer[dict[str, Any]]):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    checkpoints = serializers.IntegerField(help_text="Signed checkpoints outside the database held against the chain.")
    problems = serializers.ListField(child=serializers.CharField())
