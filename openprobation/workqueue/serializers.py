"""The work queue over the API: its query parameters and its answer."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.workqueue.selectors import DEFAULT_LIMIT, KINDS, MAX_LIMIT, SORTS


class WorkQueueQuerySerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(
        choices=sorted(KINDS),
        required=False,
        allow_blank=True,
        help_text="Only this kind of work (all kinds when empty).",
    )
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="due")
    officer = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="One officer's queue (heads of office, senior officers and regional administrators).",
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)


class KindCountSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.CharField()
    label = serializers.CharField(help_text="The kind, translated.")  # type: ignore[assignment]
    count = serializers.IntegerField(help_text="All the work of this kind in the queue's scope.")
    overdue = serializers.IntegerField()


class WorkItemSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.CharField()
    key = serializers.CharField(help_text='Unique across kinds, e.g. "appointment:123".')
    due = serializers.DateField()
    overdue = serializers.BooleanField()
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    person_name = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    officer_name = serializers.CharField()
    url = serializers.CharField(help_text="The page where the work is done.")
    action_label = serializers.CharField()


class WorkQueueSerializer(serializers.Serializer[dict[str, Any]]):
    sort = serializers.CharField()
    kind = serializers.CharField(allow_blank=True)
    officer = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    counts = KindCountSerializer(many=True)
    items = WorkItemSerializer(many=True)
