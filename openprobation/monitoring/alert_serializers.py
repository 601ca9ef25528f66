"""The API shapes of alert handling: the queue with its timers, the inputs of acknowledge,
resolve, escalate and a call. Fields and choices only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.monitoring.alerting import AlertResolution, CallOutcome, CallParty
from openprobation.monitoring.catalogue import Rule, Severity
from openprobation.monitoring.models import AlertCall
from openprobation.monitoring.serializers import AlertSerializer, Id


class TimerSerializer(serializers.Serializer[Any]):
    stage = serializers.ChoiceField(choices=["acknowledge", "resolve"], help_text="What the alert waits for.")
    waited_minutes = serializers.IntegerField()
    limit_minutes = serializers.IntegerField(help_text="The response time for its severity (rulebook).")
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class QueueRowSerializer(serializers.Serializer[Any]):
    alert = AlertSerializer()
    timer = TimerSerializer(allow_null=True)


class QueueSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(help_text="Unresolved alerts matching the filters.")
    overdue = serializers.IntegerField(help_text="Of them, past their response time.")
    by_severity = serializers.DictField(child=serializers.IntegerField())
    truncated = serializers.BooleanField(help_text="More alerts than listed: narrow the filters.")
    now = serializers.DateTimeField(help_text="The moment the timers were taken at.")
    rows = QueueRowSerializer(many=True)


class QueueQuerySerializer(serializers.Serializer[Any]):
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default="")
    region = Id(required=False, allow_null=True, default=None)
    rule = serializers.ChoiceField(choices=Rule.choices, required=False, default="")


class AcknowledgeInputSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ResolveInputSerializer(serializers.Serializer[Any]):
    resolution = serializers.ChoiceField(choices=AlertResolution.choices)
    note = serializers.CharField(max_length=2000, help_text="What was found.")


class EscalateInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, help_text="Why the officer must act.")


class CallInputSerializer(serializers.Serializer[Any]):
    party = serializers.ChoiceField(choices=CallParty.choices)
    number = serializers.CharField(max_length=40)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    called_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CallSerializer(serializers.ModelSerializer[AlertCall]):
    class Meta:
        model = AlertCall
        fields = ["id", "alert", "called_at", "called_by", "party", "number", "name", "outcome", "note", "created_at"]
