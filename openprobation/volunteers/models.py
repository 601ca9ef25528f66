"""Volunteers and mentors (LoP art. 11): the registry of volunteers with their checks and training,
their assignment to a person under probation (with the person's consent) and the support sessions
the officer logs on the volunteer's report. Volunteers do not sign in."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Office, Region
from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel
from openprobation.programmes.models import PartnerOrganisation


class VolunteerKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    MENTOR = "mentor", _("Mentor")


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left")


class CheckKind(models.TextChoices):
    """The vocabulary of the rule ``volunteers.checks`` (its ``required`` list names some of them)."""

    CRIMINAL_RECORD = "criminal_record", _("Criminal-record check")
    TRAINING = "training", _("Training")
    INTERVIEW = "interview", _("Interview")
    MEDICAL = "medical", _("Medical check")


class SessionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    PHONE = "phone", _("Phone call")
    ACCOMPANYING = "accompanying", _("Accompanying")
    OTHER = "other", _("Other")


class Volunteer(TimeStampedModel):
    """A volunteer or mentor, registered in a region for the districts (offices) where they help."""

    full_name = models.CharField(_("full name"), max_length=200)
    iin = models.CharField(_("IIN"), max_length=12, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("region"))
    offices = models.ManyToManyField(Office, related_name="volunteers", verbose_name=_("districts served"))
    kind = models.CharField(_("kind"), max_length=16, choices=VolunteerKind.choices, default=VolunteerKind.VOLUNTEER)
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("comes through (NGO)"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["region", "status"], name="volunteer_region_status")]

    def __str__(self) -> str:
        return self.full_name


class VolunteerStatusChange(models.Model):
    """One row per status move of a volunteer (``core.lifecycle``)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=VolunteerStatus.choices)
    to_status = models.CharField(max_length=16, choices=VolunteerStatus.choices)
    reason = models.TextField(_("reason"))
    effective_on = models.DateField(_("effective on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("volunteer status change")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.effective_on:%d.%m.%Y})"


class VolunteerCheck(TimeStampedModel):
    """A check or training of a volunteer; its validity comes from the rule ``volunteers.checks``
    in force on the day it was done (the rule key and version are kept)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("check"), max_length=24, choices=CheckKind.choices)
    passed = models.BooleanField(_("passed"))
    on = models.DateField(_("done on"))
    valid_until = models.DateField(_("valid until"))
    reference = models.CharField(_("reference or document number"), max_length=100, blank=True)
    rule_key = models.CharField(max_length=64)
    rule_version = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("volunteer check")
        indexes = [models.Index(fields=["volunteer", "kind", "valid_until"], name="volunteer_check_validity")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d.%m.%Y}"


class VolunteerAssignment(TimeStampedModel):
    """A volunteer assigned to a person under probation (through the case), with the person's consent."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="assignments")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="volunteer_assignments")
    consent_on = models.DateField(_("consent given on"))
    consent_note = models.CharField(_("how consent was given"), max_length=500)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rule_key = models.CharField(max_length=64)
    rule_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("volunteer assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "case"],
                condition=models.Q(ended_on__isnull=True),
                name="volunteer_one_active_assignment_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.case.number}"

    @property
    def active(self) -> bool:
        return self.ended_on is None


class SupportSession(TimeStampedModel):
    """A support session held by the volunteer, logged by the officer on the volunteer's report."""

    assignment = models.ForeignKey(VolunteerAssignment, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), validators=[MinValueValidator(1), MaxValueValidator(720)])
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("summary"))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("logged by")
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("support session")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=720), name="volunteer_session_minutes_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y}: {self.minutes} min"
