"""Employment: the annual job quotas the akimat approves at employers per district, vacancies,
referrals issued by the employment centre, placements, refusals of work and the person's
employment status history.

Employers and employment centres are partner organisations (``programmes.PartnerOrganisation``
of kind ``employer`` / ``employment_centre``); this app never keeps a second registry of them. A
district is a probation office (``accounts.Office``). Records about a person carry the case they
were made under and that case's office at the time, so scoping and the district figures are one
filter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openprobation.accounts.models import Office
from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel
from openprobation.people.models import Employment, Person
from openprobation.programmes.models import PartnerOrganisation

# --- Quotas and vacancies --------------------------------------------------------------------------------


class JobQuota(TimeStampedModel):
    """Places an employer keeps for people on probation in one district for one calendar year, as the
    akimat's decision approved them."""

    employer = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="job_quotas", verbose_name=_("employer")
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="job_quotas", verbose_name=_("district"))
    year = models.PositiveSmallIntegerField(_("year"))
    places = models.PositiveIntegerField(_("places"))
    decision_number = models.CharField(_("akimat decision number"), max_length=100)
    decision_date = models.DateField(_("akimat decision date"))
    note = models.TextField(_("note"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "employer__name", "id"]
        verbose_name = _("job quota")
        verbose_name_plural = _("job quotas")
        constraints = [
            models.UniqueConstraint(fields=["employer", "office", "year"], name="employment_quota_unique"),
            models.CheckConstraint(condition=Q(places__gte=0), name="employment_quota_places_nonneg"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="employment_quota_year_range"),
        ]
        indexes = [models.Index(fields=["office", "year"], name="employment_quota_office_year")]

    def __str__(self) -> str:
        return f"{self.employer}: {self.places} ({self.year})"


class VacancyStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("vacancy status", "Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed")


class Vacancy(TimeStampedModel):
    employer = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="vacancies", verbose_name=_("employer")
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="vacancies", verbose_name=_("district"))
    title = models.CharField(_("position"), max_length=300)
    places = models.PositiveIntegerField(_("places"), default=1)
    wage = models.DecimalField(_("monthly wage, tenge"), max_digits=12, decimal_places=2, null=True, blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    counts_toward_quota = models.BooleanField(_("counts toward the quota"), default=True)
    status = models.CharField(_("status"), max_length=8, choices=VacancyStatus.choices, default=VacancyStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        indexes = [models.Index(fields=["office", "status"], name="employment_vacancy_office")]
        constraints = [models.CheckConstraint(condition=Q(places__gte=1), name="employment_vacancy_places_pos")]

    def __str__(self) -> str:
        return f"{self.title}, {self.employer}"


class VacancyStatusChange(models.Model):
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=8)
    to_status = models.CharField(max_length=8)
    reason = models.TextField(blank=True)
    effective_on = models.DateField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.effective_on:%d.%m.%Y})"


# --- Referrals, placements, refusals -----------------------------------------------------------------------


class ReferralStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    PLACED = "placed", _("Placed")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class EmploymentReferral(TimeStampedModel):
    """A referral the employment centre issued to the person, to a vacancy or to an employer."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="employment_referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employment_referrals")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("employment centre")
    )
    employer = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("employer")
    )
    vacancy = models.ForeignKey(
        Vacancy, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals", verbose_name=_("vacancy")
    )
    number = models.CharField(_("referral number"), max_length=50, blank=True)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(_("status"), max_length=8, choices=ReferralStatus.choices, default=ReferralStatus.ISSUED)
    status_on = models.DateField(_("status since"))
    note = models.TextField(_("note"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("employment referral")
        verbose_name_plural = _("employment referrals")
        indexes = [models.Index(fields=["office", "issued_on"], name="employment_referral_office")]

    def __str__(self) -> str:
        number = f"№ {self.number}, " if self.number else ""
        return f"{number}{self.employer} ({self.issued_on:%d.%m.%Y})"


class ReferralStatusChange(models.Model):
    referral = models.ForeignKey(EmploymentReferral, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=8)
    to_status = models.CharField(max_length=8)
    reason = models.TextField(blank=True)
    effective_on = models.DateField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.effective_on:%d.%m.%Y})"


class EndReason(models.TextChoices):
    CONTRACT_ENDED = "contract_ended", _("Fixed-term contract ended")
    RESIGNED = "resigned", _("Resigned")
    DISMISSED = "dismissed", _("Dismissed by the employer")
    MOVED = "moved", _("Moved away")
    HEALTH = "health", _("Health reasons")
    CASE_ENDED = "case_ended", _("Probation ended")
    OTHER = "other", _("Other")


class Placement(TimeStampedModel):
    """The person took up work. ``quota`` is the quota the place counts toward (none when the
    employer has no quota that year or the place is recorded outside it)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="placements")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="placements", verbose_name=_("employer")
    )
    vacancy = models.ForeignKey(Vacancy, on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    quota = models.ForeignKey(JobQuota, on_delete=models.PROTECT, null=True, blank=True, related_name="placements")
    referral = models.ForeignKey(
        EmploymentReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    position = models.CharField(_("position"), max_length=300)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason it ended"), max_length=16, choices=EndReason.choices, blank=True)
    end_note = models.TextField(_("about the end"), blank=True)
    outside_quota = models.BooleanField(_("outside the quota"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [models.Index(fields=["office", "started_on"], name="employment_placement_office")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="employment_placement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}, {self.employer} ({self.started_on:%d.%m.%Y})"


class JobRefusal(TimeStampedModel):
    """The person refused a referral or a job. Without a good reason it is also recorded against the
    court's employment duty (labour), where it makes a violation candidate once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="job_refusals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="job_refusals")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        EmploymentReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="refusals"
    )
    vacancy = models.ForeignKey(Vacancy, on_delete=models.PROTECT, null=True, blank=True, related_name="refusals")
    employer = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("employer")
    )
    refused_on = models.DateField(_("refused on"))
    reason = models.TextField(_("reason given"))
    good_reason = models.BooleanField(_("good reason"))
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The job offer recorded against the employment duty (labour.JobOffer), when there is a duty.
    labour_offer_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-refused_on", "-id"]
        verbose_name = _("refusal of work")
        verbose_name_plural = _("refusals of work")
        indexes = [models.Index(fields=["office", "refused_on"], name="employment_refusal_office")]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(referral__isnull=False), name="employment_refusal_once_per_referral"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} ({self.refused_on:%d.%m.%Y})"


# --- The person's employment status history ----------------------------------------------------------------


class StatusSource(models.TextChoices):
    PLACEMENT = "placement", _("Placement started")
    ENDED = "ended", _("Placement ended")
    REFUSAL = "refusal", _("Refused work")
    MANUAL = "manual", _("Recorded by staff")


class EmploymentStatusChange(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employment_history")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("employment status"), max_length=16, choices=Employment.choices)
    since = models.DateField(_("since"))
    source = models.CharField(_("source"), max_length=12, choices=StatusSource.choices)
    note = models.TextField(_("note"), blank=True)
    placement = models.ForeignKey(Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    refusal = models.ForeignKey(JobRefusal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("employment status change")
        verbose_name_plural = _("employment status changes")

    def __str__(self) -> str:
        return f"{self.person}: {self.status} ({self.since:%d.%m.%Y})"
