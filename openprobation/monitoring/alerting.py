"""The vocabulary of alert handling at the monitoring centre: an alert's status (new →
acknowledged → resolved, or escalated to the case's officer), how it was resolved, and the
phone calls made about it (whom, and what came of the call)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED = "escalated", _("Escalated to the officer")
    RESOLVED = "resolved", _("Resolved")


class AlertResolution(models.TextChoices):
    FALSE_ALARM = "false_alarm", _("False alarm")
    TECHNICAL = "technical", _("Technical problem")
    CONFIRMED_VIOLATION = "confirmed_violation", _("Confirmed violation")


class CallParty(models.TextChoices):
    PERSON = "person", _("The person")
    CO_RESIDENT = "co_resident", _("A co-resident")
    OTHER = "other", _("Someone else")


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered and explained")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused to talk")


# Statuses still waiting for handling (the console's queue).
UNRESOLVED = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED)
