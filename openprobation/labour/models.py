"""Labour duties: the employment duty (find work within a deadline) with its referrals, offers and
answers, and forced labour (restriction of liberty) with the hours worked and the recorded
exemption decisions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel


class DutyStatus(models.TextChoices):
    SEEKING = "seeking", _("Seeking work")
    EMPLOYED = "employed", _("Employed")
    STUDYING = "studying", _("Studying")
    ENDED = "ended", _("Ended")


# The statuses in which the duty is met (the deadline no longer matters).
MET_STATUSES = (DutyStatus.EMPLOYED, DutyStatus.STUDYING)


class EmploymentDuty(TimeStampedModel):
    """The court's duty to work or study, tracked with its deadline (one per case)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="employment_duty")
    deadline = models.DateField(_("find work by"))
    rule_key = models.CharField(max_length=64)
    rule_version = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=16, choices=DutyStatus.choices, default=DutyStatus.SEEKING)
    status_on = models.DateField(_("status since"))
    employer = models.CharField(_("employer or place of study"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("employment duty")
        verbose_name_plural = _("employment duties")
        indexes = [models.Index(fields=["status", "deadline"], name="labour_duty_status_deadline")]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.get_status_display()}"


class ReferralKind(models.TextChoices):
    EMPLOYMENT_CENTRE = "employment_centre", _("Employment centre")
    EMPLOYER = "employer", _("Employer")


class JobReferral(TimeStampedModel):
    duty = models.ForeignKey(EmploymentDuty, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("referred to"), max_length=24, choices=ReferralKind.choices)
    organisation = models.CharField(_("organisation"), max_length=300)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("job referral")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.issued_on:%d.%m.%Y})"


class OfferAnswer(models.TextChoices):
    PENDING = "", _("Not answered yet")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED_GOOD_REASON = "refused_good_reason", _("Refused with a good reason")
    REFUSED_NO_REASON = "refused_no_reason", _("Refused without a good reason")
    NO_ANSWER = "no_answer", _("No answer")


class JobOffer(TimeStampedModel):
    duty = models.ForeignKey(EmploymentDuty, on_delete=models.CASCADE, related_name="offers")
    referral = models.ForeignKey(
        JobReferral, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers", verbose_name=_("referral")
    )
    employer = models.CharField(_("employer"), max_length=300)
    position = models.CharField(_("position"), max_length=300)
    offered_on = models.DateField(_("offered on"))
    answer = models.CharField(_("answer"), max_length=24, choices=OfferAnswer.choices, blank=True, default="")
    answer_reason = models.TextField(_("reason given"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-offered_on", "-id"]
        verbose_name = _("job offer")

    def __str__(self) -> str:
        return f"{self.position}, {self.employer} ({self.offered_on:%d.%m.%Y})"


class LabourHours(TimeStampedModel):
    """Hours of forced labour worked on one day (restriction of liberty, CC art. 44(1))."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="labour_hours")
    worked_on = models.DateField(_("day worked"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
    )
    organisation = models.CharField(_("organising body"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-worked_on", "-id"]
        verbose_name = _("forced labour hours")
        verbose_name_plural = _("forced labour hours")
        indexes = [models.Index(fields=["case", "worked_on"], name="labour_hours_case_day")]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="labour_hours_positive")]

    def __str__(self) -> str:
        return f"{self.worked_on:%d.%m.%Y}: {self.hours} h"


class ForcedLabourDecision(TimeStampedModel):
    """The officer's recorded judgement of the forced-labour exemptions (CC art. 44(1)), made again
    when the person's circumstances change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="forced_labour_decisions")
    judged_on = models.DateField(_("judged on"))
    applies = models.BooleanField(_("forced labour applies"))
    exemptions = models.JSONField(_("exemptions"), default=list, blank=True)
    reason = models.TextField(_("reason"))
    rule_key = models.CharField(max_length=64)
    rule_version = models.PositiveIntegerField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-judged_on", "-id"]
        verbose_name = _("forced labour decision")

    def __str__(self) -> str:
        return f"{self.case.number}: {self.judged_on:%d.%m.%Y}"
