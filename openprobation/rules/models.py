from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from openprobation.core.models import TimeStampedModel


class RuleStatus(models.TextChoices):
    VERIFIED = "V", _("V — read in the primary legal text")
    STATED = "S", _("S — from official statements, press or practice")
    UNCONFIRMED = "X", _("X — not confirmed; default to be confirmed by the office")


class Rule(TimeStampedModel):
    """A legal parameter as versioned data. Code reads it with ``rule(key, on=date)``."""

    key = models.CharField(_("key"), max_length=100, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    params = models.JSONField(_("parameters"), default=dict)
    source = models.CharField(_("source (act and article)"), max_length=300)
    source_kk = models.CharField(_("source in Kazakh"), max_length=300, blank=True)
    source_ru = models.CharField(_("source in Russian"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=1, choices=RuleStatus.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["key", "version"]
        verbose_name = _("rule")
        verbose_name_plural = _("rulebook")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="rule_key_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="rule_effective_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
