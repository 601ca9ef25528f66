from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.notifications.models import Channel, Message, MessageStatus


class MessageSerializer(serializers.ModelSerializer[Message]):
    """A message of the outbox as the case's staff see it. ``to``, ``subject`` and ``body`` are
    given only to those who may act on the case (its caseworkers); others get them empty."""

    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    status = serializers.ChoiceField(choices=MessageStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "status",
            "status_label",
            "purpose",
            "language",
            "to",
            "subject",
            "body",
            "attempts",
            "created_at",
            "next_attempt_at",
            "sent_at",
            "last_error",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Message) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if not self.context.get("show_body"):
            data.update(to="", subject="", body="")
        return data


class RetrySerializer(serializers.Serializer[dict[str, Any]]):
    """No fields: the message named in the path is sent again."""
