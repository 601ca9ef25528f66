"""Social and legal assistance: partner organisations and their staff, individual programmes (goals,
measures, versions, the person's agreement, participants) and referrals to partners.

A programme belongs to a person and follows them from case to case (a release plan hands it to the
post-penitentiary case); ``case`` is the case it is currently run under, ``office`` that case's
office, kept here so scoping is one filter. A referral carries its case and office for the same
reason, and its organisation for the partner portal's relationship scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Office, Region
from openprobation.cases.models import Case
from openprobation.core.models import TimeStampedModel
from openprobation.people.models import FamilyMember, Person
from openprobation.programmes.catalogue import CapacityPeriod, Measure, NeedDomain, OrganisationKind

# --- Partner organisations ----------------------------------------------------------------------------


class PartnerOrganisation(TimeStampedModel):
    """An organisation that delivers measures: an akimat department, an employment centre, a clinic,
    a college, an NGO, an employer... Registered per region with the districts (offices) it serves."""

    name = models.CharField(_("name"), max_length=300)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices)
    bin = models.CharField(_("BIN"), max_length=12, blank=True, help_text=_("Business identification number."))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="partner_organisations")
    districts = models.ManyToManyField(
        Office, related_name="partner_organisations", blank=True, verbose_name=_("districts served")
    )
    services = models.JSONField(_("services offered"), default=list, blank=True)  # Measure codes
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    capacity_period = models.CharField(
        _("places per"), max_length=8, choices=CapacityPeriod.choices, default=CapacityPeriod.MONTH
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    languages = models.JSONField(_("languages of service"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        indexes = [models.Index(fields=["region", "kind", "active"], name="partner_org_region_kind")]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the reader's language: the Kazakh name on Kazakh pages where one is given."""
        if self.name_kk and (get_language() or "")[:2] == "kk":
            return self.name_kk
        return self.name


class PartnerStaff(TimeStampedModel):
    """Ties a user of the partner-staff role to the organisation they work for: what the partner
    portal's relationship scope is built on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_staff")
    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="staff")

    class Meta:
        verbose_name = _("partner staff member")
        verbose_name_plural = _("partner staff members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


# --- Individual programmes ------------------------------------------------------------------------------


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AGREED = "agreed", _("Agreed with the person")
    REFUSED = "refused", _("Refused by the person")
    CLOSED = "closed", _("Closed")


class ProgrammeBasis(models.TextChoices):
    NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
    OFFICER_STUDY = "officer_study", _("Officer's study of the situation")


class Programme(TimeStampedModel):
    """The individual programme of social and legal assistance of one person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="programmes")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="programmes")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="programmes")
    status = models.CharField(_("status"), max_length=12, choices=ProgrammeStatus.choices, default="draft")
    basis = models.CharField(_("built from"), max_length=20, choices=ProgrammeBasis.choices)
    needs_assessment_id = models.PositiveIntegerField(null=True, blank=True)  # assessments.Assessment
    study = models.TextField(_("study of the person's situation"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    opened_on = models.DateField(_("opened on"))
    agreement_on = models.DateField(_("agreed or refused on"), null=True, blank=True)
    agreement_note = models.TextField(_("the person's words"), blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    review_rule_key = models.CharField(max_length=64, blank=True, editable=False)
    review_rule_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("individual programme")
        verbose_name_plural = _("individual programmes")
        indexes = [
            models.Index(fields=["office", "status"], name="programme_office_status"),
            models.Index(fields=["next_review_on"], name="programme_review_due", condition=Q(status="agreed")),
        ]
        constraints = [
            # One programme in work per person: a new one only once the old is closed.
            models.UniqueConstraint(
                fields=["person"], condition=~Q(status="closed"), name="programme_one_open_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} v{self.version} ({self.status})"


class ProgrammeStatusChange(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    reason = models.TextField(blank=True)
    effective_on = models.DateField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.from_status} -> {self.to_status}"


class ProgrammeVersion(models.Model):
    """A frozen copy of the programme at a version: its goals and measures as agreed (or refused),
    and what changed since the previous version."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)  # {"goals": [...], "measures": [...], "participants": [...]}
    changes = models.JSONField(default=list)  # [{"what": "measure", "code": ..., "change": "added", ...}]
    reason = models.TextField(blank=True)
    agreement = models.CharField(max_length=12, blank=True)  # agreed / refused / "" (not yet)
    agreement_on = models.DateField(null=True, blank=True)
    agreement_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="programme_version_unique")]

    def __str__(self) -> str:
        return f"{self.programme_id} v{self.number}"


class Goal(TimeStampedModel):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("need"), max_length=24, choices=NeedDomain.choices)
    text = models.TextField(_("goal"))
    assessed_points = models.PositiveSmallIntegerField(null=True, blank=True)  # from the needs assessment
    achieved = models.BooleanField(_("achieved"), default=False)
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["programme", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.text[:40]}"


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")
    CANCELLED = "cancelled", _("Cancelled")


class ProgrammeMeasure(TimeStampedModel):
    """One measure of a programme: what, by whom, by when, and how it ended."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="measures")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="measures")
    measure = models.CharField(_("measure"), max_length=24, choices=Measure.choices)
    description = models.TextField(_("what is to be done"), blank=True)
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("responsible organisation"),
    )
    due_on = models.DateField(_("due by"))
    status = models.CharField(_("status"), max_length=12, choices=MeasureStatus.choices, default="planned")
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)

    class Meta:
        ordering = ["programme", "due_on", "id"]
        verbose_name = _("programme measure")
        verbose_name_plural = _("programme measures")
        indexes = [models.Index(fields=["status", "due_on"], name="programme_measure_due")]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} ({self.status})"


class ParticipantKind(models.TextChoices):
    REPRESENTATIVE = "representative", _("Parent or guardian")
    GUARDIANSHIP = "guardianship", _("Guardianship and custody body")
    CHILD_RIGHTS = "child_rights", _("Child-rights organisation")
    OTHER = "other", _("Other")


class ProgrammeParticipant(TimeStampedModel):
    """Someone involved in a programme besides the person and the officer: for a minor the parents
    or guardians, the guardianship body and child-rights organisations (LoP arts. 18-19)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("who"), max_length=16, choices=ParticipantKind.choices)
    family_member = models.ForeignKey(FamilyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    copy_notices = models.BooleanField(_("copied on notices"), default=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["programme", "kind", "id"]
        verbose_name = _("programme participant")
        verbose_name_plural = _("programme participants")

    def __str__(self) -> str:
        return self.name or str(self.organisation or self.family_member)


# --- Referrals ----------------------------------------------------------------------------------------------


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# A referral the partner has to do something about (and may see); drafts are the office's own.
PARTNER_VISIBLE = ("sent", "accepted", "declined", "in_progress", "completed", "cancelled")
WAITING_FOR_ANSWER = ("sent",)
OPEN_REFERRAL = ("sent", "accepted", "in_progress")


class Referral(TimeStampedModel):
    """A programme measure referred to a partner organisation, until the partner answers and
    reports the outcome (which flows back into the measure)."""

    measure = models.ForeignKey(ProgrammeMeasure, on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assistance_referrals")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="assistance_referrals")
    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices, default="draft")
    request = models.TextField(
        _("what is asked"), help_text=_("What the partner reads: the request, without the case.")
    )
    share_phone = models.BooleanField(_("share the person's phone"), default=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    complete_due = models.DateField(_("completion due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_achieved = models.BooleanField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    complete_reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The rulebook version the deadlines were derived from (set when sent).
    rule_key = models.CharField(max_length=64, blank=True, editable=False)
    rule_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    complete_due_given = models.BooleanField(default=False, editable=False)  # the officer set an earlier date
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["organisation", "status"], name="referral_org_status"),
            models.Index(fields=["office", "status"], name="referral_office_status"),
            models.Index(fields=["status", "answer_due"], name="referral_answer_due"),
            models.Index(fields=["status", "complete_due"], name="referral_complete_due"),
        ]

    def __str__(self) -> str:
        return self.number


class ReferralEvent(models.Model):
    """The referral's history: every move, update and reminder, by whom (office or partner)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    kind = models.CharField(max_length=16, default="transition")  # transition, update, reminder, escalation
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.kind} {self.from_status}->{self.to_status}"


class ReferralNumberSequence(models.Model):
    """The last referral number given per office and year (``R-<office code>-<year>-<seq>``)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="referral_number_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"
