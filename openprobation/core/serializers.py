"""API shapes of the shared extension points (the timeline)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.core.timeline import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class TimelineQuerySerializer(serializers.Serializer[dict[str, Any]]):
    page = serializers.IntegerField(min_value=1, max_value=10_000, required=False, default=1)
    page_size = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE_SIZE, required=False, default=DEFAULT_PAGE_SIZE
    )


class TimelineEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="A stable code: status, allocation, transfer, decision, ...")
    title = serializers.CharField()
    detail = serializers.CharField()
    by = serializers.CharField()
    ref = serializers.CharField(help_text="The entry's own key; stable across pages.")
    case_id = serializers.IntegerField(allow_null=True)
    case_number = serializers.CharField()
    effective_on = serializers.DateField(allow_null=True)


class TimelinePageSerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = TimelineEntrySerializer(many=True, source="entries")
