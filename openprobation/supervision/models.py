"""Reporting schedules and appointments (LoP art. 13; Order 511: the person reports to the probation
office on the schedule the court or the officer sets)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel


class AppointmentKind(models.TextChoices):
    OFFICE_REPORT = "office_report", _("Office report")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    PARTNER_SITE = "partner_site", _("Visit at a partner's site")


class Pattern(models.TextChoices):
    WEEKLY = "weekly", _("Every week on given weekdays")
    EVERY_N_WEEKS = "every_n_weeks", _("Every few weeks on given weekdays")
    MONTHLY = "monthly", _("Every month on given days")


WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class ScheduleOrigin(models.TextChoices):
    LEVEL_DEFAULT = "level_default", _("Default for the supervision level")
    DEFAULT = "default", _("Default frequency")
    OVERRIDE = "override", _("Set by the officer")


class ReportingSchedule(TimeStampedModel):
    """How often the person reports. A new schedule replaces the one in force (kept as history)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporting_schedules")
    pattern = models.CharField(_("pattern"), max_length=16, choices=Pattern.choices)
    # Monday = 0 ... Sunday = 6 (weekly and every-N-weeks patterns).
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    # Days of the month 1..31 (monthly pattern; a day the month lacks is its last day).
    month_days = models.JSONField(_("days of the month"), default=list, blank=True)
    interval_weeks = models.PositiveSmallIntegerField(_("every so many weeks"), default=1)
    time_of_day = models.TimeField(_("time"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=AppointmentKind.choices, default=AppointmentKind.OFFICE_REPORT
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    origin = models.CharField(_("origin of the frequency"), max_length=16, choices=ScheduleOrigin.choices)
    override_reason = models.TextField(_("reason for the change"), blank=True)
    rule_key = models.CharField(max_length=64, blank=True)
    rule_version = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # The horizon the appointments have been generated to (the job skips the schedule until it moves).
    generated_until = models.DateField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        verbose_name = _("reporting schedule")
        verbose_name_plural = _("reporting schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(active=True), name="supervision_one_active_schedule_per_case"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="supervision_schedule_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1) & Q(interval_weeks__lte=52),
                name="supervision_schedule_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.pattern}"

    @property
    def summary(self) -> str:
        """The schedule in words: "Every week on Monday, Wednesday at 10:00 (office report)"."""
        if self.pattern == Pattern.MONTHLY:
            days = ", ".join(str(d) for d in sorted(self.month_days))
            when = _("every month on days %(days)s") % {"days": days}
        else:
            names = ", ".join(str(WEEKDAY_NAMES[d]) for d in sorted(self.weekdays) if 0 <= d <= 6)
            if self.pattern == Pattern.EVERY_N_WEEKS and self.interval_weeks > 1:
                when = _("every %(n)s weeks on %(days)s") % {"n": self.interval_weeks, "days": names}
            else:
                when = _("every week on %(days)s") % {"days": names}
        return _("%(when)s at %(time)s (%(kind)s)") % {
            "when": when,
            "time": self.time_of_day.strftime("%H:%M"),
            "kind": self.get_kind_display(),
        }


class Outcome(models.TextChoices):
    # In the order the outcome form offers them: the most common first.
    ATTENDED_COMPLIED = "attended_complied", _("Attended and complied")
    ACCEPTABLE_ABSENCE = "acceptable_absence", _("Absent for a good reason")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    FAILED_TO_ATTEND = "failed_to_attend", _("Failed to attend")
    UNACCEPTABLE_ABSENCE = "unacceptable_absence", _("Absent without a good reason")
    ATTENDED_NOT_COMPLIED = "attended_not_complied", _("Attended but failed to comply")
    # Not an outcome an officer records: the appointment of a replaced schedule.
    CANCELLED = "cancelled", _("Cancelled (schedule changed)")


RECORDABLE_OUTCOMES = [o for o in Outcome if o is not Outcome.CANCELLED]
# Outcomes that say whether the person came: only for an appointment that has taken place.
ATTENDANCE_OUTCOMES = frozenset(set(RECORDABLE_OUTCOMES) - {Outcome.RESCHEDULED})


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Illness (with evidence)")
    COURT = "court", _("Court hearing")
    WORK = "work", _("Work")
    FAMILY_EMERGENCY = "family_emergency", _("Family emergency")
    OTHER = "other", _("Other")


class RescheduledBy(models.TextChoices):
    PERSON = "person", _("The person asked")
    OFFICER = "officer", _("The officer")


class Appointment(TimeStampedModel):
    """One contact with the person. ``outcome`` "" means it has not been recorded yet."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(
        _("kind"), max_length=16, choices=AppointmentKind.choices, default=AppointmentKind.OFFICE_REPORT
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    schedule = models.ForeignKey(
        ReportingSchedule, on_delete=models.CASCADE, related_name="appointments", null=True, blank=True
    )
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, related_name="rescheduled_to", null=True, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True, default="")
    reason_code = models.CharField(_("reason"), max_length=24, choices=AbsenceReason.choices, blank=True)
    rescheduled_by = models.CharField(_("rescheduled by"), max_length=16, choices=RescheduledBy.choices, blank=True)
    outcome_note = models.TextField(_("note"), blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["case", "starts_at"], name="supervision_appt_case_starts"),
            # The work queue and the reminder job read only the appointments still without an outcome.
            models.Index(fields=["starts_at"], condition=Q(outcome=""), name="supervision_appt_open_starts"),
            models.Index(fields=["case", "starts_at"], condition=Q(outcome=""), name="supervision_appt_open_case"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="supervision_appt_unique_per_schedule"),
            models.CheckConstraint(
                condition=Q(reason_code="") | Q(outcome="acceptable_absence"),
                name="supervision_appt_reason_only_for_absence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def recorded(self) -> bool:
        return bool(self.outcome)
