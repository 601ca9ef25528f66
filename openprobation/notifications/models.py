"""The outbox: every SMS or e-mail to a supervised person is a row here before a transport sends it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel
from openprobation.people.models import Person


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed, will retry")
    DEAD = "dead", _("not delivered")


# What a message is for, as shown to staff. Apps that enqueue messages with another purpose code
# add its label with ``register_purpose`` (from their AppConfig.ready); an unknown code shows as is.
PURPOSE_LABELS: dict[str, Any] = {
    "appointment_reminder": _("Appointment reminder"),
    "appointment_changed": _("Appointment changed"),
    "appointment_cancelled": _("Appointment cancelled"),
}


def register_purpose(code: str, label: Any) -> None:
    PURPOSE_LABELS[code] = label


class Message(TimeStampedModel):
    """One message of the outbox. ``dedupe_key`` makes enqueueing idempotent: the same reminder
    asked for twice is one row, so it is never sent twice."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8)
    purpose = models.CharField(_("purpose"), max_length=64, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="messages", verbose_name=_("case")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="messages", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("claimed for sending at"), null=True, blank=True)
    claim_token = models.CharField(_("claim"), max_length=32, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    transport = models.CharField(_("transport"), max_length=16, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=200, blank=True)

    class Meta:
        ordering = ["-next_attempt_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_due"),
            models.Index(fields=["case", "-created_at"], name="notif_msg_case"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(channel__in=["sms", "email"]), name="notif_msg_channel_known"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    @property
    def purpose_label(self) -> str:
        return str(PURPOSE_LABELS.get(self.purpose, self.purpose or "—"))

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.status})"
