"""Risk and needs assessment: instruments as versioned data, the assessments of each case, level
overrides with the head's countersignature, reassessment triggers, and each case's current state
(level, due date) kept beside it so the caseload and the work queue read it without rescoring."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from openprobation.assessments.instrument import pick
from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel
from openprobation.rules.models import RuleStatus


class InstrumentKind(models.TextChoices):
    RISK = "risk", _("Risk of reoffending")
    NEEDS = "needs", _("Needs")


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    RETIRED = "retired", _("Retired")


class Instrument(TimeStampedModel):
    """One version of an instrument. Officers score with the approved version in force; a
    version with assessments is frozen (a change is a new version), and a calibrated version
    starts as a draft for the administrator to approve."""

    key = models.CharField(_("key"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=8, choices=InstrumentKind.choices)
    title_en = models.CharField(_("title in English"), max_length=200)
    title_kk = models.CharField(_("title in Kazakh"), max_length=200)
    title_ru = models.CharField(_("title in Russian"), max_length=200)
    definition = models.JSONField(_("definition"), help_text=_("Items, terms and level bands; see the README."))
    source = models.TextField(_("source"))
    rule_status = models.CharField(_("status of the source"), max_length=1, choices=RuleStatus.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=InstrumentStatus.choices, default=InstrumentStatus.DRAFT
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    derived_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("derived from")
    )
    calibration = models.JSONField(_("calibration"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["key", "version"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="instrument_key_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="instrument_effective_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def title(self) -> str:
        return pick({"en": self.title_en, "kk": self.title_kk, "ru": self.title_ru})


class AssessmentReason(models.TextChoices):
    INITIAL = "initial", _("At registration")
    SCHEDULED = "scheduled", _("Scheduled reassessment")
    VIOLATION = "violation", _("After a violation")
    NEW_OFFENCE = "new_offence", _("After a new offence")
    CHANGE_OF_WORK = "change_of_work", _("After a change of work")
    CHANGE_OF_ADDRESS = "change_of_address", _("After a change of address")
    OTHER = "other", _("Other")


class Assessment(TimeStampedModel):
    """A completed assessment: the answers, the instrument version, and its result with the
    breakdown. Never edited: a correction is a new assessment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("case"))
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=8, choices=InstrumentKind.choices)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=AssessmentReason.choices)
    answers = models.JSONField(_("answers"))
    prefilled = models.JSONField(_("facts from the case file"), default=dict, blank=True)
    result = models.JSONField(_("result"))
    score = models.FloatField(_("score"))
    probability = models.FloatField(_("probability"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=32)
    note = models.TextField(_("note"), blank=True)
    # What the person's circumstances were, to notice a change of work or address afterwards.
    circumstances = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["case", "kind", "assessed_on"], name="assessment_case_kind_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.instrument_id} {self.assessed_on} {self.level}"


class OverrideStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting countersignature")
    COUNTERSIGNED = "countersigned", _("Countersigned")
    REFUSED = "refused", _("Refused")


class LevelOverride(models.Model):
    """An officer's different level for a risk assessment, with the reason; in force only once
    the head of office countersigns it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="overrides")
    computed_level = models.CharField(_("assessed level"), max_length=32)
    level = models.CharField(_("proposed level"), max_length=32)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OverrideStatus.choices, default=OverrideStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("level override")
        verbose_name_plural = _("level overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"], condition=Q(status="pending"), name="one_pending_override_per_assessment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.computed_level} -> {self.level} ({self.status})"


class TriggerKind(models.TextChoices):
    VIOLATION = "violation", _("Violation")
    NEW_OFFENCE = "new_offence", _("New offence")
    CHANGE_OF_WORK = "change_of_work", _("Change of work")
    CHANGE_OF_ADDRESS = "change_of_address", _("Change of address")


class ReassessmentTrigger(models.Model):
    """An event after the last risk assessment that calls for a new one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reassessment_triggers")
    kind = models.CharField(_("kind"), max_length=20, choices=TriggerKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    source_ref = models.CharField(max_length=100)
    detected_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="resolved_triggers"
    )

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("reassessment trigger")
        verbose_name_plural = _("reassessment triggers")
        constraints = [
            models.UniqueConstraint(fields=["case", "source_ref"], name="trigger_case_source_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.occurred_on}"


class DueReason(models.TextChoices):
    INITIAL = "initial", _("First assessment")
    SCHEDULED = "scheduled", _("Scheduled reassessment")
    EVENT = "event", _("An event since the last assessment")


class CaseAssessmentState(models.Model):
    """Each case's current level and when it is next due for assessment, maintained by the
    services (never computed by a page), so the caseload and the work queue read one row."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="assessment_state")
    risk = models.ForeignKey(Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    needs = models.ForeignKey(Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assessed_level = models.CharField(max_length=32, blank=True)
    level = models.CharField(_("supervision level"), max_length=32, blank=True)
    override = models.ForeignKey(LevelOverride, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_on = models.DateField(_("assessment due"), null=True, blank=True)
    due_reason = models.CharField(max_length=12, choices=DueReason.choices, blank=True)

    class Meta:
        verbose_name = _("assessment state of a case")
        verbose_name_plural = _("assessment states of cases")
        indexes = [models.Index(fields=["due_on"], name="assessment_state_due_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.level or '-'} due {self.due_on}"


class AnalysisKind(models.TextChoices):
    VALIDATE = "validate", _("Validate an instrument (ROC, calibration, errors by group)")
    ASSESS = "assess", _("Score every row of a file with an instrument")


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnalysisJob(models.Model):
    """An analyst's uploaded file and what was asked of it, run by a background job. Private to the
    uploader; its files are deleted with it, after the retention period."""

    token = models.UUIDField(unique=True, editable=False)  # names the job's folder
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=AnalysisKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=8)
    status = models.CharField(_("status"), max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=32, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")
        indexes = [
            models.Index(fields=["owner", "created_at"], name="analysis_owner_idx"),
            models.Index(fields=["status", "created_at"], name="analysis_status_idx"),
            models.Index(fields=["expires_at"], name="analysis_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"
