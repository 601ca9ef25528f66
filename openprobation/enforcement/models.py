"""Violations of the conditions of probation and the enforcement ladder that answers them
(warning → written warning → submission to court → the court's outcome)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openprobation.cases.models import Case, CourtDecision
from openprobation.core.models import TimeStampedModel


class ViolationKind(models.TextChoices):
    MISSED_REPORT = "missed_report", _("Failed to report to the office")
    CURFEW_BREACH = "curfew_breach", _("Not at home during the set hours")
    LEFT_LOCALITY = "left_locality", _("Left the locality without permission")
    FORBIDDEN_PLACE = "forbidden_place", _("Visited a forbidden place")
    WORK_REFUSAL = "work_refusal", _("Refused work or study")
    FORCED_LABOUR_EVASION = "forced_labour_evasion", _("Evaded forced labour")
    ADMINISTRATIVE_OFFENCE = "administrative_offence", _("Administrative offence")
    NEW_OFFENCE = "new_offence", _("New criminal offence")
    DEVICE_TAMPERING = "device_tampering", _("Tampered with the monitoring device")


class ViolationSource(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment outcome")
    POLICE_REPORT = "police_report", _("Police report")
    MONITORING_ALERT = "monitoring_alert", _("Electronic monitoring alert")
    OFFICER = "officer", _("Officer's finding")
    EMPLOYMENT = "employment", _("Employer or place of study")
    FORCED_LABOUR = "forced_labour", _("Forced labour record")


class ViolationStatus(models.TextChoices):
    CANDIDATE = "candidate", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    EXPLAINED = "explained", _("Explanation received")
    RESPONDED = "responded", _("Responded to")
    DISMISSED = "dismissed", _("Dismissed")


# Statuses of a violation that is established (counts towards the ladder's threshold).
ESTABLISHED = (ViolationStatus.CONFIRMED, ViolationStatus.EXPLAINED, ViolationStatus.RESPONDED)
# Statuses that still wait for the officer (to confirm, to answer).
AWAITING = (ViolationStatus.CANDIDATE, ViolationStatus.CONFIRMED, ViolationStatus.EXPLAINED)


class Violation(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="violations", verbose_name=_("case"))
    kind = models.CharField(_("kind of violation"), max_length=32, choices=ViolationKind.choices)
    source = models.CharField(_("source"), max_length=24, choices=ViolationSource.choices)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    occurred_on = models.DateField(_("occurred on"))
    description = models.TextField(_("what happened"))
    evidence = models.TextField(_("evidence"), blank=True)
    malicious = models.BooleanField(_("malicious"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ViolationStatus.choices, default=ViolationStatus.CANDIDATE
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    explanation = models.TextField(_("the person's explanation"), blank=True)
    explanation_received_on = models.DateField(_("explanation received on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        indexes = [
            models.Index(fields=["status", "case"], name="violation_status_case_idx"),
            models.Index(fields=["case", "occurred_on"], name="violation_case_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "source", "source_ref"],
                condition=~Q(source_ref=""),
                name="violation_source_ref_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind} {self.occurred_on}"

    @property
    def is_established(self) -> bool:
        return self.status in ESTABLISHED


class ViolationStatusChange(models.Model):
    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from"), max_length=16, choices=ViolationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=ViolationStatus.choices)
    reason = models.TextField(_("reason"))
    effective_on = models.DateField(_("effective on"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["violation", "at"], name="violation_hist_idx")]

    def __str__(self) -> str:
        return f"{self.violation_id}: {self.from_status} → {self.to_status}"


class Step(models.TextChoices):
    WARNING = "warning", _("Warning")
    WRITTEN_WARNING = "written_warning", _("Written warning")
    SUBMISSION = "submission", _("Submission to court")
    COURT_OUTCOME = "court_outcome", _("Court's outcome")


class RequestedOutcome(models.TextChoices):
    EXTEND_CONTROL = "extend_control", _("Extend probation control")
    REPLACE_WITH_IMPRISONMENT = "replace_with_imprisonment", _("Replace with imprisonment")
    CANCEL_CONDITIONAL = "cancel_conditional", _("Cancel the conditional sentence")


class CourtResult(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class EnforcementStep(models.Model):
    """One rung of the ladder taken on a case, answering one or more violations."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enforcement_steps")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    violations = models.ManyToManyField(Violation, related_name="steps", blank=True, verbose_name=_("violations"))
    taken_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    requested_outcome = models.CharField(
        _("requested outcome"), max_length=32, choices=RequestedOutcome.choices, blank=True
    )
    # A court outcome answers a submission; its result, and the case's decision when granted.
    submission = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="outcomes", verbose_name=_("submission")
    )
    result = models.CharField(_("result"), max_length=12, choices=CourtResult.choices, blank=True)
    court_decision = models.ForeignKey(
        CourtDecision, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    rule_key = models.CharField(max_length=100, blank=True, editable=False)
    rule_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        ordering = ["taken_on", "id"]
        verbose_name = _("enforcement step")
        verbose_name_plural = _("enforcement steps")
        indexes = [models.Index(fields=["case", "taken_on"], name="enforcement_step_case_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"], condition=Q(submission__isnull=False), name="enforcement_one_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.step} {self.taken_on}"
