"""The court's duties: a versioned catalogue of conditions and the conditions of each case."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from openprobation.cases.models import Case, CourtDecision
from openprobation.core.models import TimeStampedModel
from openprobation.rules.models import RuleStatus


class ConditionCategory(models.TextChoices):
    REPORTING = "reporting", _("Reporting")
    RESIDENCE = "residence", _("Residence")
    MOVEMENT = "movement", _("Movement")
    CURFEW = "curfew", _("Curfew")
    PLACES = "places", _("Places")
    WORK_STUDY = "work_study", _("Work or study")
    TREATMENT = "treatment", _("Treatment")
    COMPENSATION = "compensation", _("Compensation")
    MONITORING = "monitoring", _("Electronic monitoring")
    LABOUR = "labour", _("Forced labour")


class ConditionDefinition(TimeStampedModel):
    """One version of a duty a court may set. The legal text carries typed placeholders
    (``{times}``, ``{zone}``) named in ``params_schema``; a version in use is never rewritten — a
    change in wording is a new version."""

    code = models.CharField(_("code"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    category = models.CharField(_("category"), max_length=20, choices=ConditionCategory.choices)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_kk = models.CharField(_("name in Kazakh"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200)
    text_en = models.TextField(_("legal text in English"))
    text_kk = models.TextField(_("legal text in Kazakh"))
    text_ru = models.TextField(_("legal text in Russian"))
    params_schema = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_(
            "Each placeholder of the text and its type: time_range, weekdays, text_list, zone, positive_int, "
            'period or date_or_days, for example {"times": "time_range"}.'
        ),
    )
    source = models.CharField(_("source (act and article)"), max_length=300)
    source_kk = models.CharField(_("source in Kazakh"), max_length=300, blank=True)
    source_ru = models.CharField(_("source in Russian"), max_length=300, blank=True)
    em_checkable = models.BooleanField(_("electronic monitoring can check it"), default=False)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=1, choices=RuleStatus.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["code", "version"]
        verbose_name = _("condition definition")
        verbose_name_plural = _("catalogue of conditions")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="condition_code_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="condition_effective_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def category_order(self) -> int:
        values = list(ConditionCategory.values)
        return values.index(self.category) if self.category in values else len(values)

    def name_in(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", "") or self.name_ru or self.name_en)

    def text_in(self, language: str) -> str:
        return str(getattr(self, f"text_{language}", "") or self.text_ru or self.text_en)

    def source_in(self, language: str) -> str:
        return {"kk": self.source_kk, "ru": self.source_ru}.get(language) or self.source


class CaseCondition(models.Model):
    """A duty the court set for a case: the catalogue version in force when it was entered, its
    parameters, and the decision it comes from (the case's original decision when ``decision`` is
    empty, else a later decision that changed the duties). Ended by a later decision, never deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("case"))
    definition = models.ForeignKey(
        ConditionDefinition, on_delete=models.PROTECT, related_name="+", verbose_name=_("duty")
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    decision = models.ForeignKey(
        CourtDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions_added",
        verbose_name=_("court decision"),
    )
    in_force_from = models.DateField(_("in force from"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_by_decision = models.ForeignKey(
        CourtDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions_ended",
        verbose_name=_("ended by the decision"),
    )
    end_reason = models.TextField(_("reason"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["in_force_from", "id"]
        verbose_name = _("duty of a case")
        verbose_name_plural = _("duties of cases")
        indexes = [models.Index(fields=["case", "in_force_from"], name="case_condition_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("in_force_from")),
                name="case_condition_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.definition.code}"

    @property
    def code(self) -> str:
        return self.definition.code

    def in_force_on(self, day: Any) -> bool:
        return self.in_force_from <= day and (self.ended_on is None or self.ended_on > day)
